using System.CommandLine;
using Polymath.Host.Catalog;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath inspect FILE.wasm [--func NAME|INDEX] [--cil | --ir] [--runtime ID]</c>: prints what a runtime tier makes
/// of a module's functions. <c>--cil</c> (the default) prints the CIL the compiler tier generates, <c>--ir</c> the
/// interpreter tier's translated code (fast and metered variants). Both through the SDK's listing contract
/// (<see cref="ICodeListing"/>, implemented by the plugin object and reached with
/// <see cref="RuntimeCatalog.GetCodeListing"/>): no plugin type is named here.
/// Exit codes: 0 ok, 2 usage, module or runtime error.
/// </summary>
public static class InspectCommand
{
    /// <summary>The <c>inspect</c> command: what a runtime tier makes of a module's functions.</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var file = new Argument<string>("FILE") { Description = "The .wasm module" };
        var func = new Option<string?>("--func") { Description = "One function: an exported or name-section name, or a funcidx (default: every defined function)" };
        var cil = new Option<bool>("--cil") { Description = "The CIL the compiler tier generates (the default)" };
        var ir = new Option<bool>("--ir") { Description = "The interpreter's translated code (fast and metered variants)" };
        var runtime = new Option<string?>("--runtime") { Description = "Runtime plugin id to list with (default: compiler, or interpreter with --ir)" };
        var inspect = new Command("inspect", "Print how a runtime tier lowers a module's functions (generated CIL, or the interpreter's code with --ir)");
        inspect.Arguments.Add(file);
        foreach (var option in new Option[] { func, cil, ir, runtime }) inspect.Options.Add(option);
        inspect.SetAction(pr => cli.WithCatalog(pr, catalog => Run(catalog, pr.GetValue(file)!, pr.GetValue(func),
            pr.GetValue(cil), pr.GetValue(ir), pr.GetValue(runtime), Console.Out, Console.Error)));
        return inspect;
    }

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
        string kind = ir ? "ir" : "cil";
        ICodeListing? listing;
        try { listing = catalog.GetCodeListing(runtimeId); }
        catch (RuntimeNotAvailableException e) { error.WriteLine($"error: {HumanText.Sanitize(e.Message)}"); return 2; }
        if (listing is null || listing.ListingKind != kind)
        {
            string has = listing is null ? "lists no generated code" : $"lists '{HumanText.Sanitize(listing.ListingKind)}', not '{kind}'";
            error.WriteLine($"error: runtime '{HumanText.Sanitize(runtimeId)}' {has} (try --{(kind == "ir" ? "cil" : "ir")} or another --runtime)");
            return 2;
        }
        try
        {
            output.Write(SanitizeListing(listing.ListCode(bytes, function), bytes));
            return 0;
        }
        catch (Exception e) when (e is WasmModuleException or ArgumentException)
        {
            error.WriteLine($"error: {shown}: {HumanText.Sanitize(e.Message)}");
            return 2;
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
