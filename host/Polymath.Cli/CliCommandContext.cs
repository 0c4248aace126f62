using System.CommandLine;
using Polymath.Cli.Commands;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;

namespace Polymath.Cli;

/// <summary>
/// What every command's <c>Create</c> builds on: the global options (<c>--plugins</c>, <c>--platform</c>,
/// <c>--no-dynamic-code</c>, <c>--verbose</c>), the options several commands share (the experts options of
/// <c>experts</c> and <c>call</c>, <c>--token-file</c>, <c>--otlp</c>), and the steps that turn a parse result into a
/// runtime catalog or an expert host through the composition root (Configuration/CliComposition.cs). Each command owns
/// its own <see cref="Command"/> (Commands/*.cs); Program.cs only adds them to the root and runs the parse.
/// </summary>
internal sealed class CliCommandContext
{
    /// <summary><c>--plugins FILE</c> (Polymath:PluginsFile), on every command.</summary>
    public Option<string?> Plugins { get; } = new("--plugins") { Description = "plugins.json to use (Polymath:PluginsFile; default: the one beside polymath; docs/configuration.md)", Recursive = true };

    /// <summary><c>--platform RID</c> (Polymath:Platform), on every command.</summary>
    public Option<string?> Platform { get; } = new("--platform") { Description = "Simulate a platform by runtime identifier, e.g. linux-arm, linux-armv6, linux-x86, linux-arm64 (Polymath:Platform)", Recursive = true };

    /// <summary><c>--no-dynamic-code</c> (Polymath:NoDynamicCode), on every command.</summary>
    public Option<bool> NoDynamicCode { get; } = new("--no-dynamic-code") { Description = "Simulate a platform without dynamic code, NativeAOT or iOS (Polymath:NoDynamicCode)", Recursive = true };

    /// <summary><c>--verbose</c>/<c>-v</c>, on every command.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log plugin selection to stderr", Recursive = true };

    /// <summary><c>--dir DIR</c> (Experts:Directory): <c>experts</c>, <c>call</c>, <c>mcp</c>.</summary>
    public Option<string?> Directory { get; } = new("--dir") { Description = "Experts directory (default: Experts:Directory from appsettings.json or POLYMATH_Experts__Directory, then ./experts)" };

    /// <summary><c>--grant [ID=]F[,F]</c> (adds to Experts:Grants): <c>experts</c>, <c>call</c>.</summary>
    public Option<string[]> Grant { get; } = new("--grant") { Description = "Grant WASI facilities: FACILITY[,FACILITY] to every expert or ID=FACILITY[,FACILITY] (repeatable; adds to Experts:Grants)" };

    /// <summary><c>--limit NAME=N</c> (one Experts:Limits key): <c>experts</c>, <c>call</c>.</summary>
    public Option<string[]> Limit { get; } = new("--limit") { Description = "Default limit NAME=N: MemoryPages, FuelPerCall, TimeoutMs, MaxResultBytes, MaxArgsBytes, MaxCallDepth (repeatable; overrides Experts:Limits; each is a ceiling manifests can only lower)" };

    /// <summary><c>--native ID|*</c> (adds to Experts:NativeKernels): <c>experts</c>, <c>call</c>.</summary>
    public Option<string[]> Native { get; } = new("--native") { Description = "Run experts on their packages' native kernels: ID or * (repeatable; adds to Experts:NativeKernels). Native code runs with the host's privileges and no fuel, timeout or memory cap" };

    /// <summary><c>--json</c> of <c>experts</c> and <c>call</c>.</summary>
    public Option<bool> ExpertsJson { get; } = new("--json") { Description = "Print the documented JSON" };

    /// <summary><c>--token-file FILE</c>: the service's TCP token, for <c>call --server</c> and <c>status</c>.</summary>
    public Option<string?> TokenFile { get; } = new("--token-file") { Description = "File holding the service's TCP token (sent with 'auth')" };

    /// <summary><c>--otlp URL</c> (OpenTelemetry:Endpoint): <c>serve</c>, <c>mcp</c>.</summary>
    public Option<string?> Otlp { get; } = new("--otlp") { Description = "Export traces and metrics to the OTLP collector at URL (OpenTelemetry:Endpoint; docs/service.md)" };

