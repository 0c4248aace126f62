using Microsoft.Extensions.Logging;

namespace Polymath.Cluster;

/// <summary>The cluster's log messages (source-generated, constant templates).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "A silo worker's call of op {Op} failed unexpectedly")]
    public static partial void WorkerCallFailed(this ILogger logger, Exception exception, string op);

    [LoggerMessage(2, LogLevel.Warning, "Call of op {Op} on silo {Silo} failed (attempt {Attempt}): {Kind}: {Message}; trying another silo")]
    public static partial void SiloCallFailed(this ILogger logger, string op, string silo, int attempt, string kind, string message);

    [LoggerMessage(3, LogLevel.Warning, "Refreshing the cluster view failed")]
    public static partial void RefreshFailed(this ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Silo and gateway endpoints bind to the non-loopback address {Address} without TLS: anyone who can reach them can join the cluster or call experts (set Cluster:TlsCertificateFile)")]
    public static partial void NonLoopbackWithoutTls(this ILogger logger, string address);

    [LoggerMessage(5, LogLevel.Information, "Cluster {ClusterId} ({Membership}): silo port {SiloPort}, gateway port {GatewayPort} on {Address}{Tls}")]
    public static partial void Joining(this ILogger logger, string clusterId, string membership, int siloPort, int gatewayPort, string address, string tls);

    [LoggerMessage(10, LogLevel.Critical, "This silo must leave the cluster ({Source}): {Reason}. Stopping; the process exits with code {ExitCode} (restart it to join as a new silo)")]
    public static partial void SiloFatal(this ILogger logger, Exception? exception, string source, string reason, int exitCode);
}
