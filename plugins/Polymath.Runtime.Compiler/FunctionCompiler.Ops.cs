using System.Reflection.Emit;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

internal sealed partial class FunctionCompiler
{
    // ------------------------------------------------------------------ calls

    /// <summary>Moves the call's arguments from the stack into temporaries (the callee or its delegate goes below them).</summary>
    private void SpillArguments(ValueType[] ps)
    {
        if (ps.Length > _maxArity) _maxArity = ps.Length;
        for (int i = ps.Length - 1; i >= 0; i--) _il.Emit(OpCodes.Stloc, Temp(1, ps[i], i));
        Pop(ps.Length);
    }

    private void ReloadArgumentsAndResults(FuncType type)
    {
        for (int i = 0; i < type.Parameters.Length; i++) _il.Emit(OpCodes.Ldloc, Temp(1, type.Parameters[i], i));
        for (int k = 1; k < type.Results.Length; k++) _il.Emit(OpCodes.Ldloca, Temp(2, type.Results[k], k));
    }

    private void AfterCall(FuncType type)
    {
        for (int k = 1; k < type.Results.Length; k++) _il.Emit(OpCodes.Ldloc, Temp(2, type.Results[k], k));
        foreach (var r in type.Results) Push(r);
        LoadMemory();
    }

    private void EmitCall(uint funcidx)
    {
        var type = _def.GetFunctionType(funcidx);
        SpillArguments(type.Parameters);
        _liveAcrossCalls += _stack.Count;
        if (funcidx >= (uint)_def.ImportedFunctionCount)
        {
            int defined = (int)funcidx - _def.ImportedFunctionCount;
            _il.Emit(OpCodes.Ldarg_0);
            ReloadArgumentsAndResults(type);
            _il.Emit(OpCodes.Call, _callTarget?.Invoke(defined) ?? _module.GetMethod(defined, _metered));
            DirectCallees.Add(defined);
        }
        else
        {
            var sig = _module.Engine.GetSignature(type);
            _il.Emit(OpCodes.Ldarg_0);
            LdcI4((int)funcidx);
            LdcI4(_metered ? 1 : 0);
            Call(typeof(Instance), nameof(Instance.ResolveImport));
            _il.Emit(OpCodes.Castclass, sig.DelegateType);
            ReloadArgumentsAndResults(type);
            _il.Emit(OpCodes.Callvirt, sig.Invoke);
        }
        AfterCall(type);
    }

    private void EmitCallIndirect(uint typeidx, uint tableidx)
    {
        var type = _def.Types[(int)typeidx];
        var sig = _module.Signatures[typeidx];
        var index = Temp(3, ValueType.I32, 7);
        _il.Emit(OpCodes.Stloc, index);
        Pop();
        SpillArguments(type.Parameters);
        _liveAcrossCalls += _stack.Count;
        _il.Emit(OpCodes.Ldloc, index);
        _il.Emit(OpCodes.Ldarg_0);
        LdcI4((int)tableidx);
        LdcI4(sig.TypeId);
        LdcI4(_funcidx);
        LdcI4(_metered ? 1 : 0);
        Call(typeof(Instance), nameof(Instance.ResolveIndirect));
        _il.Emit(OpCodes.Castclass, sig.DelegateType);
        ReloadArgumentsAndResults(type);
        _il.Emit(OpCodes.Callvirt, sig.Invoke);
        AfterCall(type);
    }

    // ------------------------------------------------------------------ 0xFC

