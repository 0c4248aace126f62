using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>Calls a typed delegate with arguments and results as <see cref="WasmValue"/>s (generated per function type).</summary>
internal delegate void EntryThunk(Delegate target, ref WasmValue arguments, ref WasmValue results, CompilerStore store);

/// <summary>
/// The CLR shape of one function type: parameters as CLR values, the first result as the return value,
/// further results as by-ref parameters. Holds the delegate type every function of this type is called
/// through, the thunk that calls it from the API, and the adapter that makes a host callback such a delegate.
/// </summary>
internal sealed class Signature
{
    public Signature(FuncType type, int typeId)
    {
        Type = type;
        TypeId = typeId;
        ParameterTypes = type.Parameters.Select(ClrType).ToArray();
        ReturnType = type.Results.Length == 0 ? typeof(void) : ClrType(type.Results[0]);
        ExtraResultTypes = type.Results.Skip(1).Select(r => ClrType(r).MakeByRefType()).ToArray();
        DelegateType = System.Linq.Expressions.Expression.GetDelegateType([.. ParameterTypes, .. ExtraResultTypes, ReturnType]);
        Invoke = DelegateType.GetMethod("Invoke")!;
        _entry = new Lazy<EntryThunk>(BuildEntry);
        _hostAdapter = new Lazy<DynamicMethod>(BuildHostAdapter);
    }

    public FuncType Type { get; }
    public int TypeId { get; }
    public Type[] ParameterTypes { get; }
    public Type ReturnType { get; }
    public Type[] ExtraResultTypes { get; }
    public Type DelegateType { get; }
    public MethodInfo Invoke { get; }

    private readonly Lazy<EntryThunk> _entry;
    private readonly Lazy<DynamicMethod> _hostAdapter;

    public EntryThunk Entry => _entry.Value;
    public DynamicMethod HostAdapter => _hostAdapter.Value;

    /// <summary>The parameter list of a wasm-defined function's method: the instance, the parameters, the by-ref extra results.</summary>
    public Type[] MethodParameters(Type contextType) => [contextType, .. ParameterTypes, .. ExtraResultTypes];

    public static Type ClrType(ValueType t) => t switch
    {
        ValueType.I32 => typeof(int),
        ValueType.I64 => typeof(long),
        ValueType.F32 => typeof(float),
        ValueType.F64 => typeof(double),
        ValueType.FuncRef or ValueType.ExternRef => typeof(object),
        ValueType.V128 => typeof(Vector128<byte>),
        _ => throw new NotSupportedException($"value type {t.ToWat()} is not supported by the compiler runtime"),
    };

    private EntryThunk BuildEntry()
    {
        var dm = new DynamicMethod($"entry {Type}", typeof(void),
            [typeof(Delegate), typeof(WasmValue).MakeByRefType(), typeof(WasmValue).MakeByRefType(), typeof(CompilerStore)], typeof(Signature).Module, skipVisibility: true);
        var il = dm.GetILGenerator();
        var extra = ExtraResultTypes.Select(t => il.DeclareLocal(t.GetElementType()!)).ToArray();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, DelegateType);
        for (int i = 0; i < Type.Parameters.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Call, typeof(ValueMarshal).GetMethod("Get" + Suffix(Type.Parameters[i]))!);
        }
        foreach (var l in extra) il.Emit(OpCodes.Ldloca, l);
        il.Emit(OpCodes.Callvirt, Invoke);
        if (Type.Results.Length > 0)
        {
            var first = il.DeclareLocal(ReturnType);
            il.Emit(OpCodes.Stloc, first);
            for (int k = 0; k < Type.Results.Length; k++)
            {
                il.Emit(OpCodes.Ldarg_2);
                il.Emit(OpCodes.Ldc_I4, k);
                il.Emit(OpCodes.Ldloc, k == 0 ? first : extra[k - 1]);
                il.Emit(OpCodes.Call, typeof(ValueMarshal).GetMethod("Set" + Suffix(Type.Results[k]))!);
            }
        }
        il.Emit(OpCodes.Ret);
        return dm.CreateDelegate<EntryThunk>();
    }

    private DynamicMethod BuildHostAdapter()
    {
        int np = Type.Parameters.Length;
        var dm = new DynamicMethod($"host {Type}", ReturnType, [typeof(HostBinding), .. ParameterTypes, .. ExtraResultTypes], typeof(Signature).Module, skipVisibility: true);
        var il = dm.GetILGenerator();
        var buf = il.DeclareLocal(typeof(WasmValue[]));
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(HostBinding).GetMethod(nameof(HostBinding.Rent))!);
        il.Emit(OpCodes.Stloc, buf);
        for (int i = 0; i < np; i++)
        {
            il.Emit(OpCodes.Ldloc, buf);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldarg, i + 1);
            il.Emit(OpCodes.Call, typeof(ValueMarshal).GetMethod("Put" + Suffix(Type.Parameters[i]))!);
        }
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, buf);
        il.Emit(OpCodes.Call, typeof(HostBinding).GetMethod(nameof(HostBinding.Call))!);
        for (int k = 1; k < Type.Results.Length; k++)
        {
            il.Emit(OpCodes.Ldarg, np + k);
            il.Emit(OpCodes.Ldloc, buf);
            il.Emit(OpCodes.Ldc_I4, np + k);
            il.Emit(OpCodes.Call, typeof(ValueMarshal).GetMethod("Take" + Suffix(Type.Results[k]))!);
            il.Emit(OpCodes.Stobj, ClrType(Type.Results[k]));
        }
        if (Type.Results.Length > 0)
        {
            il.Emit(OpCodes.Ldloc, buf);
            il.Emit(OpCodes.Ldc_I4, np);
            il.Emit(OpCodes.Call, typeof(ValueMarshal).GetMethod("Take" + Suffix(Type.Results[0]))!);
        }
        il.Emit(OpCodes.Ret);
        return dm;
    }

    private static string Suffix(ValueType t) => t switch
    {
        ValueType.I32 => "I32",
        ValueType.I64 => "I64",
        ValueType.F32 => "F32",
        ValueType.F64 => "F64",
        ValueType.FuncRef => "FuncRef",
        ValueType.V128 => "V128",
        _ => "ExternRef",
    };
}

