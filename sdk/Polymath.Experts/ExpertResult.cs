using System.Text.Json;

namespace Polymath.Experts;

/// <summary>The larql ExpertResult: what <c>larql_call</c> returns, with the latency measured by the host.</summary>
/// <param name="Value">The op's result (may be JSON null).</param>
/// <param name="Confidence">The guest's confidence (larql experts always write 1.0).</param>
/// <param name="LatencyNs">Call latency measured by the host, in nanoseconds.</param>
/// <param name="ExpertId">The expert's id.</param>
/// <param name="Op">The op name.</param>
public sealed record ExpertResult(JsonElement Value, float Confidence, ulong LatencyNs, string ExpertId, string Op)
{
    /// <summary>Parses a guest's result JSON. <c>value</c> is required; missing <c>confidence</c>/<c>expert_id</c>/<c>op</c> take 1.0 and the given defaults.</summary>
    /// <exception cref="ExpertAbiException">Not a JSON object with a <c>value</c>.</exception>
    public static ExpertResult Parse(string json, string defaultExpertId, string defaultOp, ulong latencyNs)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var value))
                throw new ExpertAbiException(AbiViolation.InvalidResult, "the result is not a JSON object with a 'value' field");
            float confidence = root.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetSingle() : 1.0f;
            string id = root.TryGetProperty("expert_id", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : defaultExpertId;
            string op = root.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : defaultOp;
            return new ExpertResult(value.Clone(), confidence, latencyNs, id, op);
        }
        catch (JsonException ex)
        {
            throw new ExpertAbiException(AbiViolation.InvalidResult, $"the result is not valid JSON: {ex.Message}", ex);
        }
    }
}
