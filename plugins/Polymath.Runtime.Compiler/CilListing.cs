using System.Globalization;
using System.Text;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// The CIL the compiler generates for a module's functions, as text (what <c>polymath inspect --cil</c> prints).
/// Plugin-neutral on purpose: a public static method taking bytes and returning text, so a host can call it
/// through reflection without referencing this plugin.
/// </summary>
public static class CilListing
{
    /// <summary>
    /// Lists the generated CIL of <paramref name="function"/> (a name from the name section or exports, or a
    /// funcidx), or of every defined function when it is null.
    /// </summary>
    /// <exception cref="WasmModuleException">The module is malformed or invalid.</exception>
    /// <exception cref="ArgumentException">No defined function has that name or index.</exception>
    public static string Describe(ReadOnlyMemory<byte> wasm, string? function = null)
    {
        using var engine = new CompilerEngine();
        var module = (CompiledModule)engine.Compile(wasm);
        var def = module.Definition;
        var sb = new StringBuilder();
        if (function is null)
        {
            for (int i = 0; i < def.Functions.Count; i++) sb.Append(module.Listing(i)).Append('\n');
            return sb.ToString();
        }
        int? found = null;
        if (uint.TryParse(function, NumberStyles.None, CultureInfo.InvariantCulture, out uint index)) found = (int)index - def.ImportedFunctionCount;
        else
        {
            for (int i = 0; i < def.Functions.Count && found is null; i++)
                if (def.GetFunctionName((uint)(def.ImportedFunctionCount + i)) == function) found = i;
        }
        if (found is not int defined || defined < 0 || defined >= def.Functions.Count)
            throw new ArgumentException($"the module has no defined function '{function}' (give an exported or name-section name, or a funcidx from {def.ImportedFunctionCount} to {def.TotalFunctionCount - 1})", nameof(function));
        return module.Listing(defined);
    }
}
