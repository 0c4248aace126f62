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
    public static int NaturalAlignment(uint sub) => (SimdOpcode)sub switch
    {
        SimdOpcode.V128Load or SimdOpcode.V128Store => 4,
        >= SimdOpcode.V128Load8x8S and <= SimdOpcode.V128Load32x2U => 3,
        SimdOpcode.V128Load8Splat or SimdOpcode.V128Load8Lane or SimdOpcode.V128Store8Lane => 0,
        SimdOpcode.V128Load16Splat or SimdOpcode.V128Load16Lane or SimdOpcode.V128Store16Lane => 1,
        SimdOpcode.V128Load32Splat or SimdOpcode.V128Load32Zero or SimdOpcode.V128Load32Lane or SimdOpcode.V128Store32Lane => 2,
        _ => 3, // V128Load64Splat, V128Load64Zero, V128Load64Lane, V128Store64Lane
    };

    /// <summary>The number of lanes addressed by a lane instruction (extract/replace, load/store lane).</summary>
    public static int LaneCount(uint sub) => (SimdOpcode)sub switch
    {
        SimdOpcode.I8x16ExtractLaneS or SimdOpcode.I8x16ExtractLaneU or SimdOpcode.I8x16ReplaceLane
            or SimdOpcode.V128Load8Lane or SimdOpcode.V128Store8Lane => 16,
        SimdOpcode.I16x8ExtractLaneS or SimdOpcode.I16x8ExtractLaneU or SimdOpcode.I16x8ReplaceLane
            or SimdOpcode.V128Load16Lane or SimdOpcode.V128Store16Lane => 8,
        SimdOpcode.I32x4ExtractLane or SimdOpcode.I32x4ReplaceLane or SimdOpcode.F32x4ExtractLane or SimdOpcode.F32x4ReplaceLane
            or SimdOpcode.V128Load32Lane or SimdOpcode.V128Store32Lane => 4,
        _ => 2,
    };

    /// <summary>The scalar type of a splat or extract/replace lane instruction.</summary>
    public static ValueType LaneScalar(uint sub) => (SimdOpcode)sub switch
    {
        SimdOpcode.I64x2Splat or SimdOpcode.I64x2ExtractLane or SimdOpcode.I64x2ReplaceLane => ValueType.I64,
        SimdOpcode.F32x4Splat or SimdOpcode.F32x4ExtractLane or SimdOpcode.F32x4ReplaceLane => ValueType.F32,
        SimdOpcode.F64x2Splat or SimdOpcode.F64x2ExtractLane or SimdOpcode.F64x2ReplaceLane => ValueType.F64,
        _ => ValueType.I32,
    };

    /// <summary>True for replace_lane; false for extract_lane.</summary>
    public static bool IsReplaceLane(uint sub) => (SimdOpcode)sub is SimdOpcode.I8x16ReplaceLane or SimdOpcode.I16x8ReplaceLane
        or SimdOpcode.I32x4ReplaceLane or SimdOpcode.I64x2ReplaceLane or SimdOpcode.F32x4ReplaceLane or SimdOpcode.F64x2ReplaceLane;
}
