using System.Collections.Generic;
using System.Text;

namespace Polymath.Runtime.Interpreter.Generator;

/// <summary>
/// The numeric and memory cases of the interpreter's dispatch switch, written from tables: comparisons,
/// integer and float arithmetic, conversions, the immediate-operand ops, compare-and-branch ops, loads and stores
/// (plain and with an added constant), the loaded-operand and read-modify-write ops, the shift fusions and
/// <c>F64MulAddToMem</c>. Each case reads its operands from frame slots named by the code
/// (<c>Unsafe.Add(ref fr, slot)</c>), writes its destination slot and advances <c>ip</c> by its size.
/// </summary>
internal static class DispatchCases
{
    private const string Case = "                ";
    private const string Body = "                    ";

    /// <summary>All the cases, in the order the switch lists them.</summary>
    public static string Generate()
    {
        var cases = new List<string>();
        Comparisons(cases);
        IntegerOps(cases, 0x67, 0x6A, "i32", "u32", 32);
        IntegerOps(cases, 0x79, 0x7C, "i64", "u64", 64);
        FloatOps(cases);
        Conversions(cases);
        ImmediateOps(cases);
        CompareBranches(cases);
        Memory(cases);
        var sb = new StringBuilder();
        foreach (string c in cases) sb.Append(c);
        return sb.ToString();
    }

    /// <summary>The frame slot named by <paramref name="operand"/>.</summary>
    private static string S(string operand) => $"Unsafe.Add(ref fr, (nint)(uint){operand})";

    /// <summary>Code operand <paramref name="k"/> of the current op.</summary>
    private static string A(int k) => $"Unsafe.Add(ref ip, {k})";

    private static void AddCase(List<string> cases, int op, string body, int size) =>
        cases.Add($"{Case}case 0x{op:X2}:\n{Case}{{\n{body}{Body}ip = ref Unsafe.Add(ref ip, {size});\n{Body}continue;\n{Case}}}\n");

    private static void AddNamedCase(List<string> cases, string label, string body, int size) =>
        cases.Add($"{Case}case {label}:\n{Case}{{\n{body}{Body}ip = ref Unsafe.Add(ref ip, {size});\n{Body}continue;\n{Case}}}\n");

    /// <summary>Reads code operand <paramref name="k"/>'s slot as type <paramref name="type"/>.</summary>
    private static string Rd(string type, int k)
    {
        string v = S(A(k));
        return type switch
        {
            "i32" => $"(int){v}",
            "u32" => $"(uint){v}",
            "i64" => $"(long){v}",
            "u64" => v,
            "f32" => $"BitConverter.UInt32BitsToSingle((uint){v})",
            _ => $"BitConverter.UInt64BitsToDouble({v})",
        };
    }

    /// <summary>Writes <paramref name="expr"/> of type <paramref name="type"/> to the destination slot (operand 1).</summary>
    private static string Wr(string type, string expr)
    {
        string d = S(A(1));
        return type switch
        {
            "i32" or "u32" => $"{d} = (uint)({expr});",
            "bool" => $"{d} = ({expr}) ? 1UL : 0UL;",
            "i64" => $"{d} = (ulong)({expr});",
            "u64" => $"{d} = {expr};",
            "f32" => $"{d} = BitConverter.SingleToUInt32Bits({expr});",
            _ => $"{d} = BitConverter.DoubleToUInt64Bits({expr});",
        };
    }

    private static string Trap(string kind) => $"{{ st.TrapKind = TrapKind.{kind}; goto trap; }}";

    private static void Unary(List<string> cases, int op, string tin, string tout, string expr, string pre = "") =>
        AddCase(cases, op, $"{Body}var a = {Rd(tin, 2)};\n{pre}{Body}{Wr(tout, expr)}\n", 3);

    private static void Binary(List<string> cases, int op, string tin, string tout, string expr, string pre = "") =>
        AddCase(cases, op, $"{Body}var a = {Rd(tin, 2)};\n{Body}var b = {Rd(tin, 3)};\n{pre}{Body}{Wr(tout, expr)}\n", 4);

