using Polymath.Sdk;
using Polymath.Wasm;
using Wasmtime;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Wasmtime;

/// <summary>Conversions between the SDK's values and types and the Wasmtime package's.</summary>
internal static class Values
{
    public static ValueKind ToKind(ValueType type) => type switch
    {
        ValueType.I32 => ValueKind.Int32,
        ValueType.I64 => ValueKind.Int64,
        ValueType.F32 => ValueKind.Float32,
        ValueType.F64 => ValueKind.Float64,
        ValueType.V128 => ValueKind.V128,
        ValueType.FuncRef => ValueKind.FuncRef,
        ValueType.ExternRef => ValueKind.ExternRef,
        _ => throw new NotSupportedException($"value type {type.ToWat()} is not supported"),
    };

    public static ValueType ToType(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => ValueType.I32,
        ValueKind.Int64 => ValueType.I64,
        ValueKind.Float32 => ValueType.F32,
        ValueKind.Float64 => ValueType.F64,
        ValueKind.V128 => ValueType.V128,
        ValueKind.FuncRef => ValueType.FuncRef,
        ValueKind.ExternRef => ValueType.ExternRef,
        _ => throw new NotSupportedException($"Wasmtime value kind {kind} is outside WebAssembly 2.0"),
    };

    public static ValueKind[] ToKinds(ValueType[] types)
    {
        var kinds = new ValueKind[types.Length];
        for (int i = 0; i < kinds.Length; i++) kinds[i] = ToKind(types[i]);
        return kinds;
    }

    public static Polymath.Wasm.FuncType ToFuncType(Function function)
    {
        var p = new ValueType[function.Parameters.Count];
        for (int i = 0; i < p.Length; i++) p[i] = ToType(function.Parameters[i]);
        var r = new ValueType[function.Results.Count];
        for (int i = 0; i < r.Length; i++) r[i] = ToType(function.Results[i]);
        return new Polymath.Wasm.FuncType(p, r);
    }

    public static TableKind ToTableKind(ValueType type) => type switch
    {
        ValueType.FuncRef => TableKind.FuncRef,
        ValueType.ExternRef => TableKind.ExternRef,
        _ => throw new ArgumentException($"a table holds references, not {type.ToWat()}"),
    };

    /// <summary>An SDK value as a Wasmtime argument.</summary>
    public static ValueBox ToBox(WasmtimeStore store, in WasmValue value) => value.Type switch
    {
        ValueType.I32 => value.AsI32,
        ValueType.I64 => value.AsI64,
        ValueType.F32 => value.AsF32,
        ValueType.F64 => value.AsF64,
        ValueType.V128 => V128Of(value),
        ValueType.FuncRef => store.Unwrap(value.Reference as IWasmFunction, value.Reference),
        ValueType.ExternRef => ValueBox.AsBox(value.Reference),
        _ => throw new NotSupportedException($"value type {value.Type.ToWat()} is not supported"),
    };

    /// <summary>An SDK value as the object the Wasmtime package takes for globals and tables.</summary>
    public static object? ToObject(WasmtimeStore store, in WasmValue value) => value.Type switch
    {
        ValueType.I32 => value.AsI32,
        ValueType.I64 => value.AsI64,
        ValueType.F32 => value.AsF32,
        ValueType.F64 => value.AsF64,
        ValueType.V128 => V128Of(value),
        ValueType.FuncRef => store.Unwrap(value.Reference as IWasmFunction, value.Reference),
        ValueType.ExternRef => value.Reference,
        _ => throw new NotSupportedException($"value type {value.Type.ToWat()} is not supported"),
    };

    /// <summary>A Wasmtime result or global/table value (as the package boxes it) as an SDK value.</summary>
    public static WasmValue FromObject(WasmtimeStore store, ValueType type, object? value) => type switch
    {
        ValueType.I32 => WasmValue.I32((int)value!),
        ValueType.I64 => WasmValue.I64((long)value!),
        ValueType.F32 => WasmValue.F32Bits(BitConverter.SingleToUInt32Bits((float)value!)),
        ValueType.F64 => WasmValue.F64Bits(BitConverter.DoubleToUInt64Bits((double)value!)),
        ValueType.V128 => FromV128((V128)value!),
        ValueType.FuncRef => WasmValue.FuncRef(value is Function { IsNull: false } f ? store.Wrap(f) : null),
        ValueType.ExternRef => WasmValue.ExternRef(value),
        _ => throw new NotSupportedException($"value type {type.ToWat()} is not supported"),
    };

    /// <summary>A host function's argument as an SDK value.</summary>
    public static WasmValue FromBox(WasmtimeStore store, ValueType type, in ValueBox box) => type switch
    {
        ValueType.I32 => WasmValue.I32(box.AsInt32()),
        ValueType.I64 => WasmValue.I64(box.AsInt64()),
        ValueType.F32 => WasmValue.F32Bits(BitConverter.SingleToUInt32Bits(box.AsSingle())),
        ValueType.F64 => WasmValue.F64Bits(BitConverter.DoubleToUInt64Bits(box.AsDouble())),
        ValueType.V128 => FromV128(box.AsV128()),
        ValueType.FuncRef => WasmValue.FuncRef(box.AsFunction(store.Native) is { IsNull: false } f ? store.Wrap(f) : null),
        ValueType.ExternRef => WasmValue.ExternRef(box.As<object>()),
        _ => throw new NotSupportedException($"value type {type.ToWat()} is not supported"),
    };

    private static V128 V128Of(in WasmValue value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value.Bits);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], value.HighBits);
        return new V128(bytes);
    }

    private static WasmValue FromV128(V128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.CopyTo(bytes);
        return WasmValue.V128(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
    }
}
