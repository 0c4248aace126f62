using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Polymath.Wasm;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace Polymath.Runtime.Core;

/// <summary>
/// The lane semantics of WebAssembly's fixed-width SIMD (v128), shared by the managed tiers (RATIONALE.md, "SIMD").
/// A v128 is a <see cref="Vector128{T}"/> of bytes; every instruction is a pure static method named after its
/// <c>Polymath.Wasm.SimdOpcode</c>, taking the operands in stack order (then the lane immediate, if any) and
/// returning the result. Methods are either one <see cref="Vector128"/> operation (where that is bit-exact with the
/// spec on every platform, hardware or software fallback) or an exact lane loop (where it is not).
/// Memory forms take the checked effective address (a native pointer); bounds are the caller's.
/// </summary>
internal static partial class Simd128
{
    // ------------------------------------------------------------------ carriers

    /// <summary>A v128 from its low (bytes 0..7) and high (bytes 8..15) halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V FromBits(long low, long high) => Vector128.Create((ulong)low, (ulong)high).AsByte();

    /// <summary>The low 64 bits of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Low(V v) => v.AsInt64().GetElement(0);

    /// <summary>The high 64 bits of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long High(V v) => v.AsInt64().GetElement(1);

    /// <summary><c>v128.const</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V V128Const(long low, long high) => FromBits(low, high);

    // ------------------------------------------------------------------ memory (address already bounds-checked)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref byte At(nint address) => ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Read<T>(nint address) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref At(address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<T>(nint address, T value) where T : unmanaged => Unsafe.WriteUnaligned(ref At(address), value);

    /// <summary>True for the SIMD instructions that access memory (loads, stores, lane loads and stores).</summary>
    public static bool IsMemory(SimdOpcode op) =>
        op <= SimdOpcode.V128Store || op is >= SimdOpcode.V128Load8Lane and <= SimdOpcode.V128Load64Zero;

    /// <summary>The bytes a SIMD memory instruction reads or writes (what its bounds check covers).</summary>
    public static int AccessSize(SimdOpcode op) => op switch
    {
        SimdOpcode.V128Load or SimdOpcode.V128Store => 16,
        SimdOpcode.V128Load8Splat or SimdOpcode.V128Load8Lane or SimdOpcode.V128Store8Lane => 1,
        SimdOpcode.V128Load16Splat or SimdOpcode.V128Load16Lane or SimdOpcode.V128Store16Lane => 2,
        SimdOpcode.V128Load32Splat or SimdOpcode.V128Load32Zero or SimdOpcode.V128Load32Lane or SimdOpcode.V128Store32Lane => 4,
        _ => 8, // the 8x8/16x4/32x2 extending loads, 64-bit splat, zero and lane forms
    };

    public static V V128Load(nint p) => Read<V>(p);
    public static V V128Load8x8S(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsSByte()).AsByte();
    public static V V128Load8x8U(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsByte()).AsByte();
    public static V V128Load16x4S(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsInt16()).AsByte();
    public static V V128Load16x4U(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsUInt16()).AsByte();
    public static V V128Load32x2S(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsInt32()).AsByte();
    public static V V128Load32x2U(nint p) => Vector128.WidenLower(Vector128.CreateScalar(Read<ulong>(p)).AsUInt32()).AsByte();
    public static V V128Load8Splat(nint p) => Vector128.Create(Read<byte>(p));
    public static V V128Load16Splat(nint p) => Vector128.Create(Read<ushort>(p)).AsByte();
    public static V V128Load32Splat(nint p) => Vector128.Create(Read<uint>(p)).AsByte();
    public static V V128Load64Splat(nint p) => Vector128.Create(Read<ulong>(p)).AsByte();
    public static V V128Load32Zero(nint p) => Vector128.CreateScalar(Read<uint>(p)).AsByte();
    public static V V128Load64Zero(nint p) => Vector128.CreateScalar(Read<ulong>(p)).AsByte();
    public static void V128Store(nint p, V v) => Write(p, v);
    public static V V128Load8Lane(nint p, V v, int lane) => v.WithElement(lane, Read<byte>(p));
    public static V V128Load16Lane(nint p, V v, int lane) => v.AsUInt16().WithElement(lane, Read<ushort>(p)).AsByte();
    public static V V128Load32Lane(nint p, V v, int lane) => v.AsUInt32().WithElement(lane, Read<uint>(p)).AsByte();
    public static V V128Load64Lane(nint p, V v, int lane) => v.AsUInt64().WithElement(lane, Read<ulong>(p)).AsByte();
    public static void V128Store8Lane(nint p, V v, int lane) => Write(p, v.GetElement(lane));
    public static void V128Store16Lane(nint p, V v, int lane) => Write(p, v.AsUInt16().GetElement(lane));
    public static void V128Store32Lane(nint p, V v, int lane) => Write(p, v.AsUInt32().GetElement(lane));
    public static void V128Store64Lane(nint p, V v, int lane) => Write(p, v.AsUInt64().GetElement(lane));

