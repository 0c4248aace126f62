namespace Polymath.Wasm;

/// <summary>How a SIMD (0xFD-prefixed) instruction uses its immediates and the operand stack.</summary>
internal enum SimdKind : byte
{
    None, Load, Store, Const, Shuffle, Splat, Lane, Test, Shift, Ternary, LoadLane, StoreLane, Binary, Unary,
}

/// <summary>The 236 SIMD instructions of WebAssembly 2.0, by sub-opcode, grouped by signature.</summary>
internal static class SimdOpcodes
{
    private static readonly SimdKind[] Kinds =
    [
        SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Load,
        SimdKind.Load, SimdKind.Load, SimdKind.Load, SimdKind.Store, SimdKind.Const, SimdKind.Shuffle, SimdKind.Binary, SimdKind.Splat,
        SimdKind.Splat, SimdKind.Splat, SimdKind.Splat, SimdKind.Splat, SimdKind.Splat, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane,
        SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Lane,
        SimdKind.Lane, SimdKind.Lane, SimdKind.Lane, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Ternary, SimdKind.Test, SimdKind.LoadLane, SimdKind.LoadLane, SimdKind.LoadLane, SimdKind.LoadLane,
        SimdKind.StoreLane, SimdKind.StoreLane, SimdKind.StoreLane, SimdKind.StoreLane, SimdKind.Load, SimdKind.Load, SimdKind.Unary, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Test, SimdKind.Test, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Shift, SimdKind.Shift, SimdKind.Shift, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary, SimdKind.Unary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Unary, SimdKind.Binary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Binary, SimdKind.Test, SimdKind.Test, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Shift, SimdKind.Shift, SimdKind.Shift, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.None, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.None, SimdKind.Test, SimdKind.Test, SimdKind.None, SimdKind.None, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Shift, SimdKind.Shift, SimdKind.Shift, SimdKind.Binary, SimdKind.None,
        SimdKind.None, SimdKind.Binary, SimdKind.None, SimdKind.None, SimdKind.None, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.None, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.None, SimdKind.Test, SimdKind.Test, SimdKind.None, SimdKind.None, SimdKind.Unary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Shift, SimdKind.Shift, SimdKind.Shift, SimdKind.Binary, SimdKind.None,
        SimdKind.None, SimdKind.Binary, SimdKind.None, SimdKind.None, SimdKind.None, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.None, SimdKind.Unary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Unary, SimdKind.Unary, SimdKind.None, SimdKind.Unary,
        SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary, SimdKind.Binary,
        SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary, SimdKind.Unary,
    ];

    /// <summary>True when <paramref name="sub"/> is a WebAssembly 2.0 SIMD instruction.</summary>
    public static bool Exists(uint sub) => sub < 256 && Kinds[sub] != SimdKind.None;

    /// <summary>The signature group of <paramref name="sub"/> (which must exist).</summary>
    public static SimdKind KindOf(uint sub) => Kinds[sub];

    /// <summary>log2 of the natural alignment of a memory instruction (loads, stores, lane loads/stores).</summary>
    public static int NaturalAlignment(uint sub) => sub switch
    {
        0x00 or 0x0B => 4,
        >= 0x01 and <= 0x06 => 3,
        0x07 or 0x54 or 0x58 => 0,
        0x08 or 0x55 or 0x59 => 1,
        0x09 or 0x5C or 0x56 or 0x5A => 2,
        _ => 3, // 0x0A, 0x5D, 0x57, 0x5B
    };

    /// <summary>The number of lanes addressed by a lane instruction (extract/replace, load/store lane).</summary>
    public static int LaneCount(uint sub) => sub switch
    {
        0x15 or 0x16 or 0x17 or 0x54 or 0x58 => 16,
        0x18 or 0x19 or 0x1A or 0x55 or 0x59 => 8,
        0x1B or 0x1C or 0x1F or 0x20 or 0x56 or 0x5A => 4,
        _ => 2,
    };

    /// <summary>The scalar type of a splat or extract/replace lane instruction.</summary>
    public static ValueType LaneScalar(uint sub) => sub switch
    {
        0x12 or 0x1D or 0x1E => ValueType.I64,
        0x13 or 0x1F or 0x20 => ValueType.F32,
        0x14 or 0x21 or 0x22 => ValueType.F64,
        _ => ValueType.I32,
    };

    /// <summary>True for replace_lane (odd pairs of the lane group); false for extract_lane.</summary>
    public static bool IsReplaceLane(uint sub) => sub is 0x17 or 0x1A or 0x1C or 0x1E or 0x20 or 0x22;
}
