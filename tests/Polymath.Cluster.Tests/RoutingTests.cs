using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Cluster.Tests;

/// <summary>Calls through every silo of a 3-silo cluster (one with fewer experts), and load spreading.</summary>
public sealed class RoutingTests(ThreeSilos fixture) : IClassFixture<ThreeSilos>
{
    // The answer of a local registry (silo 0's own, called directly) is the reference every routed answer must equal.
    private static string Text(ExpertCallResult r) => $"{r.OutcomeName} {r.ExpertId} {r.Result?.Value.GetRawText()} {r.Reason}";

    [Fact]
    public async Task EveryCatalogueOpAnswersThroughEverySilo()
    {
        var reference = fixture.Cluster.Silos[0].ServiceProvider.GetService(typeof(ExpertHost)) as ExpertHost;
        Assert.NotNull(reference);
        Assert.True(Examples.OnePerOp.Count > 50, $"only {Examples.OnePerOp.Count} ops in the catalogue examples");
        int answered = 0;
        foreach (var silo in fixture.Cluster.Silos)
        {
            var router = ThreeSilos.Router(silo);
            foreach (var (op, args) in Examples.OnePerOp)
            {
                var routed = await router.RouteAsync(op, args, 10_000, CancellationToken.None);
                var local = reference!.Call(op, args);
                if (local.Outcome == ExpertCallOutcome.UnknownOp) // the examples name a few ops on purpose that no expert has
                {
                    Assert.Equal(ExpertCallOutcome.UnknownOp, routed.Result.Outcome);
                    continue;
                }
                Assert.Equal(Text(local), Text(routed.Result));
                Assert.NotNull(routed.Silo);
                answered++;
            }
        }
        Assert.True(answered > 3 * 50, $"{answered} answers");
    }

    [Fact]
    public async Task OpsASiloLacksGoToSilosThatHaveThem()
    {
        var small = fixture.SmallSilo;
        var router = ThreeSilos.Router(small);
        // base64_encode is the hash expert's: not in the small silo's directory.
        var routed = await router.RouteAsync("base64_encode", """{"s":"hello"}""", 10_000, CancellationToken.None);
        Assert.Equal(ExpertCallOutcome.Result, routed.Result.Outcome);
        Assert.Equal("\"aGVsbG8=\"", routed.Result.Result!.Value.GetRawText());
        Assert.NotEqual(router.Silo, routed.Silo);
        // An op no silo has is unknown_op, named.
        var unknown = await router.RouteAsync("no_such_op", "{}", 10_000, CancellationToken.None);
        Assert.Equal(ExpertCallOutcome.UnknownOp, unknown.Result.Outcome);
        Assert.Contains("no_such_op", unknown.Result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SixteenConcurrentClientsSpreadOverAllThreeSilos()
    {
        // 16 clients on silo 0's front end; silo 0 runs 2 calls at once (LocalConcurrency), the rest must go elsewhere.
        var router = ThreeSilos.Router(fixture.Cluster.Silos[0]);
        var bySilo = new ConcurrentDictionary<string, int>();
        int failed = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                // is_prime of a large prime: a few ms of guest work, so calls overlap.
                var r = await router.RouteAsync("is_prime", """{"n":2147483647}""", 30_000, CancellationToken.None);
                if (r.Result.Outcome != ExpertCallOutcome.Result || r.Result.Result!.Value.GetRawText() != "true") Interlocked.Increment(ref failed);
                else bySilo.AddOrUpdate(r.Silo!, 1, (_, n) => n + 1);
            }
        })));
        Assert.Equal(0, failed);
        Assert.Equal(3, bySilo.Count);
        Assert.All(bySilo, p => Assert.True(p.Value > 0, $"{p.Key}: {p.Value}"));
    }

    [Fact]
    public async Task MetricsCountRoutedCallsBySiloOnThePolymathMeter()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        var routed = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var reported = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Polymath" && instrument.Name is "polymath.cluster.calls" or "polymath.cluster.silo.calls") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? silo = null;
            foreach (var t in tags) if (t.Key == "silo") silo = t.Value as string;
            if (silo is null || !silos.Contains(silo)) return;
            if (instrument.Name == "polymath.cluster.calls") routed.AddOrUpdate(silo, value, (_, n) => n + value);
            else reported[silo] = value;
        });
        listener.Start();
        var router = ThreeSilos.Router(fixture.Cluster.Silos[1]);
        var bySilo = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                var r = await router.RouteAsync("is_prime", """{"n":2147483647}""", 30_000, CancellationToken.None);
                Assert.Equal(ExpertCallOutcome.Result, r.Result.Outcome);
                bySilo.AddOrUpdate(r.Silo!, 1, (_, n) => n + 1);
            }
        })));
        Assert.Equal(200, routed.Values.Sum());
        Assert.Equal(bySilo.OrderBy(p => p.Key), routed.OrderBy(p => p.Key));
        // Every silo's own counter, observed from the router's view.
        await router.RefreshAsync();
        listener.RecordObservableInstruments();
        Assert.Equal(silos.Order(StringComparer.Ordinal), reported.Keys.Order(StringComparer.Ordinal));
        Assert.All(bySilo, p => Assert.True(reported[p.Key] >= p.Value, $"{p.Key} reports {reported[p.Key]} calls, routed {p.Value}"));
    }

    [Fact]
    public async Task StatusListsEverySiloActiveWithItsCountersAndExpertVersions()
    {
        var router = ThreeSilos.Router(fixture.Cluster.Silos[0]);
        await router.RouteAsync("gcd", """{"a":12,"b":18}""", 10_000, CancellationToken.None);
        await router.RefreshAsync();
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) router.WriteCluster(w);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var cluster = doc.RootElement;
        Assert.Equal("localhost", cluster.GetProperty("membership").GetString());
        Assert.False(string.IsNullOrEmpty(cluster.GetProperty("id").GetString()));
        Assert.Equal(router.Silo, cluster.GetProperty("silo").GetString());
        var silos = cluster.GetProperty("silos").EnumerateArray().ToDictionary(s => s.GetProperty("address").GetString()!);
        Assert.Equal(fixture.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).Order(StringComparer.Ordinal), silos.Keys.Order(StringComparer.Ordinal));
        foreach (var (address, silo) in silos)
        {
            Assert.Equal("Active", silo.GetProperty("status").GetString());
            Assert.True(silo.GetProperty("calls").GetInt64() >= 0);
            Assert.True(silo.GetProperty("inFlight").GetInt64() >= 0);
            var experts = silo.GetProperty("experts").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            Assert.Contains("arithmetic", experts);
            // The small silo serves arithmetic only; the others the whole catalogue.
            if (address == fixture.SmallSilo.SiloAddress.ToParsableString()) Assert.Single(experts);
            else Assert.True(experts.Count > 10, $"{address}: {experts.Count} experts");
        }
        Assert.True(silos.Values.Sum(s => s.GetProperty("calls").GetInt64()) >= 1);
    }
}