    private static void Comparisons(List<string> cases)
    {
        Unary(cases, 0x45, "i32", "bool", "a == 0");
        string[] symbols = ["==", "!=", "<", "<", ">", ">", "<=", "<=", ">=", ">="];
        for (int i = 0; i < symbols.Length; i++) Binary(cases, 0x46 + i, i >= 2 && i % 2 == 1 ? "u32" : "i32", "bool", $"a {symbols[i]} b");
        Unary(cases, 0x50, "i64", "bool", "a == 0");
        for (int i = 0; i < symbols.Length; i++) Binary(cases, 0x51 + i, i >= 2 && i % 2 == 1 ? "u64" : "i64", "bool", $"a {symbols[i]} b");
        string[] floatSymbols = ["==", "!=", "<", ">", "<=", ">="];
        foreach (var (first, type) in new[] { (0x5B, "f32"), (0x61, "f64") })
            for (int i = 0; i < floatSymbols.Length; i++) Binary(cases, first + i, type, "bool", $"a {floatSymbols[i]} b");
    }

    private static void IntegerOps(List<string> cases, int unaryBase, int b, string t, string ut, int bits)
    {
        Unary(cases, unaryBase, ut, t, "BitOperations.LeadingZeroCount(a)");
        Unary(cases, unaryBase + 1, ut, t, "BitOperations.TrailingZeroCount(a)");
        Unary(cases, unaryBase + 2, ut, t, "BitOperations.PopCount(a)");
        string min = bits == 32 ? "int.MinValue" : "long.MinValue";
        string divideByZero = $"{Body}if (b == 0) {Trap("IntegerDivideByZero")}\n";
        Binary(cases, b + 0, t, t, "a + b");
        Binary(cases, b + 1, t, t, "a - b");
        Binary(cases, b + 2, t, t, "a * b");
        Binary(cases, b + 3, t, t, "a / b", divideByZero + $"{Body}if (a == {min} && b == -1) {Trap("IntegerOverflow")}\n");
        Binary(cases, b + 4, ut, t, "a / b", divideByZero);
        Binary(cases, b + 5, t, t, "b == -1 ? 0 : a % b", divideByZero);
        Binary(cases, b + 6, ut, t, "a % b", divideByZero);
        Binary(cases, b + 7, t, t, "a & b");
        Binary(cases, b + 8, t, t, "a | b");
        Binary(cases, b + 9, t, t, "a ^ b");
        Binary(cases, b + 10, t, t, "a << (int)b");
        Binary(cases, b + 11, t, t, "a >> (int)b");
        Binary(cases, b + 12, ut, t, "a >> (int)b");
        Binary(cases, b + 13, ut, t, "BitOperations.RotateLeft(a, (int)b)");
        Binary(cases, b + 14, ut, t, "BitOperations.RotateRight(a, (int)b)");
    }

    private static void FloatOps(List<string> cases)
    {
        foreach (var (ub, bb, t, math, bits) in new[] { (0x8B, 0x92, "f32", "MathF", 32), (0x99, 0xA0, "f64", "Math", 64) })
        {
            string ut = bits == 32 ? "u32" : "u64";
            string sign = bits == 32 ? "0x80000000u" : "0x8000000000000000UL";
            string magnitude = bits == 32 ? "0x7FFFFFFFu" : "0x7FFFFFFFFFFFFFFFUL";
            string T = t.ToUpperInvariant();
            Unary(cases, ub + 0, ut, ut, $"a & {magnitude}");
            Unary(cases, ub + 1, ut, ut, $"a ^ {sign}");
            Unary(cases, ub + 2, t, t, $"{T}Ceil(a)");
            Unary(cases, ub + 3, t, t, $"{T}Floor(a)");
            Unary(cases, ub + 4, t, t, $"{T}Trunc(a)");
            Unary(cases, ub + 5, t, t, $"{T}Nearest(a)");
            Unary(cases, ub + 6, t, t, $"{math}.Sqrt(a)");
            Binary(cases, bb + 0, t, t, "a + b");
            Binary(cases, bb + 1, t, t, "a - b");
            Binary(cases, bb + 2, t, t, "a * b");
            Binary(cases, bb + 3, t, t, "a / b");
            Binary(cases, bb + 4, t, t, $"{T}Min(a, b)");
            Binary(cases, bb + 5, t, t, $"{T}Max(a, b)");
            Binary(cases, bb + 6, ut, ut, $"(a & {magnitude}) | (b & {sign})");
        }
    }

