using Polymath.Sdk;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>Where the plugin says it can run, and the capabilities it reports.</summary>
public sealed class ProbeTests
{
    [Theory]
    [InlineData("linux-x64", true)]
    [InlineData("linux-arm64", true)]
    [InlineData("osx-arm64", true)]
    [InlineData("win-x64", true)]
    [InlineData("linux-arm", false)]
    [InlineData("linux-armv6", false)]
    [InlineData("linux-x86", false)]
    [InlineData("browser-wasm", false)]
    public void AvailableOnX64AndArm64OfLinuxMacOSAndWindowsOnly(string rid, bool available)
    {
        var result = new WasmtimeRuntimePlugin().Probe(PlatformInfo.FromRuntimeIdentifier(rid));
        Assert.Equal(available, result.IsAvailable);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        if (available) Assert.Contains(Capabilities.WasmSimd128, result.Capabilities);
    }

    [Fact]
    public void UnavailableWithoutDynamicCode()
    {
        var result = new WasmtimeRuntimePlugin().Probe(PlatformInfo.FromRuntimeIdentifier("linux-arm64").WithoutDynamicCode());
        Assert.False(result.IsAvailable);
        Assert.Contains("dynamic code", result.Reason);
    }

    [Fact]
    public void TheRealProcessLoadsLibwasmtime()
    {
        var result = new WasmtimeRuntimePlugin().Probe(PlatformInfo.Current);
        Assert.True(result.IsAvailable, result.Reason);
        Assert.Contains(Capabilities.ExecJit, result.Capabilities);
        Assert.DoesNotContain(Capabilities.ExecInterpreter, result.Capabilities);
    }
}
