using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// The managed runtime core (plugins/Polymath.Runtime.Core), compiled into both managed tiers: instantiation, the
/// store objects' limits and host-call marshalling must answer the same, word for word, on the interpreter and the
/// compiler. Each case runs on both.
/// </summary>
public class RuntimeCoreTests
{
    public static TheoryData<string> Tiers => new() { "interpreter", "compiler" };

    private static IWasmEngine Engine(string tier) => tier == "compiler" ? HostileAuditTests.CompilerTier : HostileAuditTests.InterpreterTier;

    private static string LinkError(string tier, string wat, StoreLimits limits, Func<IWasmStore, IWasmExtern[]> imports)
    {
        var engine = Engine(tier);
        var module = engine.Compile(Wat.ToWasm(wat));
        using var store = engine.CreateStore(limits);
        return Assert.Throws<WasmLinkException>(() => store.Instantiate(module, imports(store))).Message;
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_table_minimum_beyond_one_array_is_a_link_error_not_a_crash(string tier)
    {
        // 2^31 - 1 elements: above Array.MaxLength. The compiler used to call new object?[min] and fail with an
        // OutOfMemoryException or OverflowException out of Instantiate.
        string message = LinkError(tier, "(module (table 2147483647 funcref))", new StoreLimits { MaxTableElements = uint.MaxValue }, _ => []);
        Assert.Contains("table minimum of 2147483647 elements exceeds this store's cap", message, StringComparison.Ordinal);
        Assert.Contains("one array holds at most", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Table_growth_beyond_one_array_returns_minus_one_and_the_table_still_works(string tier)
    {
        var engine = Engine(tier);
        using var store = engine.CreateStore(new StoreLimits { MaxTableElements = uint.MaxValue });
        var table = store.CreateTable(new TableType(ValueType.ExternRef, new Limits(1, null)), WasmValue.ExternRef("x"));
        Assert.Equal(-1, table.Grow(0x7FFFFFFF, WasmValue.ExternRef(null)));
        Assert.Equal(1u, table.Size);
        Assert.Equal(1, table.Grow(2, WasmValue.ExternRef("y")));
        Assert.Equal("x", table.Get(0).Reference);
        Assert.Equal("y", table.Get(2).Reference);
        Assert.Throws<WasmTrapException>(() => table.Get(3));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Memory_growth_respects_the_store_cap_and_keeps_the_bytes(string tier)
    {
        var engine = Engine(tier);
        using var store = engine.CreateStore(new StoreLimits { MaxMemoryPages = 3 });
        var memory = store.CreateMemory(new MemoryType(new Limits(1, null)));
        memory.Span[65_535] = 7;
        Assert.Equal(-1, memory.Grow(3));
        Assert.Equal(1, memory.Grow(2));
        Assert.Equal(3u, memory.Pages);
        Assert.Equal(7, memory.Span[65_535]);
        Assert.Equal(0, memory.Span[3 * 65_536 - 1]);
        Assert.Contains("memory minimum of 4 pages exceeds this store's cap of 3 pages",
            Assert.Throws<WasmLinkException>(() => store.CreateMemory(new MemoryType(new Limits(4, null)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Link_errors_read_the_same_on_both_tiers()
    {
        const string wat = """
            (module (import "env" "m" (memory 2)) (import "env" "t" (table 1 funcref)) (import "env" "g" (global (mut i32))))
            """;
        var limits = StoreLimits.Default;
        IWasmExtern[] SmallMemory(IWasmStore s) =>
        [
            s.CreateMemory(new MemoryType(new Limits(1, 1))),
            s.CreateTable(new TableType(ValueType.FuncRef, new Limits(1, null)), WasmValue.FuncRef(null)),
            s.CreateGlobal(new GlobalType(ValueType.I32, true), WasmValue.I32(0)),
        ];
        IWasmExtern[] ImmutableGlobal(IWasmStore s) =>
        [
            s.CreateMemory(new MemoryType(new Limits(2, null))),
            s.CreateTable(new TableType(ValueType.FuncRef, new Limits(1, null)), WasmValue.FuncRef(null)),
            s.CreateGlobal(new GlobalType(ValueType.I32, false), WasmValue.I32(0)),
        ];
        foreach (var imports in new Func<IWasmStore, IWasmExtern[]>[] { SmallMemory, ImmutableGlobal })
        {
            string interp = LinkError("interpreter", wat, limits, imports);
            string compiler = LinkError("compiler", wat, limits, imports);
            Assert.Equal(interp, compiler);
            Assert.StartsWith("incompatible import type: import ", interp, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void An_object_of_the_other_tier_is_refused_by_name(string tier)
    {
        var other = Engine(tier == "compiler" ? "interpreter" : "compiler");
        using var foreign = other.CreateStore(StoreLimits.Default);
        string message = LinkError(tier, """(module (import "env" "m" (memory 1)))""", StoreLimits.Default,
            _ => [foreign.CreateMemory(new MemoryType(new Limits(1, null)))]);
        Assert.Equal("incompatible import type: import 0 \"env\".\"m\": the memory belongs to another store or runtime", message);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_host_function_that_throws_or_returns_the_wrong_type_traps_and_the_store_lives_on(string tier)
    {
        var engine = Engine(tier);
        var module = engine.Compile(Wat.ToWasm("""
            (module (import "env" "h" (func $h (param i32) (result i32)))
              (func (export "f") (param i32) (result i32) (call $h (local.get 0))))
            """));
        using var store = engine.CreateStore(StoreLimits.Default);
        var h = store.CreateHostFunction(new FuncType([ValueType.I32], [ValueType.I32]), (_, args, results) =>
        {
            switch (args[0].AsI32)
            {
                case 0: throw new InvalidOperationException("boom");
                case 1: results[0] = WasmValue.I64(1); break;
                default: results[0] = WasmValue.I32(args[0].AsI32 * 2); break;
            }
        });
        var f = store.Instantiate(module, [h]).GetFunction("f")!;
        var r = new WasmValue[1];
        var thrown = Assert.Throws<WasmTrapException>(() => f.Invoke([WasmValue.I32(0)], r));
        Assert.Equal(TrapKind.HostError, thrown.Kind);
        Assert.Equal("host function failed: boom", thrown.Message.Split(Environment.NewLine)[0]);
        thrown = Assert.Throws<WasmTrapException>(() => f.Invoke([WasmValue.I32(1)], r));
        Assert.Equal(TrapKind.HostError, thrown.Kind);
        Assert.Contains("host function returned i64 for result 0, expected i32", thrown.Message, StringComparison.Ordinal);
        f.Invoke([WasmValue.I32(21)], r);
        Assert.Equal(42, r[0].AsI32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Bad_arguments_from_dotnet_are_argument_errors_naming_the_argument(string tier)
    {
        var engine = Engine(tier);
        using var store = engine.CreateStore(StoreLimits.Default);
        var f = store.Instantiate(engine.Compile(Wat.ToWasm("""(module (func (export "f") (param i32 i64) (result i32) (i32.const 1)))""")), [])
            .GetFunction("f")!;
        var r = new WasmValue[1];
        Assert.Equal("expected 2 arguments, got 1 (Parameter 'args')", Assert.Throws<ArgumentException>(() => f.Invoke([WasmValue.I32(1)], r)).Message);
        Assert.StartsWith("argument 1: expected i64, got i32", Assert.Throws<ArgumentException>(() => f.Invoke([WasmValue.I32(1), WasmValue.I32(2)], r)).Message, StringComparison.Ordinal);
        Assert.StartsWith("the results span needs room for 1 values", Assert.Throws<ArgumentException>(() => f.Invoke([WasmValue.I32(1), WasmValue.I64(2)], [])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Instantiation_runs_segments_in_order_and_initialisers_read_imported_globals(string tier)
    {
        var engine = Engine(tier);
        var module = engine.Compile(Wat.ToWasm("""
            (module
              (import "env" "base" (global $base i32))
              (global $copy i32 (global.get $base))
              (memory 1)
              (table 4 funcref)
              (func $seven (result i32) (i32.const 7))
              (elem (global.get $base) func $seven $seven)
              (data (global.get $base) "\2a")
              (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
              (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
              (func (export "copy") (result i32) (global.get $copy)))
            """));
        using var store = engine.CreateStore(StoreLimits.Default);
        var inst = store.Instantiate(module, [store.CreateGlobal(new GlobalType(ValueType.I32, false), WasmValue.I32(2))]);
        var r = new WasmValue[1];
        inst.GetFunction("copy")!.Invoke([], r);
        Assert.Equal(2, r[0].AsI32);
        inst.GetFunction("byte")!.Invoke([WasmValue.I32(2)], r);
        Assert.Equal(42, r[0].AsI32);
        inst.GetFunction("call")!.Invoke([WasmValue.I32(3)], r);
        Assert.Equal(7, r[0].AsI32);
        Assert.Equal(TrapKind.UninitializedElement, Assert.Throws<WasmTrapException>(() => inst.GetFunction("call")!.Invoke([WasmValue.I32(0)], r)).Kind);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void An_active_segment_out_of_bounds_traps_at_instantiation(string tier)
    {
        var engine = Engine(tier);
        var module = engine.Compile(Wat.ToWasm("""(module (memory 1) (data (i32.const 65535) "ab"))"""));
        using var store = engine.CreateStore(StoreLimits.Default);
        Assert.Equal(TrapKind.MemoryOutOfBounds, Assert.Throws<WasmTrapException>(() => store.Instantiate(module, [])).Kind);
    }
}
