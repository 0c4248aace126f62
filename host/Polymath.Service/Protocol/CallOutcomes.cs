using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Service.Protocol;

/// <summary>What the service adds to the host's call outcomes: their JSON names by index (for the metrics) and the result of a passed <c>deadline_ms</c>.</summary>
internal static class CallOutcomes
{
    /// <summary>Every outcome's JSON name, by <see cref="Index"/>.</summary>
    public static IReadOnlyList<string> Names => ExpertCallOutcomes.Names;

    /// <summary>Index of an outcome in <see cref="Names"/>.</summary>
    public static int Index(ExpertCallResult r) => (int)r.Outcome;

    /// <summary>The result a call gets when its <c>deadline_ms</c> passes first: a timeout limit, like the expert's own.</summary>
    public static ExpertCallResult DeadlineExceeded(string op, int deadlineMs, ulong latencyNs) => new()
    {
        Outcome = ExpertCallOutcome.LimitExceeded, Op = op, Limit = ExpertLimitKind.Timeout, LatencyNs = latencyNs,
        Reason = $"deadline of {deadlineMs} ms exceeded (deadline_ms)",
    };
}
