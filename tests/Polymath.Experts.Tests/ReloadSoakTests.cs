using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Experts.Tests;

/// <summary>The soak test measures memory, so nothing else of this assembly runs beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "reload soak";
}

/// <summary>
/// Hot reload under churn (issue 10): for a bounded time (20 s, or <c>POLYMATH_SOAK_SECONDS</c>) the experts directory is
/// churned through the watcher, as in production — packages added, changed, corrupted, deleted, junk written, an unsigned
/// package claiming a signed package's op, and the whole directory swapped by rename — while several threads call two
/// packages that stay valid throughout. Zero of those calls may fail, and memory must come back flat.
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class ReloadSoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    private static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 20;

    [Fact]
    public async Task ChurningPackagesAndTheDirectoryFailsNoCallToStablePackagesAndMemoryStaysFlat()
    {
        string dir = Path.Combine(_root.Path, "experts");
        Directory.CreateDirectory(dir);
        byte[] stableA = MiniExperts.Constant("stable_a", "sa", "a");
        byte[] stableB = MiniExperts.Constant("stable_b", "sb", "b");
        void WriteStable(string root)
        {
            TestExperts.WritePackage(root, "stable_a", stableA, version: "a");
            TestExperts.WritePackage(root, "stable_b", stableB, version: "b");
        }
        WriteStable(dir);
        var churnWasm = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 3).Select(v => (n, v)))
            .ToDictionary(x => x, x => MiniExperts.Constant($"churn{x.n}", $"c{x.n}", $"{x.v}.0.0"));
        byte[] thief = MiniExperts.Constant("aaa_thief", "sa", "stolen", tier: 0); // unsigned, sorts first, lower tier

        await using var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = dir; o.DebounceMs = 20; o.DirectoryCheckMs = 50; o.MaxIdleInstancesPerExpert = 4; })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        await host.StartAsync();

        long calls = 0;
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
        {
            var (op, id, value) = w % 2 == 0 ? ("sa", "stable_a", "a") : ("sb", "stable_b", "b");
            while (!stop.IsCancellationRequested)
            {
                var c = host.Call(op, "{}");
                Interlocked.Increment(ref calls);
                if (!c.IsResult || c.ExpertId != id || c.Result!.Value.GetString() != value)
                    failures.Enqueue($"{op}: {c.OutcomeName} from {c.ExpertId}: {c.Reason}");
                (op, id, value) = op == "sa" ? ("sb", "stable_b", "b") : ("sa", "stable_a", "a");
            }
        })).ToArray();

        // Warm up (pools, JIT), then the baseline.
        await Task.Delay(1000);
        long memoryBefore = ForcedGcMemory();
        long workingSetBefore = Environment.WorkingSet;

        var rng = new Random(20261129);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        int swaps = 0;
        while (clock.Elapsed.TotalSeconds < Seconds)
        {
            int n = rng.Next(4);
            string churn = Path.Combine(dir, $"churn{n}");
            string action = rng.Next(9) switch
            {
                0 or 1 => "add_or_change",
                2 => "corrupt",
                3 => "delete",
                4 => "junk",
                5 => "thief",
                6 => "half_written_manifest",
                7 => "swap_directory",
                _ => "quiet",
            };
            try
            {
                switch (action)
                {
                    case "add_or_change":
                        TestExperts.WritePackage(dir, $"churn{n}", churnWasm[(n, rng.Next(3))]);
                        break;
                    case "corrupt":
                        if (Directory.Exists(churn)) File.WriteAllBytes(Path.Combine(churn, $"churn{n}.wasm"), RandomBytes(rng, 64));
                        break;
                    case "delete":
                        if (Directory.Exists(churn)) Directory.Delete(churn, true);
                        break;
                    case "junk":
                        File.WriteAllBytes(Path.Combine(dir, $"junk{rng.Next(3)}.wasm"), RandomBytes(rng, rng.Next(0, 200)));
                        break;
                    case "thief":
                        string thiefPath = Path.Combine(dir, "aaa_thief.wasm");
                        if (File.Exists(thiefPath)) File.Delete(thiefPath); else File.WriteAllBytes(thiefPath, thief);
                        break;
                    case "half_written_manifest":
                        if (Directory.Exists(churn)) File.WriteAllText(Path.Combine(churn, "expert.json"), "{\"schemaVersion\":1,\"id\":");
                        break;
                    case "swap_directory":
                        // A deploy: a complete new directory (same stable packages, some churn) renamed into place.
                        string next = Path.Combine(_root.Path, $"experts.next{swaps}");
                        string old = Path.Combine(_root.Path, $"experts.old{swaps}");
                        swaps++;
                        Directory.CreateDirectory(next);
                        WriteStable(next);
                        TestExperts.WritePackage(next, $"churn{n}", churnWasm[(n, rng.Next(3))]);
                        Directory.Move(dir, old);
                        await Task.Delay(rng.Next(0, 40));
                        Directory.Move(next, dir);
                        Directory.Delete(old, true);
                        break;
                }
            }
            catch (IOException) { action += "_raced"; } // a concurrent reload held a file; the churn goes on
            counts[action] = counts.GetValueOrDefault(action) + 1;
            await Task.Delay(rng.Next(5, 60));
        }

        // Back to the stable packages only, let the watcher settle, then stop the callers and measure.
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir).ToList())
        {
            string name = Path.GetFileName(entry);
            if (name is "stable_a" or "stable_b") continue;
            if (Directory.Exists(entry)) Directory.Delete(entry, true); else File.Delete(entry);
        }
        await MiniExperts.WaitFor(() => host.Experts.Count == 2, "only the two stable packages are listed after the churn", 30_000);
        await Task.Delay(500);
        stop.Cancel();
        await Task.WhenAll(workers);
        long memoryAfter = ForcedGcMemory();
        long workingSetAfter = Environment.WorkingSet;

        string summary = $"soak {Seconds} s: {Interlocked.Read(ref calls)} calls to stable packages, {failures.Count} failed; " +
            $"{host.Watcher!.ReloadCount} reloads, {host.Watcher.RearmCount} directory re-arms, {swaps} directory swaps; actions " +
            string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")) +
            $"; managed heap {memoryBefore / 1024} KiB -> {memoryAfter / 1024} KiB, working set {workingSetBefore >> 20} MiB -> {workingSetAfter >> 20} MiB";
        output.WriteLine(summary);
        Console.WriteLine(summary);

        Assert.True(failures.IsEmpty, $"{failures.Count} calls to stable packages failed, e.g. {string.Join(" | ", failures.Take(5))}");
        Assert.True(Interlocked.Read(ref calls) > 1000, $"only {calls} calls ran");
        Assert.True(host.Watcher.ReloadCount > 10, $"only {host.Watcher.ReloadCount} reloads ran");
        Assert.True(swaps > 0, "the directory was never swapped");
        Assert.True(memoryAfter - memoryBefore < 48L << 20, $"managed heap grew from {memoryBefore} to {memoryAfter} bytes");
        Assert.True(workingSetAfter - workingSetBefore < 512L << 20, $"working set grew from {workingSetBefore} to {workingSetAfter} bytes");
        Assert.Equal(["stable_a", "stable_b"], host.Experts.Select(e => e.Id).Order(StringComparer.Ordinal));
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        if (length >= 4) { bytes[0] = 0; bytes[1] = 0x61; bytes[2] = 0x73; bytes[3] = 0x6d; } // looks like wasm, is not
        return bytes;
    }

    private static long ForcedGcMemory()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
