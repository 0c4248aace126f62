using Polymath.Sdk;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>Fuel, cancellation, store limits, traps with backtraces and host functions on Wasmtime.</summary>
public sealed class LimitTests : IDisposable
{
    private readonly IWasmEngine _engine = new WasmtimeRuntimePlugin().CreateEngine(new EngineOptions());

    public void Dispose() => _engine.Dispose();

    private IWasmInstance Instantiate(string wat, IWasmStore store, params IWasmExtern[] imports) =>
        store.Instantiate(_engine.Compile(Wat.ToWasm(wat)), imports);

    private IWasmInstance InstantiateMetered(string wat, IWasmStore store) =>
        store.Instantiate(_engine.Compile(Wat.ToWasm(wat)), [], new CallOptions { Fuel = 1_000_000 });

    private const string Loop = """
        (module
          (func (export "spin") (loop $l (br $l)))
          (func (export "count") (param i32) (result i32)
            (local i32)
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br $l)))
            (local.get 1)))
        """;

    [Fact]
    public void FuelRunsOutAsOutOfFuelAndIsCounted()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var inst = InstantiateMetered(Loop, store);
        Assert.Equal(Instrumentation.Fuel, ((WasmtimeStore)store).Instrumentation);
        var trap = Assert.Throws<WasmTrapException>(() => inst.GetFunction("spin")!.Invoke([], [], new CallOptions { Fuel = 10_000 }));
        Assert.Equal(TrapKind.OutOfFuel, trap.Kind);
        var r = new WasmValue[1];
        inst.GetFunction("count")!.Invoke([WasmValue.I32(1000)], r, new CallOptions { Fuel = 1_000_000 });
        Assert.Equal(1000, r[0].AsI32);
        // 9 operators per iteration, each charged 1; block, loop and end are free on Wasmtime (RATIONALE.md).
        Assert.Equal(9_006ul, store.LastCallFuelConsumed);
        inst.GetFunction("count")!.Invoke([WasmValue.I32(1000)], r);
        Assert.Equal(0ul, store.LastCallFuelConsumed);
    }

    [Fact]
    public void AStoreInstantiatedWithoutLimitsRunsUninstrumentedAndRefusesALimitedCall()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var inst = Instantiate(Loop, store);
        Assert.Equal(Instrumentation.None, ((WasmtimeStore)store).Instrumentation);
        var r = new WasmValue[1];
        inst.GetFunction("count")!.Invoke([WasmValue.I32(1000)], r);
        Assert.Equal(1000, r[0].AsI32);
        Assert.Equal(0ul, store.LastCallFuelConsumed);
        // Its code has no fuel counter: a budget cannot be enforced, so the call is refused before it runs.
        var e = Assert.Throws<InvalidOperationException>(() => inst.GetFunction("spin")!.Invoke([], [], new CallOptions { Fuel = 10_000 }));
        Assert.Contains("without fuel metering", e.Message, StringComparison.Ordinal);
        // Nor can a cancellable call be stopped: refused the same way.
        using var cts = new CancellationTokenSource();
        e = Assert.Throws<InvalidOperationException>(() => inst.GetFunction("spin")!.Invoke([], [], new CallOptions { CancellationToken = cts.Token }));
        Assert.Contains("without epoch interruption", e.Message, StringComparison.Ordinal);
        inst.GetFunction("count")!.Invoke([WasmValue.I32(7)], r);
        Assert.Equal(7, r[0].AsI32);
    }

    [Fact]
    public void AMemoryCreatedBeforeInstantiationMakesTheStoreFullyInstrumented()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var memory = store.CreateMemory(new Polymath.Wasm.MemoryType(new Polymath.Wasm.Limits(1, null)));
        var inst = store.Instantiate(_engine.Compile(Wat.ToWasm("""
            (module (import "env" "m" (memory 1))
              (func (export "spin") (loop $l (br $l))))
            """)), [memory]);
        Assert.Equal(Instrumentation.Fuel | Instrumentation.Epoch, ((WasmtimeStore)store).Instrumentation);
        var trap = Assert.Throws<WasmTrapException>(() => inst.GetFunction("spin")!.Invoke([], [], new CallOptions { Fuel = 5_000 }));
        Assert.Equal(TrapKind.OutOfFuel, trap.Kind);
    }

    [Fact]
    public void CancellationInterruptsAnInfiniteLoopAndTheStoreKeepsWorking()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var inst = store.Instantiate(_engine.Compile(Wat.ToWasm(Loop)), [], new CallOptions { CancellationToken = cts.Token });
        Assert.Equal(Instrumentation.Epoch, ((WasmtimeStore)store).Instrumentation);
        var trap = Assert.Throws<WasmTrapException>(() => inst.GetFunction("spin")!.Invoke([], [], new CallOptions { CancellationToken = cts.Token }));
        Assert.Equal(TrapKind.Interrupted, trap.Kind);
        var r = new WasmValue[1];
        using var live = new CancellationTokenSource();
        inst.GetFunction("count")!.Invoke([WasmValue.I32(5)], r, new CallOptions { CancellationToken = live.Token });
        Assert.Equal(5, r[0].AsI32);
    }

    [Fact]
    public void MemoryGrowthStopsAtTheStoreCap()
    {
        using var store = _engine.CreateStore(new StoreLimits { MaxMemoryPages = 4 });
        var inst = Instantiate("""(module (memory (export "memory") 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))""", store);
        var r = new WasmValue[1];
        var grow = inst.GetFunction("grow")!;
        grow.Invoke([WasmValue.I32(3)], r);
        Assert.Equal(1, r[0].AsI32);
        grow.Invoke([WasmValue.I32(1)], r);
        Assert.Equal(-1, r[0].AsI32);
        Assert.Equal(4u, inst.GetMemory()!.Pages);
        Assert.Equal(-1, inst.GetMemory()!.Grow(1));
    }

    [Fact]
    public void TableGrowthStopsAtTheStoreCap()
    {
        using var store = _engine.CreateStore(new StoreLimits { MaxTableElements = 10 });
        var inst = Instantiate("""(module (table $t (export "t") 2 externref) (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null extern) (local.get 0))))""", store);
        var r = new WasmValue[1];
        inst.GetFunction("grow")!.Invoke([WasmValue.I32(8)], r);
        Assert.Equal(2, r[0].AsI32);
        inst.GetFunction("grow")!.Invoke([WasmValue.I32(1)], r);
        Assert.Equal(-1, r[0].AsI32);
    }

    [Fact]
    public void AMemoryLargerThanTheCapIsALinkError()
    {
        using var store = _engine.CreateStore(new StoreLimits { MaxMemoryPages = 2 });
        Assert.Throws<WasmLinkException>(() => Instantiate("(module (memory 3))", store));
    }

    [Fact]
    public void TrapsCarryTheWasmBacktraceInnermostFirst()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var inst = Instantiate("""
            (module
              (func $inner (i32.div_s (i32.const 1) (i32.const 0)) drop)
              (func $middle call $inner)
              (func (export "outer") call $middle))
            """, store);
        var trap = Assert.Throws<WasmTrapException>(() => inst.GetFunction("outer")!.Invoke([], []));
        Assert.Equal(TrapKind.IntegerDivideByZero, trap.Kind);
        Assert.Equal(["inner", "middle", "outer"], trap.WasmStack.Select(f => f.FunctionName));
        Assert.Equal([0u, 1u, 2u], trap.WasmStack.Select(f => f.FunctionIndex));
    }

    [Fact]
    public void HostFunctionsSeeArgumentsMemoryAndTheirExceptionsComeBack()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var seen = new List<int>();
        var log = store.CreateHostFunction(new Polymath.Wasm.FuncType([Polymath.Wasm.ValueType.I32], [Polymath.Wasm.ValueType.I32]), (ctx, args, results) =>
        {
            seen.Add(args[0].AsI32);
            var memory = ctx.GetMemory()!;
            if (args[0].AsI32 < 0) throw new InvalidOperationException("negative");
            results[0] = WasmValue.I32(memory.Span[args[0].AsI32]);
        });
        var inst = Instantiate("""
            (module (import "env" "log" (func $log (param i32) (result i32)))
              (memory (export "memory") 1) (data (i32.const 7) "\2a")
              (func (export "run") (param i32) (result i32) (call $log (local.get 0))))
            """, store, log);
        var r = new WasmValue[1];
        inst.GetFunction("run")!.Invoke([WasmValue.I32(7)], r);
        Assert.Equal(42, r[0].AsI32);
        var trap = Assert.Throws<WasmTrapException>(() => inst.GetFunction("run")!.Invoke([WasmValue.I32(-1)], r));
        Assert.Equal(TrapKind.HostError, trap.Kind);
        Assert.IsType<InvalidOperationException>(trap.InnerException);
        Assert.Equal([7, -1], seen);
    }

    [Fact]
    public void PostTwoPointZeroProposalsAreRejected()
    {
        // Tail calls and multi-memory are on by default in Wasmtime; the plugin reports WebAssembly 2.0 only.
        Assert.Throws<Polymath.Wasm.WasmModuleException>(() => _engine.Compile(Wat.ToWasm("(module (func (return_call 0)))")));
        Assert.Throws<Polymath.Wasm.WasmModuleException>(() => _engine.Compile(Wat.ToWasm("(module (memory 1) (memory 1))")));
    }
}
