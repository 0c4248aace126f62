using System.Text.Json;
using Polymath.Sdk;

namespace Polymath.Client;

/// <summary>
/// The result of <see cref="PolymathClient.CallAsync"/>: the object <c>polymath call --json</c> prints, typed.
/// <see cref="Json"/> is that object exactly as the service sent it.
/// </summary>
public sealed record RemoteCallResult
{
    /// <summary>How the call ended.</summary>
    public required ExpertCallOutcome Outcome { get; init; }
    /// <summary>The op called.</summary>
    public required string Op { get; init; }
    /// <summary>The expert that served the op, when known.</summary>
    public string? ExpertId { get; init; }
    /// <summary>The runtime plugin that ran it, when known.</summary>
    public string? RuntimeId { get; init; }
    /// <summary>The value (for a result).</summary>
    public JsonElement? Value { get; init; }
    /// <summary>The expert's confidence (for a result).</summary>
    public double Confidence { get; init; }
    /// <summary>The call's latency inside the service, in nanoseconds (for a result).</summary>
    public ulong LatencyNs { get; init; }
    /// <summary>Why there is no result.</summary>
    public string? Reason { get; init; }
    /// <summary>Which limit ended the call (<c>fuel, timeout, memory, call_depth, result_size</c>).</summary>
    public string? Limit { get; init; }
    /// <summary>The trap kind, when the guest trapped.</summary>
    public string? Trap { get; init; }
    /// <summary>The result object as sent by the service (compact JSON).</summary>
    public required string Json { get; init; }

    /// <summary>True when the expert answered.</summary>
    public bool IsResult => Outcome == ExpertCallOutcome.Result;

    /// <summary>Reads the result object of a <c>call</c> reply.</summary>
    /// <exception cref="FormatException">The object has no known <c>outcome</c>.</exception>
    public static RemoteCallResult FromJson(JsonElement result)
    {
        string outcome = result.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "";
        return new RemoteCallResult
        {
            Outcome = ExpertCallOutcomes.TryParse(outcome, out var parsed) ? parsed : throw new FormatException($"unknown call outcome '{outcome}'"),
            Op = String(result, "op") ?? "",
            ExpertId = String(result, "expert_id"),
            RuntimeId = String(result, "runtime"),
            Value = result.TryGetProperty("value", out var v) ? v.Clone() : null,
            Confidence = result.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0,
            LatencyNs = result.TryGetProperty("latency_ns", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetUInt64() : 0,
            Reason = String(result, "reason"),
            Limit = String(result, "limit"),
            Trap = String(result, "trap"),
            Json = result.GetRawText(),
        };
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
