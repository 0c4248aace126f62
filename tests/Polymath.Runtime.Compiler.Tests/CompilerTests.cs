using System.Runtime.CompilerServices;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler.Tests;

public class CompilerTests
{
    private static readonly IWasmEngine Engine = new CompilerRuntimePlugin().CreateEngine(new EngineOptions());

    private static (IWasmStore Store, IWasmInstance Instance) Load(string wat, StoreLimits? limits = null, params IWasmExtern[] imports)
    {
        var module = Engine.Compile(Wat.ToWasm(wat));
        var store = Engine.CreateStore(limits ?? StoreLimits.Default);
        return (store, store.Instantiate(module, imports));
    }

    private static WasmValue[] Call(IWasmInstance inst, string name, CallOptions options, params WasmValue[] args)
    {
        var f = inst.GetFunction(name)!;
        var results = new WasmValue[f.Type.Results.Length];
        f.Invoke(args, results, options);
        return results;
    }

    private static WasmValue[] Call(IWasmInstance inst, string name, params WasmValue[] args) => Call(inst, name, default, args);

    private static WasmTrapException Traps(IWasmInstance inst, string name, CallOptions options = default, params WasmValue[] args) =>
        Assert.Throws<WasmTrapException>(() => Call(inst, name, options, args));

    private const string TrapModule = """
        (module
          (memory 1)
          (table 2 funcref)
          (type $v (func))
          (func $nothing)
          (elem (i32.const 0) $nothing)
          (func $inner (export "unreachable") unreachable)
          (func (export "nested") call $inner)
          (func (export "div0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
          (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
          (func (export "rem") (result i32) (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
          (func (export "oob") (result i32) (i32.load (i32.const 65534)))
          (func (export "oob-offset") (result i64) (i64.load offset=65530 (i32.const 0)))
          (func (export "conv") (result i32) (i32.trunc_f32_s (f32.const nan)))
          (func (export "mismatch") (result i32) (call_indirect (result i32) (i32.const 0)))
          (func (export "undefined") (call_indirect (type $v) (i32.const 5)))
          (func (export "uninit") (call_indirect (type $v) (i32.const 1)))
          (func (export "tableoob") (result funcref) (table.get 0 (i32.const 7)))
        )
        """;

    [Theory]
    [InlineData("unreachable", TrapKind.Unreachable)]
    [InlineData("div0", TrapKind.IntegerDivideByZero)]
    [InlineData("overflow", TrapKind.IntegerOverflow)]
    [InlineData("oob", TrapKind.MemoryOutOfBounds)]
    [InlineData("oob-offset", TrapKind.MemoryOutOfBounds)]
    [InlineData("conv", TrapKind.InvalidConversionToInteger)]
    [InlineData("mismatch", TrapKind.IndirectCallTypeMismatch)]
    [InlineData("undefined", TrapKind.UndefinedElement)]
    [InlineData("uninit", TrapKind.UninitializedElement)]
    [InlineData("tableoob", TrapKind.TableOutOfBounds)]
    public void TrapsCarryTheirKindAndTheWasmFunction(string export, TrapKind kind)
    {
        var (_, inst) = Load(TrapModule);
        var e = Traps(inst, export);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(WasmTrapException.DefaultMessage(kind), e.Message);
        Assert.Equal(export == "unreachable" ? "inner" : export, e.WasmStack[0].FunctionName);
    }

    [Fact]
    public void NestedTrapNamesTheInnermostFunction()
    {
        var (_, inst) = Load(TrapModule);
        var e = Traps(inst, "nested");
        Assert.Equal("inner", e.WasmStack[0].FunctionName);
        Assert.Equal(0, Call(inst, "rem")[0].AsI32); // INT_MIN rem -1 is 0, not a trap
    }

