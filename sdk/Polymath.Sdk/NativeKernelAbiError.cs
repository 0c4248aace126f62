namespace Polymath.Sdk;

/// <summary>How a native kernel broke the expert ABI (see <see cref="NativeKernelAbiException"/>).</summary>
public enum NativeKernelAbiError
{
    /// <summary><c>larql_alloc</c> returned NULL.</summary>
    AllocFailed,
    /// <summary>The result has no NUL terminator within the result cap: too large, or not terminated at all.</summary>
    ResultTooLarge,
    /// <summary>The result is not valid UTF-8.</summary>
    InvalidResult,
}
