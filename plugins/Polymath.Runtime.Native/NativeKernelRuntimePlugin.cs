using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Runtime.Native.NativeKernelRuntimePlugin))]

namespace Polymath.Runtime.Native;

/// <summary>
/// The runtime plugin of tier <see cref="RuntimeTier.Native"/>: it loads native kernels — shared libraries exporting the
/// expert ABI with pointer-sized pointers (<c>experts/build.sh --native</c>) — and calls them in-process. It does not run
/// WebAssembly, so it reports no <c>wasm.*</c> capability and the expert binder never picks it for a wasm payload; the
/// host uses it only for an expert whose package ships a kernel for this platform and whose id the operator granted
/// (<c>Experts:NativeKernels</c>). A native kernel has no fuel, timeout or memory cap (RATIONALE.md).
/// </summary>
public sealed class NativeKernelRuntimePlugin : IRuntimePlugin, INativeKernelRuntime
{
    /// <summary>The plugin id (the plugins.json entry must use it).</summary>
    public const string Id = "native";

    /// <inheritdoc />
    public RuntimeDescriptor Descriptor { get; } = new(Id, "Native kernels", "1.0.0", RuntimeTier.Native);

    /// <summary>
    /// Available only when the platform the host targets is the process's own: a native library for another platform
    /// cannot be loaded, and a simulated platform must not be served by code built for this one.
    /// </summary>
    public RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        string here = PlatformInfo.Current.RuntimeIdentifier;
        if (platform.IsSimulated || platform.RuntimeIdentifier != here)
            return RuntimeProbeResult.Unavailable($"native kernels run only on the real platform ({here}), not on {(platform.IsSimulated ? "simulated " : "")}{platform.RuntimeIdentifier}");
        return RuntimeProbeResult.Available($"loads native kernels for {here} in-process (no fuel, timeout or memory cap; used only when granted)", [Capabilities.ExecNative]);
    }

    /// <summary>Not supported: this runtime runs native kernels, not WebAssembly modules (see <see cref="LoadKernel"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException($"the '{Id}' runtime runs native kernels (INativeKernelRuntime.LoadKernel), not WebAssembly modules");

    /// <inheritdoc />
    /// <exception cref="DllNotFoundException">The library cannot be loaded (the message says why: missing, wrong architecture…).</exception>
    /// <exception cref="EntryPointNotFoundException">It lacks one of the four <c>larql_*</c> exports.</exception>
    /// <exception cref="NativeKernelAbiException"><c>larql_metadata</c> returned NULL, an oversized or non-UTF-8 string.</exception>
    public INativeKernel LoadKernel(string libraryPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(libraryPath);
        return new NativeKernel(libraryPath);
    }
}
