namespace Polymath.Sdk;

/// <summary>A loaded native kernel implementing the expert ABI in-process.</summary>
public interface INativeKernel : IDisposable
{
    /// <summary>The kernel's metadata JSON (what <c>larql_metadata</c> returns).</summary>
    string Metadata { get; }

    /// <summary>Runs one op; returns the result JSON, or null when the kernel declined.</summary>
    string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8);
}
