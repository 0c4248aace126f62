using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Sdk;
using Polymath.Wasm;
using Wasmtime;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// One Wasmtime engine configured to exactly WebAssembly 2.0 + SIMD, with fuel, epoch interruption and a bounded wasm
/// stack; one epoch ticker per engine; optional compiled-code cache. Thread-safe.
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
    private int _disposed;

    public WasmtimeEngine(EngineOptions options)
    {
        Options = options;
        Logger = (ILogger?)options.LoggerFactory?.CreateLogger("Polymath.Runtime.Wasmtime") ?? NullLogger.Instance;
        using var config = CreateConfig();
        Engine = new Engine(config);
        Cache = options.CodeCacheDirectory is { } dir ? new CodeCache(dir, ConfigurationKey, Logger) : null;
        _ticker = new Timer(static e => ((WasmtimeEngine)e!).Tick(), this, EpochPeriod, EpochPeriod);
    }

    /// <summary>The Wasmtime version of the package this plugin runs on.</summary>
    public static string WasmtimeVersion { get; } =
        typeof(Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Engine).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Everything in the engine configuration that changes compiled code (part of the cache key).</summary>
    public static string ConfigurationKey { get; } =
        $"wasmtime {WasmtimeVersion}; {RuntimeInformation.ProcessArchitecture}; {RuntimeInformation.OSDescription.Split(' ')[0]}; " +
        $"wasm 2.0+simd; fuel; epoch; max-wasm-stack {MaxWasmStackBytes}; signals-based-traps {!OperatingSystem.IsWindows()}";

    public Engine Engine { get; }
    public EngineOptions Options { get; }
    public ILogger Logger { get; }
    public CodeCache? Cache { get; }

    /// <summary>Creates and disposes an engine: null when libwasmtime loads, else the exact reason it does not.</summary>
    public static string? TryLoadNative()
    {
        try
        {
            using var config = CreateConfig();
            using var engine = new Engine(config);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException or WasmtimeException)
        {
            var inner = e is TypeInitializationException { InnerException: { } i } ? i : e;
            return $"libwasmtime could not be loaded: {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}";
        }
    }

    private static Config CreateConfig()
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
            .WithFuelConsumption(true)
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
        try { Engine.IncrementEpoch(); }
        catch (ObjectDisposedException) { }
    }

    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    // The definition is trusted (already read and validated by Polymath.Wasm); Wasmtime still decodes and validates the
    // bytes inside Module.FromBytes, which no embedding API lets us skip (see RATIONALE.md).
    public IWasmModule Compile(Polymath.Wasm.Module definition, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(definition);
        global::Wasmtime.Module? compiled = Cache?.TryLoad(Engine, wasm.Span);
        if (compiled is null)
        {
            try
            {
                compiled = global::Wasmtime.Module.FromBytes(Engine, "module", wasm.Span);
            }
            catch (WasmtimeException e)
            {
                throw new WasmModuleException(WasmErrorKind.Invalid, $"Wasmtime rejected the module: {e.Message.ReplaceLineEndings(" ")}");
            }
            Cache?.Store(compiled, wasm.Span);
        }
        return new WasmtimeModule(this, definition, compiled);
    }

    // A code-cache hit costs a deserialization (milliseconds), not a Cranelift compile: the host may start on it at once.
    public IWasmModule? TryLoadCompiled(Polymath.Wasm.Module definition, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Cache?.TryLoad(Engine, wasm.Span) is { } compiled ? new WasmtimeModule(this, definition, compiled) : null;
    }

    public IWasmStore CreateStore(StoreLimits limits) => new WasmtimeStore(this, limits ?? StoreLimits.Default);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Dispose();
        Engine.Dispose();
    }
}
