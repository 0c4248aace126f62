using Polymath.Runtime.Core;
using Polymath.Sdk;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// What generated code needs beside <see cref="WasmNumerics"/> (the shared spec numerics): constants it must really
/// compute with, and the trapping conversions and divisions, which raise the trap through the calling instance.
/// </summary>
internal static class WasmMath
{
    // Constants the JIT would treat as identities (x - 0, x * 1, x / 1, x + -0 fold to x, which keeps a signalling NaN
    // signalling): generated code reads them from these fields so the arithmetic really happens. Never written.
#pragma warning disable CA2211
    public static float F32PlusZero = 0f, F32MinusZero = -0f, F32PlusOne = 1f, F32MinusOne = -1f;
    public static double F64PlusZero = 0d, F64MinusZero = -0d, F64PlusOne = 1d, F64MinusOne = -1d;
#pragma warning restore CA2211

    private static Exception Trap(Instance ctx, TrapKind kind, int funcidx) => ctx.Trap((int)kind, funcidx);

    public static int I32TruncF32S(float a, Instance ctx, int f) => I32TruncF64S(a, ctx, f);
    public static int I32TruncF32U(float a, Instance ctx, int f) => I32TruncF64U(a, ctx, f);
    public static long I64TruncF32S(float a, Instance ctx, int f) => I64TruncF64S(a, ctx, f);
    public static long I64TruncF32U(float a, Instance ctx, int f) => I64TruncF64U(a, ctx, f);

    public static int I32TruncF64S(double a, Instance ctx, int f)
    {
        int r = WasmNumerics.I32TruncF64S(a, out var trap);
        return trap == TrapKind.Unreachable ? r : throw Trap(ctx, trap, f);
    }

    public static int I32TruncF64U(double a, Instance ctx, int f)
    {
        uint r = WasmNumerics.I32TruncF64U(a, out var trap);
        return trap == TrapKind.Unreachable ? (int)r : throw Trap(ctx, trap, f);
    }

    public static long I64TruncF64S(double a, Instance ctx, int f)
    {
        long r = WasmNumerics.I64TruncF64S(a, out var trap);
        return trap == TrapKind.Unreachable ? r : throw Trap(ctx, trap, f);
    }

    public static long I64TruncF64U(double a, Instance ctx, int f)
    {
        ulong r = WasmNumerics.I64TruncF64U(a, out var trap);
        return trap == TrapKind.Unreachable ? (long)r : throw Trap(ctx, trap, f);
    }

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
