using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>
/// Wasmtime matches imports with the SDK's <see cref="WasmImportCheck"/> (one wording for every tier) before the
/// package sees them, and checks calls from .NET with <see cref="WasmCallCheck"/>.
/// </summary>
public sealed class ImportCheckTests : IDisposable
{
    private readonly IWasmEngine _engine = new WasmtimeRuntimePlugin().CreateEngine(new EngineOptions());

    public void Dispose() => _engine.Dispose();

    private string LinkError(string wat, Func<IWasmStore, IWasmExtern[]> imports)
    {
        var module = _engine.Compile(Wat.ToWasm(wat));
        using var store = _engine.CreateStore(StoreLimits.Default);
        return Assert.Throws<WasmLinkException>(() => store.Instantiate(module, imports(store))).Message;
    }

    [Fact]
    public void A_memory_below_the_required_minimum_is_refused_in_the_shared_wording()
    {
        string message = LinkError("""(module (import "env" "m" (memory 2)))""",
            s => [s.CreateMemory(new MemoryType(new Limits(1, 1)))]);
        Assert.Equal("incompatible import type: import 0 \"env\".\"m\" expects memory 2.., got 1..1", message);
    }

    [Fact]
    public void A_table_of_the_wrong_element_type_is_refused_in_the_shared_wording()
    {
        string message = LinkError("""(module (import "env" "t" (table 1 funcref)))""",
            s => [s.CreateTable(new TableType(ValueType.ExternRef, new Limits(1, null)), WasmValue.ExternRef(null))]);
        Assert.Equal("incompatible import type: import 0 \"env\".\"t\" expects table funcref 1.., got externref 1..", message);
    }

    [Fact]
    public void A_global_of_the_wrong_mutability_is_refused_in_the_shared_wording()
    {
        string message = LinkError("""(module (import "env" "g" (global (mut i32))))""",
            s => [s.CreateGlobal(new GlobalType(ValueType.I32, false), WasmValue.I32(1))]);
        Assert.Equal("incompatible import type: import 0 \"env\".\"g\" expects global mut i32, got i32", message);
    }

    [Fact]
    public void A_memory_of_another_store_and_a_missing_import_are_refused_by_name()
    {
        using var other = _engine.CreateStore(StoreLimits.Default);
        Assert.Equal("incompatible import type: import 0 \"env\".\"m\": the memory belongs to another store or runtime",
            LinkError("""(module (import "env" "m" (memory 1)))""", _ => [other.CreateMemory(new MemoryType(new Limits(1, null)))]));
        Assert.Equal("incompatible import type: import 0 \"env\".\"f\" must be a function, got global",
            LinkError("""(module (import "env" "f" (func)))""", s => [s.CreateGlobal(new GlobalType(ValueType.I32, false), WasmValue.I32(1))]));
    }

    [Fact]
    public void Bad_arguments_from_dotnet_are_argument_errors_in_the_shared_wording()
    {
        using var store = _engine.CreateStore(StoreLimits.Default);
        var f = store.Instantiate(_engine.Compile(Wat.ToWasm("""(module (func (export "f") (param i64) (result i32) (i32.const 1)))""")), [])
            .GetFunction("f")!;
        var r = new WasmValue[1];
        Assert.StartsWith("argument 0: expected i64, got i32", Assert.Throws<ArgumentException>(() => f.Invoke([WasmValue.I32(1)], r)).Message, StringComparison.Ordinal);
        Assert.StartsWith("expected 1 arguments, got 0", Assert.Throws<ArgumentException>(() => f.Invoke([], r)).Message, StringComparison.Ordinal);
    }
}
