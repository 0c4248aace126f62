using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Sdk;
using Polymath.Wasm;
using Wasmtime;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// Two Wasmtime engines configured to exactly WebAssembly 2.0 + SIMD with epoch interruption and a bounded wasm stack:
/// <see cref="Unmetered"/> (no fuel instrumentation: the code a call without a fuel budget runs) and
/// <see cref="Metered"/> (fuel consumption on, created on first use). One epoch ticker for both; optional compiled-code
/// cache keyed by each engine's configuration. Thread-safe.
/// </summary>
internal sealed class WasmtimeEngine : IWasmEngine
{
    /// <summary>Most native stack wasm may use (Wasmtime's max_wasm_stack). Deeper recursion traps as call stack exhausted.</summary>
    internal const int MaxWasmStackBytes = 512 * 1024;

    /// <summary>Native stack a thread must have left, beyond the wasm stack, before a call enters wasm inline.</summary>
    internal const int HostStackMarginBytes = 256 * 1024;

    /// <summary>Stack of the dedicated thread a call moves to when the caller's thread is too small.</summary>
    internal const int GuestThreadStackBytes = 4 * 1024 * 1024;

    /// <summary>Period of the epoch ticker: the latency of a timeout or cancellation.</summary>
    internal static readonly TimeSpan EpochPeriod = TimeSpan.FromMilliseconds(5);

    private readonly Timer _ticker;
    private readonly Lock _meteredLock = new();
    private EngineVariant? _metered;
    private int _disposed;

    public WasmtimeEngine(EngineOptions options, long codeCacheMaxBytes = CodeCache.DefaultMaxBytes)
    {
        Options = options;
        Logger = (ILogger?)options.LoggerFactory?.CreateLogger("Polymath.Runtime.Wasmtime") ?? NullLogger.Instance;
        CodeCacheMaxBytes = codeCacheMaxBytes;
        Unmetered = CreateVariant(metered: false);
        _ticker = new Timer(static e => ((WasmtimeEngine)e!).Tick(), this, EpochPeriod, EpochPeriod);
    }

    /// <summary>The engine for stores whose calls set no fuel budget: epoch interruption only.</summary>
    public EngineVariant Unmetered { get; }

