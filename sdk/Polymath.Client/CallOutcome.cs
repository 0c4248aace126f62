namespace Polymath.Client;

/// <summary>How a remote call ended; mirrors the host's in-process outcomes (JSON spelling in brackets).</summary>
public enum CallOutcome
{
    /// <summary>The expert answered (<c>result</c>).</summary>
    Result,
    /// <summary>The expert declined the op or its args (<c>declined</c>).</summary>
    Declined,
    /// <summary>No expert advertises the op (<c>unknown_op</c>).</summary>
    UnknownOp,
    /// <summary>The op's expert cannot run on the service's platform (<c>unavailable</c>).</summary>
    Unavailable,
    /// <summary>A limit (fuel, timeout, memory, call depth, result size, or the call's deadline) ended the call (<c>limit_exceeded</c>).</summary>
    LimitExceeded,
    /// <summary>The expert trapped or broke the ABI (<c>trapped</c>).</summary>
    Trapped,
    /// <summary>The op name or args are not acceptable (<c>invalid_args</c>).</summary>
    InvalidArgs,
}