    private static void Conversions(List<string> cases)
    {
        Unary(cases, 0xA7, "u64", "u32", "(uint)a");
        foreach (var (op, tin, tout, fn) in new[]
        {
            (0xA8, "f32", "i32", "TruncF32ToI32(a, out st.TrapKind)"), (0xA9, "f32", "u32", "TruncF32ToU32(a, out st.TrapKind)"),
            (0xAA, "f64", "i32", "TruncF64ToI32(a, out st.TrapKind)"), (0xAB, "f64", "u32", "TruncF64ToU32(a, out st.TrapKind)"),
            (0xAE, "f32", "i64", "TruncF64ToI64(a, out st.TrapKind)"), (0xAF, "f32", "u64", "TruncF64ToU64(a, out st.TrapKind)"),
            (0xB0, "f64", "i64", "TruncF64ToI64(a, out st.TrapKind)"), (0xB1, "f64", "u64", "TruncF64ToU64(a, out st.TrapKind)"),
        })
        {
            AddCase(cases, op,
                $"{Body}var a = {Rd(tin, 2)};\n{Body}var r = {fn};\n{Body}if (st.TrapKind != TrapKind.Unreachable) goto trap;\n{Body}{Wr(tout, "r")}\n", 3);
        }
        Unary(cases, 0xAC, "i32", "i64", "(long)a");
        Unary(cases, 0xAD, "u32", "u64", "(ulong)a");
        Unary(cases, 0xB2, "i32", "f32", "(float)a");
        Unary(cases, 0xB3, "u32", "f32", "(float)(long)a");
        Unary(cases, 0xB4, "i64", "f32", "(float)a");
        Unary(cases, 0xB5, "u64", "f32", "U64ToF32(a)");
        Unary(cases, 0xB6, "f64", "f32", "(float)a");
        Unary(cases, 0xB7, "i32", "f64", "(double)a");
        Unary(cases, 0xB8, "u32", "f64", "(double)a");
        Unary(cases, 0xB9, "i64", "f64", "(double)a");
        Unary(cases, 0xBA, "u64", "f64", "U64ToF64(a)");
        Unary(cases, 0xBB, "f32", "f64", "(double)a");
        Unary(cases, 0xBC, "u32", "u32", "a");
        Unary(cases, 0xBD, "u64", "u64", "a");
        Unary(cases, 0xBE, "u32", "u32", "a");
        Unary(cases, 0xBF, "u64", "u64", "a");
        Unary(cases, 0xC0, "i32", "i32", "(int)(sbyte)a");
        Unary(cases, 0xC1, "i32", "i32", "(int)(short)a");
        Unary(cases, 0xC2, "i64", "i64", "(long)(sbyte)a");
        Unary(cases, 0xC3, "i64", "i64", "(long)(short)a");
        Unary(cases, 0xC4, "i64", "i64", "(long)(int)a");
        // saturating truncations (internal ops I32TruncSatF32S = 0xC5 …)
        var saturating = new[]
        {
            ("f32", "i32", "SatF64ToI32(a)"), ("f32", "u32", "SatF64ToU32(a)"), ("f64", "i32", "SatF64ToI32(a)"), ("f64", "u32", "SatF64ToU32(a)"),
            ("f32", "i64", "SatF64ToI64(a)"), ("f32", "u64", "SatF64ToU64(a)"), ("f64", "i64", "SatF64ToI64(a)"), ("f64", "u64", "SatF64ToU64(a)"),
        };
        for (int i = 0; i < saturating.Length; i++) Unary(cases, 0xC5 + i, saturating[i].Item1, saturating[i].Item2, saturating[i].Item3);
    }

