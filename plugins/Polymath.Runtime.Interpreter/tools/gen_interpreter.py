#!/usr/bin/env python3
"""Generates Interpreter.g.cs (the numeric/memory cases of the execution loop). Run from the project folder."""

def S(x): return f"Unsafe.Add(ref fr, (nint)(uint){x})"
def A(k): return f"Unsafe.Add(ref ip, {k})"

cases = []
def case(op, body, size):
    cases.append(f"                case 0x{op:02X}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, {size});\n                    continue;\n                }}\n")

def rd(t, k):
    v = S(A(k))
    return {"i32": f"(int){v}", "u32": f"(uint){v}", "i64": f"(long){v}", "u64": v,
            "f32": f"BitConverter.UInt32BitsToSingle((uint){v})", "f64": f"BitConverter.UInt64BitsToDouble({v})"}[t]

def wr(t, expr):
    d = S(A(1))
    return {"i32": f"{d} = (uint)({expr});", "u32": f"{d} = (uint)({expr});", "bool": f"{d} = ({expr}) ? 1UL : 0UL;",
            "i64": f"{d} = (ulong)({expr});", "u64": f"{d} = {expr};",
            "f32": f"{d} = BitConverter.SingleToUInt32Bits({expr});", "f64": f"{d} = BitConverter.DoubleToUInt64Bits({expr});"}[t]

def unop(op, tin, tout, expr, pre=""):
    body = f"                    var a = {rd(tin, 2)};\n{pre}                    {wr(tout, expr)}\n"
    case(op, body, 3)

def binop(op, tin, tout, expr, pre=""):
    body = f"                    var a = {rd(tin, 2)};\n                    var b = {rd(tin, 3)};\n{pre}                    {wr(tout, expr)}\n"
    case(op, body, 4)

def trap(kind): return f"{{ st.TrapKind = TrapKind.{kind}; goto trap; }}"

# comparisons
unop(0x45, "i32", "bool", "a == 0")
for i, (sym, t) in enumerate([("==", "i32"), ("!=", "i32"), ("<", "i32"), ("<", "u32"), (">", "i32"), (">", "u32"), ("<=", "i32"), ("<=", "u32"), (">=", "i32"), (">=", "u32")]):
    binop(0x46 + i, t, "bool", f"a {sym} b")
unop(0x50, "i64", "bool", "a == 0")
for i, (sym, t) in enumerate([("==", "i64"), ("!=", "i64"), ("<", "i64"), ("<", "u64"), (">", "i64"), (">", "u64"), ("<=", "i64"), ("<=", "u64"), (">=", "i64"), (">=", "u64")]):
    binop(0x51 + i, t, "bool", f"a {sym} b")
for base, t in [(0x5B, "f32"), (0x61, "f64")]:
    for i, sym in enumerate(["==", "!=", "<", ">", "<=", ">="]):
        binop(base + i, t, "bool", f"a {sym} b")

# integer arithmetic
def intops(base_un, base_bin, t, ut, bits):
    unop(base_un, ut, t, f"BitOperations.LeadingZeroCount(a)")
    unop(base_un + 1, ut, t, f"BitOperations.TrailingZeroCount(a)")
    unop(base_un + 2, ut, t, f"BitOperations.PopCount(a)")
    minv = "int.MinValue" if bits == 32 else "long.MinValue"
    b = base_bin
    binop(b + 0, t, t, "a + b")
    binop(b + 1, t, t, "a - b")
    binop(b + 2, t, t, "a * b")
    binop(b + 3, t, t, "a / b", f"                    if (b == 0) {trap('IntegerDivideByZero')}\n                    if (a == {minv} && b == -1) {trap('IntegerOverflow')}\n")
    binop(b + 4, ut, t, "a / b", f"                    if (b == 0) {trap('IntegerDivideByZero')}\n")
    binop(b + 5, t, t, "b == -1 ? 0 : a % b", f"                    if (b == 0) {trap('IntegerDivideByZero')}\n")
    binop(b + 6, ut, t, "a % b", f"                    if (b == 0) {trap('IntegerDivideByZero')}\n")
    binop(b + 7, t, t, "a & b")
    binop(b + 8, t, t, "a | b")
    binop(b + 9, t, t, "a ^ b")
    binop(b + 10, t, t, "a << (int)b")
    binop(b + 11, t, t, "a >> (int)b")
    binop(b + 12, ut, t, "a >> (int)b")
    binop(b + 13, ut, t, "BitOperations.RotateLeft(a, (int)b)")
    binop(b + 14, ut, t, "BitOperations.RotateRight(a, (int)b)")
