using System.CommandLine;
using Polymath.Cli;
using Polymath.Cli.Commands;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;

// Wires the commands (one file each under Commands/) to System.CommandLine. Global options select plugins.json and the
// platform; every command builds its settings through the composition root (Configuration/CliComposition.cs).
var pluginsOption = new Option<string?>("--plugins") { Description = "plugins.json to use (Polymath:PluginsFile; default: the one beside polymath; docs/configuration.md)", Recursive = true };
var platformOption = new Option<string?>("--platform") { Description = "Simulate a platform by runtime identifier, e.g. linux-arm, linux-armv6, linux-x86, linux-arm64 (Polymath:Platform)", Recursive = true };
var noDynamicOption = new Option<bool>("--no-dynamic-code") { Description = "Simulate a platform without dynamic code, NativeAOT or iOS (Polymath:NoDynamicCode)", Recursive = true };
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
var fuelOption = CliNumbers.Option("--fuel", "Instruction budget of each guest entry (_initialize, then the export)", CliNumbers.Fuel);
var pagesOption = CliNumbers.Option("--max-memory-pages", "Cap on linear memory size in 64 KiB pages", CliNumbers.MemoryPages);
var timeoutOption = CliNumbers.Option("--timeout", "Wall-clock limit for the whole run in milliseconds (default: none)", CliNumbers.TimeoutMs);
var run = new Command("run", "Run an export of a WebAssembly module and print its results");
run.Arguments.Add(fileArgument);
run.Arguments.Add(argsArgument);
run.Options.Add(invokeOption);
run.Options.Add(runtimeOption);
run.Options.Add(fuelOption);
run.Options.Add(pagesOption);
run.Options.Add(timeoutOption);
run.SetAction(pr => WithCatalog(pr, catalog => RunCommand.Run(catalog, pr.GetValue(fileArgument)!, pr.GetValue(invokeOption),
    pr.GetValue(argsArgument) ?? [], pr.GetValue(runtimeOption), pr.GetValue(fuelOption), (uint?)pr.GetValue(pagesOption), (int?)pr.GetValue(timeoutOption), Console.Out, Console.Error)));
root.Subcommands.Add(run);

// inspect: what a runtime tier makes of a module's functions
var inspectFileArgument = new Argument<string>("FILE") { Description = "The .wasm module" };
var funcOption = new Option<string?>("--func") { Description = "One function: an exported or name-section name, or a funcidx (default: every defined function)" };
var cilOption = new Option<bool>("--cil") { Description = "The CIL the compiler tier generates (the default)" };
var irOption = new Option<bool>("--ir") { Description = "The interpreter's translated code (fast and metered variants)" };
var inspectRuntimeOption = new Option<string?>("--runtime") { Description = "Runtime plugin id to list with (default: compiler, or interpreter with --ir)" };
var inspect = new Command("inspect", "Print how a runtime tier lowers a module's functions (generated CIL, or the interpreter's code with --ir)");
inspect.Arguments.Add(inspectFileArgument);
inspect.Options.Add(funcOption);
inspect.Options.Add(cilOption);
inspect.Options.Add(irOption);
inspect.Options.Add(inspectRuntimeOption);
inspect.SetAction(pr => WithCatalog(pr, catalog => InspectCommand.Run(catalog, pr.GetValue(inspectFileArgument)!, pr.GetValue(funcOption),
    pr.GetValue(cilOption), pr.GetValue(irOption), pr.GetValue(inspectRuntimeOption), Console.Out, Console.Error)));
root.Subcommands.Add(inspect);

