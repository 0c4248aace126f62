using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Polymath.Experts;

/// <summary>The larql ExpertResult: what <c>larql_call</c> returns, with the latency measured by the host.</summary>
/// <remarks>
/// The value is kept as the guest wrote it, compacted (no white space outside strings): <see cref="ValueUtf8"/>, checked
/// UTF-8 JSON with no lone surrogate escape, which a front end writes with <c>Utf8JsonWriter.WriteRawValue</c>.
/// <see cref="Value"/> parses it on first use only.
/// </remarks>
public sealed record ExpertResult
{
    private readonly byte[] _value;
    private ParsedValue? _parsed;

    /// <summary>A result whose value is <paramref name="value"/> (copied as compact UTF-8 JSON).</summary>
    /// <param name="value">The op's result (may be JSON null; an undefined element is JSON null).</param>
    /// <param name="confidence">The guest's confidence (larql experts always write 1.0).</param>
    /// <param name="latencyNs">Call latency measured by the host, in nanoseconds.</param>
    /// <param name="expertId">The expert the host routed the call to (never the guest's own claim).</param>
    /// <param name="op">The op the host called (never the guest's own claim).</param>
    public ExpertResult(JsonElement value, float confidence, ulong latencyNs, string expertId, string op)
        : this(value.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : Compact(JsonMarshal.GetRawUtf8Value(value)), confidence, latencyNs, expertId, op)
    {
    }

    private ExpertResult(byte[] valueUtf8, float confidence, ulong latencyNs, string expertId, string op)
    {
        ArgumentNullException.ThrowIfNull(expertId);
        ArgumentNullException.ThrowIfNull(op);
        _value = valueUtf8;
        Confidence = confidence;
        LatencyNs = latencyNs;
        ExpertId = expertId;
        Op = op;
    }

    /// <summary>The op's result as compact UTF-8 JSON text, exactly as the guest wrote it apart from white space.</summary>
    public ReadOnlyMemory<byte> ValueUtf8 => _value;

    /// <summary>The op's result (may be JSON null), parsed from <see cref="ValueUtf8"/> on first use.</summary>
    public JsonElement Value => (_parsed ??= new ParsedValue(_value)).Element;

    /// <summary>The guest's confidence (larql experts always write 1.0).</summary>
    public float Confidence { get; init; }

    /// <summary>Call latency measured by the host, in nanoseconds.</summary>
    public ulong LatencyNs { get; init; }

    /// <summary>The expert the host routed the call to (never the guest's own claim).</summary>
    public string ExpertId { get; init; }

    /// <summary>The op the host called (never the guest's own claim).</summary>
    public string Op { get; init; }

    // One object per parsed value, written once by reference: a JsonElement (two fields) could tear between threads.
    private sealed class ParsedValue(byte[] utf8)
    {
        public readonly JsonElement Element = JsonDocument.Parse(utf8).RootElement;
    }

