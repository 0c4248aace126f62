using System.Globalization;
using System.Text;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// Reads translated code back as text, one op per line (<c>pc: name operands</c>); branch targets are shown
/// as absolute positions. For tests and for checking what the translator fused (see RATIONALE.md).
/// </summary>
internal static class CodeDump
{
    public static string Name(int op) => op switch
    {
        >= (int)Opcode.I32Load and <= (int)Opcode.I64Store32 or >= (int)Opcode.I32Eqz and <= (int)Opcode.I64Extend32S => ((Opcode)op).ToString(),
        _ when OpInfo.IsMemAddImm(op) => ((Opcode)(op - (int)Op.LoadAddImm + (int)Opcode.I32Load)).ToString() + "AddImm",
        _ when OpInfo.IsToMem(op) => ((Op)(op - (int)Op.ToMem + (int)Op.F64AddLoad)).ToString().Replace("Load", "ToMem", StringComparison.Ordinal),
        _ when OpInfo.IsAddImmBrImm(op) => "I32AddImm" + ((Op)(op - (int)Op.AddImmBrImm + (int)Op.BrI32LtSImm)).ToString().Replace("I32", "", StringComparison.Ordinal),
        _ when OpInfo.IsShiftFused(op) => "I32" + ShiftFusedNames[(op - (int)Op.ShiftFused) / 4] + ShiftNames[(op - (int)Op.ShiftFused) % 4] + "Imm",
        _ => ((Op)op).ToString(),
    };

    /// <summary>The binary ops and shifts of <see cref="Op.ShiftFused"/>, in numbering order.</summary>
    public static readonly string[] ShiftFusedNames = ["Add", "And", "Or", "Xor"], ShiftNames = ["Rotl", "Rotr", "Shl", "ShrU"];

    public static string Dump(int[] code)
    {
        var sb = new StringBuilder();
        for (int pc = 0; pc < code.Length;)
        {
            int size = OpInfo.SizeAt(code, pc);
            sb.Append(pc.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(Name(code[pc]));
            int first = 1;
            if (code[pc] == (int)Op.Simd)
            {
                // Simd sub …: the instruction by its spec name (v128 slots name the first of their two cells)
                sb.Append(' ').Append(SimdShapes.NameOf((uint)code[pc + 1]));
                first = 2;
            }
            for (int k = first; k < size; k++)
            {
                sb.Append(' ');
                if (OpInfo.IsTargetOperand(code, pc, k)) sb.Append("->").Append((pc + code[pc + k]).ToString(CultureInfo.InvariantCulture));
                else sb.Append(code[pc + k].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
            pc += size;
        }
        return sb.ToString();
    }
}
