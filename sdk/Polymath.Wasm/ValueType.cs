namespace Polymath.Wasm;

/// <summary>A WebAssembly value type (valtype), encoded with its binary-format byte.</summary>
public enum ValueType : byte
{
    /// <summary>32-bit integer.</summary>
    I32 = 0x7F,
    /// <summary>64-bit integer.</summary>
    I64 = 0x7E,
    /// <summary>32-bit IEEE 754 float.</summary>
    F32 = 0x7D,
    /// <summary>64-bit IEEE 754 float.</summary>
    F64 = 0x7C,
    /// <summary>128-bit vector (SIMD proposal; decoded, not executed by every runtime).</summary>
    V128 = 0x7B,
    /// <summary>Reference to a function (reftype).</summary>
    FuncRef = 0x70,
    /// <summary>Opaque host reference (reftype).</summary>
    ExternRef = 0x6F,
}
