using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>Constants and numeric instructions, with the constant-operand, loaded-operand and shifted-operand fusions.</summary>
internal sealed partial class Translator
{
    private void VisitConst32(int bits)
    {
        int d = Push();
        _code.Begin(Op.Const32);
        _code.Add(d); _code.Add(bits);
    }

    private void VisitConst64(long bits)
    {
        int d = Push();
        _code.Begin(Op.Const64);
        _code.Add(d); _code.Add((int)bits); _code.Add((int)(bits >> 32));
    }

    /// <summary>Numeric instructions keep their wasm opcode as internal op: <c>op dst a</c> (unary) or <c>op dst a b</c> (binary).</summary>
    private void VisitNumeric(Opcode op)
    {
        if (op == Opcode.I32Eqz && FromLastOp(0, out int compare) && IsI32Compare(_code[compare]))
        {
            // i32.eqz of an i32 comparison: the inverted comparison (the result stays in the same slot)
            _code[compare] = (int)InvertI32Compare((Opcode)_code[compare]);
        }
        else if (OpInfo.IsUnaryNumeric((int)op))
        {
            int a = Pop();
            int d = Push();
            _code.Begin((Op)op);
            _code.Add(d); _code.Add(a);
        }
        else
        {
            Op withImmediate = WithImmediate(op);
            if (withImmediate != 0 && TryPopConstant(is64: op >= Opcode.I64Add, out int k))
            {
                // a - k = a + (-k) modulo 2^32 (k = int.MinValue included), so the address and loop-counter fusions apply
                if (op == Opcode.I32Sub) k = unchecked(-k);
                int a = Pop();
                int d = Push();
                _code.Begin(withImmediate);
                _code.Add(d); _code.Add(a); _code.Add(k);
            }
            else if (!TryEmitBinaryWithLoad(op) && !TryEmitShiftFused(op) && !TryEmitAdd3(op))
            {
                int b = Pop();
                int a = Pop();
                int d = Push();
                _code.Begin((Op)op);
                _code.Add(d); _code.Add(a); _code.Add(b);
            }
        }
    }

    /// <summary>Pops a constant operand written just before (i32.const for i32 ops; an i64.const fitting in 32 bits for i64 ops).</summary>
    private bool TryPopConstant(bool is64, out int value)
    {
        if (FromLastOp(0, out int s))
        {
            if (!is64 && _code[s] == (int)Op.Const32)
            {
                value = _code[s + 2];
                _code.RemoveLast();
                _operands.Discard(1);
                return true;
            }
            if (is64 && _code[s] == (int)Op.Const64 && _code[s + 3] == (_code[s + 2] >> 31))
            {
                value = _code[s + 2];
                _code.RemoveLast();
                _operands.Discard(1);
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>The op taking a constant right operand in place of <paramref name="op"/> (<see cref="Op.I32AddImm"/>…), or 0.</summary>
    private static Op WithImmediate(Opcode op) => op switch
    {
        Opcode.I32Add or Opcode.I32Sub => Op.I32AddImm, Opcode.I32Mul => Op.I32MulImm, Opcode.I32And => Op.I32AndImm,
        Opcode.I32Or => Op.I32OrImm, Opcode.I32Xor => Op.I32XorImm, Opcode.I32Shl => Op.I32ShlImm, Opcode.I32ShrS => Op.I32ShrSImm,
        Opcode.I32ShrU => Op.I32ShrUImm, Opcode.I32Rotl => Op.I32RotlImm, Opcode.I32Rotr => Op.I32RotrImm,
        Opcode.I64Add => Op.I64AddImm, Opcode.I64Sub => Op.I64SubImm, Opcode.I64Mul => Op.I64MulImm, Opcode.I64And => Op.I64AndImm,
        Opcode.I64Or => Op.I64OrImm, Opcode.I64Xor => Op.I64XorImm, Opcode.I64Shl => Op.I64ShlImm, Opcode.I64ShrS => Op.I64ShrSImm,
        Opcode.I64ShrU => Op.I64ShrUImm, Opcode.I64Rotl => Op.I64RotlImm, Opcode.I64Rotr => Op.I64RotrImm,
        _ => 0,
    };

    /// <summary>
    /// i32 add/and/or/xor of a value shifted or rotated by a constant just before (either operand, as they commute):
    /// one <see cref="Op.ShiftFused"/> op.
    /// </summary>
    private bool TryEmitShiftFused(Opcode op)
    {
        int binary = op switch { Opcode.I32Add => 0, Opcode.I32And => 1, Opcode.I32Or => 2, Opcode.I32Xor => 3, _ => -1 };
        if (binary < 0) return false;
        int s = _code.LastStart;
        if (s <= _code.FusionBarrier) return false;
        int shift = _code[s] switch
        {
            (int)Op.I32RotlImm => 0, (int)Op.I32RotrImm => 1, (int)Op.I32ShlImm => 2, (int)Op.I32ShrUImm => 3, _ => -1,
        };
        if (shift < 0) return false;
        if (FromLastOp(0, out _))
        {
            // right operand shifted: a OP (b SHIFT k)
            int b = _code[s + 2], k = _code[s + 3];
            _code.RemoveLast();
            _operands.Discard(1);
            int other = Pop();
            EmitShiftFused(binary, shift, other, b, k);
            return true;
        }
        if (_operands.DeferredLocalOf(0) != OperandStack.NotDeferred && FromLastOp(1, out _))
        {
            // left operand shifted, right one a local: commute
            int other = Pop();
            int b = _code[s + 2], k = _code[s + 3];
            _code.RemoveLast();
            _operands.Discard(1);
            EmitShiftFused(binary, shift, other, b, k);
            return true;
        }
        return false;
    }

    /// <summary>
    /// i32.add of the result of the i32.add just before (either operand; addition commutes and associates modulo
    /// 2^32, so the sum is exact in any order): one <see cref="Op.I32Add3"/> op.
    /// </summary>
    private bool TryEmitAdd3(Opcode op)
    {
        if (op != Opcode.I32Add) return false;
        int s = _code.LastStart;
        if (s <= _code.FusionBarrier || _code[s] != (int)Opcode.I32Add) return false;
        bool right = FromLastOp(0, out _);
        if (!right && !(_operands.DeferredLocalOf(0) != OperandStack.NotDeferred && FromLastOp(1, out _))) return false;
        int a = _code[s + 2], b = _code[s + 3];
        int other;
        if (right)
        {
            _code.RemoveLast();
            _operands.Discard(1);
            other = Pop();
        }
        else
        {
            other = Pop();
            _code.RemoveLast();
            _operands.Discard(1);
        }
        int d = Push();
        _code.Begin(Op.I32Add3);
        _code.Add(d); _code.Add(other); _code.Add(a); _code.Add(b);
        return true;
    }

    private void EmitShiftFused(int binary, int shift, int a, int b, int k)
    {
        int d = Push();
        _code.Begin(Op.ShiftFused + 4 * binary + shift);
        _code.Add(d); _code.Add(a); _code.Add(b); _code.Add(k);
    }
}
