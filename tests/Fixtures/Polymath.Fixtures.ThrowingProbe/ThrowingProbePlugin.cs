using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.ThrowingProbe.ThrowingProbePlugin))]

namespace Polymath.Fixtures.ThrowingProbe;

/// <summary>Fixture: loads fine, but its probe throws.</summary>
public sealed class ThrowingProbePlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-throwing", "Fixture throwing probe", "1.0.0", RuntimeTier.Interpreter);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        throw new InvalidOperationException("fixture probe exploded on purpose");

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-throwing is a loader test fixture and executes no WebAssembly");
}