// experts / call: the expert registry over the experts directory (docs/experts.md)
var dirOption = new Option<string?>("--dir") { Description = "Experts directory (default: Experts:Directory from appsettings.json or POLYMATH_Experts__Directory, then ./experts)" };
var grantOption = new Option<string[]>("--grant") { Description = "Grant WASI facilities: FACILITY[,FACILITY] to every expert or ID=FACILITY[,FACILITY] (repeatable; adds to Experts:Grants)" };
var limitOption = new Option<string[]>("--limit") { Description = "Default limit NAME=N: MemoryPages, FuelPerCall, TimeoutMs, MaxResultBytes, MaxArgsBytes, MaxCallDepth (repeatable; overrides Experts:Limits; each is a ceiling manifests can only lower)" };
var expertsJsonOption = new Option<bool>("--json") { Description = "Print the documented JSON" };
var nativeOption = new Option<string[]>("--native") { Description = "Run experts on their packages' native kernels: ID or * (repeatable; adds to Experts:NativeKernels). Native code runs with the host's privileges and no fuel, timeout or memory cap" };
var experts = new Command("experts", "List every expert, its ops, status (bound / degraded / unavailable), runtime and reason");
experts.Options.Add(dirOption);
experts.Options.Add(grantOption);
experts.Options.Add(limitOption);
experts.Options.Add(expertsJsonOption);
experts.Options.Add(nativeOption);
experts.SetAction((pr, ct) => WithExperts(pr, pr.GetValue(dirOption), b => ExpertsCommand.RunAsync(b, pr.GetValue(expertsJsonOption), Console.Out, ct)));
root.Subcommands.Add(experts);

var opArgument = new Argument<string>("OP") { Description = "The op name, e.g. gcd" };
var callArgsArgument = new Argument<string?>("ARGS_JSON") { Description = "The op's arguments as a JSON object, e.g. '{\"a\":12,\"b\":18}'; - reads them from stdin, @FILE from a file", Arity = ArgumentArity.ZeroOrOne };
var call = new Command("call", "Call one op; the exit code is 0 only for a result");
call.Arguments.Add(opArgument);
call.Arguments.Add(callArgsArgument);
// A token that looks like an option is not JSON args: say so instead of calling the op with it.
callArgsArgument.Validators.Add(r =>
{
    if (r.Tokens.Count > 0 && r.Tokens[0].Value is { Length: > 1 } t && t[0] == '-')
        r.AddError($"unknown option '{HumanText.Sanitize(t)}' (ARGS_JSON is a JSON object, - for stdin or @FILE)");
});
call.Options.Add(dirOption);
call.Options.Add(grantOption);
call.Options.Add(limitOption);
call.Options.Add(expertsJsonOption);
call.Options.Add(nativeOption);
var serverOption = new Option<string?>("--server") { Description = "Call through a running `polymath serve`: a Unix socket path or HOST:PORT (docs/service.md)" };
var tokenFileOption = new Option<string?>("--token-file") { Description = "File holding the service's TCP token (sent with 'auth')" };
call.Options.Add(serverOption);
call.Options.Add(tokenFileOption);
call.SetAction((pr, ct) => pr.GetValue(serverOption) is { } server
    ? RemoteCallCommand.RunAsync(server, ReadToken(pr.GetValue(tokenFileOption)), pr.GetValue(opArgument)!, CliInput.ReadArgs(pr.GetValue(callArgsArgument), Console.OpenStandardInput), pr.GetValue(expertsJsonOption), Console.Out, Console.Error, ct)
    : WithExperts(pr, pr.GetValue(dirOption), b => CallCommand.RunAsync(b, pr.GetValue(opArgument)!, CliInput.ReadArgs(pr.GetValue(callArgsArgument), Console.OpenStandardInput), pr.GetValue(expertsJsonOption), Console.Out, ct)));
root.Subcommands.Add(call);

// mcp: every bound op as a Model Context Protocol tool (docs/mcp.md)
var otlpOption = new Option<string?>("--otlp") { Description = "Export traces and metrics to the OTLP collector at URL (OpenTelemetry:Endpoint; docs/service.md)" };
root.Subcommands.Add(McpCommand.Create(dirOption, (pr, dir) => GlobalSettings(pr, dir), verboseOption, otlpOption));

// serve / status: the headless service (docs/service.md, docs/protocol.md)
var configOption = new Option<string?>("--config") { Description = "JSON configuration file over appsettings.json (sections Service, Experts, Polymath, OpenTelemetry, Serilog; docs/configuration.md)" };
var socketOption = new Option<string?>("--socket") { Description = "Unix socket path (Service:SocketPath; empty = none)" };
var tcpOption = CliNumbers.Option("--tcp", "Also listen on TCP 127.0.0.1:PORT (Service:TcpPort; 0 = any free port)", CliNumbers.Port);
var serve = new Command("serve", "Run the headless service: JSON-RPC 2.0 over a Unix socket and/or TCP; further --Section:Key=value pairs override configuration");
serve.Options.Add(configOption);
serve.Options.Add(socketOption);
serve.Options.Add(tcpOption);
serve.Options.Add(otlpOption);
ClusterOptions.AddTo(serve);
serve.TreatUnmatchedTokensAsErrors = false;
serve.SetAction(pr => ServeCommand.RunAsync(pr.GetValue(configOption), pr.GetValue(socketOption), (int?)pr.GetValue(tcpOption), ClusterOptions.With(pr.UnmatchedTokens, pr),
    GlobalSettings(pr), Console.Error, pr.GetValue(otlpOption)));
