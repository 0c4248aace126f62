using System.Text.Json;
using Polymath.Sdk;

namespace Polymath.Mcp;

/// <summary>The outcome of one op call, as the MCP layer reports it (built by <see cref="ExpertHostAdapter"/>).</summary>
public sealed record OpCallOutcome
{
    /// <summary>How the call ended.</summary>
    public required ExpertCallOutcome Outcome { get; init; }
    /// <summary>True when the expert answered.</summary>
    public bool IsResult => Outcome == ExpertCallOutcome.Result;
    /// <summary>The outcome's JSON spelling (<see cref="ExpertCallOutcomes.Name"/>).</summary>
    public string OutcomeName => ExpertCallOutcomes.Name(Outcome);
    /// <summary>The op called.</summary>
    public required string Op { get; init; }
    /// <summary>For a result: the value (may be JSON null). Detached from any document.</summary>
    public JsonElement? Value { get; init; }
    /// <summary>For a result: the expert's confidence.</summary>
    public double Confidence { get; init; }
    /// <summary>The expert that ran (or would have run) the op.</summary>
    public string? ExpertId { get; init; }
    /// <summary>The runtime that ran it.</summary>
    public string? RuntimeId { get; init; }
    /// <summary>Host-measured guest latency in nanoseconds.</summary>
    public ulong LatencyNs { get; init; }
    /// <summary>For anything but a result: one line saying why.</summary>
    public string? Reason { get; init; }
    /// <summary>For limit_exceeded: fuel, timeout, memory, call_depth or result_size.</summary>
    public string? Limit { get; init; }
}
