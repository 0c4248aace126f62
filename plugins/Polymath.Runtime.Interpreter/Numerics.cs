using System.Runtime.CompilerServices;
using Polymath.Sdk;

namespace Polymath.Runtime.Interpreter;

/// <summary>IEEE-exact helpers for the instructions .NET's operators do not match exactly (see RATIONALE.md).</summary>
internal static partial class Interpreter
{
    // NaN inputs: x + x returns a quiet (arithmetic) NaN with the input's payload, as the spec requires.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Nearest(float a) => float.IsNaN(a) ? a + a : MathF.Round(a, MidpointRounding.ToEven);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Nearest(double a) => double.IsNaN(a) ? a + a : Math.Round(a, MidpointRounding.ToEven);

    private static float F32Min(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b));
        return a < b ? a : b;
    }

    private static float F32Max(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & BitConverter.SingleToInt32Bits(b));
        return a > b ? a : b;
    }

    private static double F64Min(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) | BitConverter.DoubleToInt64Bits(b));
        return a < b ? a : b;
    }

    private static double F64Max(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & BitConverter.DoubleToInt64Bits(b));
        return a > b ? a : b;
    }

    /// <summary>u64 → f32 with a single rounding (halve keeping a sticky bit, convert, double).</summary>
    private static float U64ToF32(ulong u)
    {
        if ((long)u >= 0) return (long)u;
        ulong h = (u >> 1) | (u & 1);
        return (float)(long)h * 2f;
    }

    private static double U64ToF64(ulong u)
    {
        if ((long)u >= 0) return (long)u;
        ulong h = (u >> 1) | (u & 1);
        return (double)(long)h * 2.0;
    }

    // Trapping truncations: on success trapKind = Unreachable (meaning "no trap").
    private static int TruncF32ToI32(double a, out TrapKind trap) => (int)TruncF64ToI32(a, out trap);

    private static int TruncF64ToI32(double a, out TrapKind trap)
    {
        if (double.IsNaN(a)) { trap = TrapKind.InvalidConversionToInteger; return 0; }
        if (!(a > -2147483649.0 && a < 2147483648.0)) { trap = TrapKind.IntegerOverflow; return 0; }
        trap = TrapKind.Unreachable;
        return (int)a;
    }

    private static uint TruncF32ToU32(double a, out TrapKind trap) => TruncF64ToU32(a, out trap);

    private static uint TruncF64ToU32(double a, out TrapKind trap)
    {
        if (double.IsNaN(a)) { trap = TrapKind.InvalidConversionToInteger; return 0; }
        if (!(a > -1.0 && a < 4294967296.0)) { trap = TrapKind.IntegerOverflow; return 0; }
        trap = TrapKind.Unreachable;
        return (uint)a;
    }

    private static long TruncF64ToI64(double a, out TrapKind trap)
    {
        if (double.IsNaN(a)) { trap = TrapKind.InvalidConversionToInteger; return 0; }
        if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0)) { trap = TrapKind.IntegerOverflow; return 0; }
        trap = TrapKind.Unreachable;
        return (long)a;
    }

    private static ulong TruncF64ToU64(double a, out TrapKind trap)
    {
        if (double.IsNaN(a)) { trap = TrapKind.InvalidConversionToInteger; return 0; }
        if (!(a > -1.0 && a < 18446744073709551616.0)) { trap = TrapKind.IntegerOverflow; return 0; }
        trap = TrapKind.Unreachable;
        return (ulong)a;
    }

    private static int SatF64ToI32(double a) =>
        double.IsNaN(a) ? 0 : a <= -2147483648.0 ? int.MinValue : a >= 2147483647.0 ? int.MaxValue : (int)a;

    private static uint SatF64ToU32(double a) =>
        double.IsNaN(a) || a <= 0 ? 0u : a >= 4294967295.0 ? uint.MaxValue : (uint)a;

    private static long SatF64ToI64(double a) =>
        double.IsNaN(a) ? 0 : a <= -9223372036854775808.0 ? long.MinValue : a >= 9223372036854775808.0 ? long.MaxValue : (long)a;

    private static ulong SatF64ToU64(double a) =>
        double.IsNaN(a) || a <= 0 ? 0UL : a >= 18446744073709551616.0 ? ulong.MaxValue : (ulong)a;
}
