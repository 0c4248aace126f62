using System.Reflection.Emit;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>Reference instructions: a null reference is a CIL null; ref.func is the instance's function object.</summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateReference(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case Opcode.RefNull:
                il.Emit(OpCodes.Ldnull);
                Push(ins.BlockValue);
                return;
            case Opcode.RefIsNull:
                il.Emit(OpCodes.Ldnull);
                il.Emit(OpCodes.Ceq);
                Pop();
                Push(ValueType.I32);
                return;
            case Opcode.RefFunc:
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, FFuncs);
                LdcI4((int)ins.A);
                il.Emit(OpCodes.Ldelem_Ref);
                Push(ValueType.FuncRef);
                return;
        }
        throw Unhandled(ins.Op);
    }
}