root.Subcommands.Add(serve);

var statusServerOption = new Option<string>("--server") { Description = "The service: a Unix socket path or HOST:PORT", Required = true };
var statusJsonOption = new Option<bool>("--json") { Description = "Print {\"health\": …, \"stats\": …} as JSON" };
var status = new Command("status", "Show a running service's health and stats");
status.Options.Add(statusServerOption);
status.Options.Add(tokenFileOption);
status.Options.Add(statusJsonOption);
status.SetAction((pr, ct) => StatusCommand.RunAsync(pr.GetValue(statusServerOption)!, ReadToken(pr.GetValue(tokenFileOption)), pr.GetValue(statusJsonOption), Console.Out, Console.Error, ct));
root.Subcommands.Add(status);

// pack
var packDirArgument = new Argument<string>("DIR") { Description = "The expert package folder (with expert.json)" };
var packOutputOption = new Option<string?>("--output", "-o") { Description = "The zip to write, or a folder to write <id>.expert in (default: the current directory)" };
var packWriteHashesOption = new Option<bool>("--write-hashes") { Description = "Also write the computed hashes into the folder's expert.json (only the hash values change)" };
var packForceOption = new Option<bool>("--force") { Description = "Write the zip even inside the experts directory (Experts:Directory)" };
var pack = new Command("pack", "Validate an expert package folder, compute payload hashes and write the .expert zip");
pack.Arguments.Add(packDirArgument);
pack.Options.Add(packOutputOption);
pack.Options.Add(packWriteHashesOption);
pack.Options.Add(packForceOption);
pack.SetAction(pr => PackCommand.Run(pr.GetValue(packDirArgument)!, pr.GetValue(packOutputOption), pr.GetValue(packWriteHashesOption),
    pr.GetValue(packForceOption), PackExpertsDirectory(), Console.Out, Console.Error));
root.Subcommands.Add(pack);

// new expert
var newExpertArgs = new Argument<string[]>("NAME") { Description = "NAME [--dir DIR] [--kit PATH_TO_larql_expert.h]", Arity = ArgumentArity.OneOrMore };
var newExpert = new Command("expert", "Scaffold a C expert package (manifest, source with one op, build script, README, test)");
newExpert.Arguments.Add(newExpertArgs);
newExpert.TreatUnmatchedTokensAsErrors = false;
newExpert.SetAction(pr => NewExpertCommand.Run([.. pr.GetValue(newExpertArgs) ?? [], .. pr.UnmatchedTokens], Console.Out, Console.Error));
var newCommand = new Command("new", "Create something from a template");
newCommand.Subcommands.Add(newExpert);
root.Subcommands.Add(newCommand);

