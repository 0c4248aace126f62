namespace Polymath.Host.Experts;

/// <summary>How a call ended. The JSON spelling (CLI, service) is in <see cref="ExpertCallResult.OutcomeName"/>.</summary>
public enum ExpertCallOutcome
{
    /// <summary>The expert answered (<c>result</c>).</summary>
    Result,
    /// <summary>The expert returned 0 (<c>declined</c>).</summary>
    Declined,
    /// <summary>No expert advertises the op (<c>unknown_op</c>).</summary>
    UnknownOp,
    /// <summary>The op's expert cannot run here (<c>unavailable</c>); the reason says why.</summary>
    Unavailable,
    /// <summary>A limit ended the call (<c>limit_exceeded</c>); see <see cref="ExpertCallResult.Limit"/>.</summary>
    LimitExceeded,
    /// <summary>The guest trapped or broke the ABI (<c>trapped</c>).</summary>
    Trapped,
    /// <summary>The op name or args are not acceptable (<c>invalid_args</c>).</summary>
    InvalidArgs,
}