    /// <summary>Parses a guest's result JSON text: <see cref="Parse(ReadOnlySpan{byte}, string, string, ulong)"/> on its UTF-8.</summary>
    /// <exception cref="ExpertAbiException">As <see cref="Parse(ReadOnlySpan{byte}, string, string, ulong)"/>.</exception>
    public static ExpertResult Parse(string json, string expertId, string op, ulong latencyNs)
    {
        ArgumentNullException.ThrowIfNull(json);
        int bad = StrictJson.FindUnpairedSurrogate(json); // a raw lone surrogate in a string has no UTF-8 form
        if (bad >= 0) throw LoneSurrogate($"at {StrictJson.Position(json, bad)}");
        int max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try { return Parse(buffer[..Encoding.UTF8.GetBytes(json, buffer)], expertId, op, latencyNs); }
        finally { if (rented is not null) ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>
    /// Parses a guest's result, UTF-8 JSON as <c>larql_call</c> left it in guest memory, in one pass: only the value's
    /// bytes are copied (compacted). <c>value</c> is required; a missing or non-numeric <c>confidence</c> is 1.0. The
    /// result is attributed to <paramref name="expertId"/> and <paramref name="op"/>, the host's routing: the guest's own
    /// <c>expert_id</c> and <c>op</c> fields are ignored, so a guest cannot pass its answer off as another expert's.
    /// </summary>
    /// <exception cref="ExpertAbiException">
    /// (<see cref="AbiViolation.InvalidResult"/>) Not UTF-8; not a JSON object with one <c>value</c>; a string with an
    /// unpaired UTF-16 surrogate (a lone <c>\uD800</c>-<c>\uDFFF</c> escape) anywhere; a <c>confidence</c> outside the
    /// range of a 32-bit float (e.g. 1e39); a repeated <c>value</c>, <c>confidence</c>, <c>expert_id</c> or <c>op</c> key;
    /// or nesting deeper than 64 levels.
    /// </exception>
    public static ExpertResult Parse(ReadOnlySpan<byte> utf8, string expertId, string op, ulong latencyNs)
    {
        ArgumentNullException.ThrowIfNull(expertId);
        ArgumentNullException.ThrowIfNull(op);
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
            throw new ExpertAbiException(AbiViolation.InvalidResult, "the result is not valid UTF-8");
        int bad = StrictJson.FindUnpairedSurrogateEscape(utf8);
        if (bad >= 0) throw LoneSurrogate($"at byte {bad}");
        return Read(utf8, expertId, op, latencyNs);
    }

    private static ExpertAbiException LoneSurrogate(string where) => new(AbiViolation.InvalidResult,
        $"the result has an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape) {where}; JSON text must encode whole characters");

    private static readonly JsonReaderOptions GuestReader = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = StrictJson.MaxDepth };

    private static ExpertResult Read(ReadOnlySpan<byte> utf8, string expertId, string op, ulong latencyNs)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, GuestReader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw NotAnObject();
            byte[]? value = null;
            bool hasConfidence = false, hasId = false, hasOp = false;
            float confidence = 1.0f;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("value"u8))
                {
                    if (value is not null) throw Twice("value");
                    reader.Read();
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip(); // validates the value's structure; for a container, ends on its closing token
                    value = Compact(utf8[start..(int)reader.BytesConsumed]);
                    continue;
                }
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
            if (value is null) throw NotAnObject();
            return new ExpertResult(value, confidence, latencyNs, expertId, op);
        }
        catch (JsonException ex)
        {
            // The parser's message may quote the guest's text: control characters are escaped and the quote bounded.
            string reason = StrictJson.Clip(ExpertManifest.Printable(ex.Message));
            throw new ExpertAbiException(AbiViolation.InvalidResult, $"the result is not valid JSON: {reason}", ex);
        }
    }

    // A copy of one JSON value without the white space between its tokens (inside strings nothing changes: JSON has no
    // raw white space there but the space itself). The common case, nothing to remove, is one vectorized search and a copy.
    private static byte[] Compact(ReadOnlySpan<byte> json)
    {
        if (json.IndexOfAny(" \t\r\n"u8) < 0) return json.ToArray();
        var buffer = new byte[json.Length];
        int n = 0;
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            byte b = json[i];
            if (inString)
            {
                buffer[n++] = b;
                if (b == (byte)'\\') buffer[n++] = json[++i];
                else if (b == (byte)'"') inString = false;
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                buffer[n++] = b;
                inString = b == (byte)'"';
            }
        }
        return n == buffer.Length ? buffer : buffer[..n];
    }

    private static ExpertAbiException NotAnObject() => new(AbiViolation.InvalidResult, "the result is not a JSON object with a 'value' field");

    private static ExpertAbiException Twice(string key) => new(AbiViolation.InvalidResult, $"the result has the key '{key}' twice; each key may appear once");

    private static void Once(ref bool seen, string key)
    {
        if (seen) throw Twice(key);
        seen = true;
    }

    private static float ReadConfidence(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number) return 1.0f;
        // What larql experts write (always 1.0): no floating-point parse for it.
        if (!reader.HasValueSequence && reader.ValueSpan.SequenceEqual("1.0"u8)) return 1.0f;
        if (!reader.TryGetDouble(out double d) || !double.IsFinite(d) || Math.Abs(d) > float.MaxValue)
            throw new ExpertAbiException(AbiViolation.InvalidResult,
                $"the result's 'confidence' {StrictJson.Truncate(Encoding.UTF8.GetString(reader.ValueSpan))} is out of range for a 32-bit float (±3.4028235e38)");
        return (float)d;
    }
}
