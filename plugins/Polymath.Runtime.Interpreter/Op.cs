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
    I32SubImm = 0xD1,
    I32MulImm = 0xD2,
    /// <summary>Copy2 dst1 src1 dst2 src2 (two local moves fused).</summary>
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
}
