using System.Diagnostics;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Tier-up: an expert bound to Wasmtime is callable at once on the interpreter and moves to Wasmtime when its background
/// compile is done, with no failed call; the listing shows the pending runtime, then the current one; disposal and hot
/// reload during tier-up are clean; a compile failure keeps the interpreter; a code-cache hit skips the detour.
/// </summary>
public sealed class TierUpTests : TierUpFixture
{
    private ExpertHost Registry(GatedPlugin wasmtime, Action<ExpertHostOptions>? configure = null, MessageLogger? log = null)
    {
        var options = new ExpertHostOptions { Directory = Dir.Path, Watch = false };
        configure?.Invoke(options);
        var platform = PlatformInfo.Current;
        return Own(new ExpertHost(options,
            [RuntimeReport.FromPlugin(wasmtime, platform, priority: 30, order: 0), RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), platform, priority: 10, order: 1)],
            platform, log));
    }

    private GatedPlugin Closed(string? codeCache = null) => Gated(new WasmtimeRuntimePlugin(), codeCache: codeCache);

    [Fact]
    public async Task CallsOnSeveralThreadsDuringTierUpNeverFailAndMoveFromTheInterpreterToWasmtime()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo());
        var wasmtime = Closed();
        var registry = Registry(wasmtime);
        registry.Reload();

        var info = Assert.Single(registry.Experts);
        Assert.Equal(ExpertStatus.Bound, info.Status);
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Equal("wasmtime", info.PendingRuntimeId);

        using var stop = new CancellationTokenSource();
        var seen = new List<string>[4];
        int failures = 0;
        string? firstFailure = null;
        var threads = Enumerable.Range(0, 4).Select(t =>
        {
            seen[t] = [];
            var thread = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var r = registry.Call("echo", """{"x":1}""");
                    if (!r.IsResult) { Interlocked.Increment(ref failures); Interlocked.CompareExchange(ref firstFailure, $"{r.OutcomeName}: {r.Reason}", null); }
                    else if (seen[t].Count == 0 || seen[t][^1] != r.RuntimeId) lock (seen[t]) seen[t].Add(r.RuntimeId!); // read by the test thread
                }
            }, 4 << 20);
            thread.Start();
            return thread;
        }).ToList();

        await MiniExperts.WaitFor(() => wasmtime.Compiles == 1 && seen.All(s => { lock (s) return s.Count > 0; }), "the compile at the gate, calls on the interpreter", 60_000);
        Assert.Equal("wasmtime", Assert.Single(registry.Experts).PendingRuntimeId);
        wasmtime.Gate.Set();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await MiniExperts.WaitFor(() => seen.All(s => { lock (s) return s.Count >= 2; }) || Volatile.Read(ref failures) > 0, "every thread on wasmtime", 60_000);
        stop.Cancel();
        foreach (var t in threads) t.Join();

        Assert.True(failures == 0, $"{failures} failed calls, first: {firstFailure}");
        foreach (var s in seen) Assert.Equal(["interpreter", "wasmtime"], s); // never back to the interpreter
        info = Assert.Single(registry.Experts);
        Assert.Equal("wasmtime", info.RuntimeId);
        Assert.Null(info.PendingRuntimeId);
        Assert.Equal("wasmtime", registry.Call("echo", """{"x":2}""").RuntimeId);
    }

    [Fact]
    public async Task DisposeDuringTierUpCancelsQueuedCompilesAndWaitsForTheRunningOne()
    {
        for (int i = 0; i < 6; i++) TestExperts.WritePackage(Dir.Path, $"e{i}", TestExperts.Echo($"e{i}"));
        var wasmtime = Closed();
        var log = new MessageLogger();
        var registry = Registry(wasmtime, log: log);
        registry.Reload();
        Assert.All(registry.Experts, e => Assert.Equal("wasmtime", e.PendingRuntimeId));
        for (var sw = Stopwatch.StartNew(); wasmtime.Compiles == 0 && sw.Elapsed < TimeSpan.FromSeconds(10);) await Task.Delay(10);
        int started = wasmtime.Compiles;
        Assert.InRange(started, 1, 4); // bounded: at most 4 (half the processors) at once

        var disposing = Task.Run(registry.Dispose);
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted); // a running compile cannot be stopped; disposal waits for it
        wasmtime.Gate.Set();
        await disposing.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(started, wasmtime.Compiles); // the queued ones never started
        Assert.Equal(0, log.Count(754)); // no tier-up crashed
        Assert.Equal(0, log.Count(751)); // nothing swapped after disposal began
        Assert.Empty(registry.Experts);
    }

    [Fact]
    public async Task HotReloadDuringTierUpReplacesThePendingVersionCleanly()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(version: "1.0.0"));
        var wasmtime = Closed();
        var registry = Registry(wasmtime);
        registry.Reload();
        Assert.Equal("1.0.0", registry.Call("version", "{}").Result!.Value.GetString());

        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(version: "2.0.0"), version: "2.0.0");
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal("2.0.0", info.Version);
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Equal("wasmtime", info.PendingRuntimeId);
        var during = registry.Call("version", "{}");
        Assert.Equal("2.0.0", during.Result!.Value.GetString());

        wasmtime.Gate.Set();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        info = Assert.Single(registry.Experts);
        Assert.Equal(("2.0.0", "wasmtime", (string?)null), (info.Version, info.RuntimeId, info.PendingRuntimeId));
        var after = registry.Call("version", "{}");
        Assert.Equal(("2.0.0", "wasmtime"), (after.Result!.Value.GetString(), after.RuntimeId));
        Assert.InRange(wasmtime.Compiles, 1, 2); // the retired version's compile is skipped when it was still queued
    }

    [Fact]
    public async Task ACompileFailureOnTheTargetKeepsTheInterpreterWithTheReason()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo());
        var wasmtime = Closed();
        wasmtime.FailCompiles = true;
        var log = new MessageLogger();
        var registry = Registry(wasmtime, log: log);
        registry.Reload();
        wasmtime.Gate.Set();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var info = Assert.Single(registry.Experts);
        Assert.Equal(("interpreter", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Contains("stays on interpreter: wasmtime cannot compile it:", info.Reason);
        Assert.Contains("rejected by the test", info.Reason);
        Assert.Contains(log.Events, e => e.Id == 752 && e.Message.Contains("rejected by the test", StringComparison.Ordinal));
        Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", """{"x":1}""").Outcome);
    }

    [Fact]
    public void WithTierUpOffTheLoadWaitsForTheChosenRuntime()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo());
        var wasmtime = new GatedPlugin(new WasmtimeRuntimePlugin());
        var registry = Registry(wasmtime, o => o.TierUp = false);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(("wasmtime", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Equal("wasmtime", registry.Call("echo", """{"x":1}""").RuntimeId);
    }

    [Fact]
    public async Task ACodeCacheHitStartsOnWasmtimeWithoutTheDetour()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo());
        var first = new GatedPlugin(new WasmtimeRuntimePlugin(), Cache.Path);
        using (var warm = new ExpertHost(new ExpertHostOptions { Directory = Dir.Path, Watch = false },
                   [RuntimeReport.FromPlugin(first, PlatformInfo.Current, 30, 0), RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), PlatformInfo.Current, 10, 1)], PlatformInfo.Current))
        {
            warm.Reload();
            await warm.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("wasmtime", Assert.Single(warm.Experts).RuntimeId);
        }
        Assert.NotEmpty(Directory.GetFiles(Cache.Path, "*.cwasm"));

        var second = Closed(Cache.Path); // a compile would block: none may happen
        var registry = Registry(second);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(("wasmtime", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Equal("wasmtime", registry.Call("echo", """{"x":1}""").RuntimeId);
        Assert.Equal((0, 1), (second.Compiles, second.CacheHits));
        second.Gate.Set();
    }

    [Fact]
    public async Task AnExpertFromTheMetadataCacheStartsOnItsFirstCallAndTiersUpFromThere()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo());
        string metadata = Path.Combine(Cache.Path, "metadata");
        using (var warm = new ExpertHost(new ExpertHostOptions { Directory = Dir.Path, Watch = false, MetadataCacheDirectory = metadata },
                   [RuntimeReport.FromPlugin(new GatedPlugin(new WasmtimeRuntimePlugin()), PlatformInfo.Current, 30, 0),
                    RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), PlatformInfo.Current, 10, 1)], PlatformInfo.Current))
            warm.Reload(); // fills the metadata cache (no code cache)

        var wasmtime = Closed();
        var registry = Registry(wasmtime, o => o.MetadataCacheDirectory = metadata);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(("wasmtime", (string?)null, 15), (info.RuntimeId, info.PendingRuntimeId, info.Ops.Count)); // not started yet
        Assert.Equal(0, wasmtime.Compiles);

        var first = registry.Call("echo", """{"x":1}""");
        Assert.Equal((ExpertCallOutcome.Result, "interpreter"), (first.Outcome, first.RuntimeId)); // at once, on the interpreter
        Assert.Equal(("interpreter", "wasmtime"), (Assert.Single(registry.Experts).RuntimeId, Assert.Single(registry.Experts).PendingRuntimeId));

        wasmtime.Gate.Set();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("wasmtime", registry.Call("echo", """{"x":2}""").RuntimeId);
        Assert.Equal(1, wasmtime.Compiles);
    }
}
