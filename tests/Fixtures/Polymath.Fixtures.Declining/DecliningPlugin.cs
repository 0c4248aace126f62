using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.Declining.DecliningPlugin))]

namespace Polymath.Fixtures.Declining;

/// <summary>Fixture: loads fine; its probe declines with a reason, like a JIT plugin whose native library is missing.</summary>
public sealed class DecliningPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-declining", "Fixture declining probe", "1.0.0", RuntimeTier.Jit);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        RuntimeProbeResult.Unavailable($"libfixturejit.so not found for {platform.RuntimeIdentifier}");

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-declining is a loader test fixture and executes no WebAssembly");
}
