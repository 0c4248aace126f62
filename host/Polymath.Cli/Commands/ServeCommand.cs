using System.CommandLine;
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
    /// <summary>The <c>serve</c> command: the headless service (docs/service.md, docs/protocol.md).</summary>
    internal static Command Create(CliCommandContext cli)
    {
        var config = new Option<string?>("--config") { Description = "JSON configuration file over appsettings.json (sections Service, Experts, Polymath, OpenTelemetry, Serilog; docs/configuration.md)" };
        var socket = new Option<string?>("--socket") { Description = "Unix socket path (Service:SocketPath; empty = none)" };
        var tcp = CliNumbers.Option("--tcp", "Also listen on TCP 127.0.0.1:PORT (Service:TcpPort; 0 = any free port)", CliNumbers.Port);
        var serve = new Command("serve", "Run the headless service: JSON-RPC 2.0 over a Unix socket and/or TCP; further --Section:Key=value pairs override configuration");
        foreach (var option in new Option[] { config, socket, tcp, cli.Otlp }) serve.Options.Add(option);
        ClusterOptions.AddTo(serve);
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction(pr => RunAsync(pr.GetValue(config), pr.GetValue(socket), (int?)pr.GetValue(tcp), ClusterOptions.With(pr.UnmatchedTokens, pr),
            cli.GlobalSettings(pr), Console.Error, pr.GetValue(cli.Otlp)));
        return serve;
    }

    // serve's own options and the global ones, for the suggestion when a token on its command line is unknown.
    private static readonly string[] KnownOptions = ["--config", "--socket", "--tcp", "--otlp", "--cluster", "--silo-port", "--gateway-port", "--cluster-id", "--service-id", "--plugins", "--platform", "--no-dynamic-code", "--verbose"];

    /// <summary>Runs the service; returns the exit code.</summary>
    /// <param name="configFile">The <c>--config</c> file (a layer above appsettings.json), or null.</param>
    /// <param name="socket">The <c>--socket</c> path, or null.</param>
    /// <param name="tcpPort">The <c>--tcp</c> port, or null.</param>
    /// <param name="overrides">The <c>--Section:Key=value</c> tokens.</param>
    /// <param name="commandLine">The settings the global options name (key → value), a layer with the overrides.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="otlp">The <c>--otlp</c> URL, or null.</param>
    public static async Task<int> RunAsync(string? configFile, string? socket, int? tcpPort, IReadOnlyList<string> overrides, IReadOnlyDictionary<string, string?> commandLine, TextWriter error, string? otlp = null)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(error);
        CliSettings settings;
        PolymathHostOptions hostOptions;
        try
        {
            // A FIFO given as --config or as plugins.json would block the configuration's open forever.
            if (configFile is not null) CliInput.EnsureRegularFile(configFile, "the configuration file");
            ConfigurationOverrides.Check(overrides, KnownOptions);
            // The same composition root as every command (CliComposition): appsettings.json, --config, environment, command line.
            var layer = ConfigurationOverrides.Parse(overrides);
            foreach (var (key, value) in commandLine) layer[key] = value;
            if (socket is not null) layer[$"{ServiceOptions.SectionName}:SocketPath"] = socket;
            if (tcpPort is int port) layer[$"{ServiceOptions.SectionName}:TcpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings = CliComposition.Build(layer, configFile);
            hostOptions = settings.HostOptions();
            if (hostOptions.PluginsFile is not null) CliInput.EnsureRegularFile(hostOptions.PluginsFile, "Polymath:PluginsFile");
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        IHost host;
        OtlpExport? otlpExport;
        try
        {
            var builder = PolymathServiceHost.CreateBuilder(settings.Configuration, o => (o.PlatformSource, o.DynamicCodeSource) = (hostOptions.PlatformSource, hostOptions.DynamicCodeSource));
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
        // 0 after a stop asked for (Ctrl+C, SIGTERM); a part that stopped the host because it failed set the code (the
        // cluster's silo declared dead: 3, docs/cluster.md).
        return Environment.ExitCode;
    }
}
