using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polymath.Sdk.Caching;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// The compiler runtime's engine: reads and validates modules and creates stores. Without a code cache a module's
/// functions are compiled lazily, on first call; with one (<see cref="EngineOptions.CodeCacheDirectory"/>) the whole
/// module is compiled at <c>Compile</c> into an assembly that is cached and loaded by later engines instead.
/// </summary>
public sealed class CompilerEngine : IWasmEngine
{
    private readonly Dictionary<FuncType, Signature> _signatures = new();
    private readonly CodeCache? _cache;
    private readonly ILogger _logger;

    /// <summary>An engine without a code cache.</summary>
    public CompilerEngine() : this(new EngineOptions()) { }

    /// <summary>An engine with <paramref name="options"/>: its code cache directory and logger.</summary>
    public CompilerEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger("Polymath.Runtime.Compiler") ?? NullLogger.Instance;
        CodeCacheDirectory = options.CodeCacheDirectory;
        if (CodeCacheDirectory is { } dir) _cache = new CodeCache(dir, ConfigurationKey, _logger);
    }

    /// <summary>The code cache this engine reads and writes (null = none: lazy compilation).</summary>
    internal string? CodeCacheDirectory { get; }

    /// <summary>
    /// What a cached assembly must have been built by to be loaded (the code cache keeps it beside the module's sha256,
    /// under the entry's HMAC): this plugin build (version and MVID) and the assemblies its code names, the .NET runtime,
    /// the architecture and pointer size (frame limits are per pointer size). Fuel is not in it: both code variants are in
    /// every assembly, and no limit is baked into the code.
    /// </summary>
    internal static string ConfigurationKey { get; } =
        $"polymath-compiler cil/1; plugin {typeof(CompilerEngine).Assembly.GetName().Version} {typeof(CompilerEngine).Assembly.ManifestModule.ModuleVersionId}; " +
        $"core {typeof(Polymath.Runtime.Core.WasmNumerics).Assembly.ManifestModule.ModuleVersionId}; " +
        $"wasm {typeof(Module).Assembly.ManifestModule.ModuleVersionId}; sdk {typeof(WasmTrapException).Assembly.ManifestModule.ModuleVersionId}; " +
        $".NET {Environment.Version} {RuntimeInformation.FrameworkDescription}; {RuntimeInformation.ProcessArchitecture}; {IntPtr.Size * 8}-bit";

    internal Signature GetSignature(FuncType type)
    {
        lock (_signatures)
        {
            if (!_signatures.TryGetValue(type, out var sig))
            {
                sig = new Signature(type, _signatures.Count);
                _signatures.Add(type, sig);
            }
            return sig;
        }
    }

    /// <inheritdoc />
    /// <exception cref="WasmModuleException">Malformed or invalid, or a function this tier cannot run safely (see the other overload).</exception>
    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    /// <inheritdoc />
    /// <remarks>Trusts <paramref name="module"/> (already read and validated); the bytes are not used (code is compiled lazily from the module's bodies).</remarks>
    /// <exception cref="WasmModuleException">A function this tier cannot run safely: a frame too large for its stack check or a body too costly to compile (reported as invalid, naming the function and the limit).</exception>
    public IWasmModule Compile(Module module, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(module);
        int maxArity = 0;
        foreach (var t in module.Types) maxArity = Math.Max(maxArity, t.Parameters.Length);
        for (int i = 0; i < module.Codes.Count; i++)
            if (StackBudget.Refusal(module, i, maxArity) is string reason)
                throw new WasmModuleException(WasmErrorKind.Invalid, $"{reason}; the interpreter runtime runs it");
        var compiled = NewModule(module);
        if (_cache is { IsUsable: true }) Persist(compiled, wasm.Span);
        return compiled;
    }

    /// <inheritdoc />
    /// <remarks>A module whose assembly is in the code cache and passes its checks; null otherwise (nothing is compiled).</remarks>
    public IWasmModule? TryLoadCompiled(Module module, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (_cache is null || !File.Exists(CodeCache.PathFor(CodeCacheDirectory!, ConfigurationKey, wasm.Span))) return null;
        var compiled = NewModule(module);
        if (PersistedCode.Obstacle(compiled) is not null || Load(compiled, wasm.Span) is not { } code) return null;
        compiled.Adopt(code);
        return compiled;
    }

    private CompiledModule NewModule(Module module)
    {
        var signatures = new Signature[module.Types.Count];
        for (int i = 0; i < signatures.Length; i++) signatures[i] = GetSignature(module.Types[i]);
        return new CompiledModule(this, module, signatures);
    }

    private LoadedCode? Load(CompiledModule compiled, ReadOnlySpan<byte> wasm)
    {
        string name = PersistedCode.AssemblyName(wasm);
        return _cache!.TryLoad(wasm, (ReadOnlySpan<byte> pe, out string? problem) => PersistedCode.Load(pe, compiled, name, out problem));
    }

    /// <summary>
    /// Gives <paramref name="compiled"/> its code from the cache, or builds the assembly, caches it and loads it; when the
    /// module cannot be saved as an assembly (logged) it stays lazy, as it does when the cache is off (an untrusted
    /// directory: whole-module compilation would cost start-up and save nothing).
    /// </summary>
    private void Persist(CompiledModule compiled, ReadOnlySpan<byte> wasm)
    {
        if (PersistedCode.Obstacle(compiled) is { } obstacle)
        {
            Log.NotCacheable(_logger, obstacle);
            return;
        }
        if (Load(compiled, wasm) is not { } code)
        {
            long start = Stopwatch.GetTimestamp();
            byte[] pe;
            string name = PersistedCode.AssemblyName(wasm);
            try
            {
                pe = PersistedCode.Build(compiled, name);
            }
            catch (Exception e) when (e is WasmTrapException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                Log.NotCacheable(_logger, e.Message);
                return;
            }
            if (PersistedCode.Load(pe, compiled, name, out string? problem) is not { } built)
            {
                Log.NotCacheable(_logger, $"the assembly just built does not load: {problem}");
                return;
            }
            Log.Built(_logger, compiled.Definition.Functions.Count, pe.Length, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            _cache!.Store(wasm, pe);
            code = built;
        }
        compiled.Adopt(code);
    }

    /// <inheritdoc />
    public IWasmStore CreateStore(StoreLimits limits) => new CompilerStore(this, limits ?? StoreLimits.Default);

    /// <inheritdoc />
    public void Dispose() { }
}
