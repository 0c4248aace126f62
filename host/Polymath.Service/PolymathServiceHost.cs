using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polymath.Host;
using Serilog;

namespace Polymath.Service;

/// <summary>
/// Builds the Generic Host behind <c>polymath serve</c>: configuration from a JSON file, then <c>POLYMATH_</c>
/// environment variables (<c>POLYMATH_Service__SocketPath</c>), then command-line <c>--Key=value</c> pairs
/// (<c>--Service:TcpPort=7070</c>); Serilog configured from the <c>Serilog</c> section (sinks, levels, formats; stderr
/// at Information when the section is absent); systemd integration (readiness notification, journal-friendly output)
/// when run as a systemd unit; the service registrations of <see cref="ServiceCollectionExtensions.AddPolymathService"/>.
/// </summary>
public static class PolymathServiceHost
{
    /// <summary>The environment variable prefix.</summary>
    public const string EnvironmentPrefix = "POLYMATH_";

    /// <summary>The runtime's switch for inline socket completions (<see cref="ServiceOptions.InlineSocketCompletions"/>).</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Creates the host builder; <paramref name="configFile"/> (optional) must exist when given.</summary>
    /// <exception cref="FileNotFoundException">The configuration file does not exist.</exception>
    public static HostApplicationBuilder CreateBuilder(string? configFile, string[] commandLine, Action<PolymathHostOptions>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = CreateEmpty();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new FileNotFoundException($"configuration file '{configFile}' does not exist", configFile);
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(commandLine);
        return Compose(builder, configureHost);
    }

    /// <summary>
    /// Creates the host builder over a configuration the caller has built and checked (the <c>polymath</c> CLI's
    /// composition root: appsettings.json, environment, command line; host/Polymath.Cli/RATIONALE.md).
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(IConfiguration configuration, Action<PolymathHostOptions>? configureHost = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = CreateEmpty();
        builder.Configuration.AddConfiguration(configuration);
        return Compose(builder, configureHost);
    }

    private static HostApplicationBuilder CreateEmpty() => Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
    {
        ApplicationName = "polymath",
        ContentRootPath = Directory.GetCurrentDirectory(),
        DisableDefaults = true,
    });

    private static HostApplicationBuilder Compose(HostApplicationBuilder builder, Action<PolymathHostOptions>? configureHost)
    {
        var configuration = builder.Configuration;
        // Read by System.Net.Sockets when the process first uses a socket, so it is set before anything listens.
        if ((configuration.GetValue<bool?>($"{ServiceOptions.SectionName}:{nameof(ServiceOptions.InlineSocketCompletions)}") ?? true)
            && Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        builder.Services.AddSerilog((services, logger) =>
        {
            if (configuration.GetSection("Serilog").Exists()) logger.ReadFrom.Configuration(configuration);
            else logger.MinimumLevel.Information().WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose,
                outputTemplate: "[{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        });
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o =>
        {
            int drain = configuration.GetValue<int?>($"{ServiceOptions.SectionName}:DrainTimeoutMs") ?? 10_000;
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(Math.Max(0, drain) + 5_000);
        });
        builder.Services.AddPolymathService(configuration, configureHost);
        return builder;
    }
}
