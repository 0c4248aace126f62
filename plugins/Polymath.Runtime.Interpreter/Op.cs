using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// Internal opcodes of the translated code. Values 0x28..0x3E (loads/stores) and 0x45..0xC4
/// (numeric instructions) are the wasm opcode bytes themselves: their operand shapes are fixed
/// (load: dst, addr, offset; store: addr, value, offset; unary: dst, a; binary: dst, a, b).
/// Everything else is numbered in the gaps. Every operand is one int in the code array; slots are
/// relative to the frame pointer.
/// </summary>
internal enum Op
{
    Unreachable = 0x00,
    /// <summary>Fuel n: charge n units (start of a straight-line run).</summary>
    Fuel = 0x01,
    /// <summary>FuelLoop n: charge n units and poll cancellation (loop headers).</summary>
    FuelLoop = 0x02,
    /// <summary>Br target.</summary>
    Br = 0x03,
    /// <summary>BrIf cond target.</summary>
    BrIf = 0x04,
    /// <summary>BrIfNot cond target.</summary>
    BrIfNot = 0x05,
    /// <summary>BrTable idx count target0..targetN (last is default).</summary>
    BrTable = 0x06,
    /// <summary>Copy dst src.</summary>
    Copy = 0x07,
    /// <summary>Const32 dst value.</summary>
    Const32 = 0x08,
    /// <summary>Const64 dst lo hi.</summary>
    Const64 = 0x09,
    /// <summary>Return src count.</summary>
    Return = 0x0A,
    /// <summary>Call funcidx base.</summary>
    Call = 0x0B,
    /// <summary>CallIndirect tableidx typeidx base idxSlot.</summary>
    CallIndirect = 0x0C,
    /// <summary>Select dst a b cond.</summary>
    Select = 0x0D,
    /// <summary>GlobalGet dst globalidx.</summary>
    GlobalGet = 0x0E,
    /// <summary>GlobalSet globalidx src.</summary>
    GlobalSet = 0x0F,
    MemorySize = 0x10,   // dst
    MemoryGrow = 0x11,   // dst src
    MemoryInit = 0x12,   // seg d s n
    DataDrop = 0x13,     // seg
    MemoryCopy = 0x14,   // d s n
    MemoryFill = 0x15,   // d v n
    TableGet = 0x16,     // dst table idx
    TableSet = 0x17,     // table idx val
    TableSize = 0x18,    // dst table
    TableGrow = 0x19,    // dst table init n
    TableFill = 0x1A,    // table i v n
    TableCopy = 0x1B,    // dstTable srcTable d s n
    TableInit = 0x1C,    // table seg d s n
    ElemDrop = 0x1D,     // seg
    RefFunc = 0x1E,      // dst funcidx
    I32AddImm = 0x1F,    // dst a imm
    I64AddImm = 0x20,    // dst a imm(i32 sign-extended)
    /// <summary>BrCmp family: a b target (i32 compare, branch when true).</summary>
    BrI32Eq = 0x21,
    BrI32Ne = 0x22,
    BrI32LtS = 0x23,
    BrI32LtU = 0x24,
    BrI32GtS = 0x25,
    BrI32GtU = 0x26,
    BrI32LeS = 0x27,
    // 0x28..0x3E: loads and stores (wasm numbering)
    BrI32GeS = 0x3F,
    BrI32GeU = 0x40,
    BrI32Eqz = 0x41,     // a target
    BrI32Nez = 0x42,     // a target (same as BrIf)
    I32ConstEqz = 0x43,  // reserved
    I64Eqz2 = 0x44,      // reserved
    // 0x45..0xC4: numeric (wasm numbering)
    I32TruncSatF32S = 0xC5,
    I32TruncSatF32U = 0xC6,
    I32TruncSatF64S = 0xC7,
    I32TruncSatF64U = 0xC8,
    I64TruncSatF32S = 0xC9,
    I64TruncSatF32U = 0xCA,
    I64TruncSatF64S = 0xCB,
    I64TruncSatF64U = 0xCC,
    I32ShlImm = 0xCD,    // dst a imm
    I32ShrSImm = 0xCE,
    I32ShrUImm = 0xCF,
    I32AndImm = 0xD0,
    // 0xD1: free (i32.sub of a constant k is I32AddImm of -k, exact modulo 2^32, so the address and loop fusions see it)
    I32MulImm = 0xD2,
    I32OrImm = 0xD3,
    I32XorImm = 0xD4,
    I64ShlImm = 0xD5,
    I64ShrUImm = 0xD6,
    I64AndImm = 0xD7,
    /// <summary>BrI32 compare with immediate: a imm target.</summary>
    BrI32LtSImm = 0xD8,
    BrI32LtUImm = 0xD9,
    BrI32NeImm = 0xDA,
    BrI32EqImm = 0xDB,
    BrI32GeSImm = 0xDC,
    BrI32GtSImm = 0xDD,
    BrI32LeSImm = 0xDE,
    BrI32GeUImm = 0xDF,
    BrI32GtUImm = 0xE0,
    BrI32LeUImm = 0xE1,
    /// <summary>Copies n dst1 src1 … dstN srcN: consecutive local moves in one op, done in order.</summary>
    Copies = 0xE2,
    I32RotlImm = 0xE3,   // dst a imm
    I32RotrImm = 0xE4,
    I64OrImm = 0xE5,
    I64XorImm = 0xE6,
    I64SubImm = 0xE7,
    I64MulImm = 0xE8,
    I64ShrSImm = 0xE9,
    I64RotlImm = 0xEA,
    I64RotrImm = 0xEB,
    /// <summary>BrI32LeU a b target.</summary>
    BrI32LeU = 0xEC,
    /// <summary>I32AddImmBrNz dst a imm target: dst = a + imm (i32), branch when the result is not zero (loop back-edges).</summary>
    I32AddImmBrNz = 0xED,
    // 0xEE: free (I32AddImmBrNeImm is one of the AddImmBrImm ops below)
    /// <summary>
    /// I32Add3 dst a b c: dst = a + b + c (i32, wrapping): an <c>i32.add</c> whose operand is the result of the
    /// <c>i32.add</c> just before (address arithmetic <c>base + i + j</c>, sums of three terms in hashes).
    /// </summary>
    I32Add3 = 0xEF,
    /// <summary>
    /// I32AddPair d1 a1 b1 d2 a2 b2: two consecutive <c>i32.add</c> ops that no branch enters between, done in order
    /// (d1 = a1 + b1, then d2 = a2 + b2, which may read d1): one dispatch for the address pairs of array loops.
    /// </summary>
    I32AddPair = 0xF0,
    /// <summary>
    /// <c>x = a + k; if (x CMP n) goto target</c> (<c>x a k n target</c>): ten ops, one per immediate compare-and-branch
    /// in <see cref="BrI32LtSImm"/>'s order (LtS, LtU, Ne, Eq, GeS, GtS, LeS, GeU, GtU, LeU).
    /// </summary>
    AddImmBrImm = 0xF1,
    /// <summary><c>i += k; if (i != n) continue</c>: the <see cref="AddImmBrImm"/> of <see cref="BrI32NeImm"/>.</summary>
    I32AddImmBrNeImm = AddImmBrImm + (BrI32NeImm - BrI32LtSImm),
    /// <summary>
    /// Loads and stores whose address is a slot plus an i32 constant added with wrap-around
    /// (<c>local.get a; i32.const k; i32.add; i32.load offset=o</c>): LoadAddImm + (wasm opcode - 0x28).
    /// Loads: dst a k offset; stores: a k value offset.
    /// </summary>
    LoadAddImm = 0x100,
    /// <summary>
    /// Binary op whose right operand is loaded just before (<c>… ; f64.load; f64.mul</c>): dst a addr k offset, the
    /// address being addr + k (wrapping, k = 0 unless an <c>i32.add</c> of a constant was fused) plus the offset.
    /// </summary>
    F64AddLoad = 0x120,
    F64SubLoad = 0x121,
    F64MulLoad = 0x122,
    F64DivLoad = 0x123,
    I32AddLoad = 0x124,
    I32SubLoad = 0x125,
    I32MulLoad = 0x126,
    I32AndLoad = 0x127,
    I32OrLoad = 0x128,
    I32XorLoad = 0x129,
    /// <summary>i32 mul/add whose right operand is a narrow load just before (<c>dst a addr k offset</c>, like <see cref="I32AddLoad"/>; no read-modify-write form).</summary>
    I32MulLoad16S = 0x12A,
    I32AddLoad16S = 0x12B,
    I32AddLoad16U = 0x12C,
    I32AddLoad8U = 0x12D,
    /// <summary>
    /// The binary-op-with-load above whose result is stored back to the same address (<c>c[j] += x</c>):
    /// ToMem + (op - F64AddLoad), shape a addr offset: mem[addr + offset] = a OP mem[addr + offset].
    /// </summary>
    ToMem = 0x140,
    /// <summary>
    /// i32 add/or/and/xor whose right operand is shifted or rotated by a constant just before (<c>x ^ rotl(y, k)</c>):
    /// ShiftFused + 4 * binop (add, and, or, xor) + shift (rotl, rotr, shl, shr_u), shape dst a b k: dst = a OP (b SHIFT k).
    /// </summary>
    ShiftFused = 0x150,
    /// <summary>
    /// F64MulAddToMem x addrX kX offX addrY offY: mem[Y] = mem[Y] + x * mem[X] with the wasm rounding of each
    /// operation (a multiply then an add, not a fused multiply-add): <c>c[j] += a * b[j]</c>, the axpy kernel of
    /// linear algebra, as one op (F64MulLoad followed by F64AddToMem).
    /// </summary>
    F64MulAddToMem = 0x160,
    /// <summary>
    /// Simd sub [dst] operands…: one SIMD instruction (sub = its <c>SimdOpcode</c>), shaped by <see cref="SimdShapes.ShapeOf"/>;
    /// a v128 operand or result names the first of its two frame cells (RATIONALE.md, "SIMD").
    /// </summary>
    Simd = 0x161,
    /// <summary>GlobalGetV128 dst globalidx: a v128 global into cells dst, dst + 1.</summary>
    GlobalGetV128 = 0x162,
    /// <summary>GlobalSetV128 globalidx src: cells src, src + 1 into a v128 global.</summary>
    GlobalSetV128 = 0x163,
}

