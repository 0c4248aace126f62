namespace Polymath.Wasm;

/// <summary>The sub-opcodes (u32 LEB128) that follow <see cref="Opcode.Prefix0xFC"/>.</summary>
public enum PrefixedOpcode : uint
{
    /// <summary><c>i32.trunc_sat_f32_s</c></summary>
    I32TruncSatF32S = 0,
    /// <summary><c>i32.trunc_sat_f32_u</c></summary>
    I32TruncSatF32U = 1,
    /// <summary><c>i32.trunc_sat_f64_s</c></summary>
    I32TruncSatF64S = 2,
    /// <summary><c>i32.trunc_sat_f64_u</c></summary>
    I32TruncSatF64U = 3,
    /// <summary><c>i64.trunc_sat_f32_s</c></summary>
    I64TruncSatF32S = 4,
    /// <summary><c>i64.trunc_sat_f32_u</c></summary>
    I64TruncSatF32U = 5,
    /// <summary><c>i64.trunc_sat_f64_s</c></summary>
    I64TruncSatF64S = 6,
    /// <summary><c>i64.trunc_sat_f64_u</c></summary>
    I64TruncSatF64U = 7,
    /// <summary><c>memory.init</c></summary>
    MemoryInit = 8,
    /// <summary><c>data.drop</c></summary>
    DataDrop = 9,
    /// <summary><c>memory.copy</c></summary>
    MemoryCopy = 10,
    /// <summary><c>memory.fill</c></summary>
    MemoryFill = 11,
    /// <summary><c>table.init</c></summary>
    TableInit = 12,
    /// <summary><c>elem.drop</c></summary>
    ElemDrop = 13,
    /// <summary><c>table.copy</c></summary>
    TableCopy = 14,
    /// <summary><c>table.grow</c></summary>
    TableGrow = 15,
    /// <summary><c>table.size</c></summary>
    TableSize = 16,
    /// <summary><c>table.fill</c></summary>
    TableFill = 17,
}
