using Polymath.Sdk;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// The wasm-to-wasm call path (RATIONALE.md, "Calls and the depth limit"): a return to a caller of the same instance
/// keeps the loop's memory, which must then still be the memory the callee grew; a return to another instance's
/// caller switches back to that instance's memory and globals. Each case in every call mode (both code variants).
/// </summary>
public class CallPathTests
{
    private const string Grower = """
        (module
          (memory (export "memory") 1)
          (global $g (mut i32) (i32.const 11))
          (func $grow (export "grow_and_store") (param i32 i32) (result i32)
            (drop (memory.grow (i32.const 1)))
            (i32.store (local.get 0) (local.get 1))
            (global.get $g))
          ;; the caller stores past the old end after its callee grew the memory
          (func (export "store_after_grow") (param i32) (result i32)
            (drop (call $grow (i32.const 65536) (i32.const 1)))
            (i32.store (local.get 0) (i32.const 0x5EED))
            (i32.add (i32.load (local.get 0)) (memory.size)))
          (func (export "size") (result i32) (memory.size)))
        """;

    private const string Caller = """
        (module
          (import "a" "grow_and_store" (func $grow (param i32 i32) (result i32)))
          (memory 1)
          (global $g (mut i32) (i32.const 5))
          ;; after a call into the other instance, which grows its own memory, this instance's memory has one page
          (func (export "own_memory_after_call") (param i32) (result i32)
            (i32.store (i32.const 16) (i32.const 3))
            (i32.add (i32.add (call $grow (i32.const 70000) (i32.const 9)) (global.get $g))
                     (i32.add (i32.load (i32.const 16)) (i32.load (local.get 0))))))
        """;

    private static (IWasmEngine Engine, IWasmStore Store, IWasmInstance Grower) LoadGrower()
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var store = engine.CreateStore(StoreLimits.Default);
        return (engine, store, store.Instantiate(engine.Compile(Wat.ToWasm(Grower)), []));
    }

    [Theory]
    [MemberData(nameof(CallModes.All), MemberType = typeof(CallModes))]
    public void A_caller_sees_the_memory_its_callee_grew(string mode)
    {
        var (_, _, a) = LoadGrower();
        Assert.Equal(0x5EED + 2, CallModes.Call(a, mode, "store_after_grow", WasmValue.I32(65536 + 100)).AsI32);
        Assert.Equal(0x5EED + 3, CallModes.Call(a, mode, "store_after_grow", WasmValue.I32(2 * 65536 + 100)).AsI32);
    }

    [Theory]
    [MemberData(nameof(CallModes.All), MemberType = typeof(CallModes))]
    public void A_return_to_another_instance_switches_back_to_its_memory_and_globals(string mode)
    {
        var (engine, store, a) = LoadGrower();
        var b = store.Instantiate(engine.Compile(Wat.ToWasm(Caller)), [a.GetFunction("grow_and_store")!]);
        // a's global (11) from the callee, b's global (5), b's memory[16] (3), b's memory[100] (0)
        Assert.Equal(11 + 5 + 3, CallModes.Call(b, mode, "own_memory_after_call", WasmValue.I32(100)).AsI32);
        Assert.Equal(2, CallModes.Call(a, mode, "size").AsI32);
        // 70000 is inside a's grown memory but past b's single page: b's load traps
        var f = b.GetFunction("own_memory_after_call")!;
        using var cts = new CancellationTokenSource();
        var e = Assert.Throws<WasmTrapException>(() => f.Invoke([WasmValue.I32(70000)], new WasmValue[1], CallModes.Options(mode, cts)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, e.Kind);
    }
}
