using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Polymath.Host.Platform;
using Polymath.Sdk;

namespace Polymath.Host.Tests;

public class PlatformResolverTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void WithoutOverridesItIsTheProcess()
    {
        var selection = PlatformResolver.Resolve(environment: Env());
        Assert.Same(PlatformInfo.Current, selection.Platform);
        Assert.Equal("process", selection.Source);
        Assert.False(selection.Platform.IsSimulated);
    }

    [Fact]
    public void EnvironmentVariableSimulatesAPlatform()
    {
        var selection = PlatformResolver.Resolve(environment: Env(("POLYMATH_PLATFORM", "linux-arm")));
        Assert.Equal("linux-arm", selection.Platform.RuntimeIdentifier);
        Assert.Equal(Architecture.Arm, selection.Platform.Architecture);
        Assert.Equal(4, selection.Platform.PointerSize);
        Assert.True(selection.Platform.IsSimulated);
        Assert.Equal("POLYMATH_PLATFORM", selection.Source);
    }

    [Fact]
    public void ConfigurationKeySimulatesAPlatform()
    {
        var selection = PlatformResolver.Resolve(configuration: Config(("Polymath:Platform", "linux-armv6"), ("Polymath:NoDynamicCode", "true")), environment: Env());
        Assert.Equal(Architecture.Armv6, selection.Platform.Architecture);
        Assert.False(selection.Platform.IsDynamicCodeSupported);
        Assert.Equal("Polymath:Platform", selection.Source);
        Assert.Equal("Polymath:NoDynamicCode", selection.DynamicCodeSource);
    }

    [Fact]
    public void ExplicitBeatsEnvironmentBeatsConfiguration()
    {
        var config = Config(("Polymath:Platform", "linux-x86"));
        var env = Env(("POLYMATH_PLATFORM", "linux-arm64"));
        Assert.Equal("linux-riscv64", PlatformResolver.Resolve("linux-riscv64", null, config, env).Platform.RuntimeIdentifier);
        Assert.Equal("linux-arm64", PlatformResolver.Resolve(null, null, config, env).Platform.RuntimeIdentifier);
        Assert.Equal("linux-x86", PlatformResolver.Resolve(null, null, config, Env()).Platform.RuntimeIdentifier);
    }

    [Fact]
    public void NoDynamicCodeFromEnvironmentAppliesToTheRealPlatformToo()
    {
        var selection = PlatformResolver.Resolve(environment: Env(("POLYMATH_NO_DYNAMIC_CODE", "1")));
        Assert.Equal(PlatformInfo.Current.RuntimeIdentifier, selection.Platform.RuntimeIdentifier);
        Assert.False(selection.Platform.IsDynamicCodeSupported);
        Assert.True(selection.Platform.IsSimulated);
        Assert.Equal("POLYMATH_NO_DYNAMIC_CODE", selection.DynamicCodeSource);

        var explicitOff = PlatformResolver.Resolve(null, false, null, Env(("POLYMATH_NO_DYNAMIC_CODE", "1")));
        Assert.Equal(PlatformInfo.Current.IsDynamicCodeSupported, explicitOff.Platform.IsDynamicCodeSupported);
    }

    [Fact]
    public void BadValuesNameTheirSource()
    {
        var rid = Assert.Throws<PlatformOverrideException>(() => PlatformResolver.Resolve(environment: Env(("POLYMATH_PLATFORM", "amiga"))));
        Assert.Equal("POLYMATH_PLATFORM", rid.Source);
        Assert.StartsWith("POLYMATH_PLATFORM: 'amiga' is not a runtime identifier", rid.Message);

        var cli = Assert.Throws<PlatformOverrideException>(() => PlatformResolver.Resolve("linux-sparc", environment: Env()));
        Assert.Equal("--platform", cli.Source);

        var flag = Assert.Throws<PlatformOverrideException>(() => PlatformResolver.Resolve(configuration: Config(("Polymath:NoDynamicCode", "maybe")), environment: Env()));
        Assert.Equal("Polymath:NoDynamicCode", flag.Source);
    }
}
