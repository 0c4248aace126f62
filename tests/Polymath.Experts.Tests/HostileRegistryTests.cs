using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// What a hostile package or caller does to the registry and the watcher (issue 10, registry part): each test builds the
/// hostile input, asserts the clear outcome, and that a good neighbour keeps answering.
/// </summary>
public sealed class HostileRegistryTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly List<IDisposable> _owned = [];

    public HostileRegistryTests() => Directory.CreateDirectory(Dir);

    private string Dir => Path.Combine(_root.Path, "experts");

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _root.Dispose();
    }

    private ExpertHost Registry(Action<ExpertHostOptions>? configure = null, IReadOnlyList<RuntimeReport>? runtimes = null)
    {
        var options = new ExpertHostOptions { Directory = Dir, Watch = false };
        configure?.Invoke(options);
        var registry = new ExpertHost(options, runtimes ?? [RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), PlatformInfo.Current)], PlatformInfo.Current);
        _owned.Add(registry);
        registry.Reload();
        return registry;
    }

    private async Task<ExpertHost> StartHost(Action<ExpertHostOptions>? configure = null)
    {
        var host = ExpertHost.CreateBuilder()
            .Configure(o => { o.Directory = Dir; o.DebounceMs = 50; o.DirectoryCheckMs = 100; configure?.Invoke(o); })
            .AddRuntime(new InterpreterRuntimePlugin())
            .Build();
        _owned.Add(host);
        await host.StartAsync();
        return host;
    }

    private static void AssertAnswers(ExpertHost r, string op, string expertId, string? value = null)
    {
        var call = r.Call(op, "{}");
        Assert.True(call.IsResult, $"{op}: {call.OutcomeName} {call.Reason}");
        Assert.Equal(expertId, call.ExpertId);
        if (value is not null) Assert.Equal(value, call.Result!.Value.GetString());
    }

    // 1. Event handlers that throw.
    [Fact]
    public async Task ThrowingHandlersNeitherStopTheWatcherNorTheOtherHandlers()
    {
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        var host = await StartHost();
        var seen = new ConcurrentQueue<string>();
        int reloads = 0;
        host.Watcher!.Reloaded += (_, _) => throw new InvalidOperationException("hostile Reloaded subscriber");
        host.Watcher.Reloaded += (_, _) => Interlocked.Increment(ref reloads);
        foreach (var name in new[] { "loaded", "unloaded", "degraded", "rejected" })
        {
            EventHandler<ExpertEventArgs> thrower = (_, _) => throw new InvalidOperationException($"hostile {name} subscriber");
            EventHandler<ExpertEventArgs> recorder = (_, e) => seen.Enqueue($"{name}:{e.Expert.Id}");
            switch (name)
            {
                case "loaded": host.ExpertLoaded += thrower; host.ExpertLoaded += recorder; break;
                case "unloaded": host.ExpertUnloaded += thrower; host.ExpertUnloaded += recorder; break;
                case "degraded": host.ExpertDegraded += thrower; host.ExpertDegraded += recorder; break;
                default: host.ExpertRejected += thrower; host.ExpertRejected += recorder; break;
            }
        }

        MiniExperts.WriteSigned(Dir, "first", "op1");
        await MiniExperts.WaitFor(() => host.Call("op1", "{}").IsResult, "op1 callable after the first reload");
        File.WriteAllBytes(Path.Combine(Dir, "broken.wasm"), [0, 97, 115, 109, 9]);
        MiniExperts.WriteSigned(Dir, "needsjit", "jit", extra: ",\"requires\":[\"exec.jit\"]");
        Directory.Delete(Path.Combine(Dir, "first"), true);
        MiniExperts.WriteSigned(Dir, "second", "op2");
        await MiniExperts.WaitFor(() => host.Call("op2", "{}").IsResult, "op2 callable: the watcher survived the throwing handlers");
        await MiniExperts.WaitFor(() => seen.Contains("unloaded:first") && seen.Contains("rejected:broken") && seen.Contains("degraded:needsjit"),
            "every event reached the handler after the throwing one");
        Assert.Contains("loaded:second", seen);
        Assert.True(Volatile.Read(ref reloads) >= 2, "the second Reloaded handler ran on every reload");
        AssertAnswers(host, "nb", "neighbour");
    }

    // 2. The directory deleted and recreated, or swapped by rename.
    [Fact]
    public async Task DeletedAndRecreatedDirectoryIsWatchedAgain()
    {
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        var host = await StartHost();
        AssertAnswers(host, "nb", "neighbour");

        Directory.Delete(Dir, true);
        await Task.Delay(400);
        Directory.CreateDirectory(Dir);
        await Task.Delay(300);
        MiniExperts.WriteSigned(Dir, "fresh", "fresh_op");
        await MiniExperts.WaitFor(() => host.Call("fresh_op", "{}").IsResult, "a package added to the recreated directory is callable");
        Assert.True(host.Watcher!.RearmCount >= 1);
        await MiniExperts.WaitFor(() => host.Call("nb", "{}").Outcome == ExpertCallOutcome.UnknownOp, "the deleted package unloads");

        // Swapped by rename: the new directory carries the neighbour back and a new package.
        string next = Path.Combine(_root.Path, "experts.next");
        Directory.CreateDirectory(next);
        MiniExperts.WriteSigned(next, "neighbour", "nb", "2.0.0");
        MiniExperts.WriteSigned(next, "swapped", "swapped_op");
        Directory.Move(Dir, Path.Combine(_root.Path, "experts.old"));
        Directory.Move(next, Dir);
        await MiniExperts.WaitFor(() => host.Call("swapped_op", "{}").IsResult, "a package of the swapped-in directory is callable");
        AssertAnswers(host, "nb", "neighbour", "2.0.0");
        Assert.Equal(ExpertCallOutcome.UnknownOp, host.Call("fresh_op", "{}").Outcome);

        // And a later change inside the swapped-in directory is seen: the watcher watches the new one.
        MiniExperts.WriteSigned(Dir, "later", "later_op");
        await MiniExperts.WaitFor(() => host.Call("later_op", "{}").IsResult, "a change inside the swapped-in directory is seen");
    }

    [Fact]
    public void AMissingDirectoryKeepsTheLoadedExpertsServing()
    {
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        var r = Registry();
        Directory.Move(Dir, Dir + ".away");
        r.Reload();
        AssertAnswers(r, "nb", "neighbour");
        Assert.Single(r.Experts);
        Directory.Move(Dir + ".away", Dir);
        Directory.Delete(Path.Combine(Dir, "neighbour"), true);
        r.Reload();
        Assert.Equal(ExpertCallOutcome.UnknownOp, r.Call("nb", "{}").Outcome);
    }

    // 3. Anything one package throws rejects that package only.
    [Fact]
    public void APackageWhoseReadingThrowsRejectsOnlyItself()
    {
        string nul = Path.Combine(Dir, "nul_path");
        Directory.CreateDirectory(nul);
        var wasm = MiniExperts.Constant("nul_path", "nul_op");
        File.WriteAllBytes(Path.Combine(nul, "x.wasm"), wasm);
        File.WriteAllText(Path.Combine(nul, "expert.json"),
            "{\"schemaVersion\":1,\"id\":\"nul_path\",\"version\":\"1.0.0\",\"tier\":1,\"payloads\":{\"wasm\":{\"path\":\"x.wasm\\u0000\",\"sha256\":\""
            + ExpertPackageReader.Sha256(wasm) + "\"}}}");
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        var r = Registry();
        var bad = r.Experts.Single(e => e.Source == nul);
        Assert.Equal(ExpertStatus.Unavailable, bad.Status);
        Assert.False(string.IsNullOrWhiteSpace(bad.Reason));
        Assert.Equal(ExpertCallOutcome.UnknownOp, r.Call("nul_op", "{}").Outcome);
        AssertAnswers(r, "nb", "neighbour", "1.0.0");

        // Every later reload still works and picks up the neighbour's update while the bad package stays.
        MiniExperts.WriteSigned(Dir, "neighbour", "nb", "2.0.0");
        r.Reload();
        AssertAnswers(r, "nb", "neighbour", "2.0.0");
        Assert.Equal(ExpertStatus.Unavailable, r.Experts.Single(e => e.Source == nul).Status);
    }

    // 4. Operator limits are ceilings.
    [Fact]
    public void ManifestLimitsCanLowerButNeverRaiseTheOperatorsCeilings()
    {
        TestExperts.WritePackage(Dir, "greedy", TestExperts.Echo("greedy"),
            extra: ",\"limits\":{\"memoryPages\":65536,\"timeoutMs\":2147483647,\"fuelPerCall\":1000000000000,\"maxResultBytes\":268435456}");
        MiniExperts.WriteSigned(Dir, "modest", "modest_op", extra: ",\"limits\":{\"memoryPages\":8,\"timeoutMs\":400,\"fuelPerCall\":5000}");
        // The timeout ceiling leaves room for a loaded machine: "grow" must meet the memory cap, not the clock.
        var r = Registry(o => o.Limits = o.Limits with { MemoryPages = 64, TimeoutMs = 5000, FuelPerCall = 100_000_000, MaxResultBytes = 4096 });
        var greedy = r.Experts.Single(e => e.Id == "greedy");
        Assert.Equal(new EffectiveLimits(64, 100_000_000, 5000, 4096, 10_000), greedy.Limits! with { Clamped = [] });
        Assert.Equal(4, greedy.Limits!.Clamped.Count);
        Assert.Contains(greedy.Limits.Clamped, c => c.Contains("timeoutMs 2147483647", StringComparison.Ordinal));
        var modest = r.Experts.Single(e => e.Id == "modest");
        Assert.Equal(new EffectiveLimits(8, 5000, 400, 4096, 10_000), modest.Limits! with { Clamped = [] });
        Assert.Empty(modest.Limits!.Clamped);

        var grow = r.Call("grow", "{}");
        Assert.Equal(ExpertCallOutcome.LimitExceeded, grow.Outcome);
        Assert.Equal(ExpertLimitKind.Memory, grow.Limit);
        Assert.Contains("64 pages", grow.Reason);
        var loop = r.Call("loop", "{}");
        Assert.Equal(ExpertCallOutcome.LimitExceeded, loop.Outcome);
        Assert.Contains(loop.Limit, new ExpertLimitKind?[] { ExpertLimitKind.Fuel, ExpertLimitKind.Timeout });
        AssertAnswers(r, "modest_op", "modest");
    }

    [Fact]
    public void OptionRangesAreCheckedAtStartNamingTheKey()
    {
        var bad = new ExpertHostOptions { Directory = Dir, DirectoryCheckMs = 0, DebounceMs = 600_000, MaxIdleInstancesPerExpert = 100_000 };
        bad.Limits = bad.Limits with { TimeoutMs = int.MaxValue, MaxResultBytes = int.MaxValue, MaxCallDepth = int.MaxValue, FuelPerCall = 0, MaxArgsBytes = 0 };
        var e = Assert.Throws<OptionsValidationException>(() => ExpertHostOptionsValidator.ThrowIfInvalid(bad));
        foreach (var key in new[] { "Experts:DirectoryCheckMs", "Experts:DebounceMs", "Experts:MaxIdleInstancesPerExpert", "Experts:Limits:TimeoutMs",
                     "Experts:Limits:MaxResultBytes", "Experts:Limits:MaxCallDepth", "Experts:Limits:FuelPerCall", "Experts:Limits:MaxArgsBytes" })
            Assert.Contains(e.Failures, f => f.StartsWith(key, StringComparison.Ordinal));

        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Experts:Directory"] = Dir, ["Experts:Limits:TimeoutMs"] = "2147483647" }).Build());
        services.AddExperts();
        using var sp = services.BuildServiceProvider();
        var started = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<ExpertHostOptions>>().Value);
        Assert.Contains(started.Failures, f => f.StartsWith("Experts:Limits:TimeoutMs", StringComparison.Ordinal));
    }

    // 5. The args cap, checked before any copy and blamed on the caller.
    [Fact]
    public void OversizedArgsAreInvalidArgsOfTheCallerCheckedBeforeAnyCopy()
    {
        TestExperts.WritePackage(Dir, "echo", TestExperts.Echo());
        var r = Registry(o => o.Limits.MaxArgsBytes = 1024);
        string ascii = $"{{\"x\":\"{new string('a', 2000)}\"}}";
        string wide = $"{{\"x\":\"{new string('€', 400)}\"}}"; // 406 chars, 1206 UTF-8 bytes
        string fits = $"{{\"x\":\"{new string('é', 500)}\"}}"; // 506 chars, 1008 bytes
        foreach (var args in new[] { ascii, wide })
        {
            var call = r.Call("echo", args);
            Assert.Equal(ExpertCallOutcome.InvalidArgs, call.Outcome);
            Assert.Null(call.ExpertId);
            Assert.Null(call.RuntimeId);
            Assert.Contains("1024", call.Reason);
            Assert.Contains("MaxArgsBytes", call.Reason);
        }
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", fits).Outcome);

        // 64 MiB of args against the default 1 MiB cap: rejected without copying them.
        var big = Registry();
        string huge = new('a', 64 << 20);
        _ = big.Call("echo", "{}");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var rejected = big.Call("echo", huge);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ExpertCallOutcome.InvalidArgs, rejected.Outcome);
        Assert.Contains((1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), rejected.Reason);
        Assert.True(allocated < 64 * 1024, $"rejecting oversized args allocated {allocated} bytes");
        Assert.Equal(ExpertCallOutcome.Result, big.Call("echo", "{\"x\":1}").Outcome);
    }

    // 6. No usable runtime: unavailable with the reason, never unknown_op.
    [Fact]
    public void WithNoUsableRuntimeCallsSayUnavailableWithTheReason()
    {
        File.WriteAllBytes(Path.Combine(Dir, "bare.wasm"), MiniExperts.Constant("bare", "bare_op"));
        MiniExperts.WriteSigned(Dir, "described", "described_op", extra: ",\"ops\":{\"described_op\":{\"description\":\"d\"}}");
        var r = Registry(runtimes: []);
        Assert.All(r.Experts, e => Assert.Equal(ExpertStatus.Unavailable, e.Status));
        Assert.Equal(["described_op"], r.Experts.Single(e => e.Id == "described").Ops.Select(o => o.Name));

        var described = r.Call("described_op", "{}");
        Assert.Equal(ExpertCallOutcome.Unavailable, described.Outcome);
        Assert.Equal("described", described.ExpertId);
        Assert.False(string.IsNullOrWhiteSpace(described.Reason));

        var bare = r.Call("bare_op", "{}");
        Assert.Equal(ExpertCallOutcome.Unavailable, bare.Outcome);
        Assert.Contains("cannot run here", bare.Reason);
        Assert.Contains(r.Experts.Single(e => e.Id == "bare").Reason, bare.Reason);

        // With a runtime, the same directory answers, and a truly unknown op is unknown_op again.
        var ok = Registry();
        AssertAnswers(ok, "bare_op", "bare");
        AssertAnswers(ok, "described_op", "described");
        Assert.Equal(ExpertCallOutcome.UnknownOp, ok.Call("nothing", "{}").Outcome);
    }

    // 7. Ops claimed by two packages: signed beats unsigned, whatever the tier or the name.
    [Fact]
    public void AnUnsignedBareWasmCannotTakeOverTheOpOfASignedPackage()
    {
        MiniExperts.WriteSigned(Dir, "zeta", "gcd", "signed", tier: 2);
        File.WriteAllBytes(Path.Combine(Dir, "aaa.wasm"), MiniExperts.Constant("aaa", "gcd", "evil", tier: 0));
        File.WriteAllBytes(Path.Combine(Dir, "aab.wasm"), MiniExperts.Constant("zeta", "other", "evil", tier: 0)); // same id as the signed one
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        var r = Registry();
        Assert.Equal("zeta", r.Ops["gcd"]);
        AssertAnswers(r, "gcd", "zeta", "signed");

        var zeta = r.Experts.Single(e => e.Id == "zeta" && e.Status != ExpertStatus.Unavailable);
        Assert.True(zeta.Signed);
        var won = Assert.Single(zeta.Conflicts);
        Assert.True(won.Wins);
        Assert.Equal(("gcd", "aaa", "signed"), (won.Op, won.OtherId, won.Rule));
        var aaa = r.Experts.Single(e => e.Id == "aaa");
        Assert.False(aaa.Signed);
        Assert.Contains("gcd", aaa.ShadowedOps);
        var lost = Assert.Single(aaa.Conflicts);
        Assert.False(lost.Wins);
        Assert.Equal("zeta", lost.OtherId);
        Assert.Contains("zeta wins because it is signed", lost.Explanation);

        var duplicate = r.Experts.Single(e => e.Source.EndsWith("aab.wasm", StringComparison.Ordinal));
        Assert.Equal(ExpertStatus.Unavailable, duplicate.Status);
        Assert.Contains("signed", duplicate.Reason);
        Assert.Equal(ExpertCallOutcome.UnknownOp, r.Call("other", "{}").Outcome);
        AssertAnswers(r, "nb", "neighbour");
    }

    [Fact]
    public void AmongEqualsTheLowerTierThenThePathWinsAndBothSidesSayWhy()
    {
        MiniExperts.WriteSigned(Dir, "b_low", "shared", "b", tier: 0);
        MiniExperts.WriteSigned(Dir, "a_high", "shared", "a", tier: 3);
        MiniExperts.WriteSigned(Dir, "c_low", "shared", "c", tier: 0);
        var r = Registry();
        AssertAnswers(r, "shared", "b_low", "b");
        var b = r.Experts.Single(e => e.Id == "b_low");
        Assert.Equal(2, b.Conflicts.Count);
        Assert.All(b.Conflicts, c => Assert.True(c.Wins));
        Assert.Equal("tier", r.Experts.Single(e => e.Id == "a_high").Conflicts.Single().Rule);
        Assert.Equal("path", r.Experts.Single(e => e.Id == "c_low").Conflicts.Single().Rule);
    }

    // 8. RejectedUpdate clears when a good version is back.
    [Fact]
    public void RejectedUpdateClearsWhenTheGoodVersionReturns()
    {
        string dir = MiniExperts.WriteSigned(Dir, "flip", "flip_op");
        string manifest = File.ReadAllText(Path.Combine(dir, "expert.json"));
        var r = Registry();
        File.WriteAllText(Path.Combine(dir, "expert.json"), manifest.Replace("\"tier\":1", "\"tier\":\"x\"", StringComparison.Ordinal));
        r.Reload();
        Assert.Contains("'tier'", Assert.Single(r.Experts).RejectedUpdate);
        AssertAnswers(r, "flip_op", "flip");
        File.WriteAllText(Path.Combine(dir, "expert.json"), manifest); // the same good version again
        r.Reload();
        Assert.Null(Assert.Single(r.Experts).RejectedUpdate);

        File.WriteAllBytes(Path.Combine(dir, "flip.wasm"), [1, 2, 3]);
        r.Reload();
        Assert.NotNull(Assert.Single(r.Experts).RejectedUpdate);
        MiniExperts.WriteSigned(Dir, "flip", "flip_op", "2.0.0"); // a new good version
        r.Reload();
        var info = Assert.Single(r.Experts);
        Assert.Null(info.RejectedUpdate);
        Assert.Equal("2.0.0", info.Version);
    }

    // 9. Reload races Dispose.
    [Fact]
    public async Task ReloadRacingDisposeEndsInObjectDisposedExceptionOnly()
    {
        MiniExperts.WriteSigned(Dir, "neighbour", "nb");
        File.WriteAllBytes(Path.Combine(Dir, "second.wasm"), MiniExperts.Constant("second", "second_op"));
        var rng = new Random(10);
        for (int i = 0; i < 40; i++)
        {
            var options = new ExpertHostOptions { Directory = Dir, Watch = false };
            var r = new ExpertHost(options, [RuntimeReport.FromPlugin(new InterpreterRuntimePlugin(), PlatformInfo.Current)], PlatformInfo.Current);
            r.Reload();
            AssertAnswers(r, "nb", "neighbour");
            // Force full reloads (new fingerprints) so each one compiles and uses the engines.
            var reloads = Enumerable.Range(0, 2).Select(n => Task.Run(() =>
            {
                for (int k = 0; ; k++)
                {
                    try { File.WriteAllBytes(Path.Combine(Dir, $"churn{n}.wasm"), MiniExperts.Constant($"churn{n}", $"c{n}", $"{i}.{k % 3}")); }
                    catch (IOException) { } // the other reload task was reading it: this one still reloads
                    r.Reload();
                }
            })).ToArray();
            await Task.Delay(rng.Next(0, 30));
            r.Dispose();
            foreach (var t in reloads)
            {
                var e = await Assert.ThrowsAnyAsync<Exception>(() => t);
                Assert.True(e is ObjectDisposedException, $"iteration {i}: a reload racing Dispose threw {e}");
            }
            Assert.Throws<ObjectDisposedException>(() => r.Reload());
            Assert.Equal(ExpertCallOutcome.UnknownOp, r.Call("nb", "{}").Outcome);
        }
    }

    // 10. A failed package has no tier.
    [Fact]
    public void AFailedPackageIsListedWithoutATier()
    {
        File.WriteAllBytes(Path.Combine(Dir, "junk.wasm"), Encoding.ASCII.GetBytes("not wasm at all"));
        MiniExperts.WriteSigned(Dir, "neighbour", "nb", tier: 7);
        var r = Registry();
        var junk = r.Experts.Single(e => e.Id == "junk");
        Assert.Null(junk.Tier);
        Assert.Equal(ExpertStatus.Unavailable, junk.Status);
        Assert.Equal((byte)7, r.Experts.Single(e => e.Id == "neighbour").Tier);
        Assert.Equal("junk", r.Experts[^1].Id); // unknown tiers sort last
        using var stream = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(stream)) ExpertJson.WriteExpert(w, junk);
        Assert.Contains("\"tier\":null", Encoding.UTF8.GetString(stream.ToArray()));
        AssertAnswers(r, "nb", "neighbour");
    }
}
