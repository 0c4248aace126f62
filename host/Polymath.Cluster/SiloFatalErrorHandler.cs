using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Polymath.Cluster;

/// <summary>
/// What a silo does when Orleans reports a fatal error — chiefly "declared dead by the others" (it was unreachable
/// longer than the probes allow: a stalled process, a network split): Orleans' own handler ends the process with
/// <see cref="Environment.FailFast(string)"/> (SIGABRT, exit 134, a core dump, nothing flushed). A serve process instead logs
/// why, stops the host (the front ends close their listeners, the log is flushed) and exits with
/// <see cref="ExitCode"/>, so a supervisor sees a clean, documented failure and restarts it as a new silo. If the stop
/// does not finish within <see cref="StopGrace"/>, the process exits anyway with the same code.
/// </summary>
internal sealed class SiloFatalErrorHandler(ILogger<SiloFatalErrorHandler> logger, IHostApplicationLifetime lifetime) : IFatalErrorHandler
{
    /// <summary>The process exit code after a fatal silo error (docs/cluster.md).</summary>
    public const int ExitCode = 3;

    /// <summary>How long the host may take to stop before the process exits regardless.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private int _stopping;

    public bool IsUnexpected(Exception exception) => exception is not OperationCanceledException;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        logger.SiloFatal(exception, sender?.GetType().Name ?? "Orleans", context ?? exception?.Message ?? "no reason given", ExitCode);
        Environment.ExitCode = ExitCode;
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(StopGrace);
            Environment.Exit(ExitCode);
        }) { IsBackground = true, Name = "Polymath silo fatal-exit watchdog" };
        watchdog.Start();
        lifetime.StopApplication();
    }
}
