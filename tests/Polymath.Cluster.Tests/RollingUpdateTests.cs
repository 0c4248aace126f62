using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Cluster.Tests;

/// <summary>
/// A rolling update under load: silo A serves arithmetic 1.0.0 and silo B 1.1.0; while 8 clients call gcd through both
/// front ends the two are swapped (A to 1.1.0, B to 1.0.0, each reloading its directory). Every reply must name one
/// silo and the version that silo had when it ran the call.
/// </summary>
public sealed partial class RollingUpdateTests
{
    private const string V1 = "1.0.0", V2 = "1.1.0";

    [GeneratedRegex("\"version\": \"[^\"]*\"")]
    private static partial Regex VersionField();

    private static void SetVersion(string directory, string version)
    {
        string manifest = Path.Combine(directory, "arithmetic", "expert.json");
        File.WriteAllText(manifest, VersionField().Replace(File.ReadAllText(manifest), $"\"version\": \"{version}\"", 1));
    }

    private readonly record struct Reply(string Silo, string Version, long Started, long Ended);

    [Fact]
    public async Task VersionsSwappedUnderLoadEveryReplyIsAttributedToExactlyOneVersion()
    {
        string root = Path.Combine(Path.GetTempPath(), $"polymath-rolling-{Guid.NewGuid():N}");
        string dirA = Path.Combine(root, "a"), dirB = Path.Combine(root, "b");
        foreach (var (dir, version) in new[] { (dirA, V1), (dirB, V2) })
        {
            ThreeSilos.CopyDirectory(Path.Combine(Repository.ExpertsDirectory, "arithmetic"), Path.Combine(dir, "arithmetic"));
            SetVersion(dir, version);
        }
        var options = new PolymathClusterOptions { Membership = "localhost", LocalConcurrency = 1, WorkerThreads = 2, RefreshMs = 100, ProbeTimeoutMs = 500 };
        var cluster = await ThreeSilos.DeployAsync(2, name => name == "Silo_0" ? dirA : dirB, options);
        try
        {
            var (siloA, siloB) = (cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == Address(cluster, dirA)), cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == Address(cluster, dirB)));
            string a = siloA.SiloAddress.ToParsableString(), b = siloB.SiloAddress.ToParsableString();
            var fronts = new[] { ThreeSilos.Router(siloA), ThreeSilos.Router(siloB) };
            var replies = new ConcurrentBag<Reply>();
            int failed = 0, mismatched = 0, total = 0;
            var problems = new ConcurrentQueue<string>();
            long swapStarted = long.MaxValue, swapEnded = long.MaxValue;
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    int x = 1000 + c * 1_000_000 + i;
                    long started = Stopwatch.GetTimestamp();
                    var r = await fronts[c % 2].RouteAsync("gcd", $$"""{"a":{{x}},"b":{{2 * x}}}""", 30_000, CancellationToken.None);
                    Interlocked.Increment(ref total);
                    if (r.Result.Outcome != ExpertCallOutcome.Result)
                    {
                        if (Interlocked.Increment(ref failed) <= 3) problems.Enqueue($"{r.Result.OutcomeName}: {r.Result.Reason}");
                        continue;
                    }
                    if (r.Result.Result!.Value.GetRawText() != x.ToString(System.Globalization.CultureInfo.InvariantCulture)) Interlocked.Increment(ref mismatched);
                    replies.Add(new Reply(r.Silo!, r.Version!, started, Stopwatch.GetTimestamp()));
                }
            })).ToList();

            await WaitUntil(() => replies.Count(p => p.Silo == a) >= 300 && replies.Count(p => p.Silo == b) >= 300, "both silos answered 300 calls before the swap");
            Volatile.Write(ref swapStarted, Stopwatch.GetTimestamp());
            SetVersion(dirA, V2);
            Registry(siloA).Reload();
            SetVersion(dirB, V1);
            Registry(siloB).Reload();
            Volatile.Write(ref swapEnded, Stopwatch.GetTimestamp());
            int atSwap = replies.Count;
            await WaitUntil(() => replies.Count(p => p.Started > swapEnded && p.Silo == a) >= 300 && replies.Count(p => p.Started > swapEnded && p.Silo == b) >= 300,
                "both silos answered 300 calls after the swap");
            await stop.CancelAsync();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(failed == 0, $"{failed} of {total} calls failed: {string.Join(" | ", problems)}");
            Assert.Equal(0, mismatched);
            Assert.True(replies.Count > atSwap, "no call was answered after the swap");
            foreach (var r in replies)
            {
                Assert.True(r.Version is V1 or V2, $"reply attributed to version '{r.Version}'");
                // Finished before the swap began: the silo's first version; started after it ended: its second.
                if (r.Ended < swapStarted) Assert.Equal(r.Silo == a ? V1 : V2, r.Version);
                if (r.Started > swapEnded) Assert.Equal(r.Silo == a ? V2 : V1, r.Version);
            }

            // The cluster view (health's and experts' "cluster" object) shows which silo has which version.
            await fronts[0].RefreshAsync();
            var view = Versions(fronts[0]);
            Assert.Equal(V2, view[a]);
            Assert.Equal(V1, view[b]);
        }
        finally
        {
            await ThreeSilos.DisposeAsync(cluster);
            Directory.Delete(root, recursive: true);
        }
    }

    private static ExpertHost Registry(Orleans.TestingHost.InProcessSiloHandle silo) =>
        (ExpertHost)silo.ServiceProvider.GetService(typeof(ExpertHost))!;

    private static string Address(Orleans.TestingHost.InProcessTestCluster cluster, string directory) =>
        cluster.Silos.Single(s => Registry(s).Directory == directory).SiloAddress.ToParsableString();

    // address → arithmetic's version, from the router's IClusterStatus JSON.
    internal static Dictionary<string, string> Versions(ClusterRouter router)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) router.WriteCluster(w);
        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.GetProperty("silos").EnumerateArray().ToDictionary(
            s => s.GetProperty("address").GetString()!,
            s => s.GetProperty("experts").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "arithmetic").GetProperty("version").GetString()!);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