/// <summary>Moves values between <see cref="WasmValue"/> form and CLR form (used by thunks and adapters).</summary>
internal static class ValueMarshal
{
    public static int GetI32(ref WasmValue a, int i, CompilerStore s) => Unsafe.Add(ref a, i).AsI32;
    public static long GetI64(ref WasmValue a, int i, CompilerStore s) => Unsafe.Add(ref a, i).AsI64;
    public static float GetF32(ref WasmValue a, int i, CompilerStore s) => BitConverter.Int32BitsToSingle((int)(uint)Unsafe.Add(ref a, i).Bits);
    public static double GetF64(ref WasmValue a, int i, CompilerStore s) => BitConverter.Int64BitsToDouble((long)Unsafe.Add(ref a, i).Bits);
    public static object? GetFuncRef(ref WasmValue a, int i, CompilerStore s) => s.ToReference(ValueType.FuncRef, Unsafe.Add(ref a, i));
    public static object? GetExternRef(ref WasmValue a, int i, CompilerStore s) => Unsafe.Add(ref a, i).Reference;
    public static Vector128<byte> GetV128(ref WasmValue a, int i, CompilerStore s) => FromValue(Unsafe.Add(ref a, i));

    public static void SetI32(ref WasmValue r, int i, int v) => Unsafe.Add(ref r, i) = WasmValue.I32(v);
    public static void SetI64(ref WasmValue r, int i, long v) => Unsafe.Add(ref r, i) = WasmValue.I64(v);
    public static void SetF32(ref WasmValue r, int i, float v) => Unsafe.Add(ref r, i) = WasmValue.F32Bits((uint)BitConverter.SingleToInt32Bits(v));
    public static void SetF64(ref WasmValue r, int i, double v) => Unsafe.Add(ref r, i) = WasmValue.F64Bits((ulong)BitConverter.DoubleToInt64Bits(v));
    public static void SetFuncRef(ref WasmValue r, int i, object? v) => Unsafe.Add(ref r, i) = WasmValue.FuncRef((IWasmFunction?)v);
    public static void SetExternRef(ref WasmValue r, int i, object? v) => Unsafe.Add(ref r, i) = WasmValue.ExternRef(v);
    public static void SetV128(ref WasmValue r, int i, Vector128<byte> v) => Unsafe.Add(ref r, i) = ToValue(v);

    public static void PutI32(WasmValue[] b, int i, int v) => b[i] = WasmValue.I32(v);
    public static void PutI64(WasmValue[] b, int i, long v) => b[i] = WasmValue.I64(v);
    public static void PutF32(WasmValue[] b, int i, float v) => b[i] = WasmValue.F32Bits((uint)BitConverter.SingleToInt32Bits(v));
    public static void PutF64(WasmValue[] b, int i, double v) => b[i] = WasmValue.F64Bits((ulong)BitConverter.DoubleToInt64Bits(v));
    public static void PutFuncRef(WasmValue[] b, int i, object? v) => b[i] = WasmValue.FuncRef((IWasmFunction?)v);
    public static void PutExternRef(WasmValue[] b, int i, object? v) => b[i] = WasmValue.ExternRef(v);
    public static void PutV128(WasmValue[] b, int i, Vector128<byte> v) => b[i] = ToValue(v);

    public static int TakeI32(WasmValue[] b, int i) => b[i].AsI32;
    public static long TakeI64(WasmValue[] b, int i) => b[i].AsI64;
    public static float TakeF32(WasmValue[] b, int i) => BitConverter.Int32BitsToSingle((int)(uint)b[i].Bits);
    public static double TakeF64(WasmValue[] b, int i) => BitConverter.Int64BitsToDouble((long)b[i].Bits);
    public static object? TakeFuncRef(WasmValue[] b, int i) => b[i].Reference;
    public static object? TakeExternRef(WasmValue[] b, int i) => b[i].Reference;
    public static Vector128<byte> TakeV128(WasmValue[] b, int i) => FromValue(b[i]);

    private static Vector128<byte> FromValue(in WasmValue w) => Vector128.Create(w.Bits, w.HighBits).AsByte();
    private static WasmValue ToValue(Vector128<byte> v) => WasmValue.V128(v.AsUInt64().GetElement(0), v.AsUInt64().GetElement(1));
}
