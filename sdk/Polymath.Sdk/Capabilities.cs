namespace Polymath.Sdk;

/// <summary>
/// The published capability vocabulary (docs/capabilities.md). Runtimes report the capabilities
/// they provide on a platform; experts declare the ones they require or prefer. Names are
/// lower-case, dot-separated, stable; unknown names are allowed (a third party may add its own
/// under a prefix of its own, e.g. <c>x-acme.gpu</c>).
/// </summary>
public static class Capabilities
{
    /// <summary>WebAssembly MVP (1.0) core instructions.</summary>
    public const string WasmCore = "wasm.core";
    /// <summary>Sign-extension operators.</summary>
    public const string WasmSignExtension = "wasm.sign-extension";
    /// <summary>Non-trapping float-to-int conversions.</summary>
    public const string WasmSaturatingConversions = "wasm.saturating-conversions";
    /// <summary>Multi-value blocks and functions.</summary>
    public const string WasmMultiValue = "wasm.multi-value";
    /// <summary>Bulk memory and table operations, passive segments.</summary>
    public const string WasmBulkMemory = "wasm.bulk-memory";
    /// <summary>Reference types: externref, several tables, table.* instructions.</summary>
    public const string WasmReferenceTypes = "wasm.reference-types";
    /// <summary>128-bit SIMD.</summary>
    public const string WasmSimd128 = "wasm.simd128";
    /// <summary>Import and export of mutable globals.</summary>
    public const string WasmMutableGlobals = "wasm.mutable-globals";

    /// <summary>Code is compiled to machine code at run time (a JIT).</summary>
    public const string ExecJit = "exec.jit";
    /// <summary>Code is compiled ahead of the call to another managed form (e.g. WASM→CIL).</summary>
    public const string ExecCompiler = "exec.compiler";
    /// <summary>Code is interpreted.</summary>
    public const string ExecInterpreter = "exec.interpreter";
    /// <summary>The expert runs as a native kernel (shared library) rather than WebAssembly.</summary>
    public const string ExecNative = "exec.native";

    /// <summary>Per-call fuel (instruction budget) is enforced.</summary>
    public const string LimitsFuel = "limits.fuel";
    /// <summary>Linear-memory growth can be capped.</summary>
    public const string LimitsMemory = "limits.memory";
    /// <summary>Calls can be interrupted by a timeout or cancellation.</summary>
    public const string LimitsTimeout = "limits.timeout";
    /// <summary>Call depth is bounded and ends as a trap rather than a crash.</summary>
    public const string LimitsCallDepth = "limits.call-depth";

    /// <summary>WASI stdout/stderr (routed to the host log).</summary>
    public const string WasiStdio = "wasi.stdio";
    /// <summary>WASI clocks.</summary>
    public const string WasiClock = "wasi.clock";
    /// <summary>WASI random bytes.</summary>
    public const string WasiRandom = "wasi.random";

    /// <summary>Every name defined above, for documentation and validation tooling.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        WasmCore, WasmSignExtension, WasmSaturatingConversions, WasmMultiValue, WasmBulkMemory,
        WasmReferenceTypes, WasmSimd128, WasmMutableGlobals,
        ExecJit, ExecCompiler, ExecInterpreter, ExecNative,
        LimitsFuel, LimitsMemory, LimitsTimeout, LimitsCallDepth,
        WasiStdio, WasiClock, WasiRandom,
    ];

    /// <summary>
    /// The WebAssembly 2.0 features but SIMD (core, sign extension, saturating conversions, multi-value, bulk memory,
    /// reference types, mutable globals): what every managed or JIT runtime plugin of this repository provides.
    /// </summary>
    public static IReadOnlyList<string> Wasm20WithoutSimd { get; } =
    [
        WasmCore, WasmSignExtension, WasmSaturatingConversions, WasmMultiValue, WasmBulkMemory,
        WasmReferenceTypes, WasmMutableGlobals,
    ];

    /// <summary>Every limit a runtime can enforce per call: fuel, memory, timeout, call depth.</summary>
    public static IReadOnlyList<string> AllLimits { get; } = [LimitsFuel, LimitsMemory, LimitsTimeout, LimitsCallDepth];

    /// <summary>The capabilities a module needs because of the features it uses.</summary>
    public static IReadOnlyList<string> ForFeatures(Polymath.Wasm.WasmFeatures features)
    {
        var list = new List<string> { WasmCore };
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.SignExtension)) list.Add(WasmSignExtension);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.SaturatingConversions)) list.Add(WasmSaturatingConversions);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.MultiValue)) list.Add(WasmMultiValue);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.BulkMemory)) list.Add(WasmBulkMemory);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.ReferenceTypes)) list.Add(WasmReferenceTypes);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.Simd)) list.Add(WasmSimd128);
        if (features.HasFlag(Polymath.Wasm.WasmFeatures.MutableGlobals)) list.Add(WasmMutableGlobals);
        return list;
    }
}
