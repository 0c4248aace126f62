using System.Runtime.InteropServices;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.NativeUser.NativeUserPlugin))]

namespace Polymath.Fixtures.NativeUser;

/// <summary>Fixture: its probe calls into its own native library (libfixturenative), resolved by the plugin's load context.</summary>
public sealed class NativeUserPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-native", "Fixture native user", "1.0.0", RuntimeTier.Native);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        RuntimeProbeResult.Available($"fixture_add(40, 2) = {FixtureAdd(40, 2)}", [Capabilities.ExecNative]);

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-native is a loader test fixture and executes no WebAssembly");

    [DllImport("fixturenative", EntryPoint = "fixture_add")]
    private static extern int FixtureAdd(int a, int b);
}
