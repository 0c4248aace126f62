using Polymath.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Polymath.Wasm;
using Xunit;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts.Tests;

/// <summary>The SDK's name-based linker and the WASI entry-point rules, on the interpreter.</summary>
public class LinkerTests
{
    private static readonly IWasmEngine Engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());

    private static readonly FuncType I32ToI32 = new([ValueType.I32], [ValueType.I32]);

    [Fact]
    public void ResolvesImportsByModuleAndNameWhateverTheOrder()
    {
        var module = Engine.Compile(TestExperts.Compile("""
            (module
              (import "b" "twice" (func $twice (param i32) (result i32)))
              (import "a" "plus1" (func $plus1 (param i32) (result i32)))
              (func (export "f") (param i32) (result i32) (call $twice (call $plus1 (local.get 0)))))
            """));
        var linker = new WasmLinker()
            .DefineFunction("a", "plus1", I32ToI32, (_, a, r) => r[0] = WasmValue.I32(a[0].AsI32 + 1))
            .DefineFunction("b", "twice", I32ToI32, (_, a, r) => r[0] = WasmValue.I32(a[0].AsI32 * 2));
        using var store = Engine.CreateStore(StoreLimits.Default);
        var instance = linker.Instantiate(store, module);
        var result = new WasmValue[1];
        instance.GetFunction("f")!.Invoke([WasmValue.I32(20)], result);
        Assert.Equal(42, result[0].AsI32);
    }

    [Fact]
    public void UnknownImportsAndWrongTypesAreLinkErrorsNamingTheImport()
    {
        var module = Engine.Compile(TestExperts.Compile("""(module (import "a" "plus1" (func (param i64) (result i32))))"""));
        using var store = Engine.CreateStore(StoreLimits.Default);
        var unknown = Assert.Throws<WasmLinkException>(() => new WasmLinker().Instantiate(store, module));
        Assert.Contains("a.plus1", unknown.Message);
        var otherName = Assert.Throws<WasmLinkException>(() =>
            new WasmLinker().DefineFunction("a", "minus1", I32ToI32, (_, _, _) => { }).Instantiate(store, module));
        Assert.Contains("defines no function 'plus1'", otherName.Message);
        var wrongType = Assert.Throws<WasmLinkException>(() =>
            new WasmLinker().DefineFunction("a", "plus1", I32ToI32, (_, _, _) => { }).Instantiate(store, module));
        Assert.Contains("has type", wrongType.Message);
        Assert.Contains("a.plus1", wrongType.Message);
    }

    [Fact]
    public void RegisteredInstancesProvideTheirExportsAndReRegisteringReplacesThem()
    {
        var provider = Engine.Compile(TestExperts.Compile("""(module (global (export "g") i32 (i32.const 7)))"""));
        var consumer = Engine.Compile(TestExperts.Compile("""(module (import "m" "g" (global i32)) (func (export "get") (result i32) (global.get 0)))"""));
        var empty = Engine.Compile(TestExperts.Compile("(module)"));
        using var store = Engine.CreateStore(StoreLimits.Default);
        var linker = new WasmLinker();
        linker.DefineInstance("m", linker.Instantiate(store, provider));
        var result = new WasmValue[1];
        linker.Instantiate(store, consumer).GetFunction("get")!.Invoke([], result);
        Assert.Equal(7, result[0].AsI32);
        linker.DefineInstance("m", linker.Instantiate(store, empty));
        Assert.Throws<WasmLinkException>(() => linker.Instantiate(store, consumer));
    }

    [Fact]
    public void ReactorsRunInitializeAndCommandsRunStartWithTheExitCode()
    {
        const string wat = """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (global $state (mut i32) (i32.const 0))
              (func (export "_initialize") (global.set $state (i32.const 5)))
              (func (export "state") (result i32) (global.get $state))
              (func (export "_start") (call $exit (i32.add (global.get $state) (i32.const 37)))))
            """;
        var module = Engine.Compile(TestExperts.Compile(wat));
        var linker = WasiPreview1.CreateLinker(WasiOptions.Denied);
        using (var store = Engine.CreateStore(StoreLimits.Default))
        {
            var result = new WasmValue[1];
            linker.InstantiateReactor(store, module).GetFunction("state")!.Invoke([], result);
            Assert.Equal(5, result[0].AsI32);
        }
        using (var store = Engine.CreateStore(StoreLimits.Default))
            Assert.Equal(37, linker.RunCommand(store, module)); // _initialize is not run for a command
        var library = Engine.Compile(TestExperts.Compile("(module (func (export \"f\")))"));
        using (var store = Engine.CreateStore(StoreLimits.Default))
            Assert.Contains("_start", Assert.Throws<WasmLinkException>(() => linker.RunCommand(store, library)).Message);
    }

    [Fact]
    public void WasiFunctionsTheShimDoesNotImplementAnswerNosysAndMistypedOnesFailToLink()
    {
        var module = Engine.Compile(TestExperts.Compile("""
            (module
              (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (func (export "f") (result i32)
                (call $open (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))
            """));
        var linker = WasiPreview1.CreateLinker(WasiOptions.Denied);
        using var store = Engine.CreateStore(StoreLimits.Default);
        var result = new WasmValue[1];
        linker.Instantiate(store, module).GetFunction("f")!.Invoke([], result);
        Assert.Equal(WasiPreview1.NoSys, result[0].AsI32);
        var mistyped = Engine.Compile(TestExperts.Compile("""(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32))))"""));
        var e = Assert.Throws<WasmLinkException>(() => linker.Instantiate(store, mistyped));
        Assert.Contains("wasi_snapshot_preview1.fd_write", e.Message);
    }
}
