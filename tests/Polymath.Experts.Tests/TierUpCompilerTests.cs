using System.Globalization;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Compiler;
using Polymath.Runtime.Interpreter;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Tier-up to the compiler tier on a platform where Wasmtime cannot run (simulated linux-arm): an expert bound to the
/// compiler answers at once on the interpreter while the compiler compiles and warms it in the background, then calls
/// move over with none failed or answered wrongly; the listing shows runtime and pending runtime; the warm-up runs with
/// nothing granted and within the expert's limits; <c>TierUp=false</c> waits for the compiler; and an expert whose chosen
/// runtime is the interpreter (no dynamic code) never tiers up.
/// </summary>
public sealed class TierUpCompilerTests : TierUpFixture
{
    private const string Limits = ",\"limits\":{\"fuelPerCall\":2000000,\"timeoutMs\":2000}"; // the test expert's loop op ends on fuel
    private static readonly PlatformInfo Arm = PlatformInfo.FromRuntimeIdentifier("linux-arm");

    /// <summary>Wasmtime (unavailable on 32-bit ARM), the compiler behind a gate, the interpreter: plugins.json's order.</summary>
    private (ExpertHost Registry, GatedPlugin Compiler) ArmRegistry(PlatformInfo platform, bool open = false, Action<ExpertHostOptions>? configure = null,
        MessageLogger? log = null, IWasiOutputSink? sink = null)
    {
        var compiler = Gated(new CompilerRuntimePlugin(), open);
        var options = new ExpertHostOptions { Directory = Dir.Path, Watch = false, Platform = platform.RuntimeIdentifier };
        configure?.Invoke(options);
        var registry = new ExpertHost(options,
            [RuntimeReport.FromPlugin(new WasmtimeRuntimePlugin(), platform, priority: 30, order: 0),
             RuntimeReport.FromPlugin(compiler, platform, priority: 20, order: 1),
             RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), platform, priority: 10, order: 2)],
            platform, log, sink);
        return (Own(registry), compiler);
    }

    [Fact]
    public async Task SixteenCallersDuringTierUpToTheCompilerOnSimulatedArmHaveNoFailedOrMismatchedCall()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(), extra: Limits);
        var log = new MessageLogger();
        var (registry, compiler) = ArmRegistry(Arm, log: log);
        registry.Reload();

        var info = Assert.Single(registry.Experts);
        Assert.Equal(ExpertStatus.Bound, info.Status);
        Assert.Contains("compiler (compiler)", info.Reason); // bound to the compiler: Wasmtime is unavailable on linux-arm
        Assert.Equal(("interpreter", "compiler"), (info.RuntimeId, info.PendingRuntimeId));

        using var stop = new CancellationTokenSource();
        const int Callers = 16;
        var seen = new List<string>[Callers];
        int calls = 0, failures = 0, mismatches = 0;
        string? firstProblem = null;
        var threads = Enumerable.Range(0, Callers).Select(t =>
        {
            seen[t] = [];
            var thread = new Thread(() =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    int x = t * 1_000_000 + i; // each call's own value: an answer from another call would show
                    var r = registry.Call("echo", $$"""{"x":{{x.ToString(CultureInfo.InvariantCulture)}}}""");
                    Interlocked.Increment(ref calls);
                    if (!r.IsResult)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstProblem, $"{r.OutcomeName}: {r.Reason}", null);
                    }
                    else if (r.Result!.Value.GetProperty("x").GetInt32() != x)
                    {
                        Interlocked.Increment(ref mismatches);
                        Interlocked.CompareExchange(ref firstProblem, $"asked {x}, got {r.Result.Value}", null);
                    }
                    else if (seen[t].Count == 0 || seen[t][^1] != r.RuntimeId) lock (seen[t]) seen[t].Add(r.RuntimeId!); // read by the test thread
                }
            }, 4 << 20);
            thread.Start();
            return thread;
        }).ToList();

        await MiniExperts.WaitFor(() => Volatile.Read(ref calls) >= 10 * Callers && compiler.Compiles == 1, "calls on the interpreter, the compile at the gate", 60_000);
        Assert.Equal("compiler", Assert.Single(registry.Experts).PendingRuntimeId);
        compiler.Gate.Set();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        int atSwap = Volatile.Read(ref calls);
        await MiniExperts.WaitFor(() => Volatile.Read(ref calls) >= atSwap + 10 * Callers && seen.All(s => { lock (s) return s.Count >= 2; }),
            "every caller on the compiler", 60_000);
        stop.Cancel();
        foreach (var t in threads) t.Join();

        Assert.True(failures == 0 && mismatches == 0, $"{failures} failed and {mismatches} mismatched of {calls} calls, first: {firstProblem}");
        foreach (var s in seen) Assert.Equal(["interpreter", "compiler"], s); // never back to the interpreter
        info = Assert.Single(registry.Experts);
        Assert.Equal(("compiler", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Equal(1, log.Count(751)); // one swap
        Assert.Equal(1, compiler.Compiles);
    }

    [Fact]
    public async Task TheWarmUpCallsEveryOpWithNothingGrantedAndWithinTheLimitsBeforeTheSwap()
    {
        // The echo expert's ops include loop, grow, recurse, huge, trap, wild, exit and print: each ends as a limit, trap
        // or ABI violation on a fresh instance, and print writes nothing, although the operator grants wasi.stdio.
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(), extra: Limits + ",\"grants\":[\"wasi.stdio\"]");
        var log = new MessageLogger();
        var sink = new RecordingSink();
        var (registry, _) = ArmRegistry(Arm, open: true, configure: o => { o.Grants["echo"] = ["wasi.stdio"]; o.Limits = o.Limits with { MaxCallDepth = 2000 }; },
            log: log, sink: sink);
        registry.Reload();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(log.Count(756) == 1, string.Join("\n", log.Events.Select(e => $"{e.Id}: {e.Message}")));

        var warmed = Assert.Single(log.Events, e => e.Id == 756);
        Assert.True(warmed.Message.Contains("15 calls", StringComparison.Ordinal) // every op, although several trapped
            && warmed.Message.Contains("budget exhausted: False", StringComparison.Ordinal), warmed.Message);
        Assert.Equal("", sink.Text); // the warm-up's print reached no output
        Assert.Equal("compiler", Assert.Single(registry.Experts).RuntimeId);

        var print = registry.Call("print", "{}");
        Assert.Equal(("compiler", 0), (print.RuntimeId, print.Result!.Value.GetInt32()));
        Assert.Equal("hello from wasm\n", sink.Text); // real calls keep their grants
        var loop = registry.Call("loop", "{}");
        Assert.Equal((ExpertCallOutcome.LimitExceeded, ExpertLimitKind.Fuel), (loop.Outcome, loop.Limit));
        Assert.Equal(1, registry.Call("echo", """{"x":1}""").Result!.Value.GetProperty("x").GetInt32());
    }

    [Fact]
    public async Task AWarmUpThatLoopsEndsAtTheExpertsTimeoutAndTheTierUpStillHappens()
    {
        // No fuel limit: the loop op spins until the one warm-up budget (the expert's 300 ms timeout) ends it.
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(), extra: ",\"limits\":{\"timeoutMs\":300}");
        var log = new MessageLogger();
        var (registry, _) = ArmRegistry(Arm, open: true, log: log);
        registry.Reload();
        await registry.WhenTieredUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(log.Count(756) == 1, string.Join("\n", log.Events.Select(e => $"{e.Id}: {e.Message}")));

        var warmed = Assert.Single(log.Events, e => e.Id == 756);
        int calls = int.Parse(System.Text.RegularExpressions.Regex.Match(warmed.Message, @"(\d+) calls").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(calls <= 3 && warmed.Message.Contains("budget exhausted: True", StringComparison.Ordinal), warmed.Message); // echo, decline, loop: then the budget was gone
        Assert.Equal(("compiler", (string?)null), (Assert.Single(registry.Experts).RuntimeId, Assert.Single(registry.Experts).PendingRuntimeId));
        Assert.Equal("compiler", registry.Call("echo", """{"x":1}""").RuntimeId);
        var loop = registry.Call("loop", "{}");
        Assert.Equal((ExpertCallOutcome.LimitExceeded, ExpertLimitKind.Timeout), (loop.Outcome, loop.Limit));
    }

    [Fact]
    public void WithTierUpOffTheLoadWaitsForTheCompiler()
    {
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(), extra: Limits);
        var log = new MessageLogger();
        var (registry, compiler) = ArmRegistry(Arm, open: true, configure: o => o.TierUp = false, log: log);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(("compiler", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Equal(1, compiler.Compiles); // compiled during the load, not in the background
        Assert.Equal(0, log.Count(750));
        Assert.Equal("compiler", registry.Call("echo", """{"x":1}""").RuntimeId);
    }

    [Fact]
    public void NoTierUpWhereTheChosenRuntimeIsTheInterpreter()
    {
        // linux-arm without dynamic code: the compiler's probe says no, so the interpreter is chosen and there is nothing
        // to move to.
        TestExperts.WritePackage(Dir.Path, "echo", TestExperts.Echo(), extra: Limits);
        var log = new MessageLogger();
        var (registry, compiler) = ArmRegistry(Arm.WithoutDynamicCode(), log: log);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(("interpreter", (string?)null), (info.RuntimeId, info.PendingRuntimeId));
        Assert.Equal("interpreter", registry.Call("echo", """{"x":1}""").RuntimeId);
        Assert.Equal(0, compiler.Compiles);
        Assert.Equal(0, log.Count(750));
    }
}
