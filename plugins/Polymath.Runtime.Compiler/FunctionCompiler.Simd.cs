using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using Polymath.Runtime.Core;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// SIMD (0xFD) emission (RATIONALE.md, "SIMD"). A v128 is a <see cref="Vector128{T}"/> of bytes on the CIL stack and
/// in CIL locals. Every instruction is a <c>call</c> of the shared lane semantics in <see cref="Simd128"/> (the method
/// named after the instruction; small, so RyuJIT inlines the <see cref="Vector128"/> operations into the caller);
/// memory forms first do the tier's usual bounds check and pass the effective address.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private static readonly MethodInfo?[] SimdMethods = FindSimdMethods();
    private static readonly MethodInfo MV128FromBits = typeof(Simd128).GetMethod(nameof(Simd128.FromBits))!;
    private static readonly MethodInfo MV128Low = typeof(Simd128).GetMethod(nameof(Simd128.Low))!;
    private static readonly MethodInfo MV128High = typeof(Simd128).GetMethod(nameof(Simd128.High))!;
    private static readonly FieldInfo FHigh = typeof(GlobalInstance).GetField(nameof(GlobalInstance.High))!;

    private static MethodInfo?[] FindSimdMethods()
    {
        var methods = new MethodInfo?[256];
        foreach (var op in Enum.GetValues<SimdOpcode>())
            methods[(int)op] = typeof(Simd128).GetMethod(op.ToString(), BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException($"Simd128 has no method for {op}");
        return methods;
    }

    private static ValueType WasmType(Type clr) =>
        clr == typeof(int) ? ValueType.I32 : clr == typeof(long) ? ValueType.I64 : clr == typeof(float) ? ValueType.F32 :
        clr == typeof(double) ? ValueType.F64 : ValueType.V128;

    private void V128Constant(ulong low, ulong high)
    {
        _il.Emit(OpCodes.Ldc_I8, (long)low);
        _il.Emit(OpCodes.Ldc_I8, (long)high);
        _il.Emit(OpCodes.Call, MV128FromBits);
    }

    private void TranslateSimd(in Instruction ins)
    {
        var m = SimdMethods[(int)ins.Simd]!;
        switch (ins.Simd)
        {
            case SimdOpcode.V128Const:
                V128Constant(ins.Bits, ins.High);
                Push(ValueType.V128);
                return;
            case SimdOpcode.I8x16Shuffle:
            {
                Span<byte> lanes = stackalloc byte[16];
                BitConverter.TryWriteBytes(lanes, ins.Bits);
                BitConverter.TryWriteBytes(lanes[8..], ins.High);
                var (first, second) = Simd128.ShuffleIndices(lanes);
                V128Constant(first.AsUInt64().GetElement(0), first.AsUInt64().GetElement(1));
                V128Constant(second.AsUInt64().GetElement(0), second.AsUInt64().GetElement(1));
                _il.Emit(OpCodes.Call, m);
                Pop(2);
                Push(ValueType.V128);
                return;
            }
        }
        if (Simd128.IsMemory(ins.Simd))
        {
            EmitSimdMemory(ins, m);
            return;
        }
        if (ins.Lane >= 0) LdcI4(ins.Lane);
        _il.Emit(OpCodes.Call, m);
        Pop(m.GetParameters().Length - (ins.Lane >= 0 ? 1 : 0));
        if (m.ReturnType != typeof(void)) Push(WasmType(m.ReturnType));
    }

    /// <summary>
    /// A SIMD load or store: [address] or [address, v128] on the stack. The v128 operand is set aside, the effective
    /// address checked against the memory's length for the bytes accessed (a trap when outside; misaligned is fine),
    /// then the helper is called with the address, the v128 and the lane.
    /// </summary>
    private void EmitSimdMemory(in Instruction ins, MethodInfo m)
    {
        bool hasVector = m.GetParameters().Length > 1;
        LocalBuilder? v = null;
        if (hasVector)
        {
            v = Temp(3, ValueType.V128, 1);
            _il.Emit(OpCodes.Stloc, v);
        }
        EffectiveAddress(ins.B, Simd128.AccessSize(ins.Simd));
        if (v is not null) _il.Emit(OpCodes.Ldloc, v);
        if (ins.Lane >= 0) LdcI4(ins.Lane);
        _il.Emit(OpCodes.Call, m);
        Pop(hasVector ? 2 : 1);
        if (m.ReturnType != typeof(void)) Push(ValueType.V128);
    }

    /// <summary>global.get of a v128 global: its two 64-bit halves made one vector.</summary>
    private void LoadV128Global(int globalidx)
    {
        LoadGlobalCell(globalidx);
        _il.Emit(OpCodes.Ldfld, FBits);
        LoadGlobalCell(globalidx);
        _il.Emit(OpCodes.Ldfld, FHigh);
        _il.Emit(OpCodes.Call, MV128FromBits);
    }

    /// <summary>global.set of a v128 global (the value is in <paramref name="tmp"/>).</summary>
    private void StoreV128Global(int globalidx, LocalBuilder tmp)
    {
        LoadGlobalCell(globalidx);
        _il.Emit(OpCodes.Ldloc, tmp);
        _il.Emit(OpCodes.Call, MV128Low);
        _il.Emit(OpCodes.Stfld, FBits);
        LoadGlobalCell(globalidx);
        _il.Emit(OpCodes.Ldloc, tmp);
        _il.Emit(OpCodes.Call, MV128High);
        _il.Emit(OpCodes.Stfld, FHigh);
    }
}
