namespace Polymath.Sdk;

/// <summary>A native kernel broke the expert ABI during one call; the kernel stays usable for the next call.</summary>
public sealed class NativeKernelAbiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">One line naming the export and the problem.</param>
    public NativeKernelAbiException(NativeKernelAbiError error, string message) : base(message) => Error = error;

    /// <summary>Creates the exception with the exception that caused it.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">One line naming the export and the problem.</param>
    /// <param name="innerException">The cause.</param>
    public NativeKernelAbiException(NativeKernelAbiError error, string message, Exception innerException) : base(message, innerException) => Error = error;

    /// <summary>What went wrong.</summary>
    public NativeKernelAbiError Error { get; }
}
