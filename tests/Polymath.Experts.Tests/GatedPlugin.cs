using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Experts.Tests;

/// <summary>
/// A real runtime plugin (Wasmtime in the tier-up tests) whose engines compile only once <see cref="Gate"/> is open — so a
/// test can watch an expert while its background compile is pending — and count their compiles. Everything else is the
/// inner engine's. <see cref="FailCompiles"/> makes a compile throw as a runtime that rejects the module would.
/// </summary>
public sealed class GatedPlugin(IRuntimePlugin inner, string? codeCacheDirectory = null) : IRuntimePlugin
{
    private int _compiles, _cacheHits;

    /// <summary>Compiles wait for this.</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    /// <summary>When true a compile throws <see cref="WasmModuleException"/> (after the gate).</summary>
    public bool FailCompiles { get; set; }

    /// <summary>Compiles started (including ones still waiting at the gate).</summary>
    public int Compiles => Volatile.Read(ref _compiles);

    /// <summary>Modules served from the code cache by <see cref="IWasmEngine.TryLoadCompiled"/>.</summary>
    public int CacheHits => Volatile.Read(ref _cacheHits);

    public RuntimeDescriptor Descriptor => inner.Descriptor;
    public RuntimeProbeResult Probe(PlatformInfo platform) => inner.Probe(platform);

    public IWasmEngine CreateEngine(EngineOptions options)
    {
        options.CodeCacheDirectory = codeCacheDirectory;
        return new Engine(inner.CreateEngine(options), this);
    }

    private sealed class Engine(IWasmEngine inner, GatedPlugin owner) : IWasmEngine
    {
        public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

        public IWasmModule Compile(Module module, ReadOnlyMemory<byte> wasm)
        {
            Interlocked.Increment(ref owner._compiles);
            owner.Gate.Wait();
            if (owner.FailCompiles) throw new WasmModuleException(WasmErrorKind.Invalid, "rejected by the test");
            return inner.Compile(module, wasm);
        }

        public IWasmModule? TryLoadCompiled(Module module, ReadOnlyMemory<byte> wasm)
        {
            var m = inner.TryLoadCompiled(module, wasm);
            if (m is not null) Interlocked.Increment(ref owner._cacheHits);
            return m;
        }

        public IWasmStore CreateStore(StoreLimits limits) => inner.CreateStore(limits);
        public void Dispose() => inner.Dispose();
    }
}