intops(0x67, 0x6A, "i32", "u32", 32)
intops(0x79, 0x7C, "i64", "u64", 64)

# float
for ub, bb, t, M, bits in [(0x8B, 0x92, "f32", "MathF", 32), (0x99, 0xA0, "f64", "Math", 64)]:
    ut = "u32" if bits == 32 else "u64"
    sign = "0x80000000u" if bits == 32 else "0x8000000000000000UL"
    mag = "0x7FFFFFFFu" if bits == 32 else "0x7FFFFFFFFFFFFFFFUL"
    unop(ub + 0, ut, ut, f"a & {mag}")
    unop(ub + 1, ut, ut, f"a ^ {sign}")
    unop(ub + 2, t, t, f"{t.upper()}Ceil(a)")
    unop(ub + 3, t, t, f"{t.upper()}Floor(a)")
    unop(ub + 4, t, t, f"{t.upper()}Trunc(a)")
    unop(ub + 5, t, t, f"{t.upper()}Nearest(a)")
    unop(ub + 6, t, t, f"{M}.Sqrt(a)")
    binop(bb + 0, t, t, "a + b")
    binop(bb + 1, t, t, "a - b")
    binop(bb + 2, t, t, "a * b")
    binop(bb + 3, t, t, "a / b")
    binop(bb + 4, t, t, f"{t.upper()}Min(a, b)")
    binop(bb + 5, t, t, f"{t.upper()}Max(a, b)")
    binop(bb + 6, ut, ut, f"(a & {mag}) | (b & {sign})")

# conversions
unop(0xA7, "u64", "u32", "(uint)a")
conv = {
    0xA8: ("f32", "i32", "TruncF32ToI32(a, out st.TrapKind)"),
    0xA9: ("f32", "u32", "TruncF32ToU32(a, out st.TrapKind)"),
    0xAA: ("f64", "i32", "TruncF64ToI32(a, out st.TrapKind)"),
    0xAB: ("f64", "u32", "TruncF64ToU32(a, out st.TrapKind)"),
    0xAE: ("f32", "i64", "TruncF64ToI64(a, out st.TrapKind)"),
    0xAF: ("f32", "u64", "TruncF64ToU64(a, out st.TrapKind)"),
    0xB0: ("f64", "i64", "TruncF64ToI64(a, out st.TrapKind)"),
    0xB1: ("f64", "u64", "TruncF64ToU64(a, out st.TrapKind)"),
}
for op, (tin, tout, fn) in conv.items():
    body = (f"                    var a = {rd(tin, 2)};\n"
            f"                    var r = {fn};\n"
            f"                    if (st.TrapKind != TrapKind.Unreachable) goto trap;\n"
            f"                    {wr(tout, 'r')}\n")
    case(op, body, 3)
