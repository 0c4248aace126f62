using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Polymath.Runtime.Compiler;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(CompilerRuntimePlugin))]

namespace Polymath.Runtime.Compiler;

/// <summary>
/// The compiler tier: translates validated WebAssembly into CIL that the .NET JIT turns into machine code,
/// so it runs at JIT speed wherever .NET can generate code (32-bit ARM included). Unavailable where dynamic
/// code is not supported or only interpreted (NativeAOT, iOS).
/// </summary>
public sealed class CompilerRuntimePlugin() : RuntimePlugin("compiler", "Polymath WebAssembly-to-CIL compiler", RuntimeTier.Compiler,
    [.. Capabilities.Wasm20WithoutSimd, Capabilities.WasmSimd128, Capabilities.ExecJit, .. Capabilities.AllLimits]), ICodeListing
{
    /// <inheritdoc />
    public override RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!RuntimeFeature.IsDynamicCodeSupported || !RuntimeFeature.IsDynamicCodeCompiled)
            return RuntimeProbeResult.Unavailable("this process cannot compile generated code (RuntimeFeature.IsDynamicCodeSupported/IsDynamicCodeCompiled is false: NativeAOT or an interpreter-only runtime)");
        if (!platform.IsDynamicCodeSupported || !platform.IsDynamicCodeCompiled)
            return RuntimeProbeResult.Unavailable($"{platform.RuntimeIdentifier} has no dynamic code (NativeAOT/iOS-like): the compiler needs the JIT to compile the CIL it generates");
        if (platform.Architecture == Architecture.S390x || (!platform.IsSimulated && !BitConverter.IsLittleEndian))
            return RuntimeProbeResult.Unavailable("the compiler assumes a little-endian machine (WebAssembly memory is little-endian)");
        return Available($"WebAssembly compiled to CIL and then to machine code by the .NET JIT ({platform.RuntimeIdentifier})");
    }

    /// <inheritdoc />
    public override IWasmEngine CreateEngine(EngineOptions options) => new CompilerEngine(options ?? new EngineOptions());

    /// <summary><c>cil</c>: the CIL generated per function (<see cref="CilListing"/>).</summary>
    public string ListingKind => "cil";

    /// <inheritdoc />
    public string ListCode(ReadOnlyMemory<byte> wasm, string? function = null) => CilListing.Describe(wasm, function);
}