    [Fact]
    public void MultiValueFunctionsBlocksAndHostFunctions()
    {
        var engineStore = Engine.CreateStore(StoreLimits.Default);
        var swap = engineStore.CreateHostFunction(new FuncType([ValueType.I32, ValueType.I64], [ValueType.I64, ValueType.I32]),
            (_, a, r) => { r[0] = WasmValue.I64(a[1].AsI64 * 10); r[1] = WasmValue.I32(a[0].AsI32 + 1); });
        var module = Engine.Compile(Wat.ToWasm("""
            (module
              (import "env" "swap" (func $swap (param i32 i64) (result i64 i32)))
              (func $three (result i32 i64 f64) (i32.const 1) (i64.const 2) (f64.const 3.5))
              (func (export "three") (result i32 i64 f64) (call $three))
              (func (export "host") (result i64 i32) (call $swap (i32.const 4) (i64.const 5)))
              (func (export "block") (param i32) (result i32)
                (local.get 0) (i32.const 10)
                (block (param i32 i32) (result i32) (i32.add) (br 0 (i32.const 99) (i32.const 7)) (drop)))
            )
            """));
        var inst = engineStore.Instantiate(module, [swap]);
        var three = Call(inst, "three");
        Assert.Equal([WasmValue.I32(1), WasmValue.I64(2), WasmValue.F64(3.5)], three);
        Assert.Equal([WasmValue.I64(50), WasmValue.I32(5)], Call(inst, "host"));
        Assert.Equal(7, Call(inst, "block", WasmValue.I32(1))[0].AsI32);
    }

    private const string LimitsModule = """
        (module
          (func (export "spin") (loop $l (br $l)))
          (func $rec (export "recurse") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
          (func (export "count") (param i32) (result i32) (local i32)
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br $l)))
            (local.get 1))
        )
        """;

    [Fact]
    public void FuelRunsOutInALoopAndIsCountedPerLoopIteration()
    {
        var (store, inst) = Load(LimitsModule);
        var e = Traps(inst, "spin", new CallOptions { Fuel = 100_000 });
        Assert.Equal(TrapKind.OutOfFuel, e.Kind);
        Assert.Equal(100_000ul, store.LastCallFuelConsumed);
        Assert.Equal(1000, Call(inst, "count", new CallOptions { Fuel = 1_000_000 }, WasmValue.I32(1000))[0].AsI32);
        ulong used = store.LastCallFuelConsumed;
        Assert.InRange(used, 1000ul * 8, 1000ul * 12); // 10 instructions per iteration, plus the function's own
        Call(inst, "count", new CallOptions(), WasmValue.I32(1000));
        Assert.Equal(0ul, store.LastCallFuelConsumed);
    }

    [Fact]
    public void CancellationInterruptsALoop()
    {
        var (_, inst) = Load(LimitsModule);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var e = Traps(inst, "spin", new CallOptions { CancellationToken = cts.Token });
        Assert.Equal(TrapKind.Interrupted, e.Kind);
    }