    /// <summary>Adds the global options to <paramref name="root"/>.</summary>
    public void AddGlobalOptionsTo(RootCommand root)
    {
        root.Options.Add(Plugins);
        root.Options.Add(Platform);
        root.Options.Add(NoDynamicCode);
        root.Options.Add(Verbose);
    }

    /// <summary>Adds the experts options (<c>--dir --grant --limit --json --native</c>) to <paramref name="command"/>.</summary>
    public void AddExpertsOptionsTo(Command command)
    {
        foreach (var option in new Option[] { Directory, Grant, Limit, ExpertsJson, Native })
            command.Options.Add(option);
    }

    /// <summary>The token in <paramref name="file"/> (trimmed), or null when no file was named.</summary>
    public static string? ReadToken(string? file) => file is null ? null : CliInput.ReadText(file, "the token file", CliInput.MaxTokenBytes).Trim();

    /// <summary>The command-line layer of the composition root: the global options and <c>--dir</c>, as configuration keys.</summary>
    public Dictionary<string, string?> GlobalSettings(ParseResult parsed, string? directory = null)
    {
        var settings = CliComposition.GlobalOptions(parsed.GetValue(Plugins), parsed.GetValue(Platform), parsed.GetValue(NoDynamicCode));
        if (directory is not null) settings["Experts:Directory"] = directory;
        return settings;
    }

    /// <summary>Runs <paramref name="action"/> on a runtime catalog built from every configuration layer; 2 for bad settings.</summary>
    public int WithCatalog(ParseResult parsed, Func<RuntimeCatalog, int> action)
    {
        using var loggerFactory = CliLogging.Create(parsed.GetValue(Verbose));
        CliSettings settings;
        try { settings = CliComposition.Build(GlobalSettings(parsed)); }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        if (CreateCatalog(parsed, loggerFactory, settings) is not { } catalog) return 2;
        using (catalog)
            return action(catalog);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on an expert host builder over <paramref name="directory"/> (or the configured one),
    /// with the experts options of the parse result on top of the configuration; 2 for bad settings.
    /// </summary>
    public async Task<int> WithExperts(ParseResult parsed, string? directory, Func<ExpertHostBuilder, Task<int>> action)
    {
        using var loggerFactory = CliLogging.Create(parsed.GetValue(Verbose));
        try
        {
            // One configuration for the catalog and the experts: appsettings.json, POLYMATH_ environment, options (CliConfiguration).
            if (directory is not null && (File.Exists(directory) || directory.Contains('\0', StringComparison.Ordinal)))
                throw new CliUsageException($"--dir {HumanText.Sanitize(directory)}: not a directory");
            var settings = CliComposition.Build(GlobalSettings(parsed, directory));
            var fromOptions = CliConfiguration.Apply(null, parsed.GetValue(Grant) ?? [], parsed.GetValue(Limit) ?? []);
            if (CreateCatalog(parsed, loggerFactory, settings) is not { } catalog) return 2;
            using (catalog)
            {
                var builder = ExpertHost.CreateBuilder()
                    .UseConfiguration(settings.Configuration)
                    .Configure(fromOptions)
                    .Configure(o => o.NativeKernels.AddRange((parsed.GetValue(Native) ?? []).Where(k => !o.NativeKernels.Contains(k))))
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

    private RuntimeCatalog? CreateCatalog(ParseResult parsed, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, CliSettings settings)
    {
        try
        {
            var options = settings.HostOptions();
            // A FIFO named as plugins.json would block the manifest reader's open forever.
            if (options.PluginsFile is { } plugins) CliInput.EnsureRegularFile(plugins, parsed.GetValue(Plugins) is null ? "Polymath:PluginsFile" : "--plugins");
            // The options are bound from every layer already: nothing is looked up again.
            return RuntimeCatalog.Create(options, configuration: null, loggerFactory, environment: _ => null);
        }
        catch (Exception e) when (e is PluginManifestException or PlatformOverrideException or CliUsageException)
        {
            Console.Error.WriteLine($"error: {HumanText.Sanitize(e.Message)}");
            return null;
        }
    }
}
