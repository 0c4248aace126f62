using System.Buffers;
using System.Text;
using System.Text.Json;
using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// The call path's reader of a guest's result JSON, with the rules of <see cref="ExpertResult.Parse"/> (a JSON object
/// with a <c>value</c>; <c>confidence</c>, <c>expert_id</c>, <c>op</c> optional) but less work per call: one pass of a
/// <see cref="Utf8JsonReader"/> over the UTF-8 text (transcoded into a pooled buffer), only the <c>value</c> materialized
/// (<see cref="JsonElement.ParseValue"/>: an exactly sized document, nothing to clone), and <c>expert_id</c>/<c>op</c>
/// compared in place so the caller's strings are reused when they match (they always do for larql experts).
/// </summary>
internal static class ExpertResultReader
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <exception cref="ExpertAbiException">Not valid JSON, or not an object with a <c>value</c>.</exception>
    public static ExpertResult Read(string json, string expertId, string op, ulong latencyNs)
    {
        int max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try
        {
            int length = Encoding.UTF8.GetBytes(json, buffer);
            return Read(buffer[..length], expertId, op, latencyNs);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ExpertResult Read(ReadOnlySpan<byte> utf8, string expertId, string op, ulong latencyNs)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw NotAnObject();
            JsonElement? value = null;
            float confidence = 1.0f;
            string id = expertId, name = op;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Duplicate names: the last one wins, as JsonDocument.TryGetProperty does.
                if (reader.ValueTextEquals("value"u8)) { reader.Read(); value = JsonElement.ParseValue(ref reader); }
                else if (reader.ValueTextEquals("confidence"u8))
                {
                    reader.Read();
                    confidence = reader.TokenType == JsonTokenType.Number ? reader.GetSingle() : 1.0f;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("expert_id"u8))
                {
                    reader.Read();
                    id = reader.TokenType != JsonTokenType.String ? expertId : reader.ValueTextEquals(expertId) ? expertId : reader.GetString()!;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("op"u8))
                {
                    reader.Read();
                    name = reader.TokenType != JsonTokenType.String ? op : reader.ValueTextEquals(op) ? op : reader.GetString()!;
                    reader.Skip();
                }
                else { reader.Read(); reader.Skip(); }
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("the object is not closed");
            if (reader.Read()) throw new JsonException($"'{(char)utf8[(int)reader.TokenStartIndex]}' after the end of the result");
            if (value is null) throw NotAnObject();
            return new ExpertResult(value.Value, confidence, latencyNs, id, name);
        }
        catch (JsonException ex)
        {
            throw new ExpertAbiException(AbiViolation.InvalidResult, $"the result is not valid JSON: {ex.Message}", ex);
        }
    }

    private static ExpertAbiException NotAnObject() =>
        new(AbiViolation.InvalidResult, "the result is not a JSON object with a 'value' field");
}
