using System.Text;

namespace Polymath.Sdk;

/// <summary>A loaded native kernel implementing the expert ABI in-process.</summary>
public interface INativeKernel : IDisposable
{
    /// <summary>The kernel's metadata JSON (what <c>larql_metadata</c> returns).</summary>
    string Metadata { get; }

    /// <summary>Runs one op; returns the result JSON, or null when the kernel declined.</summary>
    string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8);

    /// <summary>
    /// Runs one op with the host's result cap: the result's NUL terminator is looked for in at most
    /// <paramref name="maxResultBytes"/> + 1 bytes, so a result without one cannot make the reader run on through the
    /// process's memory. Returns the result JSON, or null when the kernel declined. The default implementation calls
    /// <see cref="Call(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> and checks the size afterwards; a kernel runtime
    /// should implement the bounded read itself.
    /// </summary>
    /// <exception cref="NativeKernelAbiException">The result is over <paramref name="maxResultBytes"/> bytes (or has no NUL within
    /// them), is not UTF-8, or the kernel's allocator failed.</exception>
    string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8, int maxResultBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxResultBytes);
        string? result = Call(opUtf8, argsUtf8);
        if (result is not null && Encoding.UTF8.GetByteCount(result) > maxResultBytes)
            throw new NativeKernelAbiException(NativeKernelAbiError.ResultTooLarge, $"larql_call result is larger than the limit of {maxResultBytes} bytes");
        return result;
    }
}
