using System.Numerics;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace Polymath.Runtime.Core;

/// <summary>
/// The instructions computed lane by lane in scalar code (RATIONALE.md, "SIMD"): saturation, rounding averages,
/// narrowing, popcount, pairwise and dot products, q15 multiply, float rounding and the float/int conversions, whose
/// spec rules (saturation, NaN to 0, round-to-nearest-even, NaN quieting) are not what every platform's vector
/// instruction or <see cref="Vector128"/>'s software fallback does.
/// </summary>
internal static partial class Simd128
{
    private static sbyte SatS8(int x) => (sbyte)System.Math.Clamp(x, sbyte.MinValue, sbyte.MaxValue);
    private static byte SatU8(int x) => (byte)System.Math.Clamp(x, byte.MinValue, byte.MaxValue);
    private static short SatS16(int x) => (short)System.Math.Clamp(x, short.MinValue, short.MaxValue);
    private static ushort SatU16(int x) => (ushort)System.Math.Clamp(x, ushort.MinValue, ushort.MaxValue);

    public static V I8x16AddSatS(V a, V b)
    {
        var r = Vector128<sbyte>.Zero; Vector128<sbyte> x = a.AsSByte(), y = b.AsSByte();
        for (int i = 0; i < 16; i++) r = r.WithElement(i, SatS8(x.GetElement(i) + y.GetElement(i)));
        return r.AsByte();
    }