    private static void ImmediateOps(List<string> cases)
    {
        foreach (var (name, t, expr) in new[]
        {
            ("I32AddImm", "i32", "a + k"), ("I32MulImm", "i32", "a * k"),
            ("I32AndImm", "i32", "a & k"), ("I32OrImm", "i32", "a | k"), ("I32XorImm", "i32", "a ^ k"),
            ("I32ShlImm", "i32", "a << k"), ("I32ShrSImm", "i32", "a >> k"), ("I32ShrUImm", "u32", "a >> k"),
            ("I64AddImm", "i64", "a + k"), ("I64AndImm", "i64", "a & (long)k"), ("I64ShlImm", "i64", "a << k"), ("I64ShrUImm", "u64", "a >> k"),
            ("I32RotlImm", "u32", "BitOperations.RotateLeft(a, k)"), ("I32RotrImm", "u32", "BitOperations.RotateRight(a, k)"),
            ("I64OrImm", "i64", "a | (long)k"), ("I64XorImm", "i64", "a ^ (long)k"), ("I64SubImm", "i64", "a - k"),
            ("I64MulImm", "i64", "a * k"), ("I64ShrSImm", "i64", "a >> k"),
            ("I64RotlImm", "u64", "BitOperations.RotateLeft(a, k)"), ("I64RotrImm", "u64", "BitOperations.RotateRight(a, k)"),
        })
        {
            AddNamedCase(cases, $"(int)Op.{name}", $"{Body}var a = {Rd(t, 2)};\n{Body}int k = {A(3)};\n{Body}{Wr(t, expr)}\n", 4);
        }

        // loop back-edges: add an immediate, branch on the result
        cases.Add(
            $"{Case}case (int)Op.I32AddImmBrNz:\n{Case}{{\n"
            + $"{Body}uint r = (uint)({Rd("i32", 2)} + {A(3)});\n"
            + $"{Body}{S(A(1))} = r;\n"
            + $"{Body}ip = ref Unsafe.Add(ref ip, r != 0 ? {A(4)} : 5);\n"
            + $"{Body}continue;\n{Case}}}\n");
        // x = a + k; branch on x compared with an immediate: AddImmBrImm + index in BrI32LtSImm's order (x a k n target)
        foreach (var (index, symbol, t) in new[]
        {
            (0, "<", "i32"), (1, "<", "u32"), (2, "!=", "i32"), (3, "==", "i32"), (4, ">=", "i32"),
            (5, ">", "i32"), (6, "<=", "i32"), (7, ">=", "u32"), (8, ">", "u32"), (9, "<=", "u32"),
        })
        {
            string cast = t == "i32" ? "(int)" : "(uint)";
            cases.Add(
                $"{Case}case (int)Op.AddImmBrImm + {index}:\n{Case}{{\n"
                + $"{Body}uint r = (uint)({Rd("i32", 2)} + {A(3)});\n"
                + $"{Body}{S(A(1))} = r;\n"
                + $"{Body}ip = ref Unsafe.Add(ref ip, {cast}r {symbol} {cast}{A(4)} ? {A(5)} : 6);\n"
                + $"{Body}continue;\n{Case}}}\n");
        }
    }

    private static void CompareBranches(List<string> cases)
    {
        foreach (var (name, symbol, t) in new[]
        {
            ("BrI32Eq", "==", "i32"), ("BrI32Ne", "!=", "i32"), ("BrI32LtS", "<", "i32"), ("BrI32LtU", "<", "u32"),
            ("BrI32GtS", ">", "i32"), ("BrI32GtU", ">", "u32"), ("BrI32LeS", "<=", "i32"), ("BrI32LeU", "<=", "u32"),
            ("BrI32GeS", ">=", "i32"), ("BrI32GeU", ">=", "u32"),
        })
        {
            cases.Add($"{Case}case (int)Op.{name}:\n{Body}ip = ref Unsafe.Add(ref ip, {Rd(t, 1)} {symbol} {Rd(t, 2)} ? {A(3)} : 4);\n{Body}continue;\n");
        }
        foreach (var (name, symbol, t) in new[]
        {
            ("BrI32EqImm", "==", "i32"), ("BrI32NeImm", "!=", "i32"), ("BrI32LtSImm", "<", "i32"), ("BrI32LtUImm", "<", "u32"),
            ("BrI32GtSImm", ">", "i32"), ("BrI32GtUImm", ">", "u32"), ("BrI32LeSImm", "<=", "i32"), ("BrI32LeUImm", "<=", "u32"),
            ("BrI32GeSImm", ">=", "i32"), ("BrI32GeUImm", ">=", "u32"),
        })
        {
            string cast = t == "i32" ? "(int)" : "(uint)";
            cases.Add($"{Case}case (int)Op.{name}:\n{Body}ip = ref Unsafe.Add(ref ip, {Rd(t, 1)} {symbol} {cast}{A(2)} ? {A(3)} : 4);\n{Body}continue;\n");
        }
    }

