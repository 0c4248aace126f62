using System.Reflection;
using Polymath.Host.Catalog;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath inspect FILE.wasm [--func NAME|INDEX] [--cil | --ir] [--runtime ID]</c>: prints what a runtime tier makes
/// of a module's functions. <c>--cil</c> (the default) prints the CIL the compiler tier generates; the host reaches it
/// without referencing the plugin, through the plugin assembly's public static
/// <c>CilListing.Describe(ReadOnlyMemory&lt;byte&gt;, string?)</c>. <c>--ir</c> prints the interpreter tier's translated
/// code (fast and metered variants), reached the same way through <c>IrListing.Describe</c> in the interpreter plugin.
/// Exit codes: 0 ok, 2 usage, module or runtime error.
/// </summary>
public static class InspectCommand
{
    /// <summary>The type and method a runtime plugin exposes for CIL listings.</summary>
    public const string ListingTypeName = "Polymath.Runtime.Compiler.CilListing";

    /// <summary>The type a runtime plugin exposes for listings of its internal (interpreter) code.</summary>
    public const string IrListingTypeName = "Polymath.Runtime.Interpreter.IrListing";

    /// <summary>Runs the command.</summary>
    public static int Run(RuntimeCatalog catalog, string file, string? function, bool cil, bool ir, string? runtime, TextWriter output, TextWriter error)
    {
        if (cil && ir)
        {
            error.WriteLine("error: give --cil or --ir, not both");
            return 2;
        }
        byte[] bytes;
        try { bytes = CliInput.ReadFile(file, "the module", CliInput.MaxModuleBytes); }
        catch (CliUsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        string shown = HumanText.Sanitize(file);

        string runtimeId = runtime ?? (ir ? "interpreter" : "compiler");
        string listingType = ir ? IrListingTypeName : ListingTypeName;
        IWasmEngine engine;
        try { engine = catalog.CreateEngine(runtimeId); }
        catch (RuntimeNotAvailableException e) { error.WriteLine($"error: {HumanText.Sanitize(e.Message)}"); return 2; }
        using (engine)
        {
            var describe = engine.GetType().Assembly.GetType(listingType)?.GetMethod("Describe", BindingFlags.Public | BindingFlags.Static, [typeof(ReadOnlyMemory<byte>), typeof(string)]);
            if (describe is null || describe.ReturnType != typeof(string))
            {
                error.WriteLine($"error: runtime '{HumanText.Sanitize(runtimeId)}' does not list generated code (its assembly has no public static {listingType}.Describe(ReadOnlyMemory<byte>, string?))");
                return 2;
            }
            try
            {
                var listing = (string)describe.Invoke(null, [new ReadOnlyMemory<byte>(bytes), function])!;
                output.Write(SanitizeListing(listing, bytes));
                return 0;
            }
            catch (TargetInvocationException e) when (e.InnerException is WasmModuleException m)
            {
                error.WriteLine($"error: {shown}: {HumanText.Sanitize(m.Message)}");
                return 2;
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException a)
            {
                error.WriteLine($"error: {shown}: {HumanText.Sanitize(a.Message)}");
                return 2;
            }
        }
    }

    /// <summary>
    /// Function and export names come from the module, so a listing is escaped for the terminal: every name that
    /// <see cref="HumanText"/> would change is first replaced whole by its escaped form (a name holding a line break
    /// cannot start a forged line), then each line is escaped.
    /// </summary>
    private static string SanitizeListing(string listing, byte[] bytes)
    {
        // The listing succeeded, so the module reads.
        var module = ModuleReader.Read(bytes);
        var names = module.Exports.Select(e => e.Name)
            .Concat(Enumerable.Range(0, module.TotalFunctionCount).Select(i => module.GetFunctionName((uint)i)).OfType<string>())
            .Where(n => n.Length > 0 && HumanText.Sanitize(n) != n)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(n => n.Length);
        foreach (var name in names) listing = listing.Replace(name, HumanText.Sanitize(name), StringComparison.Ordinal);
        return string.Join('\n', listing.Split('\n').Select(line => HumanText.Sanitize(line.TrimEnd('\r'))));
    }
}
