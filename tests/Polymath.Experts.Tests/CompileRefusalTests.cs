using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// A module the chosen runtime refuses to compile (here a function of 10,000 parameters, whose frame is beyond what the
/// compiler tier's stack check can bound) runs on the runtime the binder would choose without it, degraded, with the
/// refusal in its reason: at load, with tier-up on or off, and on a first call from the metadata cache.
/// </summary>
public sealed class CompileRefusalTests : IDisposable
{
    private static readonly string WideFunction =
        $"(func $wide (param {string.Join(' ', Enumerable.Repeat("i64", 10_000))}))";

    private readonly TempDir _dir = new();
    private readonly TempDir _cache = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cache.Dispose();
    }

    private ExpertHost Registry(bool tierUp, string? metadataCache = null)
    {
        var arm = PlatformInfo.FromRuntimeIdentifier("linux-arm");
        return new ExpertHost(
            new ExpertHostOptions { Directory = _dir.Path, Watch = false, Platform = "linux-arm", TierUp = tierUp, MetadataCacheDirectory = metadataCache ?? "off" },
            [RuntimeReport.FromPlugin(RuntimePlugins.All["compiler"](), arm, order: 0), RuntimeReport.FromPlugin(RuntimePlugins.All["interpreter"](), arm, order: 1)], arm);
    }

    [Fact]
    public void WithTierUpOffTheLoadFallsBackToTheInterpreterAndSaysWhy()
    {
        TestExperts.WritePackage(_dir.Path, "wide", TestExperts.EchoWith(WideFunction, "wide"));
        using var registry = Registry(tierUp: false);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal(ExpertStatus.Degraded, info.Status);
        Assert.Equal("interpreter", info.RuntimeId);
        Assert.Contains("compiler cannot compile it", info.Reason, StringComparison.Ordinal);
        Assert.True(info.Reason.Contains("needs a native stack frame", StringComparison.Ordinal), info.Reason);
        Assert.True(info.Reason.Contains("10000 parameters", StringComparison.Ordinal), info.Reason); // $wide itself, not its neighbours
        var call = registry.Call("echo", "{\"x\":1}");
        Assert.Equal(ExpertCallOutcome.Result, call.Outcome);
        Assert.Equal("interpreter", call.RuntimeId);
    }

    [Fact]
    public void WithTierUpOnTheExpertStaysOnTheInterpreterWhenTheCompilerRefuses()
    {
        TestExperts.WritePackage(_dir.Path, "wide", TestExperts.EchoWith(WideFunction, "wide"));
        using var registry = Registry(tierUp: true);
        registry.Reload();
        Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", "{}").Outcome);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Assert.Single(registry.Experts).PendingRuntimeId is not null && DateTime.UtcNow < deadline) Thread.Sleep(20);
        var info = Assert.Single(registry.Experts);
        Assert.Null(info.PendingRuntimeId);
        Assert.Equal("interpreter", info.RuntimeId);
        var call = registry.Call("echo", "{\"x\":2}");
        Assert.Equal(ExpertCallOutcome.Result, call.Outcome);
        Assert.Equal("interpreter", call.RuntimeId);
    }

    [Fact]
    public void OnAFirstCallFromTheMetadataCacheTheRefusalFallsBackToo()
    {
        TestExperts.WritePackage(_dir.Path, "wide", TestExperts.EchoWith(WideFunction, "wide"));
        using (var cold = Registry(tierUp: false, _cache.Path)) cold.Reload(); // writes the metadata cache entry
        using var warm = Registry(tierUp: false, _cache.Path);
        warm.Reload();
        var call = warm.Call("echo", "{}");
        Assert.Equal(ExpertCallOutcome.Result, call.Outcome);
        Assert.Equal("interpreter", call.RuntimeId);
    }

    [Fact]
    public void AModuleTheCompilerAcceptsStaysOnTheCompiler()
    {
        TestExperts.WritePackage(_dir.Path, "narrow", TestExperts.EchoWith("(func $narrow (param i64 i64))", "narrow"));
        using var registry = Registry(tierUp: false);
        registry.Reload();
        var info = Assert.Single(registry.Experts);
        Assert.Equal("compiler", info.RuntimeId);
        Assert.DoesNotContain("cannot compile", info.Reason, StringComparison.Ordinal);
        Assert.Equal("compiler", registry.Call("echo", "{}").RuntimeId);
    }
}
