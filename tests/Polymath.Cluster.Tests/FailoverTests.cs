using System.Collections.Concurrent;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Cluster.Tests;

/// <summary>A silo killed (not stopped: no goodbye to the membership) in the middle of 10,000 calls.</summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task SiloKilledDuring10000CallsLosesNone()
    {
        var fixture = new ThreeSilos();
        await fixture.InitializeAsync();
        try
        {
            var victim = fixture.SmallSilo; // it has arithmetic (gcd) too
            var silos = fixture.Cluster.Silos.Where(s => s != victim).ToList();
            var front = ThreeSilos.Router(silos[0]);
            int done = 0, failed = 0, mismatched = 0;
            var bySilo = new ConcurrentDictionary<string, int>();
            var killed = new TaskCompletionSource();
            var clients = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
            {
                for (int i = 0; i < 10_000 / 16 + 1 && Volatile.Read(ref done) < 10_000; i++)
                {
                    int a = 1000 + c * 100_000 + i, b = a * 3;
                    var r = await front.RouteAsync("gcd", $$"""{"a":{{a}},"b":{{b}}}""", 30_000, CancellationToken.None);
                    if (r.Result.Outcome != ExpertCallOutcome.Result) { Interlocked.Increment(ref failed); continue; }
                    if (r.Result.Result!.Value.GetRawText() != a.ToString(System.Globalization.CultureInfo.InvariantCulture)) Interlocked.Increment(ref mismatched);
                    bySilo.AddOrUpdate(r.Silo!, 1, (_, n) => n + 1);
                    if (Interlocked.Increment(ref done) == 2_000) killed.TrySetResult();
                }
            })).ToList();
            await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            string victimAddress = victim.SiloAddress.ToParsableString();
            Assert.True(bySilo.ContainsKey(victimAddress), "the victim served no call before it was killed");
            await fixture.Cluster.KillSiloAsync(victim);
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(0, failed);
            Assert.Equal(0, mismatched);
            Assert.True(done >= 10_000, $"{done} calls");
        }
        finally { await fixture.DisposeAsync(); }
    }
}