    // ------------------------------------------------------------------ shuffle, swizzle, splat, lanes

    /// <summary>
    /// The two index vectors <see cref="I8x16Shuffle"/> takes for the 16 lane immediates of <c>i8x16.shuffle</c>
    /// (each below 32): lanes that select from the first operand, and lanes that select from the second (0xFF, which
    /// <see cref="Vector128.Shuffle(Vector128{byte}, Vector128{byte})"/> turns into 0, where the other operand is selected).
    /// </summary>
    public static (V First, V Second) ShuffleIndices(ReadOnlySpan<byte> lanes)
    {
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            a[i] = lanes[i] < 16 ? lanes[i] : (byte)0xFF;
            b[i] = lanes[i] >= 16 ? (byte)(lanes[i] - 16) : (byte)0xFF;
        }
        return (Vector128.Create((ReadOnlySpan<byte>)a), Vector128.Create((ReadOnlySpan<byte>)b));
    }

    /// <summary><c>i8x16.shuffle</c> with its immediates as <see cref="ShuffleIndices"/> made them.</summary>
    public static V I8x16Shuffle(V a, V b, V first, V second) => Vector128.Shuffle(a, first) | Vector128.Shuffle(b, second);

    /// <summary><c>i8x16.swizzle</c>: out-of-range indices (16 and above) give 0, as <see cref="Vector128.Shuffle(Vector128{byte}, Vector128{byte})"/> does.</summary>
    public static V I8x16Swizzle(V a, V s) => Vector128.Shuffle(a, s);

    public static V I8x16Splat(int x) => Vector128.Create((byte)x);
    public static V I16x8Splat(int x) => Vector128.Create((ushort)x).AsByte();
    public static V I32x4Splat(int x) => Vector128.Create(x).AsByte();
    public static V I64x2Splat(long x) => Vector128.Create(x).AsByte();
    public static V F32x4Splat(float x) => Vector128.Create(BitConverter.SingleToInt32Bits(x)).AsByte();
    public static V F64x2Splat(double x) => Vector128.Create(BitConverter.DoubleToInt64Bits(x)).AsByte();

    public static int I8x16ExtractLaneS(V v, int lane) => v.AsSByte().GetElement(lane);
    public static int I8x16ExtractLaneU(V v, int lane) => v.GetElement(lane);
    public static V I8x16ReplaceLane(V v, int x, int lane) => v.WithElement(lane, (byte)x);
    public static int I16x8ExtractLaneS(V v, int lane) => v.AsInt16().GetElement(lane);
    public static int I16x8ExtractLaneU(V v, int lane) => v.AsUInt16().GetElement(lane);
    public static V I16x8ReplaceLane(V v, int x, int lane) => v.AsUInt16().WithElement(lane, (ushort)x).AsByte();
    public static int I32x4ExtractLane(V v, int lane) => v.AsInt32().GetElement(lane);
    public static V I32x4ReplaceLane(V v, int x, int lane) => v.AsInt32().WithElement(lane, x).AsByte();
    public static long I64x2ExtractLane(V v, int lane) => v.AsInt64().GetElement(lane);
    public static V I64x2ReplaceLane(V v, long x, int lane) => v.AsInt64().WithElement(lane, x).AsByte();
    // Float lanes move as bits, so a signalling NaN's payload survives (no float register conversion in between).
    public static float F32x4ExtractLane(V v, int lane) => BitConverter.Int32BitsToSingle(v.AsInt32().GetElement(lane));
    public static V F32x4ReplaceLane(V v, float x, int lane) => v.AsInt32().WithElement(lane, BitConverter.SingleToInt32Bits(x)).AsByte();
    public static double F64x2ExtractLane(V v, int lane) => BitConverter.Int64BitsToDouble(v.AsInt64().GetElement(lane));
    public static V F64x2ReplaceLane(V v, double x, int lane) => v.AsInt64().WithElement(lane, BitConverter.DoubleToInt64Bits(x)).AsByte();

    // ------------------------------------------------------------------ comparisons (all-ones lanes for true)

    public static V I8x16Eq(V a, V b) => Vector128.Equals(a, b);
    public static V I8x16Ne(V a, V b) => ~Vector128.Equals(a, b);
    public static V I8x16LtS(V a, V b) => Vector128.LessThan(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16LtU(V a, V b) => Vector128.LessThan(a, b);
    public static V I8x16GtS(V a, V b) => Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16GtU(V a, V b) => Vector128.GreaterThan(a, b);
    public static V I8x16LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16LeU(V a, V b) => Vector128.LessThanOrEqual(a, b);
    public static V I8x16GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16GeU(V a, V b) => Vector128.GreaterThanOrEqual(a, b);
    public static V I16x8Eq(V a, V b) => Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I16x8Ne(V a, V b) => (~Vector128.Equals(a.AsUInt16(), b.AsUInt16())).AsByte();
    public static V I16x8LtS(V a, V b) => Vector128.LessThan(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8LtU(V a, V b) => Vector128.LessThan(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I16x8GtS(V a, V b) => Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8GtU(V a, V b) => Vector128.GreaterThan(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I16x8LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8LeU(V a, V b) => Vector128.LessThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I16x8GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8GeU(V a, V b) => Vector128.GreaterThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I32x4Eq(V a, V b) => Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I32x4Ne(V a, V b) => (~Vector128.Equals(a.AsUInt32(), b.AsUInt32())).AsByte();
    public static V I32x4LtS(V a, V b) => Vector128.LessThan(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4LtU(V a, V b) => Vector128.LessThan(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I32x4GtS(V a, V b) => Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4GtU(V a, V b) => Vector128.GreaterThan(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I32x4LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4LeU(V a, V b) => Vector128.LessThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I32x4GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4GeU(V a, V b) => Vector128.GreaterThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I64x2Eq(V a, V b) => Vector128.Equals(a.AsInt64(), b.AsInt64()).AsByte();
    public static V I64x2Ne(V a, V b) => (~Vector128.Equals(a.AsInt64(), b.AsInt64())).AsByte();
    public static V I64x2LtS(V a, V b) => Vector128.LessThan(a.AsInt64(), b.AsInt64()).AsByte();
    public static V I64x2GtS(V a, V b) => Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();
    public static V I64x2LeS(V a, V b) => Vector128.LessThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();
    public static V I64x2GeS(V a, V b) => Vector128.GreaterThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();
    // IEEE comparisons: false for NaN operands, except ne (true); -0 equals +0. cmpps and the software fallback agree.
    public static V F32x4Eq(V a, V b) => Vector128.Equals(a.AsSingle(), b.AsSingle()).AsByte();
    public static V F32x4Ne(V a, V b) => (~Vector128.Equals(a.AsSingle(), b.AsSingle())).AsByte();
    public static V F32x4Lt(V a, V b) => Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte();
    public static V F32x4Gt(V a, V b) => Vector128.GreaterThan(a.AsSingle(), b.AsSingle()).AsByte();
    public static V F32x4Le(V a, V b) => Vector128.LessThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();
    public static V F32x4Ge(V a, V b) => Vector128.GreaterThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();
    public static V F64x2Eq(V a, V b) => Vector128.Equals(a.AsDouble(), b.AsDouble()).AsByte();
    public static V F64x2Ne(V a, V b) => (~Vector128.Equals(a.AsDouble(), b.AsDouble())).AsByte();
    public static V F64x2Lt(V a, V b) => Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte();
    public static V F64x2Gt(V a, V b) => Vector128.GreaterThan(a.AsDouble(), b.AsDouble()).AsByte();
    public static V F64x2Le(V a, V b) => Vector128.LessThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();
    public static V F64x2Ge(V a, V b) => Vector128.GreaterThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();

    // ------------------------------------------------------------------ bitwise

    public static V V128Not(V a) => ~a;
    public static V V128And(V a, V b) => a & b;
    public static V V128Andnot(V a, V b) => Vector128.AndNot(a, b);
    public static V V128Or(V a, V b) => a | b;
    public static V V128Xor(V a, V b) => a ^ b;
    public static V V128Bitselect(V a, V b, V c) => Vector128.ConditionalSelect(c, a, b);
    public static int V128AnyTrue(V a) => a != V.Zero ? 1 : 0;

    public static int I8x16AllTrue(V a) => Vector128.EqualsAny(a, V.Zero) ? 0 : 1;
    public static int I16x8AllTrue(V a) => Vector128.EqualsAny(a.AsUInt16(), Vector128<ushort>.Zero) ? 0 : 1;
    public static int I32x4AllTrue(V a) => Vector128.EqualsAny(a.AsUInt32(), Vector128<uint>.Zero) ? 0 : 1;
    public static int I64x2AllTrue(V a) => Vector128.EqualsAny(a.AsUInt64(), Vector128<ulong>.Zero) ? 0 : 1;
    public static int I8x16Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a);
    public static int I16x8Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt16());
    public static int I32x4Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt32());
    public static int I64x2Bitmask(V a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt64());

    // ------------------------------------------------------------------ shifts (count modulo the lane width)

    public static V I8x16Shl(V a, int n) => Vector128.ShiftLeft(a, n & 7);
    public static V I8x16ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsSByte(), n & 7).AsByte();
    public static V I8x16ShrU(V a, int n) => Vector128.ShiftRightLogical(a, n & 7);
    public static V I16x8Shl(V a, int n) => Vector128.ShiftLeft(a.AsUInt16(), n & 15).AsByte();
    public static V I16x8ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt16(), n & 15).AsByte();
    public static V I16x8ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt16(), n & 15).AsByte();
    public static V I32x4Shl(V a, int n) => Vector128.ShiftLeft(a.AsUInt32(), n & 31).AsByte();
    public static V I32x4ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt32(), n & 31).AsByte();
    public static V I32x4ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt32(), n & 31).AsByte();
    public static V I64x2Shl(V a, int n) => Vector128.ShiftLeft(a.AsUInt64(), n & 63).AsByte();
    public static V I64x2ShrS(V a, int n) => Vector128.ShiftRightArithmetic(a.AsInt64(), n & 63).AsByte();
    public static V I64x2ShrU(V a, int n) => Vector128.ShiftRightLogical(a.AsUInt64(), n & 63).AsByte();

    // ------------------------------------------------------------------ integer arithmetic (wrapping)

    public static V I8x16Add(V a, V b) => a + b;
    public static V I8x16Sub(V a, V b) => a - b;
    public static V I8x16Neg(V a) => V.Zero - a;
    public static V I16x8Add(V a, V b) => (a.AsUInt16() + b.AsUInt16()).AsByte();
    public static V I16x8Sub(V a, V b) => (a.AsUInt16() - b.AsUInt16()).AsByte();
    public static V I16x8Mul(V a, V b) => (a.AsUInt16() * b.AsUInt16()).AsByte();
    public static V I16x8Neg(V a) => (Vector128<ushort>.Zero - a.AsUInt16()).AsByte();
    public static V I32x4Add(V a, V b) => (a.AsUInt32() + b.AsUInt32()).AsByte();
    public static V I32x4Sub(V a, V b) => (a.AsUInt32() - b.AsUInt32()).AsByte();
    public static V I32x4Mul(V a, V b) => (a.AsUInt32() * b.AsUInt32()).AsByte();
    public static V I32x4Neg(V a) => (Vector128<uint>.Zero - a.AsUInt32()).AsByte();
    public static V I64x2Add(V a, V b) => (a.AsUInt64() + b.AsUInt64()).AsByte();
    public static V I64x2Sub(V a, V b) => (a.AsUInt64() - b.AsUInt64()).AsByte();
    public static V I64x2Mul(V a, V b) => (a.AsUInt64() * b.AsUInt64()).AsByte();
    public static V I64x2Neg(V a) => (Vector128<ulong>.Zero - a.AsUInt64()).AsByte();

    // abs wraps (abs(MIN) = MIN): a select on the sign, not Vector128.Abs (whose software fallback is checked arithmetic).
    public static V I8x16Abs(V a) => Vector128.ConditionalSelect(Vector128.LessThan(a.AsSByte(), Vector128<sbyte>.Zero).AsByte(), V.Zero - a, a);
    public static V I16x8Abs(V a) { var x = a.AsInt16(); return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<short>.Zero), Vector128<short>.Zero - x, x).AsByte(); }
    public static V I32x4Abs(V a) { var x = a.AsInt32(); return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<int>.Zero), Vector128<int>.Zero - x, x).AsByte(); }
    public static V I64x2Abs(V a) { var x = a.AsInt64(); return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<long>.Zero), Vector128<long>.Zero - x, x).AsByte(); }

    public static V I8x16MinS(V a, V b) => Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16MinU(V a, V b) => Vector128.Min(a, b);
    public static V I8x16MaxS(V a, V b) => Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();
    public static V I8x16MaxU(V a, V b) => Vector128.Max(a, b);
    public static V I16x8MinS(V a, V b) => Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8MinU(V a, V b) => Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I16x8MaxS(V a, V b) => Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();
    public static V I16x8MaxU(V a, V b) => Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();
    public static V I32x4MinS(V a, V b) => Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4MinU(V a, V b) => Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();
    public static V I32x4MaxS(V a, V b) => Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();
    public static V I32x4MaxU(V a, V b) => Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();

    // ------------------------------------------------------------------ extend, extmul

    public static V I16x8ExtendLowI8x16S(V a) => Vector128.WidenLower(a.AsSByte()).AsByte();
    public static V I16x8ExtendHighI8x16S(V a) => Vector128.WidenUpper(a.AsSByte()).AsByte();
    public static V I16x8ExtendLowI8x16U(V a) => Vector128.WidenLower(a).AsByte();
    public static V I16x8ExtendHighI8x16U(V a) => Vector128.WidenUpper(a).AsByte();
    public static V I32x4ExtendLowI16x8S(V a) => Vector128.WidenLower(a.AsInt16()).AsByte();
    public static V I32x4ExtendHighI16x8S(V a) => Vector128.WidenUpper(a.AsInt16()).AsByte();
    public static V I32x4ExtendLowI16x8U(V a) => Vector128.WidenLower(a.AsUInt16()).AsByte();
    public static V I32x4ExtendHighI16x8U(V a) => Vector128.WidenUpper(a.AsUInt16()).AsByte();
    public static V I64x2ExtendLowI32x4S(V a) => Vector128.WidenLower(a.AsInt32()).AsByte();
    public static V I64x2ExtendHighI32x4S(V a) => Vector128.WidenUpper(a.AsInt32()).AsByte();
    public static V I64x2ExtendLowI32x4U(V a) => Vector128.WidenLower(a.AsUInt32()).AsByte();
    public static V I64x2ExtendHighI32x4U(V a) => Vector128.WidenUpper(a.AsUInt32()).AsByte();

    // The widened products fit their lanes exactly (or wrap as the spec's modular multiply does).
    public static V I16x8ExtmulLowI8x16S(V a, V b) => (Vector128.WidenLower(a.AsSByte()) * Vector128.WidenLower(b.AsSByte())).AsByte();
    public static V I16x8ExtmulHighI8x16S(V a, V b) => (Vector128.WidenUpper(a.AsSByte()) * Vector128.WidenUpper(b.AsSByte())).AsByte();
    public static V I16x8ExtmulLowI8x16U(V a, V b) => (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsByte();
    public static V I16x8ExtmulHighI8x16U(V a, V b) => (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsByte();
    public static V I32x4ExtmulLowI16x8S(V a, V b) => (Vector128.WidenLower(a.AsInt16()) * Vector128.WidenLower(b.AsInt16())).AsByte();
    public static V I32x4ExtmulHighI16x8S(V a, V b) => (Vector128.WidenUpper(a.AsInt16()) * Vector128.WidenUpper(b.AsInt16())).AsByte();
    public static V I32x4ExtmulLowI16x8U(V a, V b) => (Vector128.WidenLower(a.AsUInt16()) * Vector128.WidenLower(b.AsUInt16())).AsByte();
    public static V I32x4ExtmulHighI16x8U(V a, V b) => (Vector128.WidenUpper(a.AsUInt16()) * Vector128.WidenUpper(b.AsUInt16())).AsByte();
    public static V I64x2ExtmulLowI32x4S(V a, V b) => (Vector128.WidenLower(a.AsInt32()) * Vector128.WidenLower(b.AsInt32())).AsByte();
    public static V I64x2ExtmulHighI32x4S(V a, V b) => (Vector128.WidenUpper(a.AsInt32()) * Vector128.WidenUpper(b.AsInt32())).AsByte();
    public static V I64x2ExtmulLowI32x4U(V a, V b) => (Vector128.WidenLower(a.AsUInt32()) * Vector128.WidenLower(b.AsUInt32())).AsByte();
    public static V I64x2ExtmulHighI32x4U(V a, V b) => (Vector128.WidenUpper(a.AsUInt32()) * Vector128.WidenUpper(b.AsUInt32())).AsByte();

    // ------------------------------------------------------------------ float arithmetic

    // add/sub/mul/div/sqrt are IEEE-exact lane by lane (hardware and software fallback alike); a NaN result is an
    // arithmetic NaN either way, which is all the spec requires (nan:arithmetic / nan:canonical for canonical inputs).
    public static V F32x4Add(V a, V b) => (a.AsSingle() + b.AsSingle()).AsByte();
    public static V F32x4Sub(V a, V b) => (a.AsSingle() - b.AsSingle()).AsByte();
    public static V F32x4Mul(V a, V b) => (a.AsSingle() * b.AsSingle()).AsByte();
    public static V F32x4Div(V a, V b) => (a.AsSingle() / b.AsSingle()).AsByte();
    public static V F32x4Sqrt(V a) => Vector128.Sqrt(a.AsSingle()).AsByte();
    public static V F64x2Add(V a, V b) => (a.AsDouble() + b.AsDouble()).AsByte();
    public static V F64x2Sub(V a, V b) => (a.AsDouble() - b.AsDouble()).AsByte();
    public static V F64x2Mul(V a, V b) => (a.AsDouble() * b.AsDouble()).AsByte();
    public static V F64x2Div(V a, V b) => (a.AsDouble() / b.AsDouble()).AsByte();
    public static V F64x2Sqrt(V a) => Vector128.Sqrt(a.AsDouble()).AsByte();

    // abs/neg act on the sign bit only (a NaN keeps its payload, as the spec requires).
    public static V F32x4Abs(V a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsByte();
    public static V F32x4Neg(V a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsByte();
    public static V F64x2Abs(V a) => (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFul)).AsByte();
    public static V F64x2Neg(V a) => (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000ul)).AsByte();

    // wasm min/max, not Vector128.Min/Max (x86 minps returns the second operand for NaN and for ±0): a NaN operand
    // gives a NaN (a + b: quiet, canonical when both inputs are), -0 is below +0 (equal operands: OR/AND of the bits).
    public static V F32x4Min(V a, V b)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        var r = Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, y);
        r = Vector128.ConditionalSelect(Vector128.Equals(x, y), x | y, r);
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        return Vector128.ConditionalSelect(nan, x + y, r).AsByte();
    }

    public static V F32x4Max(V a, V b)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        var r = Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, y);
        r = Vector128.ConditionalSelect(Vector128.Equals(x, y), x & y, r);
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        return Vector128.ConditionalSelect(nan, x + y, r).AsByte();
    }

    public static V F64x2Min(V a, V b)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        var r = Vector128.ConditionalSelect(Vector128.LessThan(x, y), x, y);
        r = Vector128.ConditionalSelect(Vector128.Equals(x, y), x | y, r);
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        return Vector128.ConditionalSelect(nan, x + y, r).AsByte();
    }

    public static V F64x2Max(V a, V b)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        var r = Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), x, y);
        r = Vector128.ConditionalSelect(Vector128.Equals(x, y), x & y, r);
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        return Vector128.ConditionalSelect(nan, x + y, r).AsByte();
    }

    // pmin/pmax: the spec's b < a ? b : a and a < b ? b : a, bit for bit (NaNs and zeros pass through unchanged).
    public static V F32x4Pmin(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(b.AsSingle(), a.AsSingle()).AsByte(), b, a);
    public static V F32x4Pmax(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte(), b, a);
    public static V F64x2Pmin(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(b.AsDouble(), a.AsDouble()).AsByte(), b, a);
    public static V F64x2Pmax(V a, V b) => Vector128.ConditionalSelect(Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte(), b, a);
}
