using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Telemetry;

/// <summary>
/// The host's traces and metrics (docs/service.md, "OpenTelemetry"): one <see cref="Activity"/> per call of
/// <see cref="Experts.ExpertHost.Call(string, ReadOnlySpan{byte}, CancellationToken)"/> / <see cref="Experts.ExpertHost.CallAsync"/> on the <see cref="ActivitySource"/> named
/// <see cref="SourceName"/>, and a call counter and a duration histogram on the <see cref="Meter"/> of the same name.
/// Every span and point carries <see cref="OpTag"/>, <see cref="ExpertTag"/>, <see cref="VersionTag"/>,
/// <see cref="RuntimeTag"/> and <see cref="OutcomeTag"/>. With no listener and no meter listener attached, a call pays
/// one check of three flags and nothing is allocated (host/RATIONALE.md, "Telemetry").
/// </summary>
public static class PolymathTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>: <c>Polymath.Host</c>.</summary>
    public const string SourceName = "Polymath.Host";

    /// <summary>The name of every call's activity: <c>polymath.call</c> (its display name is the op).</summary>
    public const string CallActivityName = "polymath.call";

    /// <summary>Counter of calls (unit <c>{call}</c>).</summary>
    public const string CallsMetric = "polymath.calls";

    /// <summary>Histogram of call durations in seconds, measured around the whole call (routing included).</summary>
    public const string DurationMetric = "polymath.call.duration";

    /// <summary>Tag: the op called.</summary>
    public const string OpTag = "polymath.op";
    /// <summary>Tag: the expert the op routed to (absent when none did).</summary>
    public const string ExpertTag = "polymath.expert";
    /// <summary>Tag: that expert's version (manifest, else metadata).</summary>
    public const string VersionTag = "polymath.expert.version";
    /// <summary>Tag: the runtime plugin id that ran the call.</summary>
    public const string RuntimeTag = "polymath.runtime";
    /// <summary>Tag: the outcome as spelled in JSON (<see cref="ExpertCallResult.OutcomeName"/>), or <c>cancelled</c>.</summary>
    public const string OutcomeTag = "polymath.outcome";

    private static readonly string Version = typeof(PolymathTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>The host's activity source.</summary>
    public static ActivitySource Source { get; } = new(SourceName, Version);

    /// <summary>The host's meter.</summary>
    public static Meter Meter { get; } = new(SourceName, Version);

    private static readonly Counter<long> Calls = Meter.CreateCounter<long>(CallsMetric, "{call}", "Expert calls, by op, expert, version, runtime and outcome.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(DurationMetric, "s", "Duration of expert calls.");

    /// <summary>True when anything listens: only then does a call build tags and an activity.</summary>
    internal static bool Enabled => Source.HasListeners() || Calls.Enabled || Duration.Enabled;

    /// <summary>Runs <paramref name="call"/> inside a call activity and records its metrics.</summary>
    internal static ExpertCallResult Record<TState>(string op, TState state, Func<TState, ExpertCallResult> call, Func<TState, string, string?> versionOf)
    {
        long start = Stopwatch.GetTimestamp();
        using var activity = Source.StartActivity(CallActivityName, ActivityKind.Internal);
        activity?.DisplayName = op;
        activity?.SetTag(OpTag, op);
        ExpertCallResult result;
        try { result = call(state); }
        catch (OperationCanceledException)
        {
            var cancelled = new TagList { { OpTag, op }, { OutcomeTag, "cancelled" } };
            activity?.SetTag(OutcomeTag, "cancelled");
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            Calls.Add(1, cancelled);
            Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, cancelled);
            throw;
        }
        var tags = new TagList { { OpTag, op }, { OutcomeTag, result.OutcomeName } };
        if (result.ExpertId is { } expert)
        {
            tags.Add(ExpertTag, expert);
            if (versionOf(state, op) is { Length: > 0 } version) tags.Add(VersionTag, version);
        }
        if (result.RuntimeId is { } runtime) tags.Add(RuntimeTag, runtime);
        if (activity is not null)
        {
            foreach (var tag in tags) activity.SetTag(tag.Key, tag.Value);
            if (result.Outcome is not (ExpertCallOutcome.Result or ExpertCallOutcome.Declined))
                activity.SetStatus(ActivityStatusCode.Error, result.Reason);
        }
        Calls.Add(1, tags);
        Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tags);
        return result;
    }
}
