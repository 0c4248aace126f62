namespace Polymath.Wasm;

/// <summary>WebAssembly features (post-MVP proposals merged into 2.0) a module uses.</summary>
[Flags]
public enum WasmFeatures
{
    /// <summary>MVP only.</summary>
    None = 0,
    /// <summary>Sign-extension operators (i32.extend8_s, …).</summary>
    SignExtension = 1 << 0,
    /// <summary>Non-trapping float-to-int conversions (i32.trunc_sat_f32_s, …).</summary>
    SaturatingConversions = 1 << 1,
    /// <summary>Multi-value: blocks with params or several results, functions with several results.</summary>
    MultiValue = 1 << 2,
    /// <summary>Bulk memory (memory.copy/fill/init, data.drop, passive segments).</summary>
    BulkMemory = 1 << 3,
    /// <summary>Reference types (externref, table.* ops, several tables, typed select).</summary>
    ReferenceTypes = 1 << 4,
    /// <summary>128-bit SIMD.</summary>
    Simd = 1 << 5,
    /// <summary>Mutable globals imported or exported.</summary>
    MutableGlobals = 1 << 6,
}