/// <summary>Shapes of the internal ops (shared by the translator and <see cref="CodeDump"/>).</summary>
internal static class OpInfo
{
    /// <summary>Wasm-numbered numeric ops with one operand (dst, a).</summary>
    public static bool IsUnaryNumeric(int op) =>
        op is (int)Opcode.I32Eqz or (int)Opcode.I64Eqz or >= (int)Opcode.I32Clz and <= (int)Opcode.I32Popcnt
        or >= (int)Opcode.I64Clz and <= (int)Opcode.I64Popcnt or >= (int)Opcode.F32Abs and <= (int)Opcode.F32Sqrt
        or >= (int)Opcode.F64Abs and <= (int)Opcode.F64Sqrt or >= (int)Opcode.I32WrapI64 and <= (int)Opcode.I64Extend32S;

    /// <summary>Compare-and-branch ops (a b|imm target).</summary>
    public static bool IsCompareBranch(int op) =>
        op is >= (int)Op.BrI32Eq and <= (int)Op.BrI32LeS or (int)Op.BrI32GeS or (int)Op.BrI32GeU or (int)Op.BrI32LeU
        or >= (int)Op.BrI32LtSImm and <= (int)Op.BrI32LeUImm;

    /// <summary>Ops of the form dst a imm (i32 or i64 immediate operand).</summary>
    public static bool IsImmOp(int op) =>
        op is (int)Op.I32AddImm or (int)Op.I64AddImm or >= (int)Op.I32ShlImm and <= (int)Op.I64AndImm
        or >= (int)Op.I32RotlImm and <= (int)Op.I64RotrImm;