    [Fact]
    public void DepthLimitTrapsAndTheStoreStaysUsable()
    {
        var (_, inst) = Load(LimitsModule, StoreLimits.Default with { MaxCallDepth = 500 });
        Assert.Equal(400, Call(inst, "recurse", WasmValue.I32(400))[0].AsI32);
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "recurse", default, WasmValue.I32(600)).Kind);
        Assert.Equal(400, Call(inst, "recurse", WasmValue.I32(400))[0].AsI32);
    }

    [Fact]
    public void DeepRecursionOnASmallStackTrapsInsteadOfOverflowing()
    {
        var (_, inst) = Load(LimitsModule, StoreLimits.Default with { MaxCallDepth = 1_000_000 });
        WasmTrapException? trap = null;
        var t = new Thread(() => trap = Assert.Throws<WasmTrapException>(() => Call(inst, "recurse", WasmValue.I32(900_000))), 256 * 1024);
        t.Start();
        t.Join();
        Assert.Equal(TrapKind.CallStackExhausted, trap!.Kind);
    }

    [Fact]
    public void FunctionsAreCompiledOnFirstCall()
    {
        var module = Engine.Compile(Wat.ToWasm("""
            (module
              (func $leaf (result i32) (i32.const 7))
              (func (export "a") (result i32) (call $leaf))
              (func (export "b") (result i32) (i32.const 8))
              (func (export "c") (result i32) (i32.const 9))
            )
            """));
        var cm = (CompiledModule)module;
        Assert.Equal(0, cm.CompiledFunctionCount);
        var store = Engine.CreateStore(StoreLimits.Default);
        var inst = store.Instantiate(module, []);
        Assert.Equal(0, cm.CompiledFunctionCount);
        Assert.Equal(7, Call(inst, "a")[0].AsI32);
        Assert.Equal(2, cm.CompiledFunctionCount); // a and the leaf it calls directly
        Assert.Equal(8, Call(inst, "b")[0].AsI32);
        Assert.Equal(3, cm.CompiledFunctionCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CompileRunAndDrop()
    {
        var module = Engine.Compile(Wat.ToWasm("""
            (module (memory 1)
              (func (export "sum") (param i32) (result i32) (local i32)
                (block $d (loop $l
                  (br_if $d (i32.eqz (local.get 0)))
                  (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br $l)))
                (i32.load (i32.const 0))))
            """));
        var store = Engine.CreateStore(StoreLimits.Default);
        var inst = store.Instantiate(module, []);
        Assert.Equal(5050, Call(inst, "sum", WasmValue.I32(100))[0].AsI32);
        return new WeakReference(module);
    }

    [Fact]
    public void CompiledModulesAreCollectedWithTheirInstances()
    {
        var weak = CompileRunAndDrop();
        for (int i = 0; i < 20 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(weak.IsAlive, "the compiled module (and its dynamic methods) was not collected");
    }

    [Fact]
    public void FloatsAreExact()
    {
        var (_, inst) = Load("""
            (module
              (func (export "snan") (result i32) (i32.reinterpret_f32 (f32.const nan:0x200000)))
              (func (export "mul1") (param f32) (result i32) (i32.reinterpret_f32 (f32.mul (local.get 0) (f32.const 1))))
              (func (export "min") (result f64) (f64.min (f64.const 0) (f64.const -0)))
              (func (export "nearest") (result f32) (f32.nearest (f32.const 2.5)))
              (func (export "u64") (result f32) (f32.convert_i64_u (i64.const 0xFFFFFFFFFFFFFFFF)))
            )
            """);
        Assert.Equal(0x7FA00000, Call(inst, "snan")[0].AsI32);
        Assert.Equal(0x7FC00000, Call(inst, "mul1", WasmValue.F32Bits(0x7FA00000))[0].AsI32 & 0x7FC00000); // multiplied: quieted
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Call(inst, "min")[0].AsF64));
        Assert.Equal(2f, Call(inst, "nearest")[0].AsF32);
        Assert.Equal(18446744073709551616f, Call(inst, "u64")[0].AsF32);
    }

    [Fact]
    public void ProbeNeedsDynamicCode()
    {
        var plugin = new CompilerRuntimePlugin();
        var ok = plugin.Probe(PlatformInfo.FromRuntimeIdentifier("linux-arm"));
        Assert.True(ok.IsAvailable);
        Assert.Contains(Capabilities.ExecJit, ok.Capabilities);
        var aot = plugin.Probe(PlatformInfo.FromRuntimeIdentifier("linux-arm64").WithoutDynamicCode());
        Assert.False(aot.IsAvailable);
        Assert.Contains("no dynamic code", aot.Reason);
        Assert.Empty(aot.Capabilities);
    }

    [Fact]
    public void CilListingShowsTheGeneratedCode()
    {
        string listing = CilListing.Describe(Wat.ToWasm("(module (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"), "add");
        Assert.Contains("func[0] add", listing);
        Assert.Contains("I32Add", listing);
        Assert.Contains("add", listing);
        Assert.Contains("ret", listing);
    }
}
