using BenchmarkDotNet.Attributes;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Benchmarks;

/// <summary>
/// Compile time (decode, validate, translate) and instantiate time (new store, imports, segments)
/// of a small module (micro.wasm, 218 bytes) and a larger one (large.wasm: 1000 functions, a
/// 1000-element table, a 64 KiB data segment; 170 KB).
/// </summary>
[MemoryDiagnoser]
public class InstantiateBenchmarks
{
    private IWasmEngine _engine = null!;
    private byte[] _smallBytes = null!;
    private byte[] _largeBytes = null!;
    private IWasmModule _small = null!;
    private IWasmModule _large = null!;
    private static readonly FuncType NoopType = new([], []);
    private static readonly FuncType AddType = new([ValueType.I32, ValueType.I32], [ValueType.I32]);

    /// <summary>Reads and compiles both modules once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = WasmFiles.CreateInterpreterEngine();
        _smallBytes = WasmFiles.Read("micro.wasm");
        _largeBytes = WasmFiles.Read("large.wasm");
        _small = _engine.Compile(_smallBytes);
        _large = _engine.Compile(_largeBytes);
    }

    /// <summary>Disposes the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>Compiles micro.wasm.</summary>
    [Benchmark]
    public IWasmModule CompileSmall() => _engine.Compile(_smallBytes);

    /// <summary>Compiles large.wasm.</summary>
    [Benchmark]
    public IWasmModule CompileLarge() => _engine.Compile(_largeBytes);

    /// <summary>Creates a store, two host functions and an instance of micro.wasm.</summary>
    [Benchmark]
    public IWasmInstance InstantiateSmall()
    {
        using var store = _engine.CreateStore(WasmFiles.Limits);
        var noop = store.CreateHostFunction(NoopType, static (_, _, _) => { });
        var add = store.CreateHostFunction(AddType, static (_, a, r) => r[0] = WasmValue.I32(a[0].AsI32 + a[1].AsI32));
        return store.Instantiate(_small, [noop, add]);
    }

    /// <summary>Creates a store and an instance of large.wasm (2 pages, table of 1000, 64 KiB data).</summary>
    [Benchmark]
    public IWasmInstance InstantiateLarge()
    {
        using var store = _engine.CreateStore(WasmFiles.Limits);
        return store.Instantiate(_large, []);
    }
}
