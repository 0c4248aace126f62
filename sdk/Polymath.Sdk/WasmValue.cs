using System.Runtime.CompilerServices;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Sdk;

/// <summary>
/// A WebAssembly value at the API boundary: a number (its bits) or a reference (funcref: an
/// <see cref="IWasmFunction"/>; externref: any host object; null reference: <see cref="Reference"/> is null).
/// </summary>
public readonly struct WasmValue : IEquatable<WasmValue>
{
    private WasmValue(ValueType type, ulong bits, object? reference)
    {
        Type = type;
        Bits = bits;
        Reference = reference;
    }

    /// <summary>The value's type.</summary>
    public ValueType Type { get; }

    /// <summary>The raw bits of a numeric value (i32/f32 in the low 32 bits).</summary>
    public ulong Bits { get; }

    /// <summary>The referenced object of a reference value; null for a null reference.</summary>
    public object? Reference { get; }

    /// <summary>An i32.</summary>
    public static WasmValue I32(int value) => new(ValueType.I32, (uint)value, null);
    /// <summary>An i64.</summary>
    public static WasmValue I64(long value) => new(ValueType.I64, (ulong)value, null);
    /// <summary>An f32.</summary>
    public static WasmValue F32(float value) => new(ValueType.F32, BitConverter.SingleToUInt32Bits(value), null);
    /// <summary>An f64.</summary>
    public static WasmValue F64(double value) => new(ValueType.F64, BitConverter.DoubleToUInt64Bits(value), null);
    /// <summary>An f32 from its exact bit pattern (keeps NaN payloads).</summary>
    public static WasmValue F32Bits(uint bits) => new(ValueType.F32, bits, null);
    /// <summary>An f64 from its exact bit pattern (keeps NaN payloads).</summary>
    public static WasmValue F64Bits(ulong bits) => new(ValueType.F64, bits, null);
    /// <summary>A value of a numeric type from raw bits.</summary>
    public static WasmValue FromBits(ValueType type, ulong bits) =>
        new(type, type is ValueType.I32 or ValueType.F32 ? (uint)bits : bits, null);
    /// <summary>A funcref (null for the null reference).</summary>
    public static WasmValue FuncRef(IWasmFunction? function) => new(ValueType.FuncRef, 0, function);
    /// <summary>An externref (null for the null reference).</summary>
    public static WasmValue ExternRef(object? value) => new(ValueType.ExternRef, 0, value);
    /// <summary>The null reference of a reference type.</summary>
    public static WasmValue Null(ValueType referenceType) => new(referenceType, 0, null);
    /// <summary>The default (zero / null) value of a type.</summary>
    public static WasmValue Default(ValueType type) => new(type, 0, null);

    /// <summary>The value as i32.</summary>
    public int AsI32 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (int)(uint)Bits; }
    /// <summary>The value as i64.</summary>
    public long AsI64 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => (long)Bits; }
    /// <summary>The value as f32.</summary>
    public float AsF32 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => BitConverter.UInt32BitsToSingle((uint)Bits); }
    /// <summary>The value as f64.</summary>
    public double AsF64 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => BitConverter.UInt64BitsToDouble(Bits); }
    /// <summary>True for a null reference.</summary>
    public bool IsNullReference => Type.IsReference() && Reference is null;

    /// <summary>Bitwise equality (NaNs equal when their bits are; references by identity).</summary>
    public bool Equals(WasmValue other) => Type == other.Type && Bits == other.Bits && ReferenceEquals(Reference, other.Reference);
    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WasmValue v && Equals(v);
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Bits, Reference is null ? 0 : RuntimeHelpers.GetHashCode(Reference));
    /// <summary>Bitwise equality.</summary>
    public static bool operator ==(WasmValue left, WasmValue right) => left.Equals(right);
    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(WasmValue left, WasmValue right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        ValueType.I32 => $"i32:{AsI32}",
        ValueType.I64 => $"i64:{AsI64}",
        ValueType.F32 => $"f32:{AsF32.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        ValueType.F64 => $"f64:{AsF64.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        ValueType.FuncRef => Reference is null ? "funcref:null" : "funcref",
        ValueType.ExternRef => Reference is null ? "externref:null" : $"externref:{Reference}",
        _ => $"{Type.ToWat()}:0x{Bits:X}",
    };
}
