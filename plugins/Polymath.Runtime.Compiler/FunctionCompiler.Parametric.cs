using System.Reflection.Emit;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>Parametric instructions: drop and select (with or without its value type).</summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateParametric(in Instruction ins)
    {
        switch (ins.Op)
        {
            case Opcode.Drop:
                Pop();
                _il.Emit(OpCodes.Pop);
                return;
            case Opcode.Select:
            case Opcode.SelectT:
                EmitSelect();
                return;
        }
        throw Unhandled(ins.Op);
    }

    /// <summary>select: the first operand if the condition is nonzero, else the second (CIL branches, no helper).</summary>
    private void EmitSelect()
    {
        var il = _il;
        Pop(); // condition
        var t = _stack[^1];
        Pop();
        SetOrigin(_stack.Count - 1, 0); // either operand's value: not the first one's local
        var one = il.DefineLabel();
        var done = il.DefineLabel();
        il.Emit(OpCodes.Brtrue, one);
        var tmp = Temp(3, t, 0);
        il.Emit(OpCodes.Stloc, tmp);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ldloc, tmp);
        il.Emit(OpCodes.Br, done);
        il.Mark(one);
        il.Emit(OpCodes.Pop);
        il.Mark(done);
    }
}
