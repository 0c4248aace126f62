namespace Polymath.Mcp;

/// <summary>
/// What the MCP server needs from an expert host: the callable ops, a signal when they change, and calls. The one
/// implementation over Polymath.Host is <see cref="ExpertHostAdapter"/>; the server depends only on this contract.
/// </summary>
public interface IExpertOpSource
{
    /// <summary>The ops that can be called now (unavailable experts and shadowed ops left out), sorted by op name.</summary>
    IReadOnlyList<OpDescriptor> Ops { get; }

    /// <summary>Raised after the set of experts changed (loaded, unloaded, replaced, degraded, rejected).</summary>
    event EventHandler? Changed;

    /// <summary>
    /// Calls <paramref name="op"/> with <paramref name="argsJson"/> under the host's limits and grants. Never throws
    /// for a failed call (every failure is an outcome); throws <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<OpCallOutcome> CallAsync(string op, string argsJson, CancellationToken cancellationToken);
}