    public static V I8x16AddSatU(V a, V b)
    {
        var r = V.Zero;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, SatU8(a.GetElement(i) + b.GetElement(i)));
        return r;
    }

    public static V I8x16SubSatS(V a, V b)
    {
        var r = Vector128<sbyte>.Zero; Vector128<sbyte> x = a.AsSByte(), y = b.AsSByte();
        for (int i = 0; i < 16; i++) r = r.WithElement(i, SatS8(x.GetElement(i) - y.GetElement(i)));
        return r.AsByte();
    }

    public static V I8x16SubSatU(V a, V b)
    {
        var r = V.Zero;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, SatU8(a.GetElement(i) - b.GetElement(i)));
        return r;
    }

    public static V I16x8AddSatS(V a, V b)
    {
        var r = Vector128<short>.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatS16(x.GetElement(i) + y.GetElement(i)));
        return r.AsByte();
    }

    public static V I16x8AddSatU(V a, V b)
    {
        var r = Vector128<ushort>.Zero; Vector128<ushort> x = a.AsUInt16(), y = b.AsUInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatU16(x.GetElement(i) + y.GetElement(i)));
        return r.AsByte();
    }

    public static V I16x8SubSatS(V a, V b)
    {
        var r = Vector128<short>.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatS16(x.GetElement(i) - y.GetElement(i)));
        return r.AsByte();
    }

    public static V I16x8SubSatU(V a, V b)
    {
        var r = Vector128<ushort>.Zero; Vector128<ushort> x = a.AsUInt16(), y = b.AsUInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatU16(x.GetElement(i) - y.GetElement(i)));
        return r.AsByte();
    }

    public static V I8x16AvgrU(V a, V b)
    {
        var r = V.Zero;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, (byte)((a.GetElement(i) + b.GetElement(i) + 1) >> 1));
        return r;
    }

    public static V I16x8AvgrU(V a, V b)
    {
        var r = Vector128<ushort>.Zero; Vector128<ushort> x = a.AsUInt16(), y = b.AsUInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, (ushort)((x.GetElement(i) + y.GetElement(i) + 1) >> 1));
        return r.AsByte();
    }

    public static V I8x16Popcnt(V a)
    {
        var r = V.Zero;
        for (int i = 0; i < 16; i++) r = r.WithElement(i, (byte)BitOperations.PopCount(a.GetElement(i)));
        return r;
    }

    // Narrowing: a's lanes fill the low half, b's the high half, each saturated.
    public static V I8x16NarrowI16x8S(V a, V b)
    {
        var r = Vector128<sbyte>.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatS8(x.GetElement(i))).WithElement(i + 8, SatS8(y.GetElement(i)));
        return r.AsByte();
    }

    public static V I8x16NarrowI16x8U(V a, V b)
    {
        var r = V.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatU8(x.GetElement(i))).WithElement(i + 8, SatU8(y.GetElement(i)));
        return r;
    }

    public static V I16x8NarrowI32x4S(V a, V b)
    {
        var r = Vector128<short>.Zero; Vector128<int> x = a.AsInt32(), y = b.AsInt32();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, SatS16(x.GetElement(i))).WithElement(i + 4, SatS16(y.GetElement(i)));
        return r.AsByte();
    }

    public static V I16x8NarrowI32x4U(V a, V b)
    {
        var r = Vector128<ushort>.Zero; Vector128<int> x = a.AsInt32(), y = b.AsInt32();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, SatU16(x.GetElement(i))).WithElement(i + 4, SatU16(y.GetElement(i)));
        return r.AsByte();
    }

    public static V I16x8ExtaddPairwiseI8x16S(V a)
    {
        var r = Vector128<short>.Zero; var x = a.AsSByte();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, (short)(x.GetElement(2 * i) + x.GetElement(2 * i + 1)));
        return r.AsByte();
    }

    public static V I16x8ExtaddPairwiseI8x16U(V a)
    {
        var r = Vector128<ushort>.Zero;
        for (int i = 0; i < 8; i++) r = r.WithElement(i, (ushort)(a.GetElement(2 * i) + a.GetElement(2 * i + 1)));
        return r.AsByte();
    }

    public static V I32x4ExtaddPairwiseI16x8S(V a)
    {
        var r = Vector128<int>.Zero; var x = a.AsInt16();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, x.GetElement(2 * i) + x.GetElement(2 * i + 1));
        return r.AsByte();
    }

    public static V I32x4ExtaddPairwiseI16x8U(V a)
    {
        var r = Vector128<int>.Zero; var x = a.AsUInt16();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, x.GetElement(2 * i) + x.GetElement(2 * i + 1));
        return r.AsByte();
    }

    /// <summary><c>i16x8.q15mulr_sat_s</c>: (a·b + 2^14) >> 15, saturated (only -32768·-32768 overflows).</summary>
    public static V I16x8Q15mulrSatS(V a, V b)
    {
        var r = Vector128<short>.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 8; i++) r = r.WithElement(i, SatS16((x.GetElement(i) * y.GetElement(i) + 0x4000) >> 15));
        return r.AsByte();
    }

    /// <summary><c>i32x4.dot_i16x8_s</c>: pairwise products summed with wrapping (only -32768² · 2 wraps).</summary>
    public static V I32x4DotI16x8S(V a, V b)
    {
        var r = Vector128<int>.Zero; Vector128<short> x = a.AsInt16(), y = b.AsInt16();
        for (int i = 0; i < 4; i++)
            r = r.WithElement(i, unchecked(x.GetElement(2 * i) * y.GetElement(2 * i) + x.GetElement(2 * i + 1) * y.GetElement(2 * i + 1)));
        return r.AsByte();
    }

    // ------------------------------------------------------------------ float rounding (WasmNumerics' rules: a NaN becomes quiet)

    private static float Quiet(float x) => float.IsNaN(x) ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) | 0x0040_0000) : x;
    private static double Quiet(double x) => double.IsNaN(x) ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) | 0x0008_0000_0000_0000L) : x;

    private static V MapF32(V a, Func<float, float> f)
    {
        var r = Vector128<float>.Zero; var x = a.AsSingle();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, f(x.GetElement(i)));
        return r.AsByte();
    }

    private static V MapF64(V a, Func<double, double> f)
    {
        var r = Vector128<double>.Zero; var x = a.AsDouble();
        for (int i = 0; i < 2; i++) r = r.WithElement(i, f(x.GetElement(i)));
        return r.AsByte();
    }

    public static V F32x4Ceil(V a) => MapF32(a, WasmNumerics.F32Ceil);
    public static V F32x4Floor(V a) => MapF32(a, WasmNumerics.F32Floor);
    public static V F32x4Trunc(V a) => MapF32(a, WasmNumerics.F32Trunc);
    public static V F32x4Nearest(V a) => MapF32(a, WasmNumerics.F32Nearest);
    public static V F64x2Ceil(V a) => MapF64(a, WasmNumerics.F64Ceil);
    public static V F64x2Floor(V a) => MapF64(a, WasmNumerics.F64Floor);
    public static V F64x2Trunc(V a) => MapF64(a, WasmNumerics.F64Trunc);
    public static V F64x2Nearest(V a) => MapF64(a, WasmNumerics.F64Nearest);

    // ------------------------------------------------------------------ conversions

    // The scalar rules are the spec numerics' (WasmNumerics), lane by lane.
    private static int TruncSatS(double x) => WasmNumerics.I32TruncSatF64S(x);
    private static uint TruncSatU(double x) => (uint)WasmNumerics.I32TruncSatF64U(x);

    public static V I32x4TruncSatF32x4S(V a)
    {
        var r = Vector128<int>.Zero; var x = a.AsSingle();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, TruncSatS(x.GetElement(i)));
        return r.AsByte();
    }

    public static V I32x4TruncSatF32x4U(V a)
    {
        var r = Vector128<uint>.Zero; var x = a.AsSingle();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, TruncSatU(x.GetElement(i)));
        return r.AsByte();
    }

    public static V I32x4TruncSatF64x2SZero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(TruncSatS(x.GetElement(0)), TruncSatS(x.GetElement(1)), 0, 0).AsByte();
    }

    public static V I32x4TruncSatF64x2UZero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(TruncSatU(x.GetElement(0)), TruncSatU(x.GetElement(1)), 0u, 0u).AsByte();
    }

    // int → float rounds to nearest even; (float)(int) and cvtdq2ps agree, and the unsigned form goes through an
    // exact double (a uint fits in 53 bits), so it rounds once.
    public static V F32x4ConvertI32x4S(V a) => Vector128.ConvertToSingle(a.AsInt32()).AsByte();

    public static V F32x4ConvertI32x4U(V a)
    {
        var r = Vector128<float>.Zero; var x = a.AsUInt32();
        for (int i = 0; i < 4; i++) r = r.WithElement(i, (float)(double)x.GetElement(i));
        return r.AsByte();
    }

    public static V F64x2ConvertLowI32x4S(V a) => Vector128.Create((double)a.AsInt32().GetElement(0), a.AsInt32().GetElement(1)).AsByte();
    public static V F64x2ConvertLowI32x4U(V a) => Vector128.Create((double)a.AsUInt32().GetElement(0), a.AsUInt32().GetElement(1)).AsByte();

    public static V F32x4DemoteF64x2Zero(V a)
    {
        var x = a.AsDouble();
        return Vector128.Create(Quiet((float)x.GetElement(0)), Quiet((float)x.GetElement(1)), 0f, 0f).AsByte();
    }

    public static V F64x2PromoteLowF32x4(V a)
    {
        var x = a.AsSingle();
        return Vector128.Create(Quiet((double)x.GetElement(0)), Quiet((double)x.GetElement(1))).AsByte();
    }
}