    /// <summary>The engine for stores that meter fuel (created on first use: most hosts never set a budget).</summary>
    public EngineVariant Metered
    {
        get
        {
            if (Volatile.Read(ref _metered) is { } m) return m;
            lock (_meteredLock)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                return _metered ??= CreateVariant(metered: true);
            }
        }
    }

    /// <summary>The variant for <paramref name="metered"/>.</summary>
    public EngineVariant Variant(bool metered) => metered ? Metered : Unmetered;

    private long CodeCacheMaxBytes { get; }

    private EngineVariant CreateVariant(bool metered)
    {
        using var config = CreateConfig(metered);
        var engine = new Engine(config);
        string key = ConfigurationKey(metered);
        return new EngineVariant(engine, metered, key,
            Options.CodeCacheDirectory is { } dir ? new CodeCache(dir, key, Logger, CodeCacheMaxBytes) : null);
    }

    /// <summary>The Wasmtime version of the package this plugin runs on.</summary>
    public static string WasmtimeVersion { get; } =
        typeof(Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Engine).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Everything in an engine's configuration that changes compiled code (part of the cache key).</summary>
    public static string ConfigurationKey(bool metered) =>
        $"wasmtime {WasmtimeVersion}; {RuntimeInformation.ProcessArchitecture}; {RuntimeInformation.OSDescription.Split(' ')[0]}; " +
        $"wasm 2.0+simd; {(metered ? "fuel" : "no fuel")}; epoch; max-wasm-stack {MaxWasmStackBytes}; signals-based-traps {!OperatingSystem.IsWindows()}";

    public EngineOptions Options { get; }
    public ILogger Logger { get; }

    /// <summary>Creates and disposes an engine: null when libwasmtime loads, else the exact reason it does not.</summary>
    public static string? TryLoadNative()
    {
        try
        {
            using var config = CreateConfig(metered: false);
            using var engine = new Engine(config);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException or WasmtimeException)
        {
            var inner = e is TypeInitializationException { InnerException: { } i } ? i : e;
            return $"libwasmtime could not be loaded: {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}";
        }
    }

    /// <summary>The configuration of every engine here; <paramref name="metered"/> turns fuel consumption on.</summary>
    internal static Config CreateConfig(bool metered)
    {
        var config = new Config()
            // WebAssembly 2.0 (reference types, bulk memory, multi-value, SIMD) and nothing after it, so that the 2.0
            // spec suite's assert_invalid cases hold and the reported capabilities are exact.
            .WithReferenceTypes(true)
            .WithBulkMemory(true)
            .WithMultiValue(true)
            .WithSIMD(true)
            .WithRelaxedSIMD(false, false)
            .WithMultiMemory(false)
            .WithTailCalls(false)
            .WithMemory64(false)
            .WithWasmThreads(false)
            .WithFunctionReferences(false)
            .WithGc(false)
            .WithExceptions(false)
            .WithWideArithmetic(false)
            .WithCraneliftNaNCanonicalization(false)
            // Limits.
            .WithFuelConsumption(metered)
            .WithEpochInterruption(true)
            .WithMaximumStackSize(MaxWasmStackBytes);
        if (OperatingSystem.IsWindows())
            config.WithSignalsBasedTraps(false); // see RATIONALE.md: Windows, CET shadow stacks and trap handling
        return config;
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        // Timer.Dispose does not wait for a callback already running: Dispose may free the engine between the check above
        // and this call. The SafeHandle then refuses it (ObjectDisposedException), which must not end the process.
        try
        {
            Unmetered.Engine.IncrementEpoch();
            Volatile.Read(ref _metered)?.Engine.IncrementEpoch();
        }
        catch (ObjectDisposedException) { }
    }

    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    // The definition is trusted (already read and validated by Polymath.Wasm); Wasmtime still decodes and validates the
    // bytes inside Module.FromBytes, which no embedding API lets us skip (see RATIONALE.md). The unmetered code is
    // compiled now; the metered code when a store that meters fuel first instantiates the module.
    public IWasmModule Compile(Polymath.Wasm.Module definition, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(definition);
        byte[] bytes = wasm.ToArray();
        return new WasmtimeModule(this, definition, bytes, CompileFor(Unmetered, bytes));
    }

    /// <summary>The module compiled for <paramref name="variant"/>: from the code cache, else by Cranelift (then cached).</summary>
    internal global::Wasmtime.Module CompileFor(EngineVariant variant, byte[] wasm)
    {
        if (variant.Cache?.TryLoad(variant.Engine, wasm) is { } cached) return cached;
        global::Wasmtime.Module compiled;
        try
        {
            compiled = global::Wasmtime.Module.FromBytes(variant.Engine, "module", wasm);
        }
        catch (WasmtimeException e)
        {
            throw new WasmModuleException(WasmErrorKind.Invalid, $"Wasmtime rejected the module: {e.Message.ReplaceLineEndings(" ")}");
        }
        variant.Cache?.Store(compiled, wasm);
        return compiled;
    }

    // A code-cache hit costs a deserialization (milliseconds), not a Cranelift compile: the host may start on it at once.
    public IWasmModule? TryLoadCompiled(Polymath.Wasm.Module definition, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(definition);
        byte[] bytes = wasm.ToArray();
        return Unmetered.Cache?.TryLoad(Unmetered.Engine, bytes) is { } compiled ? new WasmtimeModule(this, definition, bytes, compiled) : null;
    }

    public IWasmStore CreateStore(StoreLimits limits) => new WasmtimeStore(this, limits ?? StoreLimits.Default);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Dispose();
        Unmetered.Engine.Dispose();
        lock (_meteredLock) _metered?.Engine.Dispose();
    }
}

/// <summary>One Wasmtime engine of a <see cref="WasmtimeEngine"/>: its configuration key and code cache.</summary>
internal sealed record EngineVariant(Engine Engine, bool Metered, string ConfigurationKey, CodeCache? Cache);
