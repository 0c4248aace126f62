using System.Runtime.InteropServices;
using System.Text;
using Polymath.Sdk;

[assembly: RuntimePlugin(typeof(Polymath.Samples.NativeKernelRuntime.NativeKernelRuntimePlugin))]

namespace Polymath.Samples.NativeKernelRuntime;

/// <summary>
/// A runtime plugin of tier <see cref="RuntimeTier.Native"/>: it runs native kernels — shared libraries exporting the
/// larql expert ABI with pointer-sized pointers (build one with <c>experts/build.sh --native</c> or a scaffolded
/// expert's <c>build.sh --native</c>). It does not run WebAssembly, so it advertises no <c>wasm.*</c> capability and
/// the expert binder never picks it for a wasm payload.
/// </summary>
public sealed class NativeKernelRuntimePlugin : IRuntimePlugin, INativeKernelRuntime
{
    /// <inheritdoc />
    public RuntimeDescriptor Descriptor { get; } = new("native-sample", "Native kernel runtime (sample)", "0.1.0", RuntimeTier.Native);

    /// <summary>Available only where the platform the host targets is the process's own (a native library cannot be simulated).</summary>
    public RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (platform.IsSimulated || platform.RuntimeIdentifier != PlatformInfo.Current.RuntimeIdentifier)
            return RuntimeProbeResult.Unavailable($"native kernels run only on the real platform ({PlatformInfo.Current.RuntimeIdentifier}), not {platform.RuntimeIdentifier}");
        return RuntimeProbeResult.Available($"loads native kernels for {platform.RuntimeIdentifier} through NativeLibrary", [Capabilities.ExecNative]);
    }

    /// <summary>Not supported: this runtime runs native kernels, not WebAssembly modules (see <see cref="LoadKernel"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IWasmEngine CreateEngine(EngineOptions options) =>
        throw new NotSupportedException($"{Descriptor.Id} runs native kernels (INativeKernelRuntime.LoadKernel), not WebAssembly modules");

    /// <inheritdoc />
    /// <exception cref="DllNotFoundException">The library cannot be loaded.</exception>
    /// <exception cref="EntryPointNotFoundException">It lacks one of the four larql_* exports.</exception>
    public INativeKernel LoadKernel(string libraryPath) => new NativeKernel(libraryPath);
}

/// <summary>
/// One loaded kernel. The C signatures (sdk/expert-kit/README.md): <c>void *larql_alloc(size_t)</c>,
/// <c>void larql_dealloc(void *, size_t)</c>, <c>char *larql_call(const char *op, size_t, const char *args, size_t)</c>,
/// <c>char *larql_metadata(void)</c>. Buffers are allocated with the library's own allocator and freed through it.
/// Calls are serialized: a kernel built with the kit is not thread-safe (its arena is global).
/// </summary>
internal sealed unsafe class NativeKernel : INativeKernel
{
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
            _alloc = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(_library, "larql_alloc");
            _dealloc = (delegate* unmanaged<byte*, nuint, void>)NativeLibrary.GetExport(_library, "larql_dealloc");
            _call = (delegate* unmanaged<byte*, nuint, byte*, nuint, byte*>)NativeLibrary.GetExport(_library, "larql_call");
            var metadata = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(_library, "larql_metadata");
            Metadata = TakeString(metadata()) ?? throw new InvalidDataException($"{libraryPath}: larql_metadata returned NULL");
        }
        catch
        {
            NativeLibrary.Free(_library);
            throw;
        }
    }

    public string Metadata { get; }

    public string? Call(ReadOnlySpan<byte> opUtf8, ReadOnlySpan<byte> argsUtf8)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            byte* op = Copy(opUtf8), args = Copy(argsUtf8);
            try { return TakeString(_call(op, (nuint)opUtf8.Length, args, (nuint)argsUtf8.Length)); }
            finally
            {
                _dealloc(op, (nuint)opUtf8.Length);
                _dealloc(args, (nuint)argsUtf8.Length);
            }
        }
    }

    // Copies into a block from the library's allocator (length 0 still gets a valid 1-byte block).
    private byte* Copy(ReadOnlySpan<byte> data)
    {
        byte* p = _alloc((nuint)Math.Max(1, data.Length));
        if (p == null) throw new OutOfMemoryException("larql_alloc returned NULL");
        data.CopyTo(new Span<byte>(p, data.Length));
        return p;
    }

    // Reads a NUL-terminated UTF-8 result and frees it with len + 1, as the ABI says; NULL = declined.
    private string? TakeString(byte* p)
    {
        if (p == null) return null;
        var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(p);
        string s = Encoding.UTF8.GetString(span);
        _dealloc(p, (nuint)span.Length + 1);
        return s;
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
