namespace Polymath.Host.Experts;

/// <summary>Which limit ended a call.</summary>
public enum ExpertLimitKind
{
    /// <summary>Fuel ran out (runaway loop).</summary>
    Fuel,
    /// <summary>The wall-clock timeout fired.</summary>
    Timeout,
    /// <summary>The memory cap was reached.</summary>
    Memory,
    /// <summary>Call depth was exhausted (deep recursion).</summary>
    CallDepth,
    /// <summary>The result was larger than the maximum result size.</summary>
    ResultSize,
}
