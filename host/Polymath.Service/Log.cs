using Microsoft.Extensions.Logging;

namespace Polymath.Service;

/// <summary>The service's log messages (source-generated, constant templates).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on unix:{Path} (mode 0600)")]
    public static partial void ListeningUnix(this ILogger logger, string path);

    [LoggerMessage(2, LogLevel.Information, "Listening on tcp:{Endpoint}")]
    public static partial void ListeningTcp(this ILogger logger, string endpoint);

    [LoggerMessage(3, LogLevel.Warning, "TCP is bound to the non-loopback address {Address}: any host that can reach it may call experts after authenticating with the token in {TokenFile}")]
    public static partial void NonLoopback(this ILogger logger, string address, string tokenFile);

    [LoggerMessage(4, LogLevel.Warning, "Replaced the stale socket file {Path} left by a previous run")]
    public static partial void StaleSocketReplaced(this ILogger logger, string path);

    [LoggerMessage(5, LogLevel.Debug, "Connection {Id} opened from {Remote}")]
    public static partial void ConnectionOpened(this ILogger logger, int id, string remote);

    [LoggerMessage(6, LogLevel.Debug, "Connection {Id} closed ({Reason})")]
    public static partial void ConnectionClosed(this ILogger logger, int id, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Connection refused on {Listener}: the maximum of {Max} connections there is reached")]
    public static partial void TooManyConnections(this ILogger logger, string listener, int max);

    [LoggerMessage(8, LogLevel.Information, "Connection {Id}: {Problem}; the connection is closed")]
    public static partial void ProtocolViolation(this ILogger logger, int id, string problem);

    [LoggerMessage(9, LogLevel.Information, "Stopping: no new connections; draining {InFlight} in-flight requests on {Connections} connections (at most {DrainMs} ms)")]
    public static partial void Draining(this ILogger logger, long inFlight, long connections, int drainMs);

    [LoggerMessage(10, LogLevel.Warning, "Drain timeout: cancelling the calls still running on connection {Id}")]
    public static partial void DrainTimeout(this ILogger logger, int id);

    [LoggerMessage(11, LogLevel.Information, "Stopped: every connection is closed")]
    public static partial void Stopped(this ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "Call of op {Op} failed unexpectedly")]
    public static partial void CallFailed(this ILogger logger, Exception exception, string op);

    [LoggerMessage(13, LogLevel.Warning, "Connection {Id} does not read its notifications; one was dropped")]
    public static partial void NotificationDropped(this ILogger logger, int id);

    [LoggerMessage(14, LogLevel.Error, "Connection {Id} failed")]
    public static partial void ConnectionFailed(this ILogger logger, Exception exception, int id);

    [LoggerMessage(15, LogLevel.Debug, "Connection {Id} idle for {IdleMs} ms; closing it")]
    public static partial void IdleClose(this ILogger logger, int id, int idleMs);

    [LoggerMessage(16, LogLevel.Debug, "Connection {Id}: request {RequestId} names the unknown method {Method}")]
    public static partial void UnknownMethod(this ILogger logger, int id, string requestId, string method);

    [LoggerMessage(17, LogLevel.Information, "Connection {Id}: {Problem}; answered as an invalid request")]
    public static partial void BadText(this ILogger logger, int id, string problem);

    [LoggerMessage(18, LogLevel.Warning, "Connection {Id}: call refused: {Reason}")]
    public static partial void CallRefused(this ILogger logger, int id, string reason);

    [LoggerMessage(19, LogLevel.Information, "Connection {Id}: op {Op} ran past the inline budget of {BudgetMs} ms; it moves to a guest thread")]
    public static partial void InlineBudgetExceeded(this ILogger logger, int id, string op, int budgetMs);

    [LoggerMessage(20, LogLevel.Information, "Connection {Id} sent no complete request within {TimeoutMs} ms of connecting; closing it")]
    public static partial void HandshakeTimeout(this ILogger logger, int id, int timeoutMs);

    [LoggerMessage(21, LogLevel.Warning, "Connection {Id} closed with {InFlight} replies it could not deliver")]
    public static partial void RepliesAbandoned(this ILogger logger, int id, int inFlight);

    [LoggerMessage(22, LogLevel.Warning, "Connection refused on {Listener}: {Max} connections there have not sent a request yet (Service:MaxPendingConnections)")]
    public static partial void TooManyPending(this ILogger logger, string listener, int max);

    [LoggerMessage(23, LogLevel.Information, "Guest calls run on {Threads} threads of their own (Service:GuestThreads)")]
    public static partial void GuestThreads(this ILogger logger, int threads);
}
