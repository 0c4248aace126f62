using Polymath.Fixtures.VersionedLib;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.Alpha.AlphaPlugin))]

namespace Polymath.Fixtures.Alpha;

/// <summary>Fixture: available everywhere; its probe runs code from its private VersionedLib 1.0.0.0.</summary>
public sealed class AlphaPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-alpha", "Fixture Alpha", "1.0.0", RuntimeTier.Interpreter);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        RuntimeProbeResult.Available($"alpha uses {VersionedGreeting.Describe()} on {platform.RuntimeIdentifier}", [Capabilities.WasmCore, "x-fixture.alpha"]);

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-alpha is a loader test fixture and executes no WebAssembly");
}
