using System.Reflection.Emit;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// Variable instructions: locals are CIL arguments and locals (each set or tee gives the local a new version, for
/// bounds-check elision); globals are <see cref="GlobalInstance"/> cells, their bits converted to the value type.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateVariable(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case Opcode.LocalGet:
                LoadLocal((int)ins.A);
                Push(_localTypes[ins.A]);
                SetOrigin(_stack.Count - 1, _versions[ins.A]);
                return;
            case Opcode.LocalSet:
                StoreLocal((int)ins.A);
                Pop();
                _versions[ins.A] = ++_lastVersion;
                return;
            case Opcode.LocalTee:
                il.Emit(OpCodes.Dup);
                StoreLocal((int)ins.A);
                _versions[ins.A] = ++_lastVersion;
                SetOrigin(_stack.Count - 1, _versions[ins.A]);
                return;
            case Opcode.GlobalGet:
                EmitGlobalGet((int)ins.A);
                return;
            case Opcode.GlobalSet:
                EmitGlobalSet((int)ins.A);
                return;
        }
        throw Unhandled(ins.Op);
    }

    private void EmitGlobalGet(int globalidx)
    {
        var il = _il;
        var t = GlobalType(globalidx);
        if (t == ValueType.V128) { LoadV128Global(globalidx); Push(t); return; }
        LoadGlobalCell(globalidx);
        if (t.IsReference()) il.Emit(OpCodes.Ldfld, FRef);
        else
        {
            il.Emit(OpCodes.Ldfld, FBits);
            switch (t)
            {
                case ValueType.I32: il.Emit(OpCodes.Conv_I4); break;
                case ValueType.F32: il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Call, MI32ToF32); break;
                case ValueType.F64: il.Emit(OpCodes.Call, MI64ToF64); break;
            }
        }
        Push(t);
    }

    private void EmitGlobalSet(int globalidx)
    {
        var il = _il;
        var t = GlobalType(globalidx);
        var tmp = Temp(3, t, 0);
        il.Emit(OpCodes.Stloc, tmp);
        if (t == ValueType.V128) { StoreV128Global(globalidx, tmp); Pop(); return; }
        LoadGlobalCell(globalidx);
        il.Emit(OpCodes.Ldloc, tmp);
        switch (t)
        {
            case ValueType.I32: il.Emit(OpCodes.Conv_U8); break;
            case ValueType.F32: il.Emit(OpCodes.Call, MF32ToI32); il.Emit(OpCodes.Conv_U8); break;
            case ValueType.F64: il.Emit(OpCodes.Call, MF64ToI64); break;
        }
        il.Emit(OpCodes.Stfld, t.IsReference() ? FRef : FBits);
        Pop();
    }

    private ValueType GlobalType(int globalidx) => _module.GlobalTypes[globalidx];

    private void LoadGlobalCell(int globalidx)
    {
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Ldfld, FGlobals);
        LdcI4(globalidx);
        _il.Emit(OpCodes.Ldelem_Ref);
    }
}
