using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Polymath.Runtime.Interpreter.Generator;

/// <summary>
/// The SIMD (0xFD) handlers of the interpreter, written from the shared lane semantics themselves: for every
/// <c>Polymath.Wasm.SimdOpcode</c> member, the <c>Polymath.Runtime.Core.Simd128</c> method of the same name (the one
/// the compiler tier calls) and its signature decide the code shape, the handler and the translator's shape string.
/// A member without a method is a compile error in the generated file, so the interpreter cannot miss an instruction.
/// </summary>
/// <remarks>
/// Shape string: the result (<c>V</c> v128, <c>i</c> i32, <c>l</c> i64, <c>f</c> f32, <c>d</c> f64, <c>-</c> none), then
/// one letter per operand in stack order: <c>V i l f d</c> a frame slot (a v128 slot is the low of its two cells),
/// <c>p</c> an address slot and its memarg offset, <c>L</c> a lane immediate, <c>S</c> the shuffle's two index
/// vectors (8 ints), <c>C</c> the 16 bytes of <c>v128.const</c> (4 ints). Code: <c>Simd sub [dst] operands…</c>.
/// </remarks>
internal static class SimdCases
{
    private const string Case = "                ";
    private const string Body = "                    ";

    /// <summary>The entries of <paramref name="compilation"/>, as one comparable string per entry (for incrementality), or an error line.</summary>
    public static string Model(Compilation compilation)
    {
        var opcodes = compilation.GetTypeByMetadataName("Polymath.Wasm.SimdOpcode");
        var simd = compilation.GetTypeByMetadataName("Polymath.Runtime.Core.Simd128");
        if (opcodes is null || simd is null) return "#error Polymath.Wasm.SimdOpcode or Polymath.Runtime.Core.Simd128 is not in the compilation";
        var sb = new StringBuilder();
        foreach (var field in opcodes.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
        {
            var method = simd.GetMembers(field.Name).OfType<IMethodSymbol>().FirstOrDefault(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public);
            if (method is null) return $"#error Simd128 has no public static method {field.Name} for SimdOpcode.{field.Name}";
            string shape = Letter(method.ReturnType);
            if (field.Name == "V128Const") shape += "C";
            else
            {
                foreach (var p in method.Parameters)
                {
                    if (p.Name == "lane") shape += "L";
                    else if (p.Name == "first") shape += "S";
                    else if (p.Name == "second") continue;
                    else if (p.Type.SpecialType == SpecialType.System_IntPtr) shape += "p";
                    else shape += Letter(p.Type);
                }
            }
            sb.Append(field.Name).Append(' ').Append(System.Convert.ToInt32(field.ConstantValue, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(shape).Append('\n');
        }
        return sb.ToString();
    }

    private static string Letter(ITypeSymbol t) => t.SpecialType switch
    {
        SpecialType.System_Void => "-",
        SpecialType.System_Int32 => "i",
        SpecialType.System_Int64 => "l",
        SpecialType.System_Single => "f",
        SpecialType.System_Double => "d",
        _ => "V",
    };

    /// <summary>Parses <see cref="Model"/>'s text.</summary>
    public static List<(string Name, int Value, string Shape)> Parse(string model)
    {
        var list = new List<(string Name, int Value, string Shape)>();
        foreach (string line in model.Split('\n'))
        {
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            list.Add((parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]));
        }
        return list;
    }

    /// <summary>The spec's text name of a SimdOpcode member (<c>I16x8ExtmulLowI8x16S</c> → <c>i16x8.extmul_low_i8x16_s</c>).</summary>
    public static string SpecName(string name)
    {
        int dot = name.StartsWith("V128", System.StringComparison.Ordinal) ? 4 : 5;
        var sb = new StringBuilder(name.Substring(0, dot).ToLowerInvariant()).Append('.');
        for (int i = dot; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > dot) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>Code ints an operand letter takes.</summary>
    public static int Ints(char letter) => letter switch
    {
        'p' => 2,
        'S' => 8,
        'C' => 4,
        _ => 1,
    };

    /// <summary>The size in code ints of <c>Simd sub [dst] operands…</c> with <paramref name="shape"/>.</summary>
    public static int Size(string shape)
    {
        int size = shape[0] == '-' ? 2 : 3;
        for (int i = 1; i < shape.Length; i++) size += Ints(shape[i]);
        return size;
    }

    /// <summary>The <c>case</c>s of the SIMD handler's switch over the sub-opcode: each calls the instruction's method.</summary>
    public static string Cases(List<(string Name, int Value, string Shape)> entries)
    {
        var sb = new StringBuilder();
        foreach (var e in entries)
            sb.Append(Case).Append("case 0x").Append(e.Value.ToString("X2", CultureInfo.InvariantCulture)).Append(": return ")
                .Append(e.Name).Append("(ref st, ref ip, ref fr);\n");
        return sb.ToString();
    }

    /// <summary>
    /// One method per SIMD instruction (not inlined into the switch): each is small enough for the JIT to inline its
    /// lane helper and the frame-cell accessors and to keep a small stack frame. One method with every case inlined
    /// exhausts the JIT's inlining budget and zeroes a frame of kilobytes on every call (measured: 5x slower).
    /// </summary>
    public static string Methods(List<(string Name, int Value, string Shape)> entries)
    {
        const string M = "    ";
        const string B = "        ";
        var sb = new StringBuilder();
        foreach (var e in entries)
        {
            sb.Append(M).Append("/// <summary><c>").Append(SpecName(e.Name)).Append("</c>: shape <c>").Append(e.Shape).Append("</c>.</summary>\n");
            sb.Append(M).Append("[SkipLocalsInit]\n");
            sb.Append(M).Append("[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]\n");
            sb.Append(M).Append("private static unsafe int ").Append(e.Name).Append("(ref State st, ref int ip, ref ulong fr)\n");
            sb.Append(M).Append("{\n");
            char result = e.Shape[0];
            int k = result == '-' ? 2 : 3; // the next code operand
            var args = new List<string>();
            bool memory = false;
            for (int i = 1; i < e.Shape.Length; i++)
            {
                char c = e.Shape[i];
                string a = $"Unsafe.Add(ref ip, {k})";
                switch (c)
                {
                    case 'V': args.Add($"V(ref fr, {a})"); break;
                    case 'i': args.Add($"(int)Unsafe.Add(ref fr, (nint)(uint){a})"); break;
                    case 'l': args.Add($"(long)Unsafe.Add(ref fr, (nint)(uint){a})"); break;
                    case 'f': args.Add($"BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref fr, (nint)(uint){a}))"); break;
                    case 'd': args.Add($"BitConverter.UInt64BitsToDouble(Unsafe.Add(ref fr, (nint)(uint){a}))"); break;
                    case 'L': args.Add(a); break;
                    case 'S': args.Add($"Imm(ref Unsafe.Add(ref ip, {k}))"); args.Add($"Imm(ref Unsafe.Add(ref ip, {k + 4}))"); break;
                    case 'C': args.Add($"Simd128.FromBits((long)Imm64(ref Unsafe.Add(ref ip, {k})), (long)Imm64(ref Unsafe.Add(ref ip, {k + 2})))"); break;
                    case 'p':
                        memory = true;
                        sb.Append(B).Append($"ulong ea = (ulong)(uint)Unsafe.Add(ref fr, (nint)(uint){a}) + (uint)Unsafe.Add(ref ip, {k + 1});\n");
                        sb.Append(B).Append($"if (ea + {AccessSize(e.Name)} > (ulong)st.Mem.Length) {{ st.TrapKind = TrapKind.MemoryOutOfBounds; return 0; }}\n");
                        sb.Append(B).Append("fixed (byte* m = &MemoryMarshal.GetArrayDataReference(st.Mem))\n");
                        sb.Append(B).Append("{\n");
                        args.Add("(nint)(m + ea)");
                        break;
                }
                k += Ints(c);
            }
            string call = e.Name == "V128Const" ? args[0] : $"Simd128.{e.Name}({string.Join(", ", args)})";
            string indent = memory ? B + "    " : B;
            string dst = "Unsafe.Add(ref ip, 2)";
            sb.Append(indent).Append(result switch
            {
                '-' => $"{call};",
                'V' => $"SetV(ref fr, {dst}, {call});",
                'i' => $"Unsafe.Add(ref fr, (nint)(uint){dst}) = (uint){call};",
                'l' => $"Unsafe.Add(ref fr, (nint)(uint){dst}) = (ulong){call};",
                'f' => $"Unsafe.Add(ref fr, (nint)(uint){dst}) = BitConverter.SingleToUInt32Bits({call});",
                _ => $"Unsafe.Add(ref fr, (nint)(uint){dst}) = BitConverter.DoubleToUInt64Bits({call});",
            }).Append('\n');
            if (memory) sb.Append(B).Append("}\n");
            sb.Append(B).Append("return ").Append(k.ToString(CultureInfo.InvariantCulture)).Append(";\n");
            sb.Append(M).Append("}\n\n");
        }
        return sb.ToString();
    }

    /// <summary>The bounds check's byte count of a memory instruction, as a constant: <c>Simd128.AccessSize</c> of the member.</summary>
    private static string AccessSize(string name) => $"(uint)Simd128.AccessSize(Polymath.Wasm.SimdOpcode.{name})";

    /// <summary>The translator's and the listing's tables: shape strings and spec names by sub-opcode.</summary>
    public static string Tables(List<(string Name, int Value, string Shape)> entries)
    {
        var sb = new StringBuilder();
        sb.Append("    /// <summary>Per SIMD sub-opcode: the shape string (tools/Generator/SimdCases.cs), or null where no instruction exists.</summary>\n");
        sb.Append("    public static string? ShapeOf(uint sub) => sub switch\n    {\n");
        foreach (var e in entries) sb.Append("        0x").Append(e.Value.ToString("X2", CultureInfo.InvariantCulture)).Append(" => \"").Append(e.Shape).Append("\",\n");
        sb.Append("        _ => null,\n    };\n\n");
        sb.Append("    /// <summary>Per SIMD sub-opcode: the spec's text name (<c>f32x4.add</c>), or null where no instruction exists.</summary>\n");
        sb.Append("    public static string? NameOf(uint sub) => sub switch\n    {\n");
        foreach (var e in entries) sb.Append("        0x").Append(e.Value.ToString("X2", CultureInfo.InvariantCulture)).Append(" => \"").Append(SpecName(e.Name)).Append("\",\n");
        sb.Append("        _ => null,\n    };\n\n");
        sb.Append("    /// <summary>Per SIMD sub-opcode: the size in code ints of <c>Simd sub …</c> (0 where no instruction exists).</summary>\n");
        sb.Append("    public static int CodeSize(uint sub) => sub switch\n    {\n");
        foreach (var e in entries) sb.Append("        0x").Append(e.Value.ToString("X2", CultureInfo.InvariantCulture)).Append(" => ").Append(Size(e.Shape).ToString(CultureInfo.InvariantCulture)).Append(",\n");
        sb.Append("        _ => 0,\n    };\n");
        return sb.ToString();
    }
}