// No response files: `@FILE` is an argument (polymath call OP @args.json reads the op's args from a file).
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
// A command line that does not parse: one line, naming the option and what it accepts, and exit code 2.
if (parsed.Errors.Count > 0)
{
    var path = new List<string>();
    for (var r = parsed.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult) path.Insert(0, r.Command.Name);
    // The first problem only: later ones are usually its consequences ("frobnicate" → "required command not provided").
    string message = parsed.UnmatchedTokens.Count > 0
        ? $"unrecognized command, option or argument '{parsed.UnmatchedTokens[0]}'"
        : parsed.Errors[0].Message;
    Console.Error.WriteLine($"error: {HumanText.Sanitize(message)} (see '{string.Join(' ', path)} --help')");
    return 2;
}
try
{
    // serve handles SIGTERM/SIGINT itself (Generic Host: drain, then exit); System.CommandLine must not end it after 2 s.
    return parsed.Invoke(parsed.CommandResult.Command == serve
        ? new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }
        : new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
// Whatever a command did not handle ends as one line on stderr, never a stack trace (-v adds it).
catch (Exception e) when (Unwrap(e) is CliUsageException usage)
{
    Console.Error.WriteLine($"error: {usage.Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is OperationCanceledException)
{
    Console.Error.WriteLine("error: cancelled");
    return 130;
}
#pragma warning disable CA1031 // the last resort: report, do not crash
catch (Exception e)
#pragma warning restore CA1031
{
    var inner = Unwrap(e);
    Console.Error.WriteLine($"error: {HumanText.Sanitize(inner.Message)} ({inner.GetType().Name})");
    if (parsed.GetValue(verboseOption))
        foreach (var line in inner.ToString().Split('\n')) Console.Error.WriteLine(HumanText.Sanitize(line.TrimEnd('\r')));
    return 1;
}

static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;

static string? ReadToken(string? file) => file is null ? null : CliInput.ReadText(file, "the token file", CliInput.MaxTokenBytes).Trim();

// pack refuses to write into the experts directory a registry would watch (Experts:Directory, default ./experts).
static string? PackExpertsDirectory()
{
    try { return CliComposition.Build().Configuration["Experts:Directory"] ?? "experts"; }
    catch (CliUsageException) { return "experts"; }
}

// The command-line layer of the composition root (CliComposition): the global options and --dir, as configuration keys.
Dictionary<string, string?> GlobalSettings(ParseResult pr, string? directory = null)
{
    var settings = CliComposition.GlobalOptions(pr.GetValue(pluginsOption), pr.GetValue(platformOption), pr.GetValue(noDynamicOption));
    if (directory is not null) settings["Experts:Directory"] = directory;
    return settings;
}

int WithCatalog(ParseResult pr, Func<RuntimeCatalog, int> action)
{
    using var loggerFactory = CliLogging.Create(pr.GetValue(verboseOption));
    CliSettings settings;
    try { settings = CliComposition.Build(GlobalSettings(pr)); }
    catch (CliUsageException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    if (CreateCatalog(pr, loggerFactory, settings) is not { } catalog) return 2;
    using (catalog)
        return action(catalog);
}

async Task<int> WithExperts(ParseResult pr, string? directory, Func<Polymath.Host.Experts.ExpertHostBuilder, Task<int>> action)
{
    using var loggerFactory = CliLogging.Create(pr.GetValue(verboseOption));
    try
    {
        // One configuration for the catalog and the experts: appsettings.json, POLYMATH_ environment, options (CliConfiguration).
        if (directory is not null && (File.Exists(directory) || directory.Contains('\0', StringComparison.Ordinal)))
            throw new CliUsageException($"--dir {HumanText.Sanitize(directory)}: not a directory");
        var settings = CliComposition.Build(GlobalSettings(pr, directory));
        var configuration = settings.Configuration;
        var fromOptions = CliConfiguration.Apply(null, pr.GetValue(grantOption) ?? [], pr.GetValue(limitOption) ?? []);
        if (CreateCatalog(pr, loggerFactory, settings) is not { } catalog) return 2;
        using (catalog)
        {
            var builder = Polymath.Host.Experts.ExpertHost.CreateBuilder()
                .UseConfiguration(configuration)
                .Configure(fromOptions)
                .Configure(o => o.NativeKernels.AddRange((pr.GetValue(nativeOption) ?? []).Where(k => !o.NativeKernels.Contains(k))))
                .UseLoggerFactory(loggerFactory)
                .UseRuntimeCatalog(catalog);
            return await action(builder).ConfigureAwait(false);
        }
    }
    catch (Exception e) when (e is CliUsageException or Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException { InnerException: not null })
    {
        Console.Error.WriteLine($"error: {HumanText.Sanitize(e.Message)}");
        return 2;
    }
}

RuntimeCatalog? CreateCatalog(ParseResult pr, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, CliSettings settings)
{
    try
    {
        var options = settings.HostOptions();
        // A FIFO named as plugins.json would block the manifest reader's open forever.
        if (options.PluginsFile is { } plugins) CliInput.EnsureRegularFile(plugins, pr.GetValue(pluginsOption) is null ? "Polymath:PluginsFile" : "--plugins");
        // The options are bound from every layer already: nothing is looked up again.
        return RuntimeCatalog.Create(options, configuration: null, loggerFactory, environment: _ => null);
    }
    catch (Exception e) when (e is PluginManifestException or PlatformOverrideException or CliUsageException)
    {
        Console.Error.WriteLine($"error: {HumanText.Sanitize(e.Message)}");
        return null;
    }
}
