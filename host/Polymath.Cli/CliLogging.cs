using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Polymath.Cli;

/// <summary>Logging for the CLI: Microsoft.Extensions.Logging with Serilog as the provider, written to stderr so stdout stays machine-readable.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose)
    {
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        return LoggerFactory.Create(b => b.AddSerilog(serilog, dispose: true));
    }
}
