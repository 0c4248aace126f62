using System.Diagnostics;
using System.Text.Json;

namespace Polymath.Cluster.Tests;

/// <summary>
/// The real thing: a redis-server, three <c>polymath serve --cluster redis://…</c> processes and vscode-jsonrpc (npm,
/// run by node; .ci/run installs redis-server, nodejs, npm and runs <c>npm ci</c> in node/) driving two of them.
/// </summary>
public sealed class RedisClusterProcessTests
{
    // Failure detection as configured here: probes time out after 500 ms, 2 missed probes make a silo suspected, the
    // surviving silos' votes then declare it dead in the shared table (re-read at least every TableRefresh = 1 s).
    private const int ProbeTimeoutMs = 500, MissedProbes = 2, TableRefreshMs = 1000;

    // ProbeTimeout × (MissedProbes + 1) + TableRefresh: the configured detection time (docs/cluster.md). The test
    // allows 1 s on top for a machine where four engineers build at once.
    private static readonly TimeSpan DeadWithin = TimeSpan.FromMilliseconds(ProbeTimeoutMs * (MissedProbes + 1) + TableRefreshMs + 1000);

    private static readonly string[] Settings =
    [
        $"--Cluster:ProbeTimeoutMs={ProbeTimeoutMs}", $"--Cluster:MissedProbes={MissedProbes}", "--Cluster:RefreshMs=200",
        "--Cluster:LocalConcurrency=1", "--Cluster:WorkerThreads=2",
    ];

    private static string NodeFolder => Path.Combine(Repository.Root, "tests", "Polymath.Cluster.Tests", "node");

