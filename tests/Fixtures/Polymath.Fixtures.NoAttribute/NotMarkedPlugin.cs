using Polymath.Sdk;

namespace Polymath.Fixtures.NoAttribute;

/// <summary>Fixture: implements IRuntimePlugin but the assembly lacks [assembly: RuntimePlugin]; the host must report it failed.</summary>
public sealed class NotMarkedPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-noattribute", "Fixture without attribute", "1.0.0", RuntimeTier.Interpreter);

    public RuntimeProbeResult Probe(PlatformInfo platform) => RuntimeProbeResult.Available("never asked", [Capabilities.WasmCore]);

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-noattribute is a loader test fixture and executes no WebAssembly");
}