unop(0xAC, "i32", "i64", "(long)a")
unop(0xAD, "u32", "u64", "(ulong)a")
unop(0xB2, "i32", "f32", "(float)a")
unop(0xB3, "u32", "f32", "(float)(long)a")
unop(0xB4, "i64", "f32", "(float)a")
unop(0xB5, "u64", "f32", "U64ToF32(a)")
unop(0xB6, "f64", "f32", "(float)a")
unop(0xB7, "i32", "f64", "(double)a")
unop(0xB8, "u32", "f64", "(double)a")
unop(0xB9, "i64", "f64", "(double)a")
unop(0xBA, "u64", "f64", "U64ToF64(a)")
unop(0xBB, "f32", "f64", "(double)a")
unop(0xBC, "u32", "u32", "a")
unop(0xBD, "u64", "u64", "a")
unop(0xBE, "u32", "u32", "a")
unop(0xBF, "u64", "u64", "a")
unop(0xC0, "i32", "i32", "(int)(sbyte)a")
unop(0xC1, "i32", "i32", "(int)(short)a")
unop(0xC2, "i64", "i64", "(long)(sbyte)a")
unop(0xC3, "i64", "i64", "(long)(short)a")
unop(0xC4, "i64", "i64", "(long)(int)a")
# saturating
sat = [("f32", "i32", "SatF64ToI32(a)"), ("f32", "u32", "SatF64ToU32(a)"), ("f64", "i32", "SatF64ToI32(a)"), ("f64", "u32", "SatF64ToU32(a)"),
       ("f32", "i64", "SatF64ToI64(a)"), ("f32", "u64", "SatF64ToU64(a)"), ("f64", "i64", "SatF64ToI64(a)"), ("f64", "u64", "SatF64ToU64(a)")]
for i, (tin, tout, fn) in enumerate(sat):
    unop(0xC5 + i, tin, tout, fn)

# imm ops
def immop(opname, t, expr):
    body = f"                    var a = {rd(t, 2)};\n                    int k = {A(3)};\n                    {wr(t, expr)}\n"
    cases.append(f"                case (int)Op.{opname}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, 4);\n                    continue;\n                }}\n")
immop("I32AddImm", "i32", "a + k"); immop("I32SubImm", "i32", "a - k"); immop("I32MulImm", "i32", "a * k")
immop("I32AndImm", "i32", "a & k"); immop("I32OrImm", "i32", "a | k"); immop("I32XorImm", "i32", "a ^ k")
immop("I32ShlImm", "i32", "a << k"); immop("I32ShrSImm", "i32", "a >> k"); immop("I32ShrUImm", "u32", "a >> k")
immop("I64AddImm", "i64", "a + k"); immop("I64AndImm", "i64", "a & (long)k"); immop("I64ShlImm", "i64", "a << k"); immop("I64ShrUImm", "u64", "a >> k")
immop("I32RotlImm", "u32", "BitOperations.RotateLeft(a, k)"); immop("I32RotrImm", "u32", "BitOperations.RotateRight(a, k)")
immop("I64OrImm", "i64", "a | (long)k"); immop("I64XorImm", "i64", "a ^ (long)k"); immop("I64SubImm", "i64", "a - k")
immop("I64MulImm", "i64", "a * k"); immop("I64ShrSImm", "i64", "a >> k")
immop("I64RotlImm", "u64", "BitOperations.RotateLeft(a, k)"); immop("I64RotrImm", "u64", "BitOperations.RotateRight(a, k)")

# loop back-edges: add an immediate, branch on the result
cases.append(f"""                case (int)Op.I32AddImmBrNz:
                {{
                    uint r = (uint)({rd("i32", 2)} + {A(3)});
                    {S(A(1))} = r;
                    ip = ref Unsafe.Add(ref ip, r != 0 ? {A(4)} : 5);
                    continue;
                }}
                case (int)Op.I32AddImmBrNeImm:
                {{
                    int r = {rd("i32", 2)} + {A(3)};
                    {S(A(1))} = (uint)r;
                    ip = ref Unsafe.Add(ref ip, r != {A(4)} ? {A(5)} : 6);
                    continue;
                }}
""")

# fused compare-and-branch
for name, sym, t in [("BrI32Eq", "==", "i32"), ("BrI32Ne", "!=", "i32"), ("BrI32LtS", "<", "i32"), ("BrI32LtU", "<", "u32"),
                     ("BrI32GtS", ">", "i32"), ("BrI32GtU", ">", "u32"), ("BrI32LeS", "<=", "i32"), ("BrI32LeU", "<=", "u32"), ("BrI32GeS", ">=", "i32"), ("BrI32GeU", ">=", "u32")]:
    cases.append(f"                case (int)Op.{name}:\n                    ip = ref Unsafe.Add(ref ip, {rd(t, 1)} {sym} {rd(t, 2)} ? {A(3)} : 4);\n                    continue;\n")
