using BenchmarkDotNet.Attributes;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Benchmarks;

/// <summary>
/// Call overhead: an exported wasm function called from C# (empty; i32 add), a wasm-to-wasm call,
/// and a host function called from wasm. The memory diagnoser shows any per-call allocation.
/// </summary>
[MemoryDiagnoser]
public class CallBenchmarks
{
    private const int InnerCalls = 1000;

    private IWasmEngine _engine = null!;
    private IWasmStore _store = null!;
    private IWasmFunction _empty = null!;
    private IWasmFunction _add = null!;
    private IWasmFunction _callWasm = null!;
    private IWasmFunction _callHostNoop = null!;
    private IWasmFunction _callHostAdd = null!;
    private readonly WasmValue[] _addArgs = [WasmValue.I32(40), WasmValue.I32(2)];
    private readonly WasmValue[] _countArg = [WasmValue.I32(InnerCalls)];
    private readonly WasmValue[] _oneResult = new WasmValue[1];

    /// <summary>The managed runtime measured: the interpreter or the compiler tier.</summary>
    [Params("interpreter", "compiler")]
    public string Runtime { get; set; } = "interpreter";

    /// <summary>Compiles and instantiates micro.wasm with its two host imports.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = WasmFiles.CreateEngine(Runtime);
        var module = _engine.Compile(WasmFiles.Read("micro.wasm"));
        _store = _engine.CreateStore(WasmFiles.Limits);
        var noop = _store.CreateHostFunction(new FuncType([], []), static (_, _, _) => { });
        var add = _store.CreateHostFunction(
            new FuncType([ValueType.I32, ValueType.I32], [ValueType.I32]),
            static (_, args, results) => results[0] = WasmValue.I32(args[0].AsI32 + args[1].AsI32));
        var instance = _store.Instantiate(module, [noop, add]);
        _empty = Export(instance, "empty");
        _add = Export(instance, "add");
        _callWasm = Export(instance, "call_wasm");
        _callHostNoop = Export(instance, "call_host_noop");
        _callHostAdd = Export(instance, "call_host_add");

        // Check the module does what the figures claim before timing it.
        _add.Invoke(_addArgs, _oneResult);
        if (_oneResult[0].AsI32 != 42)
            throw new InvalidOperationException($"add(40, 2) returned {_oneResult[0]}");
        _callHostAdd.Invoke(_countArg, _oneResult);
        if (_oneResult[0].AsI32 != InnerCalls * (InnerCalls + 1) / 2)
            throw new InvalidOperationException($"call_host_add({InnerCalls}) returned {_oneResult[0]}");
    }

    private static IWasmFunction Export(IWasmInstance instance, string name) =>
        instance.GetFunction(name) ?? throw new InvalidOperationException($"micro.wasm exports no function '{name}'");

    /// <summary>Disposes the store and engine.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _engine.Dispose();
    }

    /// <summary>C# → wasm call of <c>(func)</c>.</summary>
    [Benchmark(Baseline = true)]
    public void InvokeEmpty() => _empty.Invoke([], []);

    /// <summary>C# → wasm call of <c>i32.add</c> with two arguments and one result.</summary>
    [Benchmark]
    public int InvokeAddI32()
    {
        _add.Invoke(_addArgs, _oneResult);
        return _oneResult[0].AsI32;
    }

    /// <summary>One wasm → wasm call of an empty function (1000 per invocation, loop included).</summary>
    [Benchmark(OperationsPerInvoke = InnerCalls)]
    public void WasmToWasmCall() => _callWasm.Invoke(_countArg, []);

    /// <summary>One wasm → host call of a no-op host function (1000 per invocation, loop included).</summary>
    [Benchmark(OperationsPerInvoke = InnerCalls)]
    public void HostCallNoop() => _callHostNoop.Invoke(_countArg, []);

    /// <summary>One wasm → host call of <c>(i32, i32) → i32</c> (1000 per invocation, loop included).</summary>
    [Benchmark(OperationsPerInvoke = InnerCalls)]
    public int HostCallAddI32()
    {
        _callHostAdd.Invoke(_countArg, _oneResult);
        return _oneResult[0].AsI32;
    }
}
