using System.Reflection.Emit;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// Memory instructions: loads and stores through a checked native address (the memory's base and length are cached
/// in CIL locals, reloaded after anything that can grow it); memory.size and memory.grow. The bulk-memory
/// instructions are 0xFC-prefixed (<see cref="TranslatePrefixed"/>), the vector ones 0xFD (<see cref="TranslateSimd"/>).
/// </summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateMemory(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case >= Opcode.I32Load and <= Opcode.I64Load32U:
                EmitLoad(ins);
                return;
            case >= Opcode.I32Store and <= Opcode.I64Store32:
                EmitStore(ins);
                return;
            case Opcode.MemorySize:
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, FMem);
                il.Emit(OpCodes.Call, MPages);
                Push(ValueType.I32);
                return;
            case Opcode.MemoryGrow:
                il.Emit(OpCodes.Ldarg_0);
                Call(typeof(Instance), nameof(Instance.MemoryGrow));
                LoadMemory();
                return;
        }
        throw Unhandled(ins.Op);
    }

    /// <summary>
    /// Address on the stack (i32) → checked native address of an access of <paramref name="size"/> bytes. When the address
    /// is a local's value (<paramref name="origin"/>, a version) on which an access reaching at least as far was already
    /// checked on every path here, the check is left out: memory never shrinks, so that check still holds.
    /// </summary>
    private void EffectiveAddress(uint offset, int size, int origin = 0)
    {
        long extent = (long)offset + size;
        if (origin != 0 && _proven.TryGetValue(origin, out long proven) && extent <= proven)
        {
            _il.Emit(OpCodes.Conv_U8);
            if (offset != 0)
            {
                _il.Emit(OpCodes.Ldc_I8, (long)offset);
                _il.Emit(OpCodes.Add);
            }
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Ldloc, _mb!);
            _il.Emit(OpCodes.Add);
            return;
        }
        if (origin != 0) _proven[origin] = extent;
        var ea = Temp(3, typeof(ulong), "ea");
        _il.Emit(OpCodes.Conv_U8);
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)offset);
            _il.Emit(OpCodes.Add);
        }
        _il.Emit(OpCodes.Stloc, ea);
        var ok = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, ea);
        _il.Emit(OpCodes.Ldc_I8, (long)size);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Ldloc, _ml!);
        _il.Emit(OpCodes.Ble_Un, ok);
        Trap(TrapKind.MemoryOutOfBounds);
        _il.Mark(ok);
        _il.Emit(OpCodes.Ldloc, _mb!);
        _il.Emit(OpCodes.Ldloc, ea);
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Add);
    }

    private void EmitLoad(in Instruction ins)
    {
        int origin = OriginOf(0);
        Pop();
        var il = _il;
        (int size, OpCode op, OpCode? conv, ValueType t) = ins.Op switch
        {
            Opcode.I32Load => (4, OpCodes.Ldind_I4, (OpCode?)null, ValueType.I32),
            Opcode.I64Load => (8, OpCodes.Ldind_I8, null, ValueType.I64),
            Opcode.F32Load => (4, OpCodes.Ldind_R4, null, ValueType.F32),
            Opcode.F64Load => (8, OpCodes.Ldind_R8, null, ValueType.F64),
            Opcode.I32Load8S => (1, OpCodes.Ldind_I1, null, ValueType.I32),
            Opcode.I32Load8U => (1, OpCodes.Ldind_U1, null, ValueType.I32),
            Opcode.I32Load16S => (2, OpCodes.Ldind_I2, null, ValueType.I32),
            Opcode.I32Load16U => (2, OpCodes.Ldind_U2, null, ValueType.I32),
            Opcode.I64Load8S => (1, OpCodes.Ldind_I1, OpCodes.Conv_I8, ValueType.I64),
            Opcode.I64Load8U => (1, OpCodes.Ldind_U1, OpCodes.Conv_U8, ValueType.I64),
            Opcode.I64Load16S => (2, OpCodes.Ldind_I2, OpCodes.Conv_I8, ValueType.I64),
            Opcode.I64Load16U => (2, OpCodes.Ldind_U2, OpCodes.Conv_U8, ValueType.I64),
            Opcode.I64Load32S => (4, OpCodes.Ldind_I4, OpCodes.Conv_I8, ValueType.I64),
            _ => (4, OpCodes.Ldind_U4, OpCodes.Conv_U8, ValueType.I64),
        };
        EffectiveAddress(ins.B, size, origin);
        if (size > 1) il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(op);
        if (conv is OpCode c) il.Emit(c);
        Push(t);
    }

    private void EmitStore(in Instruction ins)
    {
        var il = _il;
        var vt = _stack[^1];
        int origin = OriginOf(1);
        Pop(2);
        (int size, OpCode op, bool narrow) = ins.Op switch
        {
            Opcode.I32Store => (4, OpCodes.Stind_I4, false),
            Opcode.I64Store => (8, OpCodes.Stind_I8, false),
            Opcode.F32Store => (4, OpCodes.Stind_R4, false),
            Opcode.F64Store => (8, OpCodes.Stind_R8, false),
            Opcode.I32Store8 => (1, OpCodes.Stind_I1, false),
            Opcode.I32Store16 => (2, OpCodes.Stind_I2, false),
            Opcode.I64Store8 => (1, OpCodes.Stind_I1, true),
            Opcode.I64Store16 => (2, OpCodes.Stind_I2, true),
            _ => (4, OpCodes.Stind_I4, true),
        };
        var value = Temp(3, vt, 1);
        il.Emit(OpCodes.Stloc, value);
        EffectiveAddress(ins.B, size, origin);
        il.Emit(OpCodes.Ldloc, value);
        if (narrow) il.Emit(OpCodes.Conv_I4);
        if (size > 1) il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(op);
    }
}
