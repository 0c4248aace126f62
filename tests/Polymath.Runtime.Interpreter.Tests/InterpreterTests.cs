using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter.Tests;

public class InterpreterTests
{
    private static (IWasmStore Store, IWasmInstance Instance) Load(string wat, StoreLimits? limits = null, params IWasmExtern[] imports)
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var module = engine.Compile(Wat.ToWasm(wat));
        var store = engine.CreateStore(limits ?? StoreLimits.Default);
        return (store, store.Instantiate(module, imports));
    }

    private static WasmTrapException Traps(IWasmInstance inst, string name, params WasmValue[] args)
    {
        var f = inst.GetFunction(name)!;
        var results = new WasmValue[f.Type.Results.Length];
        return Assert.Throws<WasmTrapException>(() => f.Invoke(args, results));
    }

    private static WasmValue Call(IWasmInstance inst, string name, params WasmValue[] args)
    {
        var f = inst.GetFunction(name)!;
        var results = new WasmValue[Math.Max(1, f.Type.Results.Length)];
        f.Invoke(args, results);
        return results[0];
    }

    private const string TrapModule = """
        (module
          (memory 1)
          (table 2 funcref)
          (type $v (func))
          (func $nothing)
          (elem (i32.const 0) $nothing)
          (func $inner (export "unreachable") unreachable)
          (func (export "nested") call $inner)
          (func (export "div0") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
          (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
          (func (export "oob") (result i32) (i32.load (i32.const 65534)))
          (func (export "conv") (result i32) (i32.trunc_f32_s (f32.const nan)))
          (func (export "mismatch") (result i32) (call_indirect (result i32) (i32.const 0)))
          (func (export "undefined") (call_indirect (type $v) (i32.const 5)))
          (func (export "uninit") (call_indirect (type $v) (i32.const 1)))
          (func (export "tableoob") (result funcref) (table.get 0 (i32.const 7)))
        )
        """;

    [Theory]
    [InlineData("unreachable", TrapKind.Unreachable)]
    [InlineData("overflow", TrapKind.IntegerOverflow)]
    [InlineData("oob", TrapKind.MemoryOutOfBounds)]
    [InlineData("conv", TrapKind.InvalidConversionToInteger)]
    [InlineData("mismatch", TrapKind.IndirectCallTypeMismatch)]
    [InlineData("undefined", TrapKind.UndefinedElement)]
    [InlineData("uninit", TrapKind.UninitializedElement)]
    [InlineData("tableoob", TrapKind.TableOutOfBounds)]
    public void Traps_have_their_kind(string export, TrapKind kind)
    {
        var (_, inst) = Load(TrapModule);
        Assert.Equal(kind, Traps(inst, export).Kind);
    }

    [Fact]
    public void Divide_by_zero_traps_and_the_store_stays_usable()
    {
        var (_, inst) = Load(TrapModule);
        Assert.Equal(TrapKind.IntegerDivideByZero, Traps(inst, "div0", WasmValue.I32(0)).Kind);
        Assert.Equal(1, Call(inst, "div0", WasmValue.I32(1)).AsI32);
    }

    [Fact]
    public void Trap_carries_the_wasm_stack_with_names()
    {
        var (_, inst) = Load(TrapModule);
        var e = Traps(inst, "nested");
        Assert.Equal("inner", e.WasmStack[0].FunctionName);
        Assert.Equal("nested", e.WasmStack[1].FunctionName);
    }

    private const string RecursionModule = """
        (module
          (func $f (export "forever") (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))
          (func $d (export "depth") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $d (i32.sub (local.get 0) (i32.const 1))))))))
        """;

    [Fact]
    public void Unbounded_recursion_is_a_call_stack_exhausted_trap()
    {
        var (_, inst) = Load(RecursionModule);
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "forever", WasmValue.I32(0)).Kind);
        // The process (and the store) survive.
        Assert.Equal(5000, Call(inst, "depth", WasmValue.I32(5000)).AsI32);
    }

    [Fact]
    public void Call_depth_limit_is_the_store_limit()
    {
        var (_, inst) = Load(RecursionModule, new StoreLimits { MaxCallDepth = 100 });
        Assert.Equal(98, Call(inst, "depth", WasmValue.I32(98)).AsI32);
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "depth", WasmValue.I32(100)).Kind);
    }

    [Fact]
    public void Very_deep_limit_does_not_overflow_the_dotnet_stack()
    {
        var (_, inst) = Load(RecursionModule, new StoreLimits { MaxCallDepth = 1_000_000 });
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "forever", WasmValue.I32(0)).Kind);
    }

    private const string LoopModule = """
        (module
          (func (export "spin") (loop $l (br $l)))
          (func (export "three") (result i32) (i32.add (i32.const 1) (i32.const 2)))
          (func (export "count") (param i32) (result i32) (local i32)
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br $l)))
            (local.get 1)))
        """;

    [Fact]
    public void Fuel_runs_out_in_an_infinite_loop()
    {
        var (store, inst) = Load(LoopModule);
        var f = inst.GetFunction("spin")!;
        var e = Assert.Throws<WasmTrapException>(() => f.Invoke([], [], new CallOptions { Fuel = 10_000 }));
        Assert.Equal(TrapKind.OutOfFuel, e.Kind);
        Assert.True(store.LastCallFuelConsumed <= 10_000);
        Assert.True(store.LastCallFuelConsumed >= 9_990);
    }

    [Fact]
    public void Fuel_is_one_unit_per_executed_instruction()
    {
        var (store, inst) = Load(LoopModule);
        var results = new WasmValue[1];
        inst.GetFunction("three")!.Invoke([], results, new CallOptions { Fuel = 100 });
        Assert.Equal(3, results[0].AsI32);
        Assert.Equal(3UL, store.LastCallFuelConsumed); // i32.const, i32.const, i32.add (end is free)
        Assert.Throws<WasmTrapException>(() => inst.GetFunction("three")!.Invoke([], results, new CallOptions { Fuel = 2 }));

        // count(n): block, loop, then n+1 runs of the loop header ... see RATIONALE.md for the rule.
        inst.GetFunction("count")!.Invoke([WasmValue.I32(10)], results, new CallOptions { Fuel = 1_000 });
        Assert.Equal(10, results[0].AsI32);
        // block + loop (2), 11 times {local.get, local.get, i32.ge_u, br_if} (44),
        // 10 times {local.get, i32.const, i32.add, local.set, br} (50), then local.get (1).
        Assert.Equal(97UL, store.LastCallFuelConsumed);
    }

    [Fact]
    public void Cancellation_interrupts_an_infinite_loop()
    {
        var (_, inst) = Load(LoopModule);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var f = inst.GetFunction("spin")!;
        var e = Assert.Throws<WasmTrapException>(() => f.Invoke([], [], new CallOptions { CancellationToken = cts.Token }));
        Assert.Equal(TrapKind.Interrupted, e.Kind);
    }

    [Fact]
    public void Memory_growth_beyond_the_cap_returns_minus_one()
    {
        var (_, inst) = Load("""
            (module (memory (export "memory") 1)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """, new StoreLimits { MaxMemoryPages = 3 });
        Assert.Equal(1, Call(inst, "grow", WasmValue.I32(2)).AsI32);
        Assert.Equal(-1, Call(inst, "grow", WasmValue.I32(1)).AsI32);
        Assert.Equal(3u, inst.GetMemory()!.Pages);
    }

    [Fact]
    public void Instantiating_a_memory_above_the_cap_fails_clearly()
    {
        var e = Assert.Throws<WasmLinkException>(() => Load("(module (memory 10))", new StoreLimits { MaxMemoryPages = 3 }));
        Assert.Contains("MaxMemoryPages", e.Message);
    }

    [Fact]
    public void Host_functions_are_called_with_typed_arguments_and_see_the_caller_memory()
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var store = engine.CreateStore(StoreLimits.Default);
        byte seen = 0;
        var host = store.CreateHostFunction(new FuncType([ValueType.I32, ValueType.I64], [ValueType.I64]), (ctx, args, results) =>
        {
            seen = ctx.GetMemory()!.Span[args[0].AsI32];
            results[0] = WasmValue.I64(args[1].AsI64 * 2);
        });
        var module = engine.Compile(Wat.ToWasm("""
            (module
              (import "env" "twice" (func $twice (param i32 i64) (result i64)))
              (memory (export "memory") 1)
              (data (i32.const 8) "\2a")
              (func (export "run") (param i64) (result i64) (call $twice (i32.const 8) (local.get 0))))
            """));
        var inst = store.Instantiate(module, [host]);
        Assert.Equal(42L, Call(inst, "run", WasmValue.I64(21)).AsI64);
        Assert.Equal(42, seen);
    }

    [Fact]
    public void Host_exceptions_become_host_error_traps()
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var store = engine.CreateStore(StoreLimits.Default);
        var host = store.CreateHostFunction(FuncType.Empty, (_, _, _) => throw new InvalidOperationException("boom"));
        var module = engine.Compile(Wat.ToWasm("""(module (import "env" "f" (func $f)) (func (export "run") call $f))"""));
        var inst = store.Instantiate(module, [host]);
        var e = Traps(inst, "run");
        Assert.Equal(TrapKind.HostError, e.Kind);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void Steady_state_invoke_does_not_allocate()
    {
        var (_, inst) = Load("""
            (module (func $fib (export "fib") (param i32) (result i32)
              (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
                (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
            """);
        var f = inst.GetFunction("fib")!;
        Span<WasmValue> results = [default];
        long allocated = CallModes.SteadyStateAllocation(f, WasmValue.I32(10), results);
        Assert.Equal(55, results[0].AsI32);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("linux-arm", false)]
    [InlineData("linux-x64", true)]
    [InlineData("ios-arm64", false)]
    public void Probe_is_available_everywhere(string rid, bool dynamicCode)
    {
        var platform = PlatformInfo.FromRuntimeIdentifier(rid, dynamicCode);
        var probe = new InterpreterRuntimePlugin().Probe(platform);
        Assert.True(probe.IsAvailable, probe.Reason);
        Assert.Contains(Capabilities.LimitsCallDepth, probe.Capabilities);
        Assert.Contains(Capabilities.WasmSimd128, probe.Capabilities);
    }
}
