using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>Memory instructions: loads and stores (with their address and read-modify-write fusions), <c>memory.size</c>, <c>memory.grow</c>.</summary>
internal sealed partial class Translator
{
    /// <summary>Loads keep their wasm opcode as internal op: <c>op dst addr offset</c>, or <c>LoadAddImm+i dst a k offset</c>.</summary>
    private void VisitLoad(Opcode op, MemArg memarg)
    {
        int a = PopAddress(out bool added, out int k);
        int d = Push();
        if (added)
        {
            _code.Begin(Op.LoadAddImm + (op - Opcode.I32Load));
            _code.Add(d); _code.Add(a); _code.Add(k); _code.Add((int)memarg.Offset);
        }
        else
        {
            _code.Begin((Op)op);
            _code.Add(d); _code.Add(a); _code.Add((int)memarg.Offset);
        }
    }

    /// <summary>Stores keep their wasm opcode as internal op: <c>op addr value offset</c>, or <c>LoadAddImm+i a k value offset</c>.</summary>
    private void VisitStore(Opcode op, MemArg memarg)
    {
        if (TryEmitToMemory(op, (int)memarg.Offset)) return;
        int value = Pop();
        int a = PopAddress(out bool added, out int k);
        if (added)
        {
            _code.Begin(Op.LoadAddImm + (op - Opcode.I32Load));
            _code.Add(a); _code.Add(k); _code.Add(value); _code.Add((int)memarg.Offset);
        }
        else
        {
            _code.Begin((Op)op);
            _code.Add(a); _code.Add(value); _code.Add((int)memarg.Offset);
        }
    }

    private void VisitMemorySize()
    {
        int d = Push();
        _code.Begin(Op.MemorySize);
        _code.Add(d);
    }

    private void VisitMemoryGrow()
    {
        int a = Pop();
        int d = Push();
        _code.Begin(Op.MemoryGrow);
        _code.Add(d); _code.Add(a);
    }

    /// <summary>
    /// Pops a memory address. If it was computed just before by <c>I32AddImm t a k</c> into an operand slot,
    /// removes that op and returns <c>a</c> with <paramref name="k"/> (the load/store then adds k itself, wrapping).
    /// </summary>
    private int PopAddress(out bool added, out int k)
    {
        if (FromLastOp(0, out int s) && _code[s] == (int)Op.I32AddImm)
        {
            int a = _code[s + 2];
            k = _code[s + 3];
            _code.RemoveLast();
            _operands.Discard(1);
            added = true;
            return a;
        }
        added = false;
        k = 0;
        return Pop();
    }

    /// <summary>
    /// <c>i32.store</c>/<c>f64.store</c> of a <see cref="Op.F64AddLoad"/>-family result to the address it loaded from,
    /// that address being a local not changed since (a deferred <c>local.get</c>): one read-modify-write op.
    /// </summary>
    private bool TryEmitToMemory(Opcode store, int offset)
    {
        if (_operands.Height < 2 || !FromLastOp(0, out int s) || !OpInfo.IsBinLoad(_code[s])) return false;
        int op = _code[s];
        if (op > (int)Op.I32XorLoad) return false; // the narrow-load ops have no read-modify-write form
        bool f64 = op <= (int)Op.F64DivLoad;
        if (store != (f64 ? Opcode.F64Store : Opcode.I32Store)) return false;
        int a = _code[s + 2], address = _code[s + 3], k = _code[s + 4], loadOffset = _code[s + 5];
        if (k != 0 || loadOffset != offset || _operands.DeferredLocalOf(1) != address) return false;
        _code.RemoveLast();
        _operands.Discard(2);
        _operands.ClearDeferred(_operands.Height);
        _operands.ClearDeferred(_operands.Height + 1);
        int ms = _code.LastStart;
        if (op == (int)Op.F64AddLoad && a >= _operands.LocalCount && ms > _code.FusionBarrier && _code[ms] == (int)Op.F64MulLoad && _code[ms + 1] == a)
        {
            // the added value is a product with a loaded operand computed just before: mem[Y] += x * mem[X]
            _code[ms] = (int)Op.F64MulAddToMem;
            for (int i = 1; i < 5; i++) _code[ms + i] = _code[ms + i + 1];
            _code[ms + 5] = address;
            _code.Add(loadOffset);
            return true;
        }
        _code.Begin(Op.ToMem + (op - (int)Op.F64AddLoad));
        _code.Add(a); _code.Add(address); _code.Add(loadOffset);
        return true;
    }

    /// <summary>A binary op whose right operand was loaded just before: one op reads memory and computes.</summary>
    private bool TryEmitBinaryWithLoad(Opcode op)
    {
        if (!FromLastOp(0, out int s)) return false;
        Op fused = BinaryWithLoad(op, _code[s]);
        if (fused == 0) return false;
        bool added = _code[s] >= (int)Op.LoadAddImm;
        int address = _code[s + 2], k = added ? _code[s + 3] : 0, offset = _code[s + (added ? 4 : 3)];
        _code.RemoveLast();
        _operands.Discard(1);
        int a = Pop();
        int d = Push();
        _code.Begin(fused);
        _code.Add(d); _code.Add(a); _code.Add(address); _code.Add(k); _code.Add(offset);
        return true;
    }

    /// <summary>The fused binary op taking its right operand from <paramref name="load"/> (<see cref="Op.F64AddLoad"/>…), or 0.</summary>
    private static Op BinaryWithLoad(Opcode op, int load)
    {
        if (OpInfo.IsMemAddImm(load)) load = load - (int)Op.LoadAddImm + (int)Opcode.I32Load;
        return (op, load) switch
        {
            (Opcode.F64Add, (int)Opcode.F64Load) => Op.F64AddLoad, (Opcode.F64Sub, (int)Opcode.F64Load) => Op.F64SubLoad,
            (Opcode.F64Mul, (int)Opcode.F64Load) => Op.F64MulLoad, (Opcode.F64Div, (int)Opcode.F64Load) => Op.F64DivLoad,
            (Opcode.I32Add, (int)Opcode.I32Load) => Op.I32AddLoad, (Opcode.I32Sub, (int)Opcode.I32Load) => Op.I32SubLoad,
            (Opcode.I32Mul, (int)Opcode.I32Load) => Op.I32MulLoad, (Opcode.I32And, (int)Opcode.I32Load) => Op.I32AndLoad,
            (Opcode.I32Or, (int)Opcode.I32Load) => Op.I32OrLoad, (Opcode.I32Xor, (int)Opcode.I32Load) => Op.I32XorLoad,
            (Opcode.I32Mul, (int)Opcode.I32Load16S) => Op.I32MulLoad16S, (Opcode.I32Add, (int)Opcode.I32Load16S) => Op.I32AddLoad16S,
            (Opcode.I32Add, (int)Opcode.I32Load16U) => Op.I32AddLoad16U, (Opcode.I32Add, (int)Opcode.I32Load8U) => Op.I32AddLoad8U,
            _ => 0,
        };
    }
}
