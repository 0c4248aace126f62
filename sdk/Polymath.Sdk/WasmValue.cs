using System.Runtime.CompilerServices;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Sdk;

/// <summary>
/// A WebAssembly value at the API boundary: a number (its bits), a v128 (<see cref="Bits"/> = low 64 bits,
/// <see cref="HighBits"/> = high 64 bits, little-endian lane order) or a reference (funcref: an
/// <see cref="IWasmFunction"/>; externref: any host object; null reference: <see cref="Reference"/> is null).
/// </summary>
public readonly struct WasmValue : IEquatable<WasmValue>
{
    private WasmValue(ValueType type, ulong bits, object? reference, ulong highBits = 0)
    {
        Type = type;
        Bits = bits;
        Reference = reference;
        HighBits = highBits;
    }

    /// <summary>The value's type.</summary>
    public ValueType Type { get; }

    /// <summary>The raw bits of a numeric value (i32/f32 in the low 32 bits).</summary>
    public ulong Bits { get; }

    /// <summary>The referenced object of a reference value; null for a null reference.</summary>
    public object? Reference { get; }

    /// <summary>The high 64 bits of a v128 (bytes 8..15); 0 for every other type.</summary>
    public ulong HighBits { get; }

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
    /// <summary>A v128 from its low (bytes 0..7) and high (bytes 8..15) 64 bits, little-endian as in linear memory.</summary>
    public static WasmValue V128(ulong low, ulong high) => new(ValueType.V128, low, null, high);
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
    public bool Equals(WasmValue other) => Type == other.Type && Bits == other.Bits && HighBits == other.HighBits && ReferenceEquals(Reference, other.Reference);
    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WasmValue v && Equals(v);
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Bits, HighBits, Reference is null ? 0 : RuntimeHelpers.GetHashCode(Reference));
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
        ValueType.V128 => $"v128:0x{HighBits:X16}{Bits:X16}",
        ValueType.FuncRef => Reference is null ? "funcref:null" : "funcref",
        ValueType.ExternRef => Reference is null ? "externref:null" : $"externref:{Reference}",
        _ => $"{Type.ToWat()}:0x{Bits:X}",
    };
}
