using System.Collections.Concurrent;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>Registry, binding, dispatch, limits and hot reload on the interpreter.</summary>
public sealed class RegistryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _dir.Dispose();
    }

    private ExpertHost Registry(Action<ExpertHostOptions>? configure = null, IWasiOutputSink? sink = null, string runtime = "interpreter")
    {
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false };
        configure?.Invoke(options);
        var registry = new ExpertHost(options, [RuntimeReport.FromPlugin(RuntimePlugins.All[runtime](), PlatformInfo.Current)], PlatformInfo.Current, output: sink);
        _owned.Add(registry);
        registry.Reload();
        return registry;
    }

    [Fact]
    public void ResultDeclinedUnknownOpAndInvalidArgs()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        var r = Registry();
        var info = Assert.Single(r.Experts);
        Assert.Equal(ExpertStatus.Bound, info.Status);
        Assert.Equal("interpreter", info.RuntimeId);

        var ok = r.Call("echo", """{"x":1}""");
        Assert.Equal(ExpertCallOutcome.Result, ok.Outcome);
        Assert.Equal(1, ok.Result!.Value.GetProperty("x").GetInt32());
        Assert.Equal("interpreter", ok.RuntimeId);
        Assert.True(ok.Result.LatencyNs > 0);

        Assert.Equal(ExpertCallOutcome.Declined, r.Call("decline", "{}").Outcome);
        var unknown = r.Call("nope", "{}");
        Assert.Equal(ExpertCallOutcome.UnknownOp, unknown.Outcome);
        Assert.Contains("nope", unknown.Reason);
        Assert.Equal(ExpertCallOutcome.InvalidArgs, r.Call("echo", "{not json").Outcome);
        Assert.Equal(ExpertCallOutcome.InvalidArgs, r.Call("", "{}").Outcome);
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", (string?)null).Outcome);
    }

    [Fact]
    public void UnavailableExpertAnswersWithItsReason()
    {
        TestExperts.WritePackage(_dir.Path, "needsjit", TestExperts.Echo("needsjit"), extra: ",\"requires\":[\"exec.jit\"]");
        var r = Registry();
        var info = Assert.Single(r.Experts);
        Assert.Equal(ExpertStatus.Unavailable, info.Status);
        Assert.Contains("interpreter lacks exec.jit", info.Reason);
        Assert.NotEmpty(info.Ops); // metadata still read on the interpreter, so its ops route to the explanation
        var call = r.Call("echo", "{}");
        Assert.Equal(ExpertCallOutcome.Unavailable, call.Outcome);
        Assert.Contains("exec.jit", call.Reason);
    }

    [Fact]
    public void DegradedOnSimulatedArmWithReason()
    {
        TestExperts.WritePackage(_dir.Path, "fast", TestExperts.Echo("fast"), extra: ",\"prefers\":[\"exec.jit\"]");
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false, Platform = "linux-arm" };
        var arm = PlatformInfo.FromRuntimeIdentifier("linux-arm");
        using var r = new ExpertHost(options, [RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), arm)], arm);
        r.Reload();
        var info = Assert.Single(r.Experts);
        Assert.Equal(ExpertStatus.Degraded, info.Status);
        Assert.Contains("prefers exec.jit", info.Reason);
        Assert.Contains("running on", info.Reason);
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
    }

    [Fact]
    public void JitPreferringExpertBindsToTheCompilerOnSimulatedArmAndDegradesWithoutDynamicCode()
    {
        TestExperts.WritePackage(_dir.Path, "fast", TestExperts.Echo("fast"), extra: ",\"prefers\":[\"exec.jit\"]");
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false, Platform = "linux-arm", TierUp = false }; // tier-up to the compiler: TierUpCompilerTests
        foreach (var (platform, status, runtime) in new[]
        {
            (PlatformInfo.FromRuntimeIdentifier("linux-arm"), ExpertStatus.Bound, "compiler"),
            (PlatformInfo.FromRuntimeIdentifier("linux-arm").WithoutDynamicCode(), ExpertStatus.Degraded, "interpreter"),
        })
        {
            using var r = new ExpertHost(options,
                [RuntimeReport.FromPlugin(RuntimePlugins.All["compiler"](), platform, order: 0), RuntimeReport.FromPlugin(RuntimePlugins.All["interpreter"](), platform, order: 1)], platform);
            r.Reload();
            var info = Assert.Single(r.Experts);
            Assert.Equal(status, info.Status);
            Assert.Equal(runtime, info.RuntimeId);
            if (status == ExpertStatus.Degraded) Assert.Contains("prefers exec.jit", info.Reason);
            var call = r.Call("echo", "{}");
            Assert.Equal(ExpertCallOutcome.Result, call.Outcome);
            Assert.Equal(runtime, call.RuntimeId);
        }
    }

    public static TheoryData<string, string, string, ExpertLimitKind> RunawayCases()
    {
        var data = new TheoryData<string, string, string, ExpertLimitKind>();
        foreach (var runtime in RuntimePlugins.All.Keys)
        {
            data.Add(runtime, "loop", ",\"limits\":{\"fuelPerCall\":2000000}", ExpertLimitKind.Fuel);
            data.Add(runtime, "loop", ",\"limits\":{\"timeoutMs\":200}", ExpertLimitKind.Timeout);
            data.Add(runtime, "grow", ",\"limits\":{\"memoryPages\":40}", ExpertLimitKind.Memory);
            data.Add(runtime, "recurse", "", ExpertLimitKind.CallDepth);
            data.Add(runtime, "huge", ",\"limits\":{\"maxResultBytes\":65536}", ExpertLimitKind.ResultSize);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RunawayCases))]
    public void RunawayExpertsEndAsLimitErrorsAndTheNextCallWorks(string runtime, string op, string limits, ExpertLimitKind expected)
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo(), extra: limits);
        var r = Registry(o => o.Limits = o.Limits with { MaxCallDepth = 2000 }, runtime: runtime);
        var call = r.Call(op, "{}");
        Assert.Equal(ExpertCallOutcome.LimitExceeded, call.Outcome);
        Assert.Equal(expected, call.Limit);
        Assert.False(string.IsNullOrEmpty(call.Reason));
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
    }

    public static TheoryData<string, string, TrapKind?, AbiViolation?> HostileCases()
    {
        var data = new TheoryData<string, string, TrapKind?, AbiViolation?>();
        foreach (var runtime in RuntimePlugins.All.Keys)
        {
            data.Add(runtime, "trap", TrapKind.Unreachable, null);
            data.Add(runtime, "wild", null, AbiViolation.WildPointer);
            data.Add(runtime, "nonul", null, AbiViolation.MissingNul);
            data.Add(runtime, "badjson", null, AbiViolation.InvalidResult);
            data.Add(runtime, "exit", TrapKind.Exit, null);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void TrapsAndAbiViolationsAreTrappedAndTheInstanceIsReplaced(string runtime, string op, TrapKind? trap, AbiViolation? violation)
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        var r = Registry(runtime: runtime);
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
        var call = r.Call(op, "{}");
        Assert.Equal(ExpertCallOutcome.Trapped, call.Outcome);
        Assert.Equal(trap, call.Trap);
        Assert.Equal(violation, call.Violation);
        if (op == "trap") Assert.NotEmpty(call.WasmStack);
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void AllocZeroExpertTrapsWithAllocFailed(string runtime)
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "alloc_zero.wasm"), TestExperts.AllocZero());
        var r = Registry(runtime: runtime);
        var call = r.Call("anything", "{}");
        Assert.Equal(ExpertCallOutcome.Trapped, call.Outcome);
        Assert.Equal(AbiViolation.AllocFailed, call.Violation);
    }

    [Fact]
    public void GrantsComeFromTheOperator()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo(), extra: ",\"grants\":[\"wasi.stdio\",\"wasi.clock\"]");
        var sink = new RecordingSink();
        var denied = Registry(sink: sink);
        var info = Assert.Single(denied.Experts);
        Assert.Equal(ExpertStatus.Degraded, info.Status);
        Assert.Contains("wasi.clock", info.Reason);
        Assert.Equal(8, denied.Call("print", "{}").Result!.Value.GetInt32());
        Assert.Equal(760, denied.Call("clock", "{}").Result!.Value.GetInt32());
        Assert.Equal("", sink.Text);

        var granted = Registry(o => o.Grants["echo"] = ["wasi.stdio", "wasi.clock"], sink);
        Assert.Equal(ExpertStatus.Bound, Assert.Single(granted.Experts).Status);
        Assert.Equal(0, granted.Call("print", "{}").Result!.Value.GetInt32());
        Assert.Equal(1, granted.Call("clock", "{}").Result!.Value.GetInt32());
        Assert.Equal(760, granted.Call("random", "{}").Result!.Value.GetInt32()); // not granted to anyone
        Assert.Equal("hello from wasm\n", sink.Text);
    }

    [Fact]
    public void LowerTierShadowsHigherAndShadowingIsReported()
    {
        TestExperts.WritePackage(_dir.Path, "high", TestExperts.Echo("high", tier: 2), tier: 2);
        TestExperts.WritePackage(_dir.Path, "low", TestExperts.Echo("low", tier: 0), tier: 0);
        var r = Registry();
        Assert.Equal("low", r.Ops["echo"]);
        Assert.Equal("low", r.Call("echo", "{}").Result!.ExpertId);
        var high = r.Experts.Single(e => e.Id == "high");
        Assert.Contains("echo", high.ShadowedOps);
        Assert.Empty(r.Experts.Single(e => e.Id == "low").ShadowedOps);
    }

    [Fact]
    public void CorruptedPackagesAreListedWithTheFieldAndDoNotStopOthers()
    {
        var wasm = TestExperts.Echo("bad_hash");
        string dir = TestExperts.WritePackage(_dir.Path, "bad_hash", wasm);
        File.WriteAllBytes(Path.Combine(dir, "bad_hash.wasm"), [.. wasm, 0]);
        string bad = Path.Combine(_dir.Path, "bad_field");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "expert.json"), """{"schemaVersion":1,"id":"bad_field","version":"1","tier":"high","payloads":{"wasm":{"path":"x.wasm","sha256":""}}}""");
        TestExperts.WritePackage(_dir.Path, "good", TestExperts.Echo("good"));
        var r = Registry();
        var hash = r.Experts.Single(e => e.Source.EndsWith("bad_hash", StringComparison.Ordinal));
        Assert.Equal(ExpertStatus.Unavailable, hash.Status);
        Assert.Contains("payloads.wasm.sha256", hash.Reason);
        var field = r.Experts.Single(e => e.Source.EndsWith("bad_field", StringComparison.Ordinal));
        Assert.Contains("'tier'", field.Reason);
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
    }

    [Fact]
    public void BareWasmAndZipPackagesLoad()
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "bare.wasm"), TestExperts.Echo("bare"));
        string src = Path.Combine(_dir.Path, "..", Path.GetFileName(_dir.Path) + "-src");
        Directory.CreateDirectory(src);
        try
        {
            string folder = TestExperts.WritePackage(src, "zipped", TestExperts.Echo("zipped", tier: 0), tier: 0);
            ExpertPacker.Pack(folder, Path.Combine(_dir.Path, "zipped.expert"));
        }
        finally { Directory.Delete(src, true); }
        var r = Registry();
        Assert.Equal(["zipped", "bare"], r.Experts.Select(e => e.Id));
        Assert.Equal(ExpertPackageKind.Zip, r.Experts[0].Kind);
        Assert.Equal(ExpertPackageKind.BareWasm, r.Experts[1].Kind);
        Assert.Equal("zipped", r.Call("echo", "{}").Result!.ExpertId);
    }

    [Theory]
    [MemberData(nameof(TestRuntimes.Names), MemberType = typeof(TestRuntimes))]
    public void ConcurrentCallsUsePooledInstancesNeverShared(string runtime)
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        var r = Registry(o => o.MaxIdleInstancesPerExpert = 8, runtime: runtime);
        var failures = new ConcurrentBag<string>();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            var c = r.Call("echo", $"{{\"n\":{n}}}");
            if (c.Outcome != ExpertCallOutcome.Result || c.Result!.Value.GetProperty("n").GetInt32() != n) failures.Add($"{n}: {c.OutcomeName} {c.Reason}");
        });
        Assert.Empty(failures);
        Assert.InRange(r.IdleInstances("echo"), 1, 8);
    }

    private static async Task WaitFor(Func<bool> condition, int timeoutMs = 15_000)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs) throw new TimeoutException("condition not reached");
            await Task.Delay(25);
        }
    }

    private static void WriteVersion(string root, string version)
    {
        var wasm = TestExperts.Echo("swap", version: version);
        string dir = Path.Combine(root, "swap");
        // Half-written on purpose: the new wasm lands before the manifest that matches it, so one reload sees a hash
        // mismatch (rejected, the old version keeps serving) before the manifest completes the package.
        File.WriteAllBytes(Path.Combine(dir, "swap.wasm"), wasm);
        Thread.Sleep(150);
        File.WriteAllText(Path.Combine(dir, "expert.json"), TestExperts.Manifest("swap", wasm, version: version));
    }

    [Fact]
    public async Task HotSwapUnderConcurrentLoadFailsZeroCalls()
    {
        TestExperts.WritePackage(_dir.Path, "swap", TestExperts.Echo("swap", version: "1.0.0"), version: "1.0.0");
        var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = _dir.Path; o.DebounceMs = 100; })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        _owned.Add(host);
        var loaded = new ConcurrentQueue<string>();
        var unloaded = new ConcurrentQueue<string>();
        host.ExpertLoaded += (_, e) => loaded.Enqueue(e.Expert.Version);
        host.ExpertUnloaded += (_, e) => unloaded.Enqueue(e.Expert.Version);
        await host.StartAsync();

        long calls = 0;
        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var c = host.Call("version", "{}");
                Interlocked.Increment(ref calls);
                if (c.Outcome != ExpertCallOutcome.Result) failures.Add($"{c.OutcomeName}: {c.Reason}");
                else versions.AddOrUpdate(c.Result!.Value.GetString()!, 1, (_, n) => n + 1);
            }
        })).ToArray();

        await WaitFor(() => Interlocked.Read(ref calls) > 500);
        WriteVersion(_dir.Path, "2.0.0");
        await WaitFor(() => versions.ContainsKey("2.0.0"));
        WriteVersion(_dir.Path, "3.0.0");
        await WaitFor(() => versions.ContainsKey("3.0.0"));
        long at = Interlocked.Read(ref calls);
        await WaitFor(() => Interlocked.Read(ref calls) > at + 500);
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.True(calls > 1500, $"only {calls} calls");
        Assert.Equal("3.0.0", host.Call("version", "{}").Result!.Value.GetString());
        Assert.Contains("2.0.0", loaded);
        Assert.Contains("1.0.0", unloaded);
        Assert.Contains("2.0.0", unloaded);
    }

    [Fact]
    public async Task BadNewVersionIsRejectedWhileTheOldKeepsServing()
    {
        string dir = TestExperts.WritePackage(_dir.Path, "swap", TestExperts.Echo("swap", version: "1.0.0"), version: "1.0.0");
        var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = _dir.Path; o.DebounceMs = 50; }).AddRuntime(new InterpreterRuntimePlugin()).Build();
        _owned.Add(host);
        var rejected = new ConcurrentQueue<string>();
        host.ExpertRejected += (_, e) => rejected.Enqueue(e.Message);
        await host.StartAsync();
        File.WriteAllText(Path.Combine(dir, "expert.json"), """{"schemaVersion":1,"id":"swap","version":"2.0.0","tier":"x","payloads":{"wasm":{"path":"swap.wasm","sha256":""}}}""");
        await WaitFor(() => !rejected.IsEmpty);
        Assert.Contains("'tier'", rejected.First());
        var info = Assert.Single(host.Experts);
        Assert.Equal("1.0.0", info.Version);
        Assert.Contains("'tier'", info.RejectedUpdate);
        Assert.Equal("\"1.0.0\"", host.Call("version", "{}").Result!.Value.GetRawText());
    }

    [Fact]
    public async Task RemovalDrainsAndUnloads()
    {
        string dir = TestExperts.WritePackage(_dir.Path, "gone", TestExperts.Echo("gone"));
        File.WriteAllBytes(Path.Combine(_dir.Path, "stay.wasm"), TestExperts.Echo("stay", tier: 5));
        var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = _dir.Path; o.DebounceMs = 50; }).AddRuntime(new InterpreterRuntimePlugin()).Build();
        _owned.Add(host);
        var unloaded = new ConcurrentQueue<string>();
        host.ExpertUnloaded += (_, e) => unloaded.Enqueue(e.Expert.Id);
        await host.StartAsync();
        Assert.Equal("gone", host.Call("echo", "{}").Result!.ExpertId);
        Directory.Delete(dir, true);
        await WaitFor(() => unloaded.Contains("gone"));
        Assert.Equal("stay", host.Call("echo", "{}").Result!.ExpertId);
        File.Delete(Path.Combine(_dir.Path, "stay.wasm"));
        await WaitFor(() => unloaded.Contains("stay"));
        Assert.Equal(ExpertCallOutcome.UnknownOp, host.Call("echo", "{}").Outcome);
        Assert.Empty(host.Experts);
    }
}