    [Fact]
    public async Task ThirdSiloKilledMidLoadLosesNoCallAndIsDeclaredDeadWithinTheProbeTime()
    {
        Assert.True(Directory.Exists(Path.Combine(NodeFolder, "node_modules", "vscode-jsonrpc")),
            $"vscode-jsonrpc is not installed in {NodeFolder}: run `npm ci --prefix {NodeFolder}` (needs the Debian packages nodejs and npm; .ci/run does this)");
        using var redis = await RedisServer.StartAsync();
        string cluster = $"kill-{Guid.NewGuid():N}"[..13];
        await using var a = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
        await using var b = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
        await using var victim = ServeSilo.Start(redis.Membership, cluster, Repository.ExpertsDirectory, Settings);
        foreach (var s in new[] { a, b, victim }) await s.WaitForActiveAsync(3, TimeSpan.FromSeconds(90));
        string victimAddress = await victim.AddressAsync();

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = NodeFolder };
        foreach (string arg in new[] { Path.Combine(NodeFolder, "load.js"), "20000", "16", a.Socket, b.Socket }) start.ArgumentList.Add(arg);
        using var node = ClusterProcesses.Start(start, "nodejs");
        var stderr = node.StandardError.ReadToEndAsync();
        string? summary = null;
        int killedAt = -1;
        Task<TimeSpan?>? deadWatch = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        while (await node.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty("progress", out var progress)) { summary = line; continue; }
            int done = progress.GetInt32();
            if (killedAt < 0 && done >= 2000)
            {
                // The victim must have served calls from the two front ends before it dies.
                var seen = await a.SilosAsync();
                Assert.True(seen[victimAddress].Calls > 0, $"the victim {victimAddress} ran no call before it was killed");
                victim.Kill9();
                killedAt = done;
                deadWatch = WatchForDeadAsync(a, victimAddress, Stopwatch.StartNew(), DeadWithin + TimeSpan.FromSeconds(10));
            }
        }
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node load.js failed: {await stderr}");
        Assert.True(killedAt > 0, "the load ended before the third silo could be killed");
        Assert.NotNull(deadWatch);
        var detected = await deadWatch ?? throw new Xunit.Sdk.XunitException($"the membership did not mark {victimAddress} Dead within {DeadWithin + TimeSpan.FromSeconds(10)}");

        using var result = JsonDocument.Parse(summary ?? throw new InvalidOperationException("node printed no summary"));
        var r = result.RootElement;
        Assert.True(r.GetProperty("failed").GetInt32() == 0, $"failed calls: {r.GetProperty("errors")}");
        Assert.Equal(0, r.GetProperty("mismatched").GetInt32());
        Assert.Equal(20000, r.GetProperty("done").GetInt32());
        Assert.True(20000 - killedAt >= 2000, $"killed at {killedAt} of 20000: too late to be mid-load");
        Assert.True(detected <= DeadWithin, $"{victimAddress} was marked Dead {detected.TotalMilliseconds:F0} ms after kill -9; configured: within {DeadWithin.TotalMilliseconds:F0} ms");
        // Orleans' Information chatter (placement via Polly, connections) is filtered at Warning by default.
        Assert.DoesNotContain("[INF] Orleans", a.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[INF] Polly", a.Stderr, StringComparison.Ordinal);
    }

    // Polls the surviving front end's membership view every 50 ms until the victim's status is Dead: the time since
    // the kill, or null after limit.
    private static async Task<TimeSpan?> WatchForDeadAsync(ServeSilo front, string victim, Stopwatch sinceKill, TimeSpan limit)
    {
        while (sinceKill.Elapsed < limit)
        {
            var silos = await front.SilosAsync();
            if (silos.TryGetValue(victim, out var v) && v.Status == "Dead") return sinceKill.Elapsed;
            await Task.Delay(50);
        }
        return null;
    }

    [Fact]
    public async Task TwoClusterIdsOnOneRedisNeverSeeEachOther()
    {
        using var redis = await RedisServer.StartAsync();
        string idA = $"a-{Guid.NewGuid():N}"[..10], idB = $"b-{Guid.NewGuid():N}"[..10];
        await using var a = ServeSilo.Start(redis.Membership, idA, Repository.ExpertsDirectory, Settings);
        await using var b = ServeSilo.Start(redis.Membership, idB, Repository.ExpertsDirectory, Settings);
        await a.WaitForActiveAsync(1, TimeSpan.FromSeconds(90));
        await b.WaitForActiveAsync(1, TimeSpan.FromSeconds(90));
        // Both membership tables are in the one redis.
        string keys = await redis.CommandAsync("KEYS", "*");
        Assert.Contains(idA, keys, StringComparison.Ordinal);
        Assert.Contains(idB, keys, StringComparison.Ordinal);
        // Several refreshes and probe rounds later each still sees only itself, under its own id.
        await Task.Delay(TimeSpan.FromMilliseconds(5 * TableRefreshMs));
        foreach (var (silo, id) in new[] { (a, idA), (b, idB) })
        {
            var view = await silo.ClusterAsync();
            Assert.Equal(id, view.GetProperty("id").GetString());
            var silos = view.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("address").GetString()).ToList();
            Assert.Equal([view.GetProperty("silo").GetString()], silos);
        }
        // And a call through each is answered by that cluster's only silo.
        foreach (var silo in new[] { a, b })
        {
            await using var client = await Polymath.Client.PolymathClient.ConnectAsync(silo.Socket);
            var answer = await client.CallAsync("gcd", """{"a":12,"b":18}""");
            Assert.Equal("6", answer.Value?.GetRawText());
        }
    }

    [Fact]
    public async Task StatusShowsTheClusterAsJsonAndAsATable()
    {
        using var redis = await RedisServer.StartAsync();
        string id = $"st-{Guid.NewGuid():N}"[..11];
        await using var a = ServeSilo.Start(redis.Membership, id, Repository.ExpertsDirectory, Settings);
        await using var b = ServeSilo.Start(redis.Membership, id, Repository.ExpertsDirectory, Settings);
        await a.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
        await b.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
        string self = await a.AddressAsync(), other = await b.AddressAsync();

        var (exit, json) = Status("status", "--server", a.Socket, "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(json);
        var cluster = doc.RootElement.GetProperty("cluster");
        Assert.Equal(id, cluster.GetProperty("id").GetString());
        Assert.Equal(redis.Membership, cluster.GetProperty("membership").GetString());
        var silos = cluster.GetProperty("silos").EnumerateArray().ToDictionary(s => s.GetProperty("address").GetString()!);
        Assert.Equal(new[] { self, other }.Order(StringComparer.Ordinal), silos.Keys.Order(StringComparer.Ordinal));
        foreach (var silo in silos.Values)
        {
            Assert.Equal("Active", silo.GetProperty("status").GetString());
            Assert.True(silo.GetProperty("calls").GetInt64() >= 0);
            Assert.Equal(0, silo.GetProperty("inFlight").GetInt64());
            Assert.Contains(silo.GetProperty("experts").EnumerateArray(), e => e.GetProperty("id").GetString() == "arithmetic" && e.GetProperty("version").GetString()!.Length > 0);
        }

        var (humanExit, human) = Status("status", "--server", a.Socket);
        Assert.Equal(0, humanExit);
        Assert.Contains($"Cluster {id} ({redis.Membership})", human, StringComparison.Ordinal);
        Assert.Contains("Active", human, StringComparison.Ordinal);
        Assert.Contains("(this)", human, StringComparison.Ordinal);
    }

    private static (int Exit, string Output) Status(params string[] args)
    {
        var start = new ProcessStartInfo(ClusterProcesses.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["COLUMNS"] = "240";
        using var p = ClusterProcesses.Start(start, "the built CLI (dotnet build)");
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"polymath {string.Join(' ', args)} took over 60 s"); }
        Assert.True(p.ExitCode is 0 or 1, $"polymath {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return (p.ExitCode, output);
    }
}
