using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Polymath.Sdk;

namespace Polymath.Benchmarks;

/// <summary>
/// Throughput of the C benchmark programs (tests/benchmarks/programs) in-process: one call of
/// <c>run(n)</c> on an instance created once. Few iterations: each call takes up to seconds.
/// The whole-process, side-by-side comparison with V8 and native is tests/benchmarks/compare.sh.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ProgramBenchmarks
{
    private IWasmEngine _engine = null!;
    private IWasmStore _store = null!;
    private IWasmFunction _run = null!;
    private readonly WasmValue[] _args = new WasmValue[1];
    private readonly WasmValue[] _result = new WasmValue[1];

    /// <summary>The program and its n, as "name:n" (smaller than compare.sh's sizes).</summary>
    [Params("fib:27", "sieve:1", "matmul:1", "sha256:1")]
    public string Program { get; set; } = "fib:27";

    /// <summary>Compiles and instantiates the program.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Program.Split(':');
        _engine = WasmFiles.CreateInterpreterEngine();
        var module = _engine.Compile(WasmFiles.Read(parts[0] + ".wasm"));
        _store = _engine.CreateStore(WasmFiles.Limits);
        var instance = _store.Instantiate(module, []);
        _run = instance.GetFunction("run") ?? throw new InvalidOperationException($"{parts[0]}.wasm exports no 'run'");
        _args[0] = WasmValue.I32(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Disposes the store and engine.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _engine.Dispose();
    }

    /// <summary>One call of run(n); returns the checksum.</summary>
    [Benchmark]
    public uint Run()
    {
        _run.Invoke(_args, _result);
        return (uint)_result[0].AsI32;
    }
}
