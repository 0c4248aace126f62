using System.Reflection.Emit;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// Table instructions table.get and table.set: calls of the instance's checked accessors. The other table
/// instructions are 0xFC-prefixed (<see cref="TranslatePrefixed"/>).
/// </summary>
internal sealed partial class FunctionCompiler
{
    private void TranslateTable(in Instruction ins)
    {
        var il = _il;
        switch (ins.Op)
        {
            case Opcode.TableGet:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.TableGet));
                Pop();
                Push(TableType((int)ins.A));
                return;
            case Opcode.TableSet:
                il.Emit(OpCodes.Ldarg_0);
                LdcI4((int)ins.A);
                LdcI4(_funcidx);
                Call(typeof(Instance), nameof(Instance.TableSet));
                Pop(2);
                return;
        }
        throw Unhandled(ins.Op);
    }

    private ValueType TableType(int tableidx) => _module.TableTypes[tableidx];
}