    private static void Memory(List<string> cases)
    {
        var loads = new[]
        {
            (0x28, "uint", 4, "v"), (0x29, "ulong", 8, "v"), (0x2A, "uint", 4, "v"), (0x2B, "ulong", 8, "v"),
            (0x2C, "sbyte", 1, "(uint)(int)v"), (0x2D, "byte", 1, "v"), (0x2E, "short", 2, "(uint)(int)v"), (0x2F, "ushort", 2, "v"),
            (0x30, "sbyte", 1, "(ulong)(long)v"), (0x31, "byte", 1, "v"), (0x32, "short", 2, "(ulong)(long)v"), (0x33, "ushort", 2, "v"),
            (0x34, "int", 4, "(ulong)(long)v"), (0x35, "uint", 4, "v"),
        };
        var stores = new[]
        {
            (0x36, "uint", 4), (0x37, "ulong", 8), (0x38, "uint", 4), (0x39, "ulong", 8), (0x3A, "byte", 1), (0x3B, "ushort", 2),
            (0x3C, "byte", 1), (0x3D, "ushort", 2), (0x3E, "uint", 4),
        };
        string outOfBounds = Trap("MemoryOutOfBounds");
        foreach (var (op, type, size, convert) in loads)
        {
            AddCase(cases, op,
                $"{Body}ulong ea = (ulong)(uint){S(A(2))} + (uint){A(3)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}var v = Unsafe.ReadUnaligned<{type}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
                + $"{Body}{S(A(1))} = {convert};\n", 4);
        }
        foreach (var (op, type, size) in stores)
        {
            AddCase(cases, op,
                $"{Body}ulong ea = (ulong)(uint){S(A(1))} + (uint){A(3)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}Unsafe.WriteUnaligned(ref Unsafe.Add(ref mb, (nint)ea), ({type}){S(A(2))});\n", 4);
        }

        // memory accesses whose address is a slot plus a wrapping i32 constant: LoadAddImm + (wasm opcode - 0x28)
        foreach (var (op, type, size, convert) in loads)
        {
            AddNamedCase(cases, $"(int)Op.LoadAddImm + 0x{op - 0x28:X2}",
                $"{Body}ulong ea = (ulong)(uint)({Rd("i32", 2)} + {A(3)}) + (uint){A(4)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}var v = Unsafe.ReadUnaligned<{type}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
                + $"{Body}{S(A(1))} = {convert};\n", 5);
        }
        foreach (var (op, type, size) in stores)
        {
            AddNamedCase(cases, $"(int)Op.LoadAddImm + 0x{op - 0x28:X2}",
                $"{Body}ulong ea = (ulong)(uint)({Rd("i32", 1)} + {A(2)}) + (uint){A(4)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}Unsafe.WriteUnaligned(ref Unsafe.Add(ref mb, (nint)ea), ({type}){S(A(3))});\n", 5);
        }

        // binary ops whose right operand is loaded (dst a addr k offset), and the same stored back to the loaded address (a addr offset)
        foreach (var (name, t, type, size, expr) in new[]
        {
            ("F64AddLoad", "f64", "ulong", 8, "a + b"), ("F64SubLoad", "f64", "ulong", 8, "a - b"),
            ("F64MulLoad", "f64", "ulong", 8, "a * b"), ("F64DivLoad", "f64", "ulong", 8, "a / b"),
            ("I32AddLoad", "i32", "uint", 4, "a + b"), ("I32SubLoad", "i32", "uint", 4, "a - b"),
            ("I32MulLoad", "i32", "uint", 4, "a * b"), ("I32AndLoad", "i32", "uint", 4, "a & b"),
            ("I32OrLoad", "i32", "uint", 4, "a | b"), ("I32XorLoad", "i32", "uint", 4, "a ^ b"),
            ("I32MulLoad16S", "i32", "short", 2, "a * b"), ("I32AddLoad16S", "i32", "short", 2, "a + b"),
            ("I32AddLoad16U", "i32", "ushort", 2, "a + b"), ("I32AddLoad8U", "i32", "byte", 1, "a + b"),
        })
        {
            string fromBits = t == "f64" ? "BitConverter.UInt64BitsToDouble(bits)" : "(int)bits";
            AddNamedCase(cases, $"(int)Op.{name}",
                $"{Body}ulong ea = (ulong)(uint)({Rd("i32", 3)} + {A(4)}) + (uint){A(5)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}var bits = Unsafe.ReadUnaligned<{type}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
                + $"{Body}var b = {fromBits};\n"
                + $"{Body}var a = {Rd(t, 2)};\n"
                + $"{Body}{Wr(t, expr)}\n", 6);
            if (type is "short" or "ushort" or "byte") continue; // no read-modify-write form for the narrow loads
            string store = t == "f64"
                ? $"{Body}Unsafe.WriteUnaligned(ref at, BitConverter.DoubleToUInt64Bits({expr}));\n"
                : $"{Body}Unsafe.WriteUnaligned(ref at, (uint)({expr}));\n";
            AddNamedCase(cases, $"(int)Op.ToMem + (Op.{name} - Op.F64AddLoad)",
                $"{Body}ulong ea = (ulong)(uint){S(A(2))} + (uint){A(3)};\n"
                + $"{Body}if (ea + {size} > memLen) {outOfBounds}\n"
                + $"{Body}ref byte at = ref Unsafe.Add(ref mb, (nint)ea);\n"
                + $"{Body}var b = {fromBits.Replace("bits", $"Unsafe.ReadUnaligned<{type}>(ref at)")};\n"
                + $"{Body}var a = {Rd(t, 1)};\n"
                + store, 4);
        }

        // i32 add/and/or/xor with a right operand shifted by a constant: dst a b k
        string[] binaries = ["+", "&", "|", "^"];
        string[] shifts = ["BitOperations.RotateLeft(b, k)", "BitOperations.RotateRight(b, k)", "b << k", "b >> k"];
        for (int bi = 0; bi < binaries.Length; bi++)
        {
            for (int si = 0; si < shifts.Length; si++)
            {
                AddNamedCase(cases, $"(int)Op.ShiftFused + {bi * 4 + si}",
                    $"{Body}uint a = (uint){S(A(2))};\n"
                    + $"{Body}uint b = (uint){S(A(3))};\n"
                    + $"{Body}int k = {A(4)};\n"
                    + $"{Body}{S(A(1))} = a {binaries[bi]} ({shifts[si]});\n", 5);
            }
        }

        // i32.add of the i32.add just before: dst a b c
        AddNamedCase(cases, "(int)Op.I32Add3",
            $"{Body}{S(A(1))} = (uint){S(A(2))} + (uint){S(A(3))} + (uint){S(A(4))};\n", 5);

        // two consecutive i32.adds, in order: d1 a1 b1 d2 a2 b2
        AddNamedCase(cases, "(int)Op.I32AddPair",
            $"{Body}{S(A(1))} = (uint){S(A(2))} + (uint){S(A(3))};\n"
            + $"{Body}{S(A(4))} = (uint){S(A(5))} + (uint){S(A(6))};\n", 7);

        cases.Add(
            $"{Case}case (int)Op.F64MulAddToMem:\n{Case}{{\n"
            + $"{Body}ulong ex = (ulong)(uint)({Rd("i32", 2)} + {A(3)}) + (uint){A(4)};\n"
            + $"{Body}if (ex + 8 > memLen) {outOfBounds}\n"
            + $"{Body}ulong ey = (ulong)(uint){S(A(5))} + (uint){A(6)};\n"
            + $"{Body}if (ey + 8 > memLen) {outOfBounds}\n"
            + $"{Body}double p = {Rd("f64", 1)} * BitConverter.UInt64BitsToDouble(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref mb, (nint)ex)));\n"
            + $"{Body}ref byte at = ref Unsafe.Add(ref mb, (nint)ey);\n"
            + $"{Body}Unsafe.WriteUnaligned(ref at, BitConverter.DoubleToUInt64Bits(p + BitConverter.UInt64BitsToDouble(Unsafe.ReadUnaligned<ulong>(ref at))));\n"
            + $"{Body}ip = ref Unsafe.Add(ref ip, 7);\n"
            + $"{Body}continue;\n{Case}}}\n");
    }
}
