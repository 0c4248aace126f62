using System.Runtime.InteropServices;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(WasmtimeRuntimePlugin))]

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// WebAssembly on Wasmtime (Cranelift JIT) through the Wasmtime NuGet package: x64 and arm64 on Linux, macOS and
/// Windows. Exactly WebAssembly 2.0 including SIMD; fuel, epoch-based timeouts, store limits and a bounded wasm stack.
/// </summary>
public sealed class WasmtimeRuntimePlugin : IRuntimePlugin
{
    private static readonly IReadOnlyList<string> ProvidedCapabilities =
    [
        Capabilities.WasmCore, Capabilities.WasmSignExtension, Capabilities.WasmSaturatingConversions,
        Capabilities.WasmMultiValue, Capabilities.WasmBulkMemory, Capabilities.WasmReferenceTypes,
        Capabilities.WasmSimd128, Capabilities.WasmMutableGlobals, Capabilities.ExecJit,
        Capabilities.LimitsFuel, Capabilities.LimitsMemory, Capabilities.LimitsTimeout, Capabilities.LimitsCallDepth,
    ];

    /// <inheritdoc />
    public RuntimeDescriptor Descriptor { get; } =
        new("wasmtime", "Wasmtime (Cranelift JIT)", typeof(WasmtimeRuntimePlugin).Assembly.GetName().Version?.ToString() ?? "0.1.0", RuntimeTier.Jit);

    /// <inheritdoc />
    public RuntimeProbeResult Probe(PlatformInfo platform)
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
            return RuntimeProbeResult.Available($"Wasmtime {WasmtimeEngine.WasmtimeVersion} (simulated {platform.RuntimeIdentifier}: libwasmtime not loaded)", ProvidedCapabilities);
        string? failure = WasmtimeEngine.TryLoadNative();
        return failure is null
            ? RuntimeProbeResult.Available($"Wasmtime {WasmtimeEngine.WasmtimeVersion} (Cranelift JIT) on {platform.RuntimeIdentifier}", ProvidedCapabilities)
            : RuntimeProbeResult.Unavailable(failure);
    }

    /// <inheritdoc />
    public IWasmEngine CreateEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WasmtimeEngine(options);
    }
}
