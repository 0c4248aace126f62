using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polymath.Host;
using Polymath.Host.Experts;
using Polymath.Mcp;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath mcp [--dir DIR] [--http ADDRESS:PORT [--token-file FILE]] [--otlp URL]</c>: a Model Context Protocol server that
/// offers every bound expert op as a tool (docs/mcp.md). Over stdio (default) stdout carries only protocol messages
/// and logs go to stderr; with <c>--http</c> it serves streamable HTTP at <c>/mcp</c> and prints
/// <c>listening on URL</c> to stderr. Experts are watched: added, changed or removed packages change the tool list.
/// The experts come from the host's DI composition (<c>AddPolymath</c> + <c>AddExperts</c> through
/// <see cref="ServiceCollectionExtensions.AddPolymathMcp"/>), configured like every command (CliConfiguration).
/// Exit code 0 after a clean shutdown, 2 for bad settings.
/// </summary>
public static class McpCommand
{
    /// <summary>Runs the server until stdin closes (stdio) or the process is cancelled (HTTP).</summary>
    public static async Task<int> RunAsync(string? directory, PolymathHostOptions hostOptions, McpServerSettings settings, bool verbose, TextWriter error, CancellationToken cancellationToken, string? otlp = null)
    {
        ArgumentNullException.ThrowIfNull(hostOptions);
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
        try
        {
            var fromOptions = CliConfiguration.Apply(directory, [], []);
            var configuration = CliConfiguration.Build();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton(loggerFactory);
            services.AddPolymath(o =>
            {
                o.PluginsFile = hostOptions.PluginsFile;
                o.Platform = hostOptions.Platform;
                o.NoDynamicCode = hostOptions.NoDynamicCode;
            });
            services.AddPolymathMcp(o =>
            {
                fromOptions(o);
                o.Watch = true;
            });
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
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
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
                    await error.WriteLineAsync($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(host.Registry.Directory)} on stdio").ConfigureAwait(false);
                    await PolymathMcpServer.RunStdioAsync(tools, loggerFactory, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PolymathMcpServer.RunHttpAsync(tools, settings, loggerFactory,
                        url => error.WriteLine($"polymath mcp: {tools.Tools.Count} tools from {HumanText.Sanitize(host.Registry.Directory)}; listening on {url}"),
                        cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        return 0;
    }
}