for name, sym, t in [("BrI32EqImm", "==", "i32"), ("BrI32NeImm", "!=", "i32"), ("BrI32LtSImm", "<", "i32"), ("BrI32LtUImm", "<", "u32"),
                     ("BrI32GtSImm", ">", "i32"), ("BrI32GtUImm", ">", "u32"), ("BrI32LeSImm", "<=", "i32"), ("BrI32LeUImm", "<=", "u32"),
                     ("BrI32GeSImm", ">=", "i32"), ("BrI32GeUImm", ">=", "u32")]:
    cast = "(int)" if t == "i32" else "(uint)"
    cases.append(f"                case (int)Op.{name}:\n                    ip = ref Unsafe.Add(ref ip, {rd(t, 1)} {sym} {cast}{A(2)} ? {A(3)} : 4);\n                    continue;\n")

# memory
loads = {0x28: ("uint", 4, "v"), 0x29: ("ulong", 8, "v"), 0x2A: ("uint", 4, "v"), 0x2B: ("ulong", 8, "v"),
         0x2C: ("sbyte", 1, "(uint)(int)v"), 0x2D: ("byte", 1, "v"), 0x2E: ("short", 2, "(uint)(int)v"), 0x2F: ("ushort", 2, "v"),
         0x30: ("sbyte", 1, "(ulong)(long)v"), 0x31: ("byte", 1, "v"), 0x32: ("short", 2, "(ulong)(long)v"), 0x33: ("ushort", 2, "v"),
         0x34: ("int", 4, "(ulong)(long)v"), 0x35: ("uint", 4, "v")}
for op, (ty, n, conv_) in loads.items():
    body = (f"                    ulong ea = (ulong)(uint){S(A(2))} + (uint){A(3)};\n"
            f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
            f"                    var v = Unsafe.ReadUnaligned<{ty}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
            f"                    {S(A(1))} = {conv_};\n")
    case(op, body, 4)
stores = {0x36: ("uint", 4), 0x37: ("ulong", 8), 0x38: ("uint", 4), 0x39: ("ulong", 8), 0x3A: ("byte", 1), 0x3B: ("ushort", 2),
          0x3C: ("byte", 1), 0x3D: ("ushort", 2), 0x3E: ("uint", 4)}
for op, (ty, n) in stores.items():
    body = (f"                    ulong ea = (ulong)(uint){S(A(1))} + (uint){A(3)};\n"
            f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
            f"                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref mb, (nint)ea), ({ty}){S(A(2))});\n")
    case(op, body, 4)

# memory accesses whose address is a slot plus a wrapping i32 constant: LoadAddImm + (wasm opcode - 0x28)
for op, (ty, n, conv_) in loads.items():
    body = (f"                    ulong ea = (ulong)(uint)({rd('i32', 2)} + {A(3)}) + (uint){A(4)};\n"
            f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
            f"                    var v = Unsafe.ReadUnaligned<{ty}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
            f"                    {S(A(1))} = {conv_};\n")
    cases.append(f"                case (int)Op.LoadAddImm + 0x{op - 0x28:02X}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, 5);\n                    continue;\n                }}\n")
for op, (ty, n) in stores.items():
    body = (f"                    ulong ea = (ulong)(uint)({rd('i32', 1)} + {A(2)}) + (uint){A(4)};\n"
            f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
            f"                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref mb, (nint)ea), ({ty}){S(A(3))});\n")
    cases.append(f"                case (int)Op.LoadAddImm + 0x{op - 0x28:02X}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, 5);\n                    continue;\n                }}\n")

