using System.Runtime.CompilerServices;
using Polymath.Runtime.Core;
using Polymath.Sdk;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// The loop's names for the shared spec numerics (<see cref="WasmNumerics"/>, in Polymath.Runtime.Core): the
/// interpreter works on unsigned slot values and reports a trapping conversion through an out parameter.
/// </summary>
internal static partial class Interpreter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Ceil(float a) => WasmNumerics.F32Ceil(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Floor(float a) => WasmNumerics.F32Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Trunc(float a) => WasmNumerics.F32Trunc(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Nearest(float a) => WasmNumerics.F32Nearest(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Ceil(double a) => WasmNumerics.F64Ceil(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Floor(double a) => WasmNumerics.F64Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Trunc(double a) => WasmNumerics.F64Trunc(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Nearest(double a) => WasmNumerics.F64Nearest(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Min(float a, float b) => WasmNumerics.F32Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float F32Max(float a, float b) => WasmNumerics.F32Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Min(double a, double b) => WasmNumerics.F64Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double F64Max(double a, double b) => WasmNumerics.F64Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static float U64ToF32(ulong u) => WasmNumerics.U64ToF32((long)u);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static double U64ToF64(ulong u) => WasmNumerics.U64ToF64((long)u);

    // Trapping truncations: on success trap = Unreachable (meaning "no trap").
    private static int TruncF32ToI32(double a, out TrapKind trap) => WasmNumerics.I32TruncF64S(a, out trap);
    private static int TruncF64ToI32(double a, out TrapKind trap) => WasmNumerics.I32TruncF64S(a, out trap);
    private static uint TruncF32ToU32(double a, out TrapKind trap) => WasmNumerics.I32TruncF64U(a, out trap);
    private static uint TruncF64ToU32(double a, out TrapKind trap) => WasmNumerics.I32TruncF64U(a, out trap);
    private static long TruncF64ToI64(double a, out TrapKind trap) => WasmNumerics.I64TruncF64S(a, out trap);
    private static ulong TruncF64ToU64(double a, out TrapKind trap) => WasmNumerics.I64TruncF64U(a, out trap);

    private static int SatF64ToI32(double a) => WasmNumerics.I32TruncSatF64S(a);
    private static uint SatF64ToU32(double a) => (uint)WasmNumerics.I32TruncSatF64U(a);
    private static long SatF64ToI64(double a) => WasmNumerics.I64TruncSatF64S(a);
    private static ulong SatF64ToU64(double a) => (ulong)WasmNumerics.I64TruncSatF64U(a);
}
