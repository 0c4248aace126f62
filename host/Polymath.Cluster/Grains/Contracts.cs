using Orleans.Concurrency;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Cluster.Grains;

/// <summary>
/// The one grain of the cluster: one activation per silo (key = the silo's address, placed there by
/// <see cref="Placement.SiloTargetedPlacementAttribute"/>), reentrant, so it takes many calls at once and runs each on
/// the silo's worker threads.
/// </summary>
public interface IExpertSiloGrain : IGrainWithStringKey
{
    /// <summary>Runs one call on this silo if it has the call's expert at the call's version; otherwise answers <see cref="ClusterReplyStatus.NotHere"/>.</summary>
    [AlwaysInterleave]
    Task<ClusterReply> CallAsync(ClusterCall call);

    /// <summary>This silo's experts (id, version, ops) and counters.</summary>
    [AlwaysInterleave]
    Task<SiloReport> ReportAsync();
}

/// <summary>One call routed to a silo: the op, its args and the routing key (expert id, version).</summary>
[GenerateSerializer, Immutable]
public sealed class ClusterCall
{
    /// <summary>The op.</summary>
    [Id(0)] public required string Op { get; init; }
    /// <summary>The args as JSON text (null = <c>{}</c>).</summary>
    [Id(1)] public string? Args { get; init; }
    /// <summary>The expert that must serve it.</summary>
    [Id(2)] public required string ExpertId { get; init; }
    /// <summary>The version that must serve it.</summary>
    [Id(3)] public required string Version { get; init; }
    /// <summary>Milliseconds the silo may spend (0 = its attempt timeout).</summary>
    [Id(4)] public int DeadlineMs { get; init; }
}

/// <summary>Whether a silo ran the call.</summary>
public enum ClusterReplyStatus
{
    /// <summary>It ran: the outcome fields say how it ended.</summary>
    Ran,
    /// <summary>This silo has no expert with the call's id and version for the op: try another.</summary>
    NotHere,
}

/// <summary>A silo's answer: <see cref="ExpertCallResult"/> on the wire, plus which silo and version ran it.</summary>
[GenerateSerializer, Immutable]
public sealed class ClusterReply
{
    /// <summary>Whether it ran.</summary>
    [Id(0)] public ClusterReplyStatus Status { get; init; }
    /// <summary>The silo that answered.</summary>
    [Id(1)] public required string Silo { get; init; }
    /// <summary>The expert version that ran it.</summary>
    [Id(2)] public string Version { get; init; } = "";
    /// <summary><see cref="ExpertCallResult.Outcome"/>.</summary>
    [Id(3)] public ExpertCallOutcome Outcome { get; init; }
    /// <summary><see cref="ExpertCallResult.Op"/>.</summary>
    [Id(4)] public string Op { get; init; } = "";
    /// <summary><see cref="ExpertCallResult.ExpertId"/>.</summary>
    [Id(5)] public string? ExpertId { get; init; }
    /// <summary><see cref="ExpertCallResult.RuntimeId"/>.</summary>
    [Id(6)] public string? RuntimeId { get; init; }
    /// <summary>The result's value as JSON text, for a result.</summary>
    [Id(7)] public string? Value { get; init; }
    /// <summary>The result's confidence.</summary>
    [Id(8)] public float Confidence { get; init; }
    /// <summary><see cref="ExpertCallResult.Reason"/>.</summary>
    [Id(9)] public string? Reason { get; init; }
    /// <summary><see cref="ExpertCallResult.Limit"/> as a number, or -1.</summary>
    [Id(10)] public int Limit { get; init; } = -1;
    /// <summary><see cref="ExpertCallResult.Trap"/> as a number, or -1.</summary>
    [Id(11)] public int Trap { get; init; } = -1;
    /// <summary><see cref="ExpertCallResult.Violation"/> as a number, or -1.</summary>
    [Id(12)] public int Violation { get; init; } = -1;
    /// <summary>The wasm stack's function indices.</summary>
    [Id(13)] public uint[] StackIndices { get; init; } = [];
    /// <summary>The wasm stack's function names.</summary>
    [Id(14)] public string?[] StackNames { get; init; } = [];
    /// <summary><see cref="ExpertCallResult.LatencyNs"/>.</summary>
    [Id(15)] public ulong LatencyNs { get; init; }
    /// <summary>For <see cref="ClusterReplyStatus.NotHere"/>: what the silo serves now.</summary>
    [Id(16)] public SiloReport? Report { get; init; }

    /// <summary>The wire form of <paramref name="r"/>, ran by <paramref name="silo"/> at <paramref name="version"/>.</summary>
    public static ClusterReply From(ExpertCallResult r, string silo, string version)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ClusterReply
        {
            Status = ClusterReplyStatus.Ran, Silo = silo, Version = version, Outcome = r.Outcome, Op = r.Op, ExpertId = r.ExpertId,
            RuntimeId = r.RuntimeId, Value = r.Result?.Value.GetRawText(), Confidence = r.Result?.Confidence ?? 0, Reason = r.Reason,
            Limit = r.Limit is { } l ? (int)l : -1, Trap = r.Trap is { } t ? (int)t : -1, Violation = r.Violation is { } v ? (int)v : -1,
            StackIndices = [.. r.WasmStack.Select(f => f.FunctionIndex)], StackNames = [.. r.WasmStack.Select(f => f.FunctionName)],
            LatencyNs = r.LatencyNs,
        };
    }

    /// <summary>Back to the host's <see cref="ExpertCallResult"/>.</summary>
    public ExpertCallResult ToResult()
    {
        ExpertResult? result = null;
        if (Value is not null)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(Value);
            result = new ExpertResult(doc.RootElement.Clone(), Confidence, LatencyNs, ExpertId ?? "", Op);
        }
        var stack = new WasmStackFrame[Math.Min(StackIndices.Length, StackNames.Length)];
        for (int i = 0; i < stack.Length; i++) stack[i] = new WasmStackFrame(StackIndices[i], StackNames[i]);
        return new ExpertCallResult
        {
            Outcome = Outcome, Op = Op, ExpertId = ExpertId, RuntimeId = RuntimeId, Result = result, Reason = Reason,
            Limit = Limit >= 0 ? (ExpertLimitKind)Limit : null, Trap = Trap >= 0 ? (TrapKind)Trap : null,
            Violation = Violation >= 0 ? (AbiViolation)Violation : null, WasmStack = stack, LatencyNs = LatencyNs,
        };
    }
}

/// <summary>One expert a silo serves.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloExpert
{
    /// <summary>The expert id.</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary>Its version.</summary>
    [Id(1)] public required string Version { get; init; }
    /// <summary>The ops it serves on this silo.</summary>
    [Id(2)] public required string[] Ops { get; init; }
}

/// <summary>What a silo serves and how busy it is.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloReport
{
    /// <summary>The silo's address.</summary>
    [Id(0)] public required string Address { get; init; }
    /// <summary>Calls this silo executed.</summary>
    [Id(1)] public long Calls { get; init; }
    /// <summary>Calls running or queued on this silo now.</summary>
    [Id(2)] public long InFlight { get; init; }
    /// <summary>The experts it serves.</summary>
    [Id(3)] public required SiloExpert[] Experts { get; init; }
}
