using System.Text;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>
/// One instantiated expert module and the larql ABI over it: the exact call sequence (alloc + write op and args,
/// <c>larql_call</c>, free both, read the NUL-terminated result, free <c>len + 1</c>), with every guest pointer and
/// length validated against the memory size. Not thread-safe: one call at a time. No allocation per call besides
/// the result string.
/// </summary>
public sealed class ExpertInstance : IDisposable
{
    private readonly IWasmStore _store;
    private readonly IWasmMemory _memory;
    private readonly IWasmFunction _alloc, _dealloc, _call, _metadata;
    private readonly WasmValue[] _args1 = new WasmValue[1], _args2 = new WasmValue[2], _args4 = new WasmValue[4];
    private readonly WasmValue[] _result1 = new WasmValue[1];

    private ExpertInstance(IWasmStore store, IWasmInstance instance, IWasmMemory memory,
        IWasmFunction alloc, IWasmFunction dealloc, IWasmFunction call, IWasmFunction metadata)
    {
        _store = store;
        Instance = instance;
        _memory = memory;
        _alloc = alloc;
        _dealloc = dealloc;
        _call = call;
        _metadata = metadata;
    }

    /// <summary>The wasm instance.</summary>
    public IWasmInstance Instance { get; }

    /// <summary>The store owning the instance (one per expert instance).</summary>
    public IWasmStore Store => _store;

    /// <summary>The guest's exported memory.</summary>
    public IWasmMemory Memory => _memory;

    private static readonly FuncType AllocType = new([ValueType.I32], [ValueType.I32]);
    private static readonly FuncType DeallocType = new([ValueType.I32, ValueType.I32], []);
    private static readonly FuncType CallType = new([ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32], [ValueType.I32]);
    private static readonly FuncType MetadataType = new([], [ValueType.I32]);

    /// <summary>
    /// Creates a store with <paramref name="limits"/>, links the WASI shim for the module's imports, instantiates,
    /// calls <c>_initialize</c> when exported, and checks the larql exports.
    /// </summary>
    /// <exception cref="WasmLinkException">An import cannot be provided, or <c>_initialize</c> is mistyped.</exception>
    /// <exception cref="WasmTrapException">Instantiation or <c>_initialize</c> trapped.</exception>
    /// <exception cref="ExpertAbiException">A larql export is missing or mistyped.</exception>
    public static ExpertInstance Create(IWasmEngine engine, IWasmModule module, StoreLimits limits, WasiOptions wasi, CallOptions options = default) =>
        Create(engine, module, limits, WasiPreview1.CreateLinker(wasi), options);

