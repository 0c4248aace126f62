namespace Polymath.Wasm;

/// <summary>Helpers on <see cref="ValueType"/>.</summary>
public static class ValueTypeExtensions
{
    /// <summary>True for funcref and externref.</summary>
    public static bool IsReference(this ValueType type) => type is ValueType.FuncRef or ValueType.ExternRef;

    /// <summary>True for the four numeric types.</summary>
    public static bool IsNumeric(this ValueType type) => type is ValueType.I32 or ValueType.I64 or ValueType.F32 or ValueType.F64;

    /// <summary>The text-format name (i32, funcref, …).</summary>
    public static string ToWat(this ValueType type) => type switch
    {
        ValueType.I32 => "i32",
        ValueType.I64 => "i64",
        ValueType.F32 => "f32",
        ValueType.F64 => "f64",
        ValueType.V128 => "v128",
        ValueType.FuncRef => "funcref",
        ValueType.ExternRef => "externref",
        _ => $"0x{(byte)type:X2}",
    };
}
