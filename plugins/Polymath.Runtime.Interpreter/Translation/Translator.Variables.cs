using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>Parametric (<c>drop</c>, <c>select</c>), variable (<c>local.*</c>, <c>global.*</c>), table-access and reference instructions.</summary>
internal sealed partial class Translator
{
    private void VisitDrop()
    {
        if (_operands.IsV128Top) _operands.Drop();
        _operands.Drop();
    }

    private void VisitSelect()
    {
        int condition = Pop();
        if (_operands.IsV128Top)
        {
            // a v128 select is a select of each half on the same condition (the low half's destination is below
            // every input but the first operand's own low half, which it has already been read from)
            int vb = PopV128();
            int va = PopV128();
            int vd = _operands.PushV128();
            for (int half = 0; half < 2; half++)
            {
                _code.Begin(Op.Select);
                _code.Add(vd + half); _code.Add(va + half); _code.Add(vb + half); _code.Add(condition);
            }
            return;
        }
        int b = Pop();
        int a = Pop();
        int d = Push();
        _code.Begin(Op.Select);
        _code.Add(d); _code.Add(a); _code.Add(b); _code.Add(condition);
    }

    /// <summary><c>local.get</c> emits nothing: the entry stands for the local until it is consumed (see <see cref="OperandStack"/>).</summary>
    private void VisitLocalGet(int localidx)
    {
        if (IsV128Local(localidx)) _operands.PushDeferredV128(Cell(localidx));
        else _operands.PushDeferred(Cell(localidx));
    }

    private void VisitLocalSet(int localidx)
    {
        if (IsV128Local(localidx))
        {
            SetV128Local(Cell(localidx));
            return;
        }
        localidx = Cell(localidx);
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
        if (IsV128Local(localidx))
        {
            int cell = Cell(localidx);
            SetV128Local(cell);
            _operands.PushDeferredV128(cell);
            return;
        }
        localidx = Cell(localidx);
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

    /// <summary>
    /// <c>local.set</c> of the v128 local in cells <paramref name="cell"/>, <paramref name="cell"/> + 1: the SIMD op that
    /// computed the value just before writes the local itself, otherwise the two halves are copied.
    /// </summary>
    private void SetV128Local(int cell)
    {
        int s = _code.LastStart;
        if (s > _code.FusionBarrier && _code[s] == (int)Op.Simd && SimdShapes.ShapeOf((uint)_code[s + 1])![0] == 'V'
            && _operands.DeferredLocalOf(0) == OperandStack.NotDeferred && _operands.DeferredLocalOf(1) == OperandStack.NotDeferred && _code[s + 2] == _operands.SlotAt(_operands.Height - 2)
            && !_operands.Defers(cell) && !_operands.Defers(cell + 1))
        {
            _code[s + 2] = cell;
            _operands.Discard(2);
            return;
        }
        int source = PopV128();
        MaterializeDeferredLocals(cell);
        MaterializeDeferredLocals(cell + 1);
        if (source == cell) return;
        for (int half = 0; half < 2; half++)
        {
            _code.Begin(Op.Copy);
            _code.Add(cell + half); _code.Add(source + half);
        }
    }

    /// <summary>Whether global <paramref name="globalidx"/> (imports first) holds a v128.</summary>
    private bool IsV128Global(int globalidx)
    {
        if (!_module.Features.HasFlag(WasmFeatures.Simd)) return false;
        if (globalidx >= _module.ImportedGlobalCount) return _module.Globals[globalidx - _module.ImportedGlobalCount].Type.ValueType == ValueType.V128;
        int i = 0;
        foreach (var import in _module.Imports)
            if (import.Kind == ExternKind.Global && i++ == globalidx) return import.Global!.ValueType == ValueType.V128;
        return false;
    }

    private void VisitGlobalGet(int globalidx)
    {
        bool v128 = IsV128Global(globalidx);
        int d = v128 ? _operands.PushV128() : Push();
        _code.Begin(v128 ? Op.GlobalGetV128 : Op.GlobalGet);
        _code.Add(d); _code.Add(globalidx);
    }

    private void VisitGlobalSet(int globalidx)
    {
        bool v128 = IsV128Global(globalidx);
        int source = v128 ? PopV128() : Pop();
        _code.Begin(v128 ? Op.GlobalSetV128 : Op.GlobalSet);
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