# binary ops whose right operand is loaded: dst a addr offset
for name, t, ty, n, expr in [("F64AddLoad", "f64", "ulong", 8, "a + b"), ("F64SubLoad", "f64", "ulong", 8, "a - b"),
                             ("F64MulLoad", "f64", "ulong", 8, "a * b"), ("F64DivLoad", "f64", "ulong", 8, "a / b"),
                             ("I32AddLoad", "i32", "uint", 4, "a + b"), ("I32SubLoad", "i32", "uint", 4, "a - b"),
                             ("I32MulLoad", "i32", "uint", 4, "a * b"), ("I32AndLoad", "i32", "uint", 4, "a & b"),
                             ("I32OrLoad", "i32", "uint", 4, "a | b"), ("I32XorLoad", "i32", "uint", 4, "a ^ b")]:
    bconv = "BitConverter.UInt64BitsToDouble(bits)" if t == "f64" else "(int)bits"
    body = (f"                    ulong ea = (ulong)(uint)({rd('i32', 3)} + {A(4)}) + (uint){A(5)};\n"
            f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
            f"                    var bits = Unsafe.ReadUnaligned<{ty}>(ref Unsafe.Add(ref mb, (nint)ea));\n"
            f"                    var b = {bconv};\n"
            f"                    var a = {rd(t, 2)};\n"
            f"                    {wr(t, expr)}\n")
    cases.append(f"                case (int)Op.{name}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, 6);\n                    continue;\n                }}\n")
    # the same, stored back to the loaded address: a addr offset
    tomem = (f"                    ulong ea = (ulong)(uint){S(A(2))} + (uint){A(3)};\n"
             f"                    if (ea + {n} > memLen) {trap('MemoryOutOfBounds')}\n"
             f"                    ref byte at = ref Unsafe.Add(ref mb, (nint)ea);\n"
             f"                    var b = {bconv.replace('bits', f'Unsafe.ReadUnaligned<{ty}>(ref at)')};\n"
             f"                    var a = {rd(t, 1)};\n"
             + (f"                    Unsafe.WriteUnaligned(ref at, BitConverter.DoubleToUInt64Bits({expr}));\n" if t == "f64"
                else f"                    Unsafe.WriteUnaligned(ref at, (uint)({expr}));\n"))
    cases.append(f"                case (int)Op.ToMem + (Op.{name} - Op.F64AddLoad):\n                {{\n{tomem}                    ip = ref Unsafe.Add(ref ip, 4);\n                    continue;\n                }}\n")

# i32 add/and/or/xor with a right operand shifted by a constant: dst a b k
for bi, bop in enumerate(["+", "&", "|", "^"]):
    for si, sh in enumerate(["BitOperations.RotateLeft(b, k)", "BitOperations.RotateRight(b, k)", "b << k", "b >> k"]):
        body = (f"                    uint a = (uint){S(A(2))};\n"
                f"                    uint b = (uint){S(A(3))};\n"
                f"                    int k = {A(4)};\n"
                f"                    {S(A(1))} = a {bop} ({sh});\n")
        cases.append(f"                case (int)Op.ShiftFused + {bi * 4 + si}:\n                {{\n{body}                    ip = ref Unsafe.Add(ref ip, 5);\n                    continue;\n                }}\n")

cases.append(f"""                case (int)Op.F64MulAddToMem:
                {{
                    ulong ex = (ulong)(uint)({rd('i32', 2)} + {A(3)}) + (uint){A(4)};
                    if (ex + 8 > memLen) {trap('MemoryOutOfBounds')}
                    ulong ey = (ulong)(uint){S(A(5))} + (uint){A(6)};
                    if (ey + 8 > memLen) {trap('MemoryOutOfBounds')}
                    double p = {rd('f64', 1)} * BitConverter.UInt64BitsToDouble(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref mb, (nint)ex)));
                    ref byte at = ref Unsafe.Add(ref mb, (nint)ey);
                    Unsafe.WriteUnaligned(ref at, BitConverter.DoubleToUInt64Bits(p + BitConverter.UInt64BitsToDouble(Unsafe.ReadUnaligned<ulong>(ref at))));
                    ip = ref Unsafe.Add(ref ip, 7);
                    continue;
                }}
""")

src = open("tools/Interpreter.template.cs.in").read()
src = src.replace("                // @@GENERATED_CASES@@\n", "".join(cases))
open("Interpreter.g.cs", "w").write("// <auto-generated> by tools/gen_interpreter.py from tools/Interpreter.template.cs.in; edit those, not this file. </auto-generated>\n#nullable enable\n" + src)
