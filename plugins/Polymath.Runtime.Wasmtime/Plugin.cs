using System.Runtime.InteropServices;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(WasmtimeRuntimePlugin))]

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// WebAssembly on Wasmtime (Cranelift JIT) through the Wasmtime NuGet package: x64 and arm64 on Linux, macOS and
/// Windows. Exactly WebAssembly 2.0 including SIMD; fuel, epoch-based timeouts, store limits and a bounded wasm stack.
/// </summary>
public sealed class WasmtimeRuntimePlugin() : RuntimePlugin("wasmtime", "Wasmtime (Cranelift JIT)", RuntimeTier.Jit,
    [.. Capabilities.Wasm20WithoutSimd, Capabilities.WasmSimd128, Capabilities.ExecJit, .. Capabilities.AllLimits])
{
    /// <inheritdoc />
    public override RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (platform.Architecture is not (Architecture.X64 or Architecture.Arm64))
            return RuntimeProbeResult.Unavailable($"Wasmtime's Cranelift generates x64 and arm64 code only; {platform.RuntimeIdentifier} is {platform.Architecture.ToString().ToLowerInvariant()}");
        var os = platform.OperatingSystem;
        if (os is not ("linux" or "osx" or "win"))
            return RuntimeProbeResult.Unavailable($"the Wasmtime package ships libwasmtime for linux, osx and win only, not {os}");
        if (!platform.IsDynamicCodeSupported)
            return RuntimeProbeResult.Unavailable("Wasmtime compiles machine code at run time, which this platform does not allow (no dynamic code)");
        if (platform.IsSimulated)
            return Available($"Wasmtime {WasmtimeEngine.WasmtimeVersion} (simulated {platform.RuntimeIdentifier}: libwasmtime not loaded)");
        string? failure = WasmtimeEngine.TryLoadNative();
        return failure is null
            ? Available($"Wasmtime {WasmtimeEngine.WasmtimeVersion} (Cranelift JIT) on {platform.RuntimeIdentifier}")
            : RuntimeProbeResult.Unavailable(failure);
    }

    /// <inheritdoc />
    public override IWasmEngine CreateEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WasmtimeEngine(options);
    }
}
