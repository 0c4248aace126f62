using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Fixtures.Only64Bit.Only64BitPlugin))]

namespace Polymath.Fixtures.Only64Bit;

/// <summary>Fixture: declared in test manifests for 64-bit architectures only; must never be opened elsewhere.</summary>
public sealed class Only64BitPlugin : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor { get; } = new("fixture-only64", "Fixture 64-bit only", "1.0.0", RuntimeTier.Jit);

    public RuntimeProbeResult Probe(PlatformInfo platform) =>
        platform.PointerSize == 8
            ? RuntimeProbeResult.Available($"64-bit platform {platform.RuntimeIdentifier}", [Capabilities.WasmCore, Capabilities.ExecJit])
            : RuntimeProbeResult.Unavailable($"needs a 64-bit platform, {platform.RuntimeIdentifier} is {platform.PointerSize * 8}-bit");

    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException("fixture-only64 is a loader test fixture and executes no WebAssembly");
}