    /// <summary>
    /// Creates a store with <paramref name="limits"/>, instantiates <paramref name="module"/> as a reactor through
    /// <paramref name="linker"/> (imports by name, <c>_initialize</c> when exported), and checks the larql exports.
    /// </summary>
    /// <exception cref="WasmLinkException">An import cannot be provided, or <c>_initialize</c> is mistyped.</exception>
    /// <exception cref="WasmTrapException">Instantiation or <c>_initialize</c> trapped.</exception>
    /// <exception cref="ExpertAbiException">A larql export is missing or mistyped.</exception>
    public static ExpertInstance Create(IWasmEngine engine, IWasmModule module, StoreLimits limits, WasmLinker linker, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(linker);
        var store = engine.CreateStore(limits);
        try
        {
            var instance = linker.InstantiateReactor(store, module, options);
            var memory = instance.GetMemory("memory") ?? throw new ExpertAbiException(AbiViolation.MissingExport, "the module does not export its memory as 'memory'");
            return new ExpertInstance(store, instance, memory,
                Require(instance, "larql_alloc", AllocType), Require(instance, "larql_dealloc", DeallocType),
                Require(instance, "larql_call", CallType), Require(instance, "larql_metadata", MetadataType));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The larql exports missing from or mistyped in <paramref name="module"/>; empty when it is an expert.</summary>
    public static IReadOnlyList<string> CheckExports(Module module)
    {
        var problems = new List<string>();
        void Check(string name, ExternKind kind, FuncType? type)
        {
            var export = module.Exports.FirstOrDefault(e => e.Name == name);
            if (export is null) { problems.Add($"missing export '{name}'"); return; }
            if (export.Kind != kind) { problems.Add($"export '{name}' is a {export.Kind.ToString().ToLowerInvariant()}, expected a {kind.ToString().ToLowerInvariant()}"); return; }
            if (type is not null && !module.GetFunctionType(export.Index).Equals(type))
                problems.Add($"export '{name}' has type {module.GetFunctionType(export.Index)}, expected {type}");
        }
        Check("memory", ExternKind.Memory, null);
        Check("larql_alloc", ExternKind.Function, AllocType);
        Check("larql_dealloc", ExternKind.Function, DeallocType);
        Check("larql_call", ExternKind.Function, CallType);
        Check("larql_metadata", ExternKind.Function, MetadataType);
        return problems;
    }

    private static IWasmFunction Require(IWasmInstance instance, string name, FuncType type)
    {
        var f = instance.GetFunction(name) ?? throw new ExpertAbiException(AbiViolation.MissingExport, $"the module does not export function '{name}'");
        if (!f.Type.Equals(type)) throw new ExpertAbiException(AbiViolation.MissingExport, $"export '{name}' has type {f.Type}, expected {type}");
        return f;
    }

    /// <summary>Reads <c>larql_metadata</c> (and frees it with <c>len + 1</c>).</summary>
    public string ReadMetadataJson(CallOptions options, int maxBytes = 1 << 20)
    {
        _metadata.Invoke([], _result1, options);
        int ptr = _result1[0].AsI32;
        if (ptr == 0) throw new ExpertAbiException(AbiViolation.InvalidResult, "larql_metadata returned 0");
        return ReadResult(ptr, maxBytes, options, "larql_metadata");
    }

    /// <summary>Reads and parses <c>larql_metadata</c>.</summary>
    public ExpertMetadata ReadMetadata(string source, CallOptions options = default) => ExpertMetadata.Parse(ReadMetadataJson(options), source);

    /// <summary>
    /// Runs one op with the exact larql sequence. Returns the result JSON, or null when the expert declined (0).
    /// </summary>
    /// <exception cref="WasmTrapException">The guest trapped (including fuel, depth, interruption, exit).</exception>
    /// <exception cref="ExpertAbiException">The guest broke the ABI (alloc 0, wild pointer, missing NUL, result over <paramref name="maxResultBytes"/>, not UTF-8).</exception>
    public string? Call(ReadOnlySpan<byte> op, ReadOnlySpan<byte> args, CallOptions options, int maxResultBytes) =>
        Call(op, args, options, maxResultBytes, static (utf8, _) => DecodeResult(utf8, "larql_call"), 0);

    /// <summary>
    /// Runs one op with the exact larql sequence and hands the result's UTF-8 bytes, as they lie in guest memory (up to
    /// the NUL, not checked), to <paramref name="read"/> before the result is freed: no copy and no string in between.
    /// Returns what <paramref name="read"/> returns, or null when the expert declined (0). The span is valid only during
    /// <paramref name="read"/>, which must not call into this instance.
    /// </summary>
    /// <exception cref="WasmTrapException">The guest trapped (including fuel, depth, interruption, exit).</exception>
    /// <exception cref="ExpertAbiException">The guest broke the ABI (alloc 0, wild pointer, missing NUL, result over <paramref name="maxResultBytes"/>), or <paramref name="read"/> threw it.</exception>
    public TResult? Call<TState, TResult>(ReadOnlySpan<byte> op, ReadOnlySpan<byte> args, CallOptions options, int maxResultBytes,
        ExpertResultReader<TState, TResult> read, TState state) where TResult : class
    {
        ArgumentNullException.ThrowIfNull(read);
        int pOp = AllocAndWrite(op, options);
        int pArgs = AllocAndWrite(args, options);
        _args4[0] = WasmValue.I32(pOp);
        _args4[1] = WasmValue.I32(op.Length);
        _args4[2] = WasmValue.I32(pArgs);
        _args4[3] = WasmValue.I32(args.Length);
        _call.Invoke(_args4, _result1, options);
        int r = _result1[0].AsI32;
        Free(pOp, op.Length, options);
        Free(pArgs, args.Length, options);
        if (r == 0) return null;
        var mem = _memory.Span; // no guest code runs between here and the read: one look at the memory serves both
        int n = FindResult(mem, r, maxResultBytes, "larql_call");
        var result = read(mem.Slice(r, n), state);
        Free(r, n + 1, options);
        return result;
    }

    private int AllocAndWrite(ReadOnlySpan<byte> data, CallOptions options)
    {
        _args1[0] = WasmValue.I32(data.Length);
        _alloc.Invoke(_args1, _result1, options);
        int p = _result1[0].AsI32;
        if (p == 0)
        {
            if (data.Length == 0) return 0;
            throw new ExpertAbiException(AbiViolation.AllocFailed, $"larql_alloc({data.Length}) returned 0");
        }
        var mem = _memory.Span;
        if ((ulong)(uint)p + (ulong)data.Length > (ulong)mem.Length)
            throw new ExpertAbiException(AbiViolation.WildPointer,
                $"larql_alloc({data.Length}) returned 0x{(uint)p:X8}, outside guest memory ({mem.Length} bytes)");
        data.CopyTo(mem.Slice(p, data.Length));
        return p;
    }

    private void Free(int p, int length, CallOptions options)
    {
        if (p == 0) return;
        _args2[0] = WasmValue.I32(p);
        _args2[1] = WasmValue.I32(length);
        _dealloc.Invoke(_args2, [], options);
    }

    private string ReadResult(int r, int maxBytes, CallOptions options, string what)
    {
        var mem = _memory.Span;
        int n = FindResult(mem, r, maxBytes, what);
        string json = DecodeResult(mem.Slice(r, n), what);
        Free(r, n + 1, options);
        return json;
    }

    // The length of the NUL-terminated result at r, checked against the memory and the cap.
    private static int FindResult(Span<byte> mem, int r, int maxBytes, string what)
    {
        if ((uint)r >= (uint)mem.Length)
            throw new ExpertAbiException(AbiViolation.WildPointer, $"{what} returned 0x{(uint)r:X8}, outside guest memory ({mem.Length} bytes)");
        var tail = mem[r..];
        int window = (int)Math.Min((long)tail.Length, (long)maxBytes + 1);
        int n = tail[..window].IndexOf((byte)0);
        if (n < 0)
        {
            if (window < tail.Length || (long)tail.Length > maxBytes)
                throw new ExpertAbiException(AbiViolation.ResultTooLarge, $"{what} result is larger than the limit of {maxBytes} bytes");
            throw new ExpertAbiException(AbiViolation.MissingNul, $"{what} result at 0x{(uint)r:X8} has no NUL terminator before the end of guest memory");
        }
        return n;
    }

    private static string DecodeResult(ReadOnlySpan<byte> utf8, string what)
    {
        try { return StrictUtf8.GetString(utf8); }
        catch (DecoderFallbackException e) { throw new ExpertAbiException(AbiViolation.InvalidResult, $"{what} result is not valid UTF-8", e); }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Releases the store.</summary>
    public void Dispose() => _store.Dispose();
}

/// <summary>Reads a result's UTF-8 bytes while they lie in guest memory (<see cref="ExpertInstance.Call{TState, TResult}"/>).</summary>
/// <param name="resultUtf8">The bytes up to the NUL, valid only during the call.</param>
/// <param name="state">The caller's state.</param>
public delegate TResult ExpertResultReader<in TState, out TResult>(ReadOnlySpan<byte> resultUtf8, TState state);