    /// <summary>Loads/stores with an added constant (see <see cref="Op.LoadAddImm"/>).</summary>
    public static bool IsMemAddImm(int op) => op is >= (int)Op.LoadAddImm and <= (int)Op.LoadAddImm + (Opcode.I64Store32 - Opcode.I32Load);

    /// <summary>Binary ops with a loaded right operand.</summary>
    public static bool IsBinLoad(int op) => op is >= (int)Op.F64AddLoad and <= (int)Op.I32AddLoad8U;

    /// <summary>Add-immediate-then-compare-and-branch ops (see <see cref="Op.AddImmBrImm"/>).</summary>
    public static bool IsAddImmBrImm(int op) => op is >= (int)Op.AddImmBrImm and <= (int)Op.AddImmBrImm + 9;

    /// <summary>Read-modify-write ops (see <see cref="Op.ToMem"/>).</summary>
    public static bool IsToMem(int op) => op is >= (int)Op.ToMem and <= (int)Op.ToMem + 9;

    /// <summary>Binary ops with a shifted right operand (see <see cref="Op.ShiftFused"/>).</summary>
    public static bool IsShiftFused(int op) => op is >= (int)Op.ShiftFused and <= (int)Op.ShiftFused + 15;

    /// <summary>The size in code ints of the op at <paramref name="pc"/>.</summary>
    public static int SizeAt(int[] code, int pc)
    {
        int op = code[pc];
        return op switch
        {
            (int)Op.BrTable => 3 + code[pc + 2],
            (int)Op.Copies => 2 + 2 * code[pc + 1],
            (int)Op.Simd => SimdShapes.CodeSize((uint)code[pc + 1]),
            _ => Size(op),
        };
    }

