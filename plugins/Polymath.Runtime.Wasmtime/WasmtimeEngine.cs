using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Sdk;
using Polymath.Sdk.Caching;
using Polymath.Wasm;
using Wasmtime;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// Up to four Wasmtime engines configured to exactly WebAssembly 2.0 + SIMD with a bounded wasm stack, one per
/// <see cref="Instrumentation"/> (fuel metering, epoch interruption, both or neither), each created on first use, so
/// code pays only for the limits its store enforces. One epoch ticker for all; optional compiled-code cache keyed by
/// each engine's configuration. Thread-safe.
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

    // The epoch ticker is a thread of its own, not a System.Threading.Timer: a timer's callback needs a free thread-pool
    // thread, and an embedding application (or guests run on the pool) that holds them all would delay every timeout and
    // cancellation of Wasmtime code by as long as the starvation lasts.
    private readonly Thread _ticker;
    private readonly ManualResetEventSlim _stopTicking = new();
    private readonly Lock _variantLock = new();
    private readonly EngineVariant?[] _variants = new EngineVariant?[4];
    private int _disposed;

    public WasmtimeEngine(EngineOptions options, long codeCacheMaxBytes = CodeCache.DefaultMaxBytes)
    {
        Options = options;
        Logger = (ILogger?)options.LoggerFactory?.CreateLogger("Polymath.Runtime.Wasmtime") ?? NullLogger.Instance;
        CodeCacheMaxBytes = codeCacheMaxBytes;
        _ticker = new Thread(static e => ((WasmtimeEngine)e!).TickUntilDisposed()) { IsBackground = true, Name = "polymath-wasmtime-epoch" };
        _ticker.Start(this);
    }

    /// <summary>What a host's expert calls use (a timeout, no fuel budget): the variant probed first in the code cache.</summary>
    internal const Instrumentation HostDefault = Instrumentation.Epoch;

    /// <summary>The engine whose code has exactly <paramref name="instrumentation"/> (created on first use).</summary>
    public EngineVariant Variant(Instrumentation instrumentation)
    {
        if (Volatile.Read(ref _variants[(int)instrumentation]) is { } v) return v;
        lock (_variantLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _variants[(int)instrumentation] ??= CreateVariant(instrumentation);
        }
    }

    private long CodeCacheMaxBytes { get; }

    /// <summary>Some engine, for what does not depend on instrumentation (validation): one that exists, else uninstrumented.</summary>
    private EngineVariant AnyVariant()
    {
        for (int i = 0; i < _variants.Length; i++)
            if (Volatile.Read(ref _variants[i]) is { } existing) return existing;
        return Variant(Instrumentation.None);
    }

    private EngineVariant CreateVariant(Instrumentation instrumentation)
    {
        using var config = CreateConfig(instrumentation);
        var engine = new Engine(config);
        string key = ConfigurationKey(instrumentation);
        return new EngineVariant(engine, instrumentation, key,
            Options.CodeCacheDirectory is { } dir ? new CodeCache(dir, key, Logger, CodeCacheMaxBytes) : null);
    }

    /// <summary>The Wasmtime version of the package this plugin runs on.</summary>
    public static string WasmtimeVersion { get; } =
        typeof(Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Engine).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Everything in an engine's configuration that changes compiled code (part of the cache key).</summary>
    public static string ConfigurationKey(Instrumentation instrumentation) =>
        $"wasmtime {WasmtimeVersion}; {RuntimeInformation.ProcessArchitecture}; {RuntimeInformation.OSDescription.Split(' ')[0]}; " +
        $"wasm 2.0+simd; {(instrumentation.HasFlag(Instrumentation.Fuel) ? "fuel" : "no fuel")}; " +
        $"{(instrumentation.HasFlag(Instrumentation.Epoch) ? "epoch" : "no epoch")}; max-wasm-stack {MaxWasmStackBytes}; signals-based-traps {!OperatingSystem.IsWindows()}";

    public EngineOptions Options { get; }
    public ILogger Logger { get; }

    /// <summary>Creates and disposes an engine: null when libwasmtime loads, else the exact reason it does not.</summary>
    public static string? TryLoadNative()
    {
        try
        {
            using var config = CreateConfig(HostDefault);
            using var engine = new Engine(config);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException or WasmtimeException)
        {
            var inner = e is TypeInitializationException { InnerException: { } i } ? i : e;
            return $"libwasmtime could not be loaded: {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}";
        }
    }

    /// <summary>The configuration of every engine here, with exactly <paramref name="instrumentation"/>.</summary>
    internal static Config CreateConfig(Instrumentation instrumentation)
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
            .WithFuelConsumption(instrumentation.HasFlag(Instrumentation.Fuel))
            .WithEpochInterruption(instrumentation.HasFlag(Instrumentation.Epoch))
            .WithMaximumStackSize(MaxWasmStackBytes);
        if (OperatingSystem.IsWindows())
            config.WithSignalsBasedTraps(false); // see RATIONALE.md: Windows, CET shadow stacks and trap handling
        return config;
    }

    private void TickUntilDisposed()
    {
        while (!_stopTicking.Wait(EpochPeriod)) Tick();
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        // Dispose joins this thread before it frees the engines; should a join time out, the SafeHandle refuses a freed
        // engine (ObjectDisposedException), which must not end the process.
        try
        {
            for (int i = 0; i < _variants.Length; i++)
                if (Volatile.Read(ref _variants[i]) is { Instrumentation: var what } v && what.HasFlag(Instrumentation.Epoch))
                    v.Engine.IncrementEpoch();
        }
        catch (ObjectDisposedException) { }
    }

    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    // The definition is trusted (already read and validated by Polymath.Wasm); Wasmtime still validates the bytes itself
    // (Module.Validate here; FromBytes again when it compiles), which no embedding API lets us skip (see RATIONALE.md).
    // Code is compiled per instrumentation when a store first instantiates the module; a code-cache hit for the host's
    // usual variant skips Wasmtime's validation and is used at once.
    public IWasmModule Compile(Polymath.Wasm.Module definition, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(definition);
        byte[] bytes = wasm.ToArray();
        if (Options.CodeCacheDirectory is not null && TryLoad(definition, bytes) is { } cached) return cached;
        if (global::Wasmtime.Module.Validate(AnyVariant().Engine, bytes) is { } error)
            throw new WasmModuleException(WasmErrorKind.Invalid, $"Wasmtime rejected the module: {error.ReplaceLineEndings(" ")}");
        return new WasmtimeModule(this, definition, bytes);
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
        return TryLoad(definition, wasm.ToArray());
    }

    private WasmtimeModule? TryLoad(Polymath.Wasm.Module definition, byte[] wasm)
    {
        // Only an entry that exists is worth an engine (a process that never needs the host's variant, such as
        // `polymath run` without --timeout, then creates just the one it needs).
        if (Options.CodeCacheDirectory is null || !File.Exists(CodeCache.PathFor(Options.CodeCacheDirectory, ConfigurationKey(HostDefault), wasm)))
            return null;
        var variant = Variant(HostDefault);
        if (variant.Cache?.TryLoad(variant.Engine, wasm) is not { } compiled) return null;
        var module = new WasmtimeModule(this, definition, wasm);
        module.Preload(HostDefault, compiled);
        return module;
    }

    public IWasmStore CreateStore(StoreLimits limits) => new WasmtimeStore(this, limits ?? StoreLimits.Default);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopTicking.Set();
        if (Thread.CurrentThread != _ticker && _ticker.Join(TimeSpan.FromSeconds(5)))
            _stopTicking.Dispose(); // only once the ticker is gone: its Wait would throw on a disposed event
        lock (_variantLock)
            foreach (var v in _variants) v?.Engine.Dispose();
    }
}

/// <summary>What a variant's code is instrumented for: fuel metering, epoch interruption (deadlines, cancellation).</summary>
[Flags]
internal enum Instrumentation
{
    /// <summary>Neither: the code runs as Wasmtime's defaults compile it.</summary>
    None = 0,
    /// <summary>Epoch interruption: a call with a cancellable token can be stopped.</summary>
    Epoch = 1,
    /// <summary>Fuel consumption: a call with a budget stops when it runs out.</summary>
    Fuel = 2,
}

/// <summary>One Wasmtime engine of a <see cref="WasmtimeEngine"/>: its configuration key and code cache.</summary>
internal sealed record EngineVariant(Engine Engine, Instrumentation Instrumentation, string ConfigurationKey, CodeCache? Cache);
