using Polymath.Host.Experts;

namespace Polymath.Service;

/// <summary>
/// Where the service sends <c>call</c> requests instead of the local <see cref="ExpertRegistry"/> when one is registered
/// (<c>polymath serve --cluster</c>, host/Polymath.Cluster): the call is awaited, never run on a guest thread or inline,
/// and its result is answered like a local one.
/// </summary>
public interface IRemoteCallDispatcher
{
    /// <summary>
    /// Runs <paramref name="op"/> with <paramref name="argsJson"/> somewhere that can answer it, within
    /// <paramref name="deadlineMs"/> (0 = none). Never throws for a guest's or a peer's failure: every failure is an
    /// outcome. Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    ValueTask<ExpertCallResult> CallAsync(string op, string? argsJson, int deadlineMs, CancellationToken cancellationToken);
}
