using System.Runtime.InteropServices;
using System.Text;
using Polymath.Sdk;

namespace Polymath.Runtime.Native;

/// <summary>
/// One loaded kernel. The C signatures (sdk/expert-kit/README.md): <c>void *larql_alloc(size_t)</c>,
/// <c>void larql_dealloc(void *, size_t)</c>, <c>char *larql_call(const char *op, size_t, const char *args, size_t)</c>,
/// <c>char *larql_metadata(void)</c>. Op and args are copied into blocks from the library's own allocator and freed
/// through it; the result is read up to its NUL — looked for in at most the cap + 1 bytes — and freed with
/// <c>len + 1</c>. Calls are serialized: a kernel built with the kit is not thread-safe.
/// </summary>
internal sealed unsafe class NativeKernel : INativeKernel
{
    /// <summary>The largest metadata string read (the host's metadata is small; this only bounds the NUL search).</summary>
    internal const int MaxMetadataBytes = 16 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly nint _library;
    private readonly delegate* unmanaged<nuint, byte*> _alloc;
    private readonly delegate* unmanaged<byte*, nuint, void> _dealloc;
    private readonly delegate* unmanaged<byte*, nuint, byte*, nuint, byte*> _call;
    private readonly Lock _gate = new();
    private bool _disposed;

    public NativeKernel(string libraryPath)
    {
        _library = NativeLibrary.Load(libraryPath);
        try
        {
            _alloc = (delegate* unmanaged<nuint, byte*>)Export(libraryPath, "larql_alloc");
            _dealloc = (delegate* unmanaged<byte*, nuint, void>)Export(libraryPath, "larql_dealloc");
            _call = (delegate* unmanaged<byte*, nuint, byte*, nuint, byte*>)Export(libraryPath, "larql_call");
            var metadata = (delegate* unmanaged<byte*>)Export(libraryPath, "larql_metadata");
            Metadata = Take(metadata(), MaxMetadataBytes, "larql_metadata")
                ?? throw new NativeKernelAbiException(NativeKernelAbiError.InvalidResult, $"{libraryPath}: larql_metadata returned NULL");
        }
        catch
        {
            NativeLibrary.Free(_library);
            throw;
        }
    }

    public string Metadata { get; }

    public string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8) => Call(opUtf8, argsUtf8, int.MaxValue - 1);

    public string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8, int maxResultBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxResultBytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            byte* op = Copy(opUtf8);
            byte* args;
            try { args = Copy(argsUtf8); }
            catch { _dealloc(op, (nuint)opUtf8.Length); throw; }
            try { return Take(_call(op, (nuint)opUtf8.Length, args, (nuint)argsUtf8.Length), maxResultBytes, "larql_call"); }
            finally
            {
                _dealloc(op, (nuint)opUtf8.Length);
                _dealloc(args, (nuint)argsUtf8.Length);
            }
        }
    }

    private nint Export(string libraryPath, string name) =>
        NativeLibrary.TryGetExport(_library, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"{libraryPath} does not export '{name}' (a native kernel exports larql_alloc, larql_dealloc, larql_call and larql_metadata)");

    // Copies into a block from the library's allocator (length 0 still gets a valid 1-byte block, as larql_alloc(0) may return NULL).
    private byte* Copy(ReadOnlySpan<byte> data)
    {
        byte* p = _alloc((nuint)Math.Max(1, data.Length));
        if (p == null) throw new NativeKernelAbiException(NativeKernelAbiError.AllocFailed, $"larql_alloc({data.Length}) returned NULL");
        data.CopyTo(new Span<byte>(p, data.Length));
        return p;
    }

    // Reads a NUL-terminated UTF-8 string, looking for the NUL in at most max + 1 bytes, and frees it with len + 1 as the
    // ABI says; NULL = declined. A string without a NUL within the bound is not freed: its length is unknown, and freeing
    // with a guessed one could corrupt the kernel's allocator.
    private string? Take(byte* p, int max, string what)
    {
        if (p == null) return null;
        int len = 0;
        while (p[len] != 0)
        {
            if (len == max)
                throw new NativeKernelAbiException(NativeKernelAbiError.ResultTooLarge, $"{what} result is larger than the limit of {max} bytes (no NUL within it)");
            len++;
        }
        try { return StrictUtf8.GetString(p, len); }
        catch (DecoderFallbackException e) { throw new NativeKernelAbiException(NativeKernelAbiError.InvalidResult, $"{what} result is not valid UTF-8", e); }
        finally { _dealloc(p, (nuint)len + 1); }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            NativeLibrary.Free(_library);
        }
    }
}
