using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Polymath.Cluster;
using Polymath.Host;
using Polymath.Service;

namespace Polymath.Cli.Commands;

/// <summary>
/// <c>polymath serve [--config FILE] [--socket PATH] [--tcp PORT] [--otlp URL] [--Section:Key=value ...]</c>: the headless service
/// (docs/service.md, docs/protocol.md). Runs until SIGTERM/SIGINT, then drains in-flight calls and unloads.
/// Exit code 0 after a clean stop, 2 when the configuration is invalid or the listeners cannot be bound.
/// </summary>
public static class ServeCommand
{
    // serve's own options and the global ones, for the suggestion when a token on its command line is unknown.
    private static readonly string[] KnownOptions = ["--config", "--socket", "--tcp", "--otlp", "--cluster", "--silo-port", "--gateway-port", "--cluster-id", "--service-id", "--plugins", "--platform", "--no-dynamic-code", "--verbose"];

    /// <summary>Runs the service; returns the exit code.</summary>
    public static async Task<int> RunAsync(string? configFile, string? socket, int? tcpPort, IReadOnlyList<string> overrides, PolymathHostOptions hostOptions, TextWriter error, string? otlp = null)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(hostOptions);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            // A FIFO given as --config or --plugins would block the configuration's open forever.
            if (configFile is not null) CliInput.EnsureRegularFile(configFile, "the configuration file");
            if (hostOptions.PluginsFile is not null) CliInput.EnsureRegularFile(hostOptions.PluginsFile, "--plugins");
            ConfigurationOverrides.Check(overrides, KnownOptions);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        var commandLine = new List<string>(overrides);
        if (socket is not null) commandLine.Add($"--{ServiceOptions.SectionName}:SocketPath={socket}");
        if (tcpPort is int port) commandLine.Add($"--{ServiceOptions.SectionName}:TcpPort={port}");
        IHost host;
        OtlpExport? otlpExport;
        try
        {
            var builder = PolymathServiceHost.CreateBuilder(configFile, [.. commandLine], o =>
            {
                o.PluginsFile = hostOptions.PluginsFile;
                o.Platform = hostOptions.Platform;
                o.NoDynamicCode = hostOptions.NoDynamicCode;
            });
            builder.AddPolymathCluster(); // serve --cluster (docs/cluster.md); nothing without Cluster:Membership
            host = builder.Build();
            otlpExport = OtlpExport.Start(builder.Configuration, otlp);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException or CliUsageException)
        {
            await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        using (otlpExport)
        using (host)
        {
            try { await host.StartAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is OptionsValidationException or ArgumentException or InvalidOperationException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException
                                          or Polymath.Host.Manifest.PluginManifestException or Polymath.Host.Platform.PlatformOverrideException)
            {
                await error.WriteLineAsync($"error: {HumanText.Sanitize(e.Message)}").ConfigureAwait(false);
                try { await host.StopAsync().ConfigureAwait(false); }
#pragma warning disable CA1031 // already failing: the first error is the one reported
                catch (Exception) { }
#pragma warning restore CA1031
                return 2;
            }
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
        return 0;
    }
}
