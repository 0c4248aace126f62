using System.Globalization;
using System.Text;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// The interpreter's translated code for a module's functions, as text (what <c>polymath inspect --ir</c> prints):
/// for each function both variants the translator makes — the fast code (no fuel ops) and the metered code (with
/// the fuel ops that also poll cancellation) — one op per line as <c>pc: name operands</c>, branch targets shown
/// as absolute positions. Plugin-neutral on purpose, like the compiler's <c>CilListing</c>: a public static method
/// taking bytes and returning text, so a host can call it through reflection without referencing this plugin.
/// </summary>
public static class IrListing
{
    /// <summary>
    /// Lists the translated code of <paramref name="function"/> (a name from the name section or exports, or a
    /// funcidx), or of every defined function when it is null.
    /// </summary>
    /// <exception cref="WasmModuleException">The module is malformed or invalid.</exception>
    /// <exception cref="ArgumentException">No defined function has that name or index.</exception>
    public static string Describe(ReadOnlyMemory<byte> wasm, string? function = null)
    {
        var module = ModuleReader.Read(wasm);
        ModuleValidator.Validate(module);
        var sb = new StringBuilder();
        if (function is null)
        {
            for (int i = 0; i < module.Functions.Count; i++) Append(sb, module, i).Append('\n');
            return sb.ToString();
        }
        int? found = null;
        if (uint.TryParse(function, NumberStyles.None, CultureInfo.InvariantCulture, out uint index)) found = index > int.MaxValue ? -1 : (int)index - module.ImportedFunctionCount;
        else
        {
            for (int i = 0; i < module.Functions.Count && found is null; i++)
                if (module.GetFunctionName((uint)(module.ImportedFunctionCount + i)) == function) found = i;
        }
        if (found is not int defined || defined < 0 || defined >= module.Functions.Count)
            throw new ArgumentException($"the module has no defined function '{function}' (give an exported or name-section name, or a funcidx from {module.ImportedFunctionCount} to {module.TotalFunctionCount - 1})", nameof(function));
        return Append(sb, module, defined).ToString();
    }

    private static StringBuilder Append(StringBuilder sb, Module module, int defined)
    {
        uint funcidx = (uint)(module.ImportedFunctionCount + defined);
        var code = Translator.Translate(module, funcidx);
        string name = module.GetFunctionName(funcidx) is { } n ? " " + n : "";
        sb.Append(CultureInfo.InvariantCulture, $"func {funcidx}{name}: {code.ParamCount} params, {code.LocalCount - code.ParamCount} locals, {code.ResultCount} results, frame {code.FrameSize} slots\n");
        sb.Append("fast code (no fuel ops):\n").Append(CodeDump.Dump(code.FastCode));
        sb.Append("metered code (with fuel ops):\n").Append(CodeDump.Dump(code.Code));
        return sb;
    }
}
