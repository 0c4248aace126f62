namespace Polymath.Sdk;

/// <summary>
/// How a call to an expert op ended: the one outcome contract of the host, the service, its client, the CLI and the MCP
/// server. The JSON spelling (in brackets) is <see cref="ExpertCallOutcomes.Name"/>.
/// </summary>
public enum ExpertCallOutcome
{
    /// <summary>The expert answered (<c>result</c>).</summary>
    Result,
    /// <summary>The expert returned 0: it declined the op or its args (<c>declined</c>).</summary>
    Declined,
    /// <summary>No expert advertises the op (<c>unknown_op</c>).</summary>
    UnknownOp,
    /// <summary>The op's expert cannot run here (<c>unavailable</c>); the reason says why.</summary>
    Unavailable,
    /// <summary>A limit (fuel, timeout, memory, call depth, result size, or a call's deadline) ended the call (<c>limit_exceeded</c>).</summary>
    LimitExceeded,
    /// <summary>The guest trapped or broke the ABI (<c>trapped</c>).</summary>
    Trapped,
    /// <summary>The op name or args are not acceptable (<c>invalid_args</c>).</summary>
    InvalidArgs,
}