    /// <summary>The size of every op except <see cref="Op.BrTable"/>, <see cref="Op.Copies"/> (which depend on their count) and <see cref="Op.Simd"/> (on its sub-opcode).</summary>
    public static int Size(int op) => op switch
    {
        (int)Op.Unreachable => 1,
        (int)Op.Fuel or (int)Op.FuelLoop or (int)Op.Br or (int)Op.MemorySize or (int)Op.DataDrop or (int)Op.ElemDrop => 2,
        (int)Op.BrIf or (int)Op.BrIfNot or (int)Op.BrI32Eqz or (int)Op.BrI32Nez or (int)Op.Copy or (int)Op.Const32
            or (int)Op.Return or (int)Op.Call or (int)Op.GlobalGet or (int)Op.GlobalSet or (int)Op.MemoryGrow
            or (int)Op.TableSize or (int)Op.RefFunc or (int)Op.GlobalGetV128 or (int)Op.GlobalSetV128 => 3,
        (int)Op.Const64 or (int)Op.MemoryCopy or (int)Op.MemoryFill or (int)Op.TableGet or (int)Op.TableSet => 4,
        (int)Op.CallIndirect or (int)Op.Select or (int)Op.MemoryInit or (int)Op.TableGrow or (int)Op.TableFill => 5,
        (int)Op.TableCopy or (int)Op.TableInit => 6,
        >= (int)Opcode.I32Load and <= (int)Opcode.I64Store32 => 4,
        _ when IsUnaryNumeric(op) => 3,
        >= (int)Opcode.I32Eqz and <= (int)Opcode.I64Extend32S => 4,
        >= (int)Op.I32TruncSatF32S and <= (int)Op.I64TruncSatF64U => 3,
        _ when IsCompareBranch(op) || IsImmOp(op) || IsToMem(op) => 4,
        _ when IsMemAddImm(op) || IsShiftFused(op) => 5,
        (int)Op.I32Add3 => 5,
        (int)Op.I32AddImmBrNz => 5,
        _ when IsBinLoad(op) => 6,
        _ when IsAddImmBrImm(op) => 6,
        (int)Op.I32AddPair => 7,
        (int)Op.F64MulAddToMem => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown internal opcode"),
    };

    /// <summary>Whether operand <paramref name="k"/> (1-based) of the op at <paramref name="pc"/> is a relative branch target.</summary>
    public static bool IsTargetOperand(int[] code, int pc, int k)
    {
        int op = code[pc];
        return op switch
        {
            (int)Op.Br => k == 1,
            (int)Op.BrIf or (int)Op.BrIfNot or (int)Op.BrI32Eqz or (int)Op.BrI32Nez => k == 2,
            (int)Op.BrTable => k >= 3,
            _ when IsCompareBranch(op) => k == 3,
            (int)Op.I32AddImmBrNz => k == 4,
            _ when IsAddImmBrImm(op) => k == 5,
            _ => false,
        };
    }
}
