using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Experts;
using Polymath.Mcp;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath mcp [--dir DIR] [--http ADDRESS:PORT [--token-file FILE] [--allowed-origin O]… [--allowed-host H]…
/// [--max-body-bytes N] [--body-timeout-ms N] [--max-sessions N] [--session-idle-seconds N]] [--otlp URL]</c>: a Model Context Protocol server that
/// offers every bound expert op as a tool (docs/mcp.md). Over stdio (default) stdout carries only protocol messages
/// and logs go to stderr; with <c>--http</c> it serves streamable HTTP at <c>/mcp</c> and prints
/// <c>listening on URL</c> to stderr. Experts are watched: added, changed or removed packages change the tool list.
/// The experts come from the host's DI composition (<c>AddPolymath</c> + <c>AddExperts</c> through
/// <see cref="ServiceCollectionExtensions.AddPolymathMcp"/>), configured like every command (CliConfiguration).
/// Exit code 0 after a clean shutdown, 2 for bad settings.
/// </summary>
public static class McpCommand
{
    /// <summary>
    /// The <c>mcp</c> command with its options; <paramref name="host"/> turns a parse result and <c>--dir</c> into the
    /// command-line layer of the configuration (the global options as keys), <paramref name="verbose"/> the logging switch and <paramref name="otlp"/> the OTLP endpoint from a parse result.
    /// </summary>
    public static Command Create(Option<string?> dirOption, Func<ParseResult, string?, IReadOnlyDictionary<string, string?>> host, Option<bool> verbose, Option<string?> otlp)
    {
        ArgumentNullException.ThrowIfNull(otlp);
        ArgumentNullException.ThrowIfNull(dirOption);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(verbose);
        var http = new Option<string?>("--http") { Description = "Serve streamable HTTP at ADDRESS:PORT (e.g. 127.0.0.1:3001) instead of stdio" };
        var token = new Option<string?>("--token-file") { Description = "File with the bearer token HTTP clients must send (required for a non-loopback --http address)" };
        var origins = new Option<string[]>("--allowed-origin") { Description = "Also allow browser requests from this origin, scheme://host[:port] (repeatable; loopback origins are always allowed, others get 403)" };
        var hosts = new Option<string[]>("--allowed-host") { Description = "Also accept this name in the Host header, with the bound port (repeatable; default: the bound address, localhost on loopback)" };
        var maxBody = CliNumbers.Option("--max-body-bytes", "Largest HTTP request body; larger gets 413 before it is read (default: Experts:Limits:MaxArgsBytes + 64 KiB)", (1024, 256UL << 20));
        var bodyTimeout = CliNumbers.Option("--body-timeout-ms", "Time to receive a whole request body; slower gets 408 (default 10000)", (100, 600_000));
        var maxSessions = CliNumbers.Option("--max-sessions", "Most MCP sessions open at once; a new one beyond gets 503 (default 64)", (1, 100_000));
        var idle = CliNumbers.Option("--session-idle-seconds", "Close a session after this long without a request (default 600)", (1, 86_400));
        var mcp = new Command("mcp", "Serve every bound expert op as an MCP tool over stdio (or streamable HTTP with --http)");
        foreach (var o in new Option[] { dirOption, http, token, origins, hosts, maxBody, bodyTimeout, maxSessions, idle, otlp }) mcp.Options.Add(o);
        ClusterOptions.AddTo(mcp); // mcp --cluster (docs/cluster.md)
        mcp.SetAction((pr, ct) =>
        {
            var settings = new McpServerSettings { Http = pr.GetValue(http), TokenFile = pr.GetValue(token) };
            foreach (var o in pr.GetValue(origins) ?? []) settings.AllowedOrigins.Add(o);
            foreach (var h in pr.GetValue(hosts) ?? []) settings.AllowedHosts.Add(h);
            if (pr.GetValue(maxBody) is { } b) settings.MaxRequestBodyBytes = (long)b;
            if (pr.GetValue(bodyTimeout) is { } t) settings.RequestBodyTimeout = TimeSpan.FromMilliseconds(t);
            if (pr.GetValue(maxSessions) is { } m) settings.MaxSessions = (int)m;
            if (pr.GetValue(idle) is { } i) settings.SessionIdleTimeout = TimeSpan.FromSeconds(i);
            return RunAsync(ClusterOptions.Into(host(pr, pr.GetValue(dirOption)), pr), settings, pr.GetValue(verbose), Console.Error, ct, pr.GetValue(otlp));
        });
        return mcp;
    }

    /// <summary>Runs the server until stdin closes (stdio) or the process is cancelled (HTTP).</summary>
    /// <param name="commandLine">The settings the command line names (key → value: the global options, <c>--dir</c>).</param>
    /// <param name="settings">The MCP server's own settings.</param>
    /// <param name="verbose">Log plugin selection.</param>
    /// <param name="error">Where errors and the startup line go.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <param name="otlp">The <c>--otlp</c> URL, or null.</param>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> commandLine, McpServerSettings settings, bool verbose, TextWriter error, CancellationToken cancellationToken, string? otlp = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(error);
        // Logs go to stderr (CliLogging): on stdio, stdout is the protocol channel.
        using var loggerFactory = CliLogging.Create(verbose);
        try { settings.Validate(); }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        var services = new ServiceCollection();
        ServiceProvider provider;
        ExpertHost host;
        IExpertOpSource source;
        OtlpExport? otlpExport;
        IConfiguration configuration;
        McpCluster? cluster = null;
        try
        {
            // The same composition root as every command (CliComposition); AddPolymath and AddExperts bind its sections.
            var cli = CliComposition.Build(commandLine);
            configuration = cli.Configuration;
            var sources = cli.HostOptions();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton(loggerFactory);
            services.AddPolymath(o => (o.PlatformSource, o.DynamicCodeSource) = (sources.PlatformSource, sources.DynamicCodeSource));
            services.AddPolymathMcp(o => o.Watch = true);
            provider = services.BuildServiceProvider();
            otlpExport = OtlpExport.Start(configuration, otlp);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        using var export = otlpExport;
        await using (provider.ConfigureAwait(false))
        {
            try
            {
                // Resolving the host binds and validates the options (each failure names its key) and probes the runtimes.
                host = provider.GetRequiredService<ExpertHost>();
                source = provider.GetRequiredService<IExpertOpSource>();
                // The body cap follows the host's argument cap unless given: an args object fits, with its envelope.
                settings.MaxRequestBodyBytes ??= provider.GetRequiredService<IOptions<ExpertHostOptions>>().Value.Limits.MaxArgsBytes + (long)McpServerSettings.EnvelopeAllowance;
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                cluster = await McpCluster.StartAsync(configuration, host, loggerFactory, cancellationToken).ConfigureAwait(false);
                if (cluster is not null) source = cluster.Route(source);
            }
            catch (Exception e) when (e is OptionsValidationException or ArgumentException or InvalidOperationException
                                          or Polymath.Host.Manifest.PluginManifestException or Polymath.Host.Platform.PlatformOverrideException)
            {
                await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
                return 2;
            }
            try
            {
                using var tools = new ExpertToolSet(source, loggerFactory.CreateLogger("Polymath.Mcp"));
                if (settings.Endpoint is null)
                {
                    await error.WriteLineAsync($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(host.Directory)} on stdio").ConfigureAwait(false);
                    await PolymathMcpServer.RunStdioAsync(tools, loggerFactory, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PolymathMcpServer.RunHttpAsync(tools, settings, loggerFactory,
                        url => error.WriteLine($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(host.Directory)}; listening on {url}"),
                        cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (cluster is not null) await cluster.DisposeAsync().ConfigureAwait(false);
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        return 0;
    }
}
