using System.Runtime.CompilerServices;
using Polymath.Sdk;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// The numeric instructions that .NET operators do not match bit for bit, called from generated code
/// (see RATIONALE.md, float exactness). Sign operations are done on the bits so NaN payloads survive.
/// </summary>
internal static class WasmMath
{
    // Constants the JIT would treat as identities (x - 0, x * 1, x / 1, x + -0 fold to x, which keeps a signalling NaN
    // signalling): generated code reads them from these fields so the arithmetic really happens. Never written.
#pragma warning disable CA2211
    public static float F32PlusZero = 0f, F32MinusZero = -0f, F32PlusOne = 1f, F32MinusOne = -1f;
    public static double F64PlusZero = 0d, F64MinusZero = -0d, F64PlusOne = 1d, F64MinusOne = -1d;
#pragma warning restore CA2211

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

    // NaN inputs: x + x gives a quiet NaN keeping the payload (an arithmetic NaN, as the spec requires).
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

    private static Exception Trap(Instance ctx, TrapKind kind, int funcidx) => ctx.Trap((int)kind, funcidx);

    public static int I32TruncF32S(float a, Instance ctx, int f) => I32TruncF64S(a, ctx, f);
    public static int I32TruncF32U(float a, Instance ctx, int f) => I32TruncF64U(a, ctx, f);
    public static long I64TruncF32S(float a, Instance ctx, int f) => I64TruncF64S(a, ctx, f);
    public static long I64TruncF32U(float a, Instance ctx, int f) => I64TruncF64U(a, ctx, f);

    public static int I32TruncF64S(double a, Instance ctx, int f)
    {
        if (double.IsNaN(a)) throw Trap(ctx, TrapKind.InvalidConversionToInteger, f);
        if (!(a > -2147483649.0 && a < 2147483648.0)) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return (int)a;
    }

    public static int I32TruncF64U(double a, Instance ctx, int f)
    {
        if (double.IsNaN(a)) throw Trap(ctx, TrapKind.InvalidConversionToInteger, f);
        if (!(a > -1.0 && a < 4294967296.0)) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return (int)(uint)a;
    }

    public static long I64TruncF64S(double a, Instance ctx, int f)
    {
        if (double.IsNaN(a)) throw Trap(ctx, TrapKind.InvalidConversionToInteger, f);
        if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0)) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return (long)a;
    }

    public static long I64TruncF64U(double a, Instance ctx, int f)
    {
        if (double.IsNaN(a)) throw Trap(ctx, TrapKind.InvalidConversionToInteger, f);
        if (!(a > -1.0 && a < 18446744073709551616.0)) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return (long)(ulong)a;
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

    // Integer division: the traps are checked here, so the .NET operators never throw.
    public static int I32DivS(int a, int b, Instance ctx, int f)
    {
        if (b == 0) throw Trap(ctx, TrapKind.IntegerDivideByZero, f);
        if (b == -1 && a == int.MinValue) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return a / b;
    }

    public static int I32DivU(int a, int b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : (int)((uint)a / (uint)b);
    public static int I32RemS(int a, int b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : b == -1 ? 0 : a % b;
    public static int I32RemU(int a, int b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : (int)((uint)a % (uint)b);

    public static long I64DivS(long a, long b, Instance ctx, int f)
    {
        if (b == 0) throw Trap(ctx, TrapKind.IntegerDivideByZero, f);
        if (b == -1 && a == long.MinValue) throw Trap(ctx, TrapKind.IntegerOverflow, f);
        return a / b;
    }

    public static long I64DivU(long a, long b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : (long)((ulong)a / (ulong)b);
    public static long I64RemS(long a, long b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : b == -1 ? 0 : a % b;
    public static long I64RemU(long a, long b, Instance ctx, int f) => b == 0 ? throw Trap(ctx, TrapKind.IntegerDivideByZero, f) : (long)((ulong)a % (ulong)b);
}
