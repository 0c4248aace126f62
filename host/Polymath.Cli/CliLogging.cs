using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Polymath.Cli;

/// <summary>
/// Logging for the CLI: Microsoft.Extensions.Logging with Serilog as the provider, written to stderr so stdout stays
/// machine-readable. Each event is one line, <c>[LEVEL] message</c>, passed through <see cref="HumanText.Sanitize"/>
/// (<see cref="SanitizingLogFormatter"/>): ids, reasons and paths that came from a package cannot colour the terminal or
/// forge a log line.
/// </summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose)
    {
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
            .WriteTo.Console(new SanitizingLogFormatter("[{Level:u3}] {Message:lj}"), standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
        return LoggerFactory.Create(b => b.AddSerilog(serilog, dispose: true));
    }
}
