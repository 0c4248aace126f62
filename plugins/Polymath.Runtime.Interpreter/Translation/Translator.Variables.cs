using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>Parametric (<c>drop</c>, <c>select</c>), variable (<c>local.*</c>, <c>global.*</c>), table-access and reference instructions.</summary>
internal sealed partial class Translator
{
    private void VisitDrop() => _operands.Drop();

    private void VisitSelect()
    {
        int condition = Pop();
        int b = Pop();
        int a = Pop();
        int d = Push();
        _code.Begin(Op.Select);
        _code.Add(d); _code.Add(a); _code.Add(b); _code.Add(condition);
    }

    /// <summary><c>local.get</c> emits nothing: the entry stands for the local until it is consumed (see <see cref="OperandStack"/>).</summary>
    private void VisitLocalGet(int localidx) => _operands.PushDeferred(localidx);

    private void VisitLocalSet(int localidx)
    {
        if (FromLastOp(0, out int s) && HasDestination(_code[s]) && !_operands.Defers(localidx))
        {
            // the value was computed just before: compute it straight into the local
            _code[s + 1] = localidx;
            _operands.Discard(1);
        }
        else
        {
            int source = Pop();
            MaterializeDeferredLocals(localidx);
            if (source != localidx)
            {
                _code.Begin(Op.Copy);
                _code.Add(localidx); _code.Add(source);
            }
        }
    }

    private void VisitLocalTee(int localidx)
    {
        if (FromLastOp(0, out int s) && HasDestination(_code[s]) && !_operands.Defers(localidx))
        {
            _code[s + 1] = localidx;
        }
        else
        {
            int source = Pop();
            Push();
            MaterializeDeferredLocals(localidx);
            if (source != localidx)
            {
                _code.Begin(Op.Copy);
                _code.Add(localidx); _code.Add(source);
            }
        }
        _operands.DeferTop(localidx);
    }

    private void VisitGlobalGet(int globalidx)
    {
        int d = Push();
        _code.Begin(Op.GlobalGet);
        _code.Add(d); _code.Add(globalidx);
    }

    private void VisitGlobalSet(int globalidx)
    {
        int source = Pop();
        _code.Begin(Op.GlobalSet);
        _code.Add(globalidx); _code.Add(source);
    }

    private void VisitTableGet(int tableidx)
    {
        int index = Pop();
        int d = Push();
        _code.Begin(Op.TableGet);
        _code.Add(d); _code.Add(tableidx); _code.Add(index);
    }

    private void VisitTableSet(int tableidx)
    {
        int value = Pop();
        int index = Pop();
        _code.Begin(Op.TableSet);
        _code.Add(tableidx); _code.Add(index); _code.Add(value);
    }

    /// <summary>References are handles, null is 0: <c>ref.is_null</c> is <c>i64.eqz</c> of the handle.</summary>
    private void VisitRefIsNull()
    {
        int a = Pop();
        int d = Push();
        _code.Begin((Op)Opcode.I64Eqz);
        _code.Add(d); _code.Add(a);
    }

    private void VisitRefFunc(int funcidx)
    {
        int d = Push();
        _code.Begin(Op.RefFunc);
        _code.Add(d); _code.Add(funcidx);
    }
}
