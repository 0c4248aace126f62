using System.CommandLine;
using Polymath.Cli;
using Polymath.Cli.Commands;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;

// Wires the commands (one file each under Commands/) to System.CommandLine. Global options select plugins.json and the platform.
var pluginsOption = new Option<string?>("--plugins") { Description = "plugins.json to use (default: POLYMATH_PLUGINS, Polymath:PluginsFile, then the one beside polymath)", Recursive = true };
var platformOption = new Option<string?>("--platform") { Description = "Simulate a platform by runtime identifier (e.g. linux-arm, linux-armv6, linux-x86, linux-arm64)", Recursive = true };
var noDynamicOption = new Option<bool>("--no-dynamic-code") { Description = "Simulate a platform without dynamic code (NativeAOT, iOS)", Recursive = true };
var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Log plugin selection to stderr", Recursive = true };

var root = new RootCommand("Polymath: host WebAssembly expert modules through interchangeable runtime plugins.");
root.Options.Add(pluginsOption);
root.Options.Add(platformOption);
root.Options.Add(noDynamicOption);
root.Options.Add(verboseOption);

// probe
var jsonOption = new Option<bool>("--json") { Description = "Print the documented JSON instead of a table" };
var probe = new Command("probe", "Show the platform and every runtime plugin's status, reason and capabilities");
probe.Options.Add(jsonOption);
probe.SetAction(pr => WithCatalog(pr, catalog => ProbeCommand.Run(catalog, pr.GetValue(jsonOption), Console.Out)));
root.Subcommands.Add(probe);

// run
var fileArgument = new Argument<string>("FILE") { Description = "The .wasm module" };
var argsArgument = new Argument<string[]>("ARGS") { Description = "Arguments for the invoked export, parsed per its parameter types", Arity = ArgumentArity.ZeroOrMore };
var invokeOption = new Option<string?>("--invoke") { Description = "Name of the exported function to call" };
var runtimeOption = new Option<string?>("--runtime") { Description = "Runtime plugin id (default: the preferred available one)" };
var fuelOption = new Option<ulong?>("--fuel") { Description = "Instruction budget for the call" };
var pagesOption = new Option<uint?>("--max-memory-pages") { Description = "Cap on linear memory size in 64 KiB pages" };
var run = new Command("run", "Run an export of a WebAssembly module and print its results");
run.Arguments.Add(fileArgument);
run.Arguments.Add(argsArgument);
run.Options.Add(invokeOption);
run.Options.Add(runtimeOption);
run.Options.Add(fuelOption);
run.Options.Add(pagesOption);
run.SetAction(pr => WithCatalog(pr, catalog => RunCommand.Run(catalog, pr.GetValue(fileArgument)!, pr.GetValue(invokeOption),
    pr.GetValue(argsArgument) ?? [], pr.GetValue(runtimeOption), pr.GetValue(fuelOption), pr.GetValue(pagesOption), Console.Out, Console.Error)));
root.Subcommands.Add(run);

return root.Parse(args).Invoke();

int WithCatalog(ParseResult pr, Func<RuntimeCatalog, int> action)
{
    using var loggerFactory = CliLogging.Create(pr.GetValue(verboseOption));
    RuntimeCatalog catalog;
    try
    {
        catalog = RuntimeCatalog.Create(new PolymathHostOptions
        {
            PluginsFile = pr.GetValue(pluginsOption),
            Platform = pr.GetValue(platformOption),
            NoDynamicCode = pr.GetValue(noDynamicOption) ? true : null,
        }, configuration: null, loggerFactory);
    }
    catch (Exception e) when (e is PluginManifestException or PlatformOverrideException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    using (catalog)
        return action(catalog);
}
