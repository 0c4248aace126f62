using System.Diagnostics;
using System.Text;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// Modules written to exhaust the host through the interpreter (issue 10): each must end in a clear trap, a failed
/// grow (-1) or a clear compile/link error, never an OutOfMemoryException or a huge allocation, and the same store
/// (or engine) must keep answering a good call afterwards.
/// </summary>
[Collection(ExhaustionCollection.Name)]
public class HostileModuleTests
{
    private static readonly IWasmEngine Engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());

    private static (InterpreterStore Store, IWasmInstance Instance) Load(string wat, StoreLimits? limits = null)
    {
        var module = Engine.Compile(Wat.ToWasm(wat));
        var store = (InterpreterStore)Engine.CreateStore(limits ?? StoreLimits.Default);
        return (store, store.Instantiate(module, []));
    }

    private static WasmValue[] Call(IWasmInstance inst, string name, params WasmValue[] args)
    {
        var f = inst.GetFunction(name) ?? throw new InvalidOperationException($"no export {name}");
        var results = new WasmValue[f.Type.Results.Length];
        f.Invoke(args, results);
        return results;
    }

    private static WasmTrapException Traps(IWasmInstance inst, string name, params WasmValue[] args) =>
        Assert.Throws<WasmTrapException>(() => Call(inst, name, args));

    private static string Locals(int count, string type) =>
        "(local" + string.Concat(Enumerable.Repeat(" " + type, count)) + ")";

    /// <summary>A recursive function with <paramref name="locals"/> i64 locals: "deep" n recurses n times, "forever" never stops.</summary>
    private static string ManyLocalsModule(int locals) => $$"""
        (module
          (func $deep (export "deep") (param i32) (result i32) {{Locals(locals, "i64")}}
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
          (func $forever (export "forever") (param i32) {{Locals(locals, "i64")}}
            (local.set 1 (i64.extend_i32_u (local.get 0)))
            (call $forever (i32.add (local.get 0) (i32.const 1))))
          (func (export "good") (result i32) (i32.const 42)))
        """;

    [Fact]
    public void Recursion_with_many_i64_locals_traps_at_the_value_stack_cap_not_the_heap()
    {
        // 49,000 i64 locals (the reader accepts 50,000) is ~392 KB a frame: the call-depth limit of 10,000 alone
        // would let the value stack reach ~3.9 GB; the default 64 MiB cap stops it after ~170 frames.
        var (store, inst) = Load(ManyLocalsModule(49_000));
        var e = Traps(inst, "forever", WasmValue.I32(0));
        Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
        Assert.Equal("forever", e.WasmStack[0].FunctionName);
        Assert.True(store.Stack.Length <= 1 << 16, $"an idle store keeps a {store.Stack.Length}-slot value stack");
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
        Assert.Equal(10, Call(inst, "deep", WasmValue.I32(10))[0].AsI32);
    }

    [Fact]
    public void Under_a_heap_limit_a_refused_stack_growth_is_a_trap_not_an_out_of_memory_exception()
    {
        // The test project runs with System.GC.HeapHardLimit = 768 MiB (see the csproj). With no byte cap, the
        // value stack doubles until the heap refuses (a 512 MiB or 1 GiB array): that must be the trap.
        const long heapLimit = 768L << 20;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.True(available <= heapLimit,
            $"this test needs the GC heap limit of the test project's csproj (System.GC.HeapHardLimit = {heapLimit}); the runtime reports {available} bytes available");
        var (store, inst) = Load(ManyLocalsModule(49_000), new StoreLimits { MaxValueStackBytes = long.MaxValue, MaxCallDepth = 100_000 });
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "forever", WasmValue.I32(0)).Kind);
        Assert.True(store.Stack.Length <= 1 << 16);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void Value_stack_cap_is_the_store_limit_and_the_store_recovers()
    {
        // 1 MiB = 131,072 slots; a frame of this function is ~1,000 slots.
        var (store, inst) = Load(ManyLocalsModule(1_000), new StoreLimits { MaxValueStackBytes = 1 << 20 });
        Assert.Equal(100, Call(inst, "deep", WasmValue.I32(100))[0].AsI32);
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "deep", WasmValue.I32(200)).Kind);
        Assert.Equal(100, Call(inst, "deep", WasmValue.I32(100))[0].AsI32);
        Assert.True(store.Stack.Length <= 1 << 16);
    }

    [Fact]
    public void A_cap_too_small_for_the_first_frame_traps_before_running()
    {
        var (_, inst) = Load(ManyLocalsModule(1_000), new StoreLimits { MaxValueStackBytes = 4096 });
        var e = Traps(inst, "deep", WasmValue.I32(0));
        Assert.Equal(TrapKind.CallStackExhausted, e.Kind);
        Assert.Contains("MaxValueStackBytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void Value_stack_growth_never_overflows_and_refuses_beyond_one_array()
    {
        var (store, inst) = Load(ManyLocalsModule(1), new StoreLimits { MaxValueStackBytes = long.MaxValue });
        int length = store.Stack.Length;
        Assert.Null(store.GrowStack(3L << 30));          // past 2^31 slots: refused, nothing allocated
        Assert.Null(store.GrowStack((long)int.MaxValue + 1));
        Assert.Equal(length, store.Stack.Length);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_deep_call_leaves_no_large_stack_behind_in_an_idle_store()
    {
        var (store, inst) = Load(ManyLocalsModule(1_000));
        Assert.Equal(5_000, Call(inst, "deep", WasmValue.I32(5_000))[0].AsI32);  // ~5M slots (40 MB), 5,000 frames while it runs
        Assert.True(store.Stack.Length <= 1 << 16, $"an idle store keeps a {store.Stack.Length}-slot value stack");
        Assert.True(store.Frames.Length <= 4096, $"an idle store keeps {store.Frames.Length} frames");
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void Frames_that_do_not_move_the_value_stack_still_count_against_the_cap()
    {
        // `$z` has no params or locals and passes nothing: every call starts its frame where its caller's did,
        // so only the saved-frame stack grows; with a huge depth limit the byte cap still ends it.
        var (store, inst) = Load("""
            (module
              (func $z (export "z") (call $z))
              (func (export "good") (result i32) (i32.const 42)))
            """, new StoreLimits { MaxCallDepth = int.MaxValue, MaxValueStackBytes = 1 << 20 });
        Assert.Equal(TrapKind.CallStackExhausted, Traps(inst, "z").Kind);
        Assert.True(store.Frames.Length <= 4096, $"an idle store keeps {store.Frames.Length} frames");
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    private const string GrowModule = """
        (module
          (memory (export "memory") 1)
          (table 1 funcref)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size))
          (func (export "table_grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0)))
          (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
          (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
          (func (export "good") (result i32) (i32.const 42)))
        """;

    [Fact]
    public void Memory_growth_past_the_array_ceiling_returns_minus_one()
    {
        // The store allows the spec's 65,536 pages; the interpreter's ceiling is 32,767 (one byte[]).
        var (_, inst) = Load(GrowModule, new StoreLimits { MaxMemoryPages = 65_536 });
        Assert.Equal(32_767u, MemoryInstance.ArrayMaxPages);
        Assert.Equal(-1, Call(inst, "grow", WasmValue.I32(65_535))[0].AsI32);
        Assert.Equal(-1, Call(inst, "grow", WasmValue.I32(32_767))[0].AsI32);
        Assert.Equal(-1, Call(inst, "grow", WasmValue.I32(-1))[0].AsI32);
        Assert.Equal(1, Call(inst, "size")[0].AsI32);
        Assert.Equal(1, Call(inst, "grow", WasmValue.I32(1))[0].AsI32);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_memory_minimum_past_the_array_ceiling_is_a_link_error_naming_it()
    {
        var module = Engine.Compile(Wat.ToWasm("(module (memory 40000))"));
        using var store = Engine.CreateStore(new StoreLimits { MaxMemoryPages = 65_536 });
        var e = Assert.Throws<WasmLinkException>(() => store.Instantiate(module, []));
        Assert.Contains("32767", e.Message, StringComparison.Ordinal);
        var good = store.Instantiate(Engine.Compile(Wat.ToWasm(GrowModule)), []);
        Assert.Equal(42, Call(good, "good")[0].AsI32);
    }

    [Fact]
    public void Table_growth_to_a_huge_size_returns_minus_one()
    {
        var (_, inst) = Load(GrowModule, new StoreLimits { MaxTableElements = uint.MaxValue });
        Assert.Equal(-1, Call(inst, "table_grow", WasmValue.I32(-16))[0].AsI32);     // 2^32 - 16 elements
        Assert.Equal(1, Call(inst, "table_grow", WasmValue.I32(10))[0].AsI32);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_huge_table_minimum_is_a_link_error()
    {
        var module = Engine.Compile(Wat.ToWasm("(module (table 3000000000 funcref))"));
        using var store = Engine.CreateStore(new StoreLimits { MaxTableElements = uint.MaxValue });
        var e = Assert.Throws<WasmLinkException>(() => store.Instantiate(module, []));
        Assert.Contains("3000000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fill_and_copy_of_huge_lengths_trap_out_of_bounds()
    {
        var (_, inst) = Load(GrowModule);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Traps(inst, "fill", WasmValue.I32(0), WasmValue.I32(-1)).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Traps(inst, "fill", WasmValue.I32(-1), WasmValue.I32(2)).Kind);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Traps(inst, "copy", WasmValue.I32(0), WasmValue.I32(1), WasmValue.I32(-1)).Kind);
        Call(inst, "fill", WasmValue.I32(0), WasmValue.I32(65_536));
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_loop_of_huge_fills_sees_cancellation_within_one_fill()
    {
        // 2048 pages = 128 MiB a fill, one unit of fuel each: polling only at loop headers (every 1,024
        // iterations) would let this run through 128 GiB of writes after the token fires.
        var (_, inst) = Load("""
            (module
              (memory 2048)
              (func (export "spin") (loop $l (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x8000000)) (br $l)))
              (func (export "good") (result i32) (i32.const 42)))
            """, new StoreLimits { MaxMemoryPages = 2048 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var spin = inst.GetFunction("spin")!;
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<WasmTrapException>(() => spin.Invoke([], [], new CallOptions { CancellationToken = cts.Token }));
        Assert.Equal(TrapKind.Interrupted, e.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {clock.Elapsed}");
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_loop_of_one_page_grows_sees_cancellation_within_one_grow()
    {
        // Each grow copies the whole memory into a new array for one unit of fuel: up to the 1,024th iteration
        // (the loop-header poll) that is ~34 GB of copying; polling after each grow stops it at once.
        var (_, inst) = Load("""
            (module
              (memory 1)
              (func (export "spin") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))
              (func (export "good") (result i32) (i32.const 42)))
            """, new StoreLimits { MaxMemoryPages = 4096 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var spin = inst.GetFunction("spin")!;
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<WasmTrapException>(() => spin.Invoke([], [], new CallOptions { CancellationToken = cts.Token }));
        Assert.Equal(TrapKind.Interrupted, e.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"cancellation took {clock.Elapsed}");
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void A_huge_br_table_to_a_many_valued_label_shares_one_stub()
    {
        // 30,000 entries (and the default) to labels that need 100 moves each: one stub per label (~200 ints)
        // rather than one per entry (~6M ints, past the translation limit for this ~35 KB body).
        const int arity = 100, entries = 30_000;
        var results = string.Concat(Enumerable.Repeat(" i32", arity));
        var wat = new StringBuilder($"(module (func (export \"f\") (param i32) (result{results}) (block $outer (result{results}) (block $inner (result{results}) (i32.const 9)");
        for (int i = 0; i < arity; i++) wat.Append(" (i32.const ").Append(i).Append(')');
        wat.Append(" (br_table");
        for (int i = 0; i < entries; i++) wat.Append(i % 2 == 0 ? " $inner" : " $outer");
        wat.Append(" $outer (local.get 0))))) (func (export \"good\") (result i32) (i32.const 42)))");
        var module = Engine.Compile(Wat.ToWasm(wat.ToString()));
        var inst = Engine.CreateStore(StoreLimits.Default).Instantiate(module, []);
        foreach (int index in new[] { 0, 1, 29_998, 29_999, 30_000, -1 })
        {
            var r = Call(inst, "f", WasmValue.I32(index));
            Assert.Equal(0, r[0].AsI32);
            Assert.Equal(arity - 1, r[arity - 1].AsI32);
        }
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
    }

    [Fact]
    public void Branches_to_many_valued_labels_cannot_blow_up_translation()
    {
        // Each `br_if 0` below must move 300 values (one extra value sits under them): 4 bytes of wasm become ~600
        // ints of code. 10,000 of them would be 6M ints from a 40 KB body; the translator refuses past 32 ints a byte.
        const int arity = 300, branches = 10_000;
        var wat = new StringBuilder("(module (func (export \"f\") (result");
        for (int i = 0; i < arity; i++) wat.Append(" i32");
        wat.Append(") (block (result");
        for (int i = 0; i < arity; i++) wat.Append(" i32");
        wat.Append(") (i32.const 9)");
        for (int i = 0; i < arity; i++) wat.Append(" (i32.const ").Append(i).Append(')');
        for (int i = 0; i < branches; i++) wat.Append(" (br_if 0 (i32.const 0))");
        wat.Append(" (br 0))) (func (export \"good\") (result i32) (i32.const 42)))");
        var bytes = Wat.ToWasm(wat.ToString());
        var e = Assert.Throws<WasmModuleException>(() => Engine.Compile(bytes));
        Assert.Contains("too large for the interpreter", e.Message, StringComparison.Ordinal);

        // The same engine compiles and runs a good module afterwards, and a few such branches are fine.
        var (_, inst) = Load(GrowModule);
        Assert.Equal(42, Call(inst, "good")[0].AsI32);
        var small = wat.ToString().Replace(string.Concat(Enumerable.Repeat(" (br_if 0 (i32.const 0))", branches - 10)), "", StringComparison.Ordinal);
        var ok = Engine.CreateStore(StoreLimits.Default).Instantiate(Engine.Compile(Wat.ToWasm(small)), []);
        Assert.Equal(arity - 1, Call(ok, "f")[arity - 1].AsI32);
    }
}
