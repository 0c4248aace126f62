using Polymath.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>The outcome of one call: a result, or why there is none.</summary>
public sealed record ExpertCallResult
{
    /// <summary>How the call ended.</summary>
    public required ExpertCallOutcome Outcome { get; init; }
    /// <summary>The op called.</summary>
    public required string Op { get; init; }
    /// <summary>The expert the op routed to, if any.</summary>
    public string? ExpertId { get; init; }
    /// <summary>The runtime that ran it, if any.</summary>
    public string? RuntimeId { get; init; }
    /// <summary>For <see cref="ExpertCallOutcome.Result"/>: the ExpertResult (latency measured by the host).</summary>
    public ExpertResult? Result { get; init; }
    /// <summary>For every other outcome: one line saying why.</summary>
    public string? Reason { get; init; }
    /// <summary>For <see cref="ExpertCallOutcome.LimitExceeded"/>: which limit.</summary>
    public ExpertLimitKind? Limit { get; init; }
    /// <summary>For traps: the trap kind (null for ABI violations).</summary>
    public TrapKind? Trap { get; init; }
    /// <summary>For ABI violations: which rule was broken.</summary>
    public AbiViolation? Violation { get; init; }
    /// <summary>For traps: the wasm stack, innermost first.</summary>
    public IReadOnlyList<WasmStackFrame> WasmStack { get; init; } = [];
    /// <summary>Host-measured latency of the guest call in nanoseconds, from taking an instance (pooled or made) to the result read (0 when not run).</summary>
    public ulong LatencyNs { get; init; }

    /// <summary>True for a result.</summary>
    public bool IsResult => Outcome == ExpertCallOutcome.Result;

    /// <summary>The outcome as spelled in JSON: result, declined, unknown_op, unavailable, limit_exceeded, trapped, invalid_args.</summary>
    public string OutcomeName => Name(Outcome);

    /// <summary>JSON spelling of an outcome (<see cref="ExpertCallOutcomes.Name"/>).</summary>
    public static string Name(ExpertCallOutcome outcome) => ExpertCallOutcomes.Name(outcome);

    /// <summary>JSON spelling of a limit kind: fuel, timeout, memory, call_depth, result_size.</summary>
    public static string Name(ExpertLimitKind limit) => limit switch
    {
        ExpertLimitKind.Fuel => "fuel",
        ExpertLimitKind.Timeout => "timeout",
        ExpertLimitKind.Memory => "memory",
        ExpertLimitKind.CallDepth => "call_depth",
        _ => "result_size",
    };
}
