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
    /// <summary>The size in code ints of the op at <paramref name="pc"/>.</summary>
    public static int SizeAt(int[] code, int pc)
    {
        int op = code[pc];
        return op switch
        {
            (int)Op.BrTable => 3 + code[pc + 2],
            (int)Op.Copies => 2 + 2 * code[pc + 1],
            _ => Size(op),
        };
    }

    /// <summary>The size of every op except <see cref="Op.BrTable"/> (which depends on its count).</summary>
    public static int Size(int op) => op switch
    {
        (int)Op.Unreachable => 1,
        (int)Op.Fuel or (int)Op.FuelLoop or (int)Op.Br or (int)Op.MemorySize or (int)Op.DataDrop or (int)Op.ElemDrop => 2,
        (int)Op.BrIf or (int)Op.BrIfNot or (int)Op.BrI32Eqz or (int)Op.BrI32Nez or (int)Op.Copy or (int)Op.Const32
            or (int)Op.Return or (int)Op.Call or (int)Op.GlobalGet or (int)Op.GlobalSet or (int)Op.MemoryGrow
            or (int)Op.TableSize or (int)Op.RefFunc => 3,
        (int)Op.Const64 or (int)Op.MemoryCopy or (int)Op.MemoryFill or (int)Op.TableGet or (int)Op.TableSet => 4,
        (int)Op.CallIndirect or (int)Op.Select or (int)Op.MemoryInit or (int)Op.TableGrow or (int)Op.TableFill => 5,
        (int)Op.TableCopy or (int)Op.TableInit => 6,
        >= 0x28 and <= 0x3E => 4,
        _ when OpInfo.IsUnaryNumeric(op) => 3,
        >= 0x45 and <= 0xC4 => 4,
        >= (int)Op.I32TruncSatF32S and <= (int)Op.I64TruncSatF64U => 3,
        _ => OpInfo.ExtraSize(op),
    };

    /// <summary>Which operand positions (1-based) of an op hold a relative branch target.</summary>
    public static bool IsTargetOperand(int[] code, int pc, int k)
    {
        int op = code[pc];
        return op switch
        {
            (int)Op.Br => k == 1,
            (int)Op.BrIf or (int)Op.BrIfNot or (int)Op.BrI32Eqz or (int)Op.BrI32Nez => k == 2,
            (int)Op.BrTable => k >= 3,
            _ => OpInfo.TargetOperand(op) == k,
        };
    }

    public static string Name(int op) => op switch
    {
        >= 0x28 and <= 0x3E or >= 0x45 and <= 0xC4 => ((Opcode)op).ToString(),
        _ when OpInfo.IsMemAddImm(op) => ((Opcode)(op - (int)Op.LoadAddImm + 0x28)).ToString() + "AddImm",
        _ when OpInfo.IsToMem(op) => ((Op)(op - (int)Op.ToMem + (int)Op.F64AddLoad)).ToString().Replace("Load", "ToMem", StringComparison.Ordinal),
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
            int size = SizeAt(code, pc);
            sb.Append(pc.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(Name(code[pc]));
            for (int k = 1; k < size; k++)
            {
                sb.Append(' ');
                if (IsTargetOperand(code, pc, k)) sb.Append("->").Append((pc + code[pc + k]).ToString(CultureInfo.InvariantCulture));
                else sb.Append(code[pc + k].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
            pc += size;
        }
        return sb.ToString();
    }
}
