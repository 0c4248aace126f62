using Polymath.Host.Experts;

namespace Polymath.Service;

/// <summary>
/// The one seam between the protocol and whatever runs a call: the local <see cref="ExpertHost"/> (the default,
/// registered by <c>AddPolymathService</c>) or the cluster (<c>polymath serve --cluster</c>, host/Polymath.Cluster, which
/// registers its own). Every <c>call</c> request goes through <see cref="CallAsync"/> with the raw UTF-8 of its args.
/// </summary>
public interface IExpertCallDispatcher
{
    /// <summary>
    /// True when calls run in this process on the calling thread (CPU work): the service then runs them inline or on its
    /// guest threads and arms the deadline on the token itself. False for a dispatcher that sends calls
    /// elsewhere and completes asynchronously (the cluster): the service awaits it off its read loop.
    /// </summary>
    bool RunsInProcess { get; }

    /// <summary>
    /// Runs <paramref name="op"/> with <paramref name="argsUtf8"/>, the UTF-8 JSON text of the args exactly as the request
    /// carried it (parsed by the service, UTF-8 checked: never checked again; empty means <c>{}</c>), within
    /// <paramref name="deadlineMs"/> (0 = none). The bytes are valid only until the returned task completes. Never throws
    /// for a guest's or a peer's failure: every failure is an outcome. Throws <see cref="OperationCanceledException"/>
    /// only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    ValueTask<ExpertCallResult> CallAsync(string op, ReadOnlyMemory<byte> argsUtf8, int deadlineMs, CancellationToken cancellationToken);
}

/// <summary>
/// The in-process dispatcher: the host's call on the calling thread. The service arms the deadline on
/// <c>cancellationToken</c> (a guest thread's or the read loop's <see cref="CallDeadline"/>), so it completes synchronously.
/// </summary>
internal sealed class LocalCallDispatcher(ExpertHost host) : IExpertCallDispatcher
{
    public bool RunsInProcess => true;

    public ValueTask<ExpertCallResult> CallAsync(string op, ReadOnlyMemory<byte> argsUtf8, int deadlineMs, CancellationToken cancellationToken) =>
        new(host.CallParsed(op, argsUtf8.Span, cancellationToken));
}
