using System.Runtime.CompilerServices;
using Polymath.Sdk;

namespace Polymath.Runtime.Core;

/// <summary>
/// The numeric instructions whose .NET operators do not match the WebAssembly spec bit for bit, named after the
/// instruction they implement (<c>f32.min</c> is <see cref="F32Min"/>, <c>i32.trunc_sat_f64_s</c> is
/// <see cref="I32TruncSatF64S"/>). Used by the interpreter's loop and called by the compiler's generated code.
/// Sign operations work on the bits so NaN payloads survive; a NaN input to a rounding operation gives x + x, a quiet
/// NaN keeping the payload (an arithmetic NaN, as the spec requires).
/// </summary>
internal static class WasmNumerics
{
    /// <summary>A NaN constant with its exact payload (not inlined: the JIT keeps float constants as doubles, which quiets signalling NaNs).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float F32NaN(int bits) => BitConverter.Int32BitsToSingle(bits);
    /// <summary>A NaN constant with its exact payload.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static double F64NaN(long bits) => BitConverter.Int64BitsToDouble(bits);

    /// <summary>f64.promote_f32: a NaN becomes a quiet NaN (a branch the JIT cannot fold away with a following demote).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Promote(float a) =>
        float.IsNaN(a) ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) | 0x0008000000000000L) : a;
    /// <summary>f32.demote_f64: a NaN becomes a quiet NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Demote(double a) =>
        double.IsNaN(a) ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((float)a) | 0x00400000) : (float)a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Abs(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & 0x7FFFFFFF);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Neg(float a) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) ^ int.MinValue);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Copysign(float a, float b) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(a) & 0x7FFFFFFF) | (BitConverter.SingleToInt32Bits(b) & int.MinValue));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Abs(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & long.MaxValue);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Neg(double a) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) ^ long.MinValue);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Copysign(double a, double b) =>
        BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(a) & long.MaxValue) | (BitConverter.DoubleToInt64Bits(b) & long.MinValue));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Nearest(float a) => float.IsNaN(a) ? a + a : MathF.Round(a, MidpointRounding.ToEven);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float F32Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Nearest(double a) => double.IsNaN(a) ? a + a : Math.Round(a, MidpointRounding.ToEven);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double F64Sqrt(double a) => Math.Sqrt(a);

    public static float F32Min(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b));
        return a < b ? a : b;
    }

    public static float F32Max(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & BitConverter.SingleToInt32Bits(b));
        return a > b ? a : b;
    }

    public static double F64Min(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) | BitConverter.DoubleToInt64Bits(b));
        return a < b ? a : b;
    }

    public static double F64Max(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & BitConverter.DoubleToInt64Bits(b));
        return a > b ? a : b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int I32Rotl(int a, int b) => (int)uint.RotateLeft((uint)a, b & 31);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int I32Rotr(int a, int b) => (int)uint.RotateRight((uint)a, b & 31);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long I64Rotl(long a, long b) => (long)ulong.RotateLeft((ulong)a, (int)(b & 63));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long I64Rotr(long a, long b) => (long)ulong.RotateRight((ulong)a, (int)(b & 63));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int I32Clz(int a) => System.Numerics.BitOperations.LeadingZeroCount((uint)a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int I32Ctz(int a) => a == 0 ? 32 : System.Numerics.BitOperations.TrailingZeroCount(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int I32Popcnt(int a) => System.Numerics.BitOperations.PopCount((uint)a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long I64Clz(long a) => System.Numerics.BitOperations.LeadingZeroCount((ulong)a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long I64Ctz(long a) => a == 0 ? 64 : System.Numerics.BitOperations.TrailingZeroCount(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long I64Popcnt(long a) => System.Numerics.BitOperations.PopCount((ulong)a);

    /// <summary>u64 → f32 with one rounding (halve keeping a sticky bit, convert, double).</summary>
    public static float U64ToF32(long v)
    {
        ulong u = (ulong)v;
        if (v >= 0) return v;
        ulong h = (u >> 1) | (u & 1);
        return (float)(long)h * 2f;
    }

    /// <summary>u64 → f64 with one rounding.</summary>
    public static double U64ToF64(long v)
    {
        ulong u = (ulong)v;
        if (v >= 0) return v;
        ulong h = (u >> 1) | (u & 1);
        return (double)(long)h * 2.0;
    }

    /// <summary>
    /// The trapping truncations (<c>i32.trunc_f64_s</c> and kin; an f32 operand widens exactly to f64): the result,
    /// with <paramref name="trap"/> = <see cref="TrapKind.Unreachable"/> meaning "no trap".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32TruncF64S(double a, out TrapKind trap)
    {
        trap = double.IsNaN(a) ? TrapKind.InvalidConversionToInteger
            : a > -2147483649.0 && a < 2147483648.0 ? TrapKind.Unreachable : TrapKind.IntegerOverflow;
        return trap == TrapKind.Unreachable ? (int)a : 0;
    }

    /// <summary><c>i32.trunc_f64_u</c>; see <see cref="I32TruncF64S"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint I32TruncF64U(double a, out TrapKind trap)
    {
        trap = double.IsNaN(a) ? TrapKind.InvalidConversionToInteger
            : a > -1.0 && a < 4294967296.0 ? TrapKind.Unreachable : TrapKind.IntegerOverflow;
        return trap == TrapKind.Unreachable ? (uint)a : 0;
    }

    /// <summary><c>i64.trunc_f64_s</c>; see <see cref="I32TruncF64S"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64TruncF64S(double a, out TrapKind trap)
    {
        trap = double.IsNaN(a) ? TrapKind.InvalidConversionToInteger
            : a >= -9223372036854775808.0 && a < 9223372036854775808.0 ? TrapKind.Unreachable : TrapKind.IntegerOverflow;
        return trap == TrapKind.Unreachable ? (long)a : 0;
    }

    /// <summary><c>i64.trunc_f64_u</c>; see <see cref="I32TruncF64S"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong I64TruncF64U(double a, out TrapKind trap)
    {
        trap = double.IsNaN(a) ? TrapKind.InvalidConversionToInteger
            : a > -1.0 && a < 18446744073709551616.0 ? TrapKind.Unreachable : TrapKind.IntegerOverflow;
        return trap == TrapKind.Unreachable ? (ulong)a : 0;
    }

    public static int I32TruncSatF32S(float a) => I32TruncSatF64S(a);
    public static int I32TruncSatF32U(float a) => I32TruncSatF64U(a);
    public static long I64TruncSatF32S(float a) => I64TruncSatF64S(a);
    public static long I64TruncSatF32U(float a) => I64TruncSatF64U(a);

    public static int I32TruncSatF64S(double a) =>
        double.IsNaN(a) ? 0 : a <= -2147483648.0 ? int.MinValue : a >= 2147483647.0 ? int.MaxValue : (int)a;

    public static int I32TruncSatF64U(double a) =>
        (int)(double.IsNaN(a) || a <= 0 ? 0u : a >= 4294967295.0 ? uint.MaxValue : (uint)a);

    public static long I64TruncSatF64S(double a) =>
        double.IsNaN(a) ? 0 : a <= -9223372036854775808.0 ? long.MinValue : a >= 9223372036854775808.0 ? long.MaxValue : (long)a;

    public static long I64TruncSatF64U(double a) =>
        (long)(double.IsNaN(a) || a <= 0 ? 0UL : a >= 18446744073709551616.0 ? ulong.MaxValue : (ulong)a);

}
