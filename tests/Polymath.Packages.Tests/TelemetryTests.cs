using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polymath.Host.Experts;
using Polymath.Host.Telemetry;
using Polymath.Runtime.Interpreter;

namespace Polymath.Packages.Tests;

/// <summary>In process: one activity and one counter point per ExpertHost call, with the documented tags.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task EveryCallIsOneActivityAndOneCounterPointWithItsTags()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PolymathTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) activities.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var points = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == PolymathTelemetry.SourceName && instrument.Name == PolymathTelemetry.CallsMetric) l.EnableMeasurementEvents(instrument); };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var d = new Dictionary<string, object?>();
            foreach (var t in tags) d[t.Key] = t.Value;
            lock (points) points.Add((value, d));
        });
        meters.Start();

        await using var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = Path.Combine(Repo.Root, "experts", "arithmetic", ".."); o.Watch = false; o.TierUp = false; })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        await host.StartAsync(CancellationToken.None);
        var marker = $"telemetry-{Guid.NewGuid():N}";
        var result = host.Call("gcd", """{"a":12,"b":18}""");
        var declined = host.Call("gcd", """{"a":"x"}""");
        var unknown = host.Call(marker, "{}");
        Assert.True(result.IsResult);

        Activity[] mine;
        lock (activities) mine = activities.Where(a => a.DisplayName is "gcd" || a.DisplayName == marker).ToArray();
        Assert.Equal(3, mine.Length);
        var ok = mine[0];
        Assert.Equal(PolymathTelemetry.CallActivityName, ok.OperationName);
        Assert.Equal("gcd", ok.GetTagItem(PolymathTelemetry.OpTag));
        Assert.Equal(result.ExpertId, ok.GetTagItem(PolymathTelemetry.ExpertTag));
        Assert.Equal("interpreter", ok.GetTagItem(PolymathTelemetry.RuntimeTag));
        Assert.Equal("result", ok.GetTagItem(PolymathTelemetry.OutcomeTag));
        Assert.False(string.IsNullOrEmpty(ok.GetTagItem(PolymathTelemetry.VersionTag) as string));
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);
        Assert.Equal(declined.OutcomeName, mine[1].GetTagItem(PolymathTelemetry.OutcomeTag));
        Assert.Equal("unknown_op", mine[2].GetTagItem(PolymathTelemetry.OutcomeTag));
        Assert.Null(mine[2].GetTagItem(PolymathTelemetry.ExpertTag));
        Assert.Equal(ActivityStatusCode.Error, mine[2].Status);

        lock (points)
        {
            Assert.Single(points, p => (string?)p.Tags[PolymathTelemetry.OpTag] == marker && p.Value == 1);
            Assert.Contains(points, p => (string?)p.Tags[PolymathTelemetry.OpTag] == "gcd" && (string?)p.Tags[PolymathTelemetry.OutcomeTag] == "result"
                                         && (string?)p.Tags[PolymathTelemetry.RuntimeTag] == "interpreter");
        }
    }
}
