using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Polymath.Experts;

/// <summary>The larql ExpertResult: what <c>larql_call</c> returns, with the latency measured by the host.</summary>
/// <param name="Value">The op's result (may be JSON null).</param>
/// <param name="Confidence">The guest's confidence (larql experts always write 1.0).</param>
/// <param name="LatencyNs">Call latency measured by the host, in nanoseconds.</param>
/// <param name="ExpertId">The expert the host routed the call to (never the guest's own claim).</param>
/// <param name="Op">The op the host called (never the guest's own claim).</param>
public sealed record ExpertResult(JsonElement Value, float Confidence, ulong LatencyNs, string ExpertId, string Op)
{
    /// <summary>
    /// Parses a guest's result JSON. <c>value</c> is required; a missing or non-numeric <c>confidence</c> is 1.0. The
    /// result is attributed to <paramref name="expertId"/> and <paramref name="op"/>, the host's routing: the guest's
    /// own <c>expert_id</c> and <c>op</c> fields are ignored, so a guest cannot pass its answer off as another expert's.
    /// </summary>
    /// <exception cref="ExpertAbiException">
    /// (<see cref="AbiViolation.InvalidResult"/>) Not a JSON object with one <c>value</c>; a string with an unpaired
    /// UTF-16 surrogate (a lone <c>\uD800</c>-<c>\uDFFF</c> escape) anywhere; a <c>confidence</c> outside the range of a
    /// 32-bit float (e.g. 1e39); a repeated <c>value</c>, <c>confidence</c>, <c>expert_id</c> or <c>op</c> key; or nesting
    /// deeper than 64 levels.
    /// </exception>
    public static ExpertResult Parse(string json, string expertId, string op, ulong latencyNs)
    {
        ArgumentNullException.ThrowIfNull(json);
        int bad = StrictJson.FindUnpairedSurrogate(json);
        if (bad >= 0)
            throw new ExpertAbiException(AbiViolation.InvalidResult,
                $"the result has an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape) at {StrictJson.Position(json, bad)}; JSON text must encode whole characters");
        // One pass of a Utf8JsonReader over the text (transcoded into a pooled buffer): only the value is materialized.
        int max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try { return Read(buffer[..Encoding.UTF8.GetBytes(json, buffer)], expertId, op, latencyNs); }
        finally { if (rented is not null) ArrayPool<byte>.Shared.Return(rented); }
    }

    private static readonly JsonReaderOptions GuestReader = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = StrictJson.MaxDepth };

    private static ExpertResult Read(ReadOnlySpan<byte> utf8, string expertId, string op, ulong latencyNs)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, GuestReader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw NotAnObject();
            JsonElement value = default;
            bool hasValue = false, hasConfidence = false, hasId = false, hasOp = false;
            float confidence = 1.0f;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("value"u8)) { Once(ref hasValue, "value"); reader.Read(); value = JsonElement.ParseValue(ref reader); continue; }
                if (reader.ValueTextEquals("confidence"u8)) { Once(ref hasConfidence, "confidence"); reader.Read(); confidence = ReadConfidence(ref reader); }
                else
                {
                    if (reader.ValueTextEquals("expert_id"u8)) Once(ref hasId, "expert_id"); // the guest's claim is ignored: the host attributes
                    else if (reader.ValueTextEquals("op"u8)) Once(ref hasOp, "op");
                    reader.Read();
                }
                reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("the object is not closed");
            if (reader.Read()) throw new JsonException($"'{(char)utf8[(int)reader.TokenStartIndex]}' after the end of the result");
            if (!hasValue) throw NotAnObject();
            return new ExpertResult(value, confidence, latencyNs, expertId, op);
        }
        catch (JsonException ex)
        {
            // The parser's message may quote the guest's text: control characters are escaped and the quote bounded.
            string reason = StrictJson.Clip(ExpertManifest.Printable(ex.Message));
            throw new ExpertAbiException(AbiViolation.InvalidResult, $"the result is not valid JSON: {reason}", ex);
        }
    }

    private static ExpertAbiException NotAnObject() => new(AbiViolation.InvalidResult, "the result is not a JSON object with a 'value' field");

    private static void Once(ref bool seen, string key)
    {
        if (seen) throw new ExpertAbiException(AbiViolation.InvalidResult, $"the result has the key '{key}' twice; each key may appear once");
        seen = true;
    }

    private static float ReadConfidence(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number) return 1.0f;
        if (!reader.TryGetDouble(out double d) || !double.IsFinite(d) || Math.Abs(d) > float.MaxValue)
            throw new ExpertAbiException(AbiViolation.InvalidResult,
                $"the result's 'confidence' {StrictJson.Truncate(Encoding.UTF8.GetString(reader.ValueSpan))} is out of range for a 32-bit float (±3.4028235e38)");
        return (float)d;
    }
}
