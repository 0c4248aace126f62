using Polymath.Fixtures.VersionedLib;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.Beta.BetaPlugin))]

namespace Polymath.Fixtures.Beta;

/// <summary>Fixture: available everywhere; its probe calls a method that exists only in its private VersionedLib 2.0.0.0.</summary>
public sealed class BetaPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-beta", "Fixture Beta", "2.0.0", RuntimeTier.Compiler);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        RuntimeProbeResult.Available($"beta uses {VersionedGreeting.Describe()}, twice 21 is {VersionedGreeting.Twice(21)}", [Capabilities.WasmCore, "x-fixture.beta"]);

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-beta is a loader test fixture and executes no WebAssembly");
}