    private void TranslatePrefixed(in Instruction ins)
    {
        var il = _il;
        switch (ins.Prefixed)
        {
            case PrefixedOpcode.I32TruncSatF32S: Unary(ValueType.I32, "I32TruncSatF32S"); return;
            case PrefixedOpcode.I32TruncSatF32U: Unary(ValueType.I32, "I32TruncSatF32U"); return;
            case PrefixedOpcode.I32TruncSatF64S: Unary(ValueType.I32, "I32TruncSatF64S"); return;
            case PrefixedOpcode.I32TruncSatF64U: Unary(ValueType.I32, "I32TruncSatF64U"); return;
            case PrefixedOpcode.I64TruncSatF32S: Unary(ValueType.I64, "I64TruncSatF32S"); return;
            case PrefixedOpcode.I64TruncSatF32U: Unary(ValueType.I64, "I64TruncSatF32U"); return;
            case PrefixedOpcode.I64TruncSatF64S: Unary(ValueType.I64, "I64TruncSatF64S"); return;
            case PrefixedOpcode.I64TruncSatF64U: Unary(ValueType.I64, "I64TruncSatF64U"); return;
            case PrefixedOpcode.MemoryInit:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.MemoryInit));
                Pop(3);
                return;
            case PrefixedOpcode.DataDrop:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                Call(typeof(Instance), nameof(Instance.DataDrop));
                return;
            case PrefixedOpcode.MemoryCopy:
                TrappingHelper(typeof(Instance), nameof(Instance.MemoryCopy));
                Pop(3);
                return;
            case PrefixedOpcode.MemoryFill:
                TrappingHelper(typeof(Instance), nameof(Instance.MemoryFill));
                Pop(3);
                return;
            case PrefixedOpcode.TableInit:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.B);
                LdcI4((int)ins.A);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.TableInit));
                Pop(3);
                return;
            case PrefixedOpcode.ElemDrop:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                Call(typeof(Instance), nameof(Instance.ElemDrop));
                return;
            case PrefixedOpcode.TableCopy:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                LdcI4((int)ins.B);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.TableCopy));
                Pop(3);
                return;
            case PrefixedOpcode.TableGrow:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                Call(typeof(Instance), nameof(Instance.TableGrow));
                Pop(2);
                Push(ValueType.I32);
                return;
            case PrefixedOpcode.TableSize:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                Call(typeof(Instance), nameof(Instance.TableSize));
                Push(ValueType.I32);
                return;
            case PrefixedOpcode.TableFill:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.TableFill));
                Pop(3);
                return;
        }
        throw new InvalidOperationException($"unknown 0xFC instruction {ins.Prefixed}");
    }

    // ------------------------------------------------------------------ numeric

    private void Unary(ValueType result, string mathHelper)
    {
        Math(mathHelper);
        Pop();
        Push(result);
    }

    private void Simple(OpCode op, ValueType result, int operands)
    {
        _il.Emit(op);
        Pop(operands);
        Push(result);
    }

    private void Compare(OpCode op, bool negate, int operands = 2)
    {
        _il.Emit(op);
        if (negate)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ceq);
        }
        Pop(operands);
        Push(ValueType.I32);
    }

    private void Shift32(OpCode op)
    {
        LdcI4(31);
        _il.Emit(OpCodes.And);
        Simple(op, ValueType.I32, 2);
    }

    private void Shift64(OpCode op)
    {
        _il.Emit(OpCodes.Ldc_I8, 63L);
        _il.Emit(OpCodes.And);
        _il.Emit(OpCodes.Conv_I4);
        Simple(op, ValueType.I64, 2);
    }

    private void F32(OpCode op, int operands = 2)
    {
        _il.Emit(op);
        _il.Emit(OpCodes.Conv_R4);
        Pop(operands);
        Push(ValueType.F32);
    }

    private void Helper(string name, ValueType result, int operands)
    {
        Math(name);
        Pop(operands);
        Push(result);
    }

    private void Trapping(string name, ValueType result, int operands)
    {
        TrappingHelper(typeof(WasmMath), name);
        Pop(operands);
        Push(result);
    }

    /// <summary>i32.const, i64.const, f32.const, f64.const (float zeros and ±1 from fields, NaNs with their bits kept).</summary>
    private void TranslateConstant(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case Opcode.I32Const:
                LdcI4((int)(uint)ins.Bits);
                Push(ValueType.I32);
                return;
            case Opcode.I64Const:
                il.Emit(OpCodes.Ldc_I8, (long)ins.Bits);
                Push(ValueType.I64);
                return;
            case Opcode.F32Const:
            {
                int bits = (int)(uint)ins.Bits;
                float v = BitConverter.Int32BitsToSingle(bits);
                string? field = bits switch { 0 => "F32PlusZero", int.MinValue => "F32MinusZero", 0x3F800000 => "F32PlusOne", unchecked((int)0xBF800000) => "F32MinusOne", _ => null };
                if (float.IsNaN(v)) { LdcI4(bits); Math("F32NaN"); }
                else if (field is not null) il.Emit(OpCodes.Ldsfld, typeof(WasmMath).GetField(field)!);
                else il.Emit(OpCodes.Ldc_R4, v);
                Push(ValueType.F32);
                return;
            }
            case Opcode.F64Const:
            {
                long bits = (long)ins.Bits;
                double v = BitConverter.Int64BitsToDouble(bits);
                string? field = bits switch { 0 => "F64PlusZero", long.MinValue => "F64MinusZero", 0x3FF0000000000000 => "F64PlusOne", unchecked((long)0xBFF0000000000000) => "F64MinusOne", _ => null };
                if (double.IsNaN(v)) { il.Emit(OpCodes.Ldc_I8, bits); Math("F64NaN"); }
                else if (field is not null) il.Emit(OpCodes.Ldsfld, typeof(WasmMath).GetField(field)!);
                else il.Emit(OpCodes.Ldc_R8, v);
                Push(ValueType.F64);
                return;
            }
        }
        throw Unhandled(ins.Op);
    }

    private void TranslateNumeric(Opcode op)
    {
        var il = _il;
        const ValueType I32 = ValueType.I32, I64 = ValueType.I64, F32T = ValueType.F32, F64 = ValueType.F64;
        switch (op)
        {
            case Opcode.I32Eqz: il.Emit(OpCodes.Ldc_I4_0); Compare(OpCodes.Ceq, false, 1); return;
            case Opcode.I32Eq: Compare(OpCodes.Ceq, false); return;
            case Opcode.I32Ne: Compare(OpCodes.Ceq, true); return;
            case Opcode.I32LtS: Compare(OpCodes.Clt, false); return;
            case Opcode.I32LtU: Compare(OpCodes.Clt_Un, false); return;
            case Opcode.I32GtS: Compare(OpCodes.Cgt, false); return;
            case Opcode.I32GtU: Compare(OpCodes.Cgt_Un, false); return;
            case Opcode.I32LeS: Compare(OpCodes.Cgt, true); return;
            case Opcode.I32LeU: Compare(OpCodes.Cgt_Un, true); return;
            case Opcode.I32GeS: Compare(OpCodes.Clt, true); return;
            case Opcode.I32GeU: Compare(OpCodes.Clt_Un, true); return;
            case Opcode.I64Eqz: il.Emit(OpCodes.Ldc_I8, 0L); Compare(OpCodes.Ceq, false, 1); return;
            case Opcode.I64Eq: Compare(OpCodes.Ceq, false); return;
            case Opcode.I64Ne: Compare(OpCodes.Ceq, true); return;
            case Opcode.I64LtS: Compare(OpCodes.Clt, false); return;
            case Opcode.I64LtU: Compare(OpCodes.Clt_Un, false); return;
            case Opcode.I64GtS: Compare(OpCodes.Cgt, false); return;
            case Opcode.I64GtU: Compare(OpCodes.Cgt_Un, false); return;
            case Opcode.I64LeS: Compare(OpCodes.Cgt, true); return;
            case Opcode.I64LeU: Compare(OpCodes.Cgt_Un, true); return;
            case Opcode.I64GeS: Compare(OpCodes.Clt, true); return;
            case Opcode.I64GeU: Compare(OpCodes.Clt_Un, true); return;
            case Opcode.F32Eq: case Opcode.F64Eq: Compare(OpCodes.Ceq, false); return;
            case Opcode.F32Ne: case Opcode.F64Ne: Compare(OpCodes.Ceq, true); return;
            case Opcode.F32Lt: case Opcode.F64Lt: Compare(OpCodes.Clt, false); return;
            case Opcode.F32Gt: case Opcode.F64Gt: Compare(OpCodes.Cgt, false); return;
            case Opcode.F32Le: case Opcode.F64Le: Compare(OpCodes.Cgt_Un, true); return;
            case Opcode.F32Ge: case Opcode.F64Ge: Compare(OpCodes.Clt_Un, true); return;

            case Opcode.I32Clz: Helper("I32Clz", I32, 1); return;
            case Opcode.I32Ctz: Helper("I32Ctz", I32, 1); return;
            case Opcode.I32Popcnt: Helper("I32Popcnt", I32, 1); return;
            case Opcode.I32Add: Simple(OpCodes.Add, I32, 2); return;
            case Opcode.I32Sub: Simple(OpCodes.Sub, I32, 2); return;
            case Opcode.I32Mul: Simple(OpCodes.Mul, I32, 2); return;
            case Opcode.I32DivS: Trapping("I32DivS", I32, 2); return;
            case Opcode.I32DivU: Trapping("I32DivU", I32, 2); return;
            case Opcode.I32RemS: Trapping("I32RemS", I32, 2); return;
            case Opcode.I32RemU: Trapping("I32RemU", I32, 2); return;
            case Opcode.I32And: Simple(OpCodes.And, I32, 2); return;
            case Opcode.I32Or: Simple(OpCodes.Or, I32, 2); return;
            case Opcode.I32Xor: Simple(OpCodes.Xor, I32, 2); return;
            case Opcode.I32Shl: Shift32(OpCodes.Shl); return;
            case Opcode.I32ShrS: Shift32(OpCodes.Shr); return;
            case Opcode.I32ShrU: Shift32(OpCodes.Shr_Un); return;
            case Opcode.I32Rotl: Helper("I32Rotl", I32, 2); return;
            case Opcode.I32Rotr: Helper("I32Rotr", I32, 2); return;

            case Opcode.I64Clz: Helper("I64Clz", I64, 1); return;
            case Opcode.I64Ctz: Helper("I64Ctz", I64, 1); return;
            case Opcode.I64Popcnt: Helper("I64Popcnt", I64, 1); return;
            case Opcode.I64Add: Simple(OpCodes.Add, I64, 2); return;
            case Opcode.I64Sub: Simple(OpCodes.Sub, I64, 2); return;
            case Opcode.I64Mul: Simple(OpCodes.Mul, I64, 2); return;
            case Opcode.I64DivS: Trapping("I64DivS", I64, 2); return;
            case Opcode.I64DivU: Trapping("I64DivU", I64, 2); return;
            case Opcode.I64RemS: Trapping("I64RemS", I64, 2); return;
            case Opcode.I64RemU: Trapping("I64RemU", I64, 2); return;
            case Opcode.I64And: Simple(OpCodes.And, I64, 2); return;
            case Opcode.I64Or: Simple(OpCodes.Or, I64, 2); return;
            case Opcode.I64Xor: Simple(OpCodes.Xor, I64, 2); return;
            case Opcode.I64Shl: Shift64(OpCodes.Shl); return;
            case Opcode.I64ShrS: Shift64(OpCodes.Shr); return;
            case Opcode.I64ShrU: Shift64(OpCodes.Shr_Un); return;
            case Opcode.I64Rotl: Helper("I64Rotl", I64, 2); return;
            case Opcode.I64Rotr: Helper("I64Rotr", I64, 2); return;

            case Opcode.F32Abs: Helper("F32Abs", F32T, 1); return;
            case Opcode.F32Neg: Helper("F32Neg", F32T, 1); return;
            case Opcode.F32Ceil: Helper("F32Ceil", F32T, 1); return;
            case Opcode.F32Floor: Helper("F32Floor", F32T, 1); return;
            case Opcode.F32Trunc: Helper("F32Trunc", F32T, 1); return;
            case Opcode.F32Nearest: Helper("F32Nearest", F32T, 1); return;
            case Opcode.F32Sqrt: Helper("F32Sqrt", F32T, 1); return;
            case Opcode.F32Add: F32(OpCodes.Add); return;
            case Opcode.F32Sub: F32(OpCodes.Sub); return;
            case Opcode.F32Mul: F32(OpCodes.Mul); return;
            case Opcode.F32Div: F32(OpCodes.Div); return;
            case Opcode.F32Min: Helper("F32Min", F32T, 2); return;
            case Opcode.F32Max: Helper("F32Max", F32T, 2); return;
            case Opcode.F32Copysign: Helper("F32Copysign", F32T, 2); return;
            case Opcode.F64Abs: Helper("F64Abs", F64, 1); return;
            case Opcode.F64Neg: Helper("F64Neg", F64, 1); return;
            case Opcode.F64Ceil: Helper("F64Ceil", F64, 1); return;
            case Opcode.F64Floor: Helper("F64Floor", F64, 1); return;
            case Opcode.F64Trunc: Helper("F64Trunc", F64, 1); return;
            case Opcode.F64Nearest: Helper("F64Nearest", F64, 1); return;
            case Opcode.F64Sqrt: Helper("F64Sqrt", F64, 1); return;
            case Opcode.F64Add: Simple(OpCodes.Add, F64, 2); return;
            case Opcode.F64Sub: Simple(OpCodes.Sub, F64, 2); return;
            case Opcode.F64Mul: Simple(OpCodes.Mul, F64, 2); return;
            case Opcode.F64Div: Simple(OpCodes.Div, F64, 2); return;
            case Opcode.F64Min: Helper("F64Min", F64, 2); return;
            case Opcode.F64Max: Helper("F64Max", F64, 2); return;
            case Opcode.F64Copysign: Helper("F64Copysign", F64, 2); return;

            case Opcode.I32WrapI64: Simple(OpCodes.Conv_I4, I32, 1); return;
            case Opcode.I32TruncF32S: Trapping("I32TruncF32S", I32, 1); return;
            case Opcode.I32TruncF32U: Trapping("I32TruncF32U", I32, 1); return;
            case Opcode.I32TruncF64S: Trapping("I32TruncF64S", I32, 1); return;
            case Opcode.I32TruncF64U: Trapping("I32TruncF64U", I32, 1); return;
            case Opcode.I64ExtendI32S: Simple(OpCodes.Conv_I8, I64, 1); return;
            case Opcode.I64ExtendI32U: Simple(OpCodes.Conv_U8, I64, 1); return;
            case Opcode.I64TruncF32S: Trapping("I64TruncF32S", I64, 1); return;
            case Opcode.I64TruncF32U: Trapping("I64TruncF32U", I64, 1); return;
            case Opcode.I64TruncF64S: Trapping("I64TruncF64S", I64, 1); return;
            case Opcode.I64TruncF64U: Trapping("I64TruncF64U", I64, 1); return;
            case Opcode.F32ConvertI32S: Simple(OpCodes.Conv_R4, F32T, 1); return;
            case Opcode.F32ConvertI32U: il.Emit(OpCodes.Conv_R_Un); Simple(OpCodes.Conv_R4, F32T, 1); return;
            case Opcode.F32ConvertI64S: Simple(OpCodes.Conv_R4, F32T, 1); return;
            case Opcode.F32ConvertI64U: Helper("U64ToF32", F32T, 1); return;
            case Opcode.F32DemoteF64: Helper("F32Demote", F32T, 1); return;
            case Opcode.F64ConvertI32S: Simple(OpCodes.Conv_R8, F64, 1); return;
            case Opcode.F64ConvertI32U: il.Emit(OpCodes.Conv_R_Un); Simple(OpCodes.Conv_R8, F64, 1); return;
            case Opcode.F64ConvertI64S: Simple(OpCodes.Conv_R8, F64, 1); return;
            case Opcode.F64ConvertI64U: Helper("U64ToF64", F64, 1); return;
            case Opcode.F64PromoteF32: Helper("F64Promote", F64, 1); return;
            case Opcode.I32ReinterpretF32: il.Emit(OpCodes.Call, MF32ToI32); Pop(); Push(I32); return;
            case Opcode.I64ReinterpretF64: il.Emit(OpCodes.Call, MF64ToI64); Pop(); Push(I64); return;
            case Opcode.F32ReinterpretI32: il.Emit(OpCodes.Call, MI32ToF32); Pop(); Push(F32T); return;
            case Opcode.F64ReinterpretI64: il.Emit(OpCodes.Call, MI64ToF64); Pop(); Push(F64); return;
            case Opcode.I32Extend8S: Simple(OpCodes.Conv_I1, I32, 1); return;
            case Opcode.I32Extend16S: Simple(OpCodes.Conv_I2, I32, 1); return;
            case Opcode.I64Extend8S: il.Emit(OpCodes.Conv_I1); Simple(OpCodes.Conv_I8, I64, 1); return;
            case Opcode.I64Extend16S: il.Emit(OpCodes.Conv_I2); Simple(OpCodes.Conv_I8, I64, 1); return;
            case Opcode.I64Extend32S: il.Emit(OpCodes.Conv_I4); Simple(OpCodes.Conv_I8, I64, 1); return;
        }
        throw Unhandled(op);
    }
}
