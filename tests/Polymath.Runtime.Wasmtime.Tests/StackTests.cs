using Polymath.Sdk;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>
/// Unbounded recursion ends as a CallStackExhausted trap on any thread. Without the thread-stack check a deep
/// recursion entered on a 256 KiB thread runs past the thread's guard page before Wasmtime's 512 KiB wasm stack
/// limit and the process dies with "Stack overflow" — so this test failing means the test host crashed.
/// </summary>
public sealed class StackTests
{
    private static readonly byte[] Recursion = Wat.ToWasm("""
        (module
          (func $down (export "down") (param i32) (result i32)
            local.get 0
            i32.const 1
            i32.add
            call $down))
        """);

    private static WasmTrapException RecurseOn(int? threadStackBytes)
    {
        using var engine = new WasmtimeRuntimePlugin().CreateEngine(new EngineOptions());
        var module = engine.Compile(Recursion);
        using var store = engine.CreateStore(StoreLimits.Default);
        var down = store.Instantiate(module, []).GetFunction("down")!;
        WasmTrapException? trap = null;
        void Run()
        {
            var results = new WasmValue[1];
            trap = Assert.Throws<WasmTrapException>(() => down.Invoke([WasmValue.I32(0)], results));
        }
        if (threadStackBytes is int size)
        {
            var thread = new Thread(Run, size);
            thread.Start();
            thread.Join();
        }
        else
        {
            Run();
        }
        return trap!;
    }

    [Fact]
    public void UnboundedRecursionOnA256KiBThreadTrapsInsteadOfKillingTheProcess()
    {
        var trap = RecurseOn(256 * 1024);
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.NotEmpty(trap.WasmStack);
        Assert.Equal("down", trap.WasmStack[0].FunctionName);
    }

    [Fact]
    public async Task UnboundedRecursionOnAThreadPoolThreadTraps()
    {
        var trap = await Task.Run(() => RecurseOn(null));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
    }

    [Fact]
    public void ThreadStackKnowsTheRemainingStackOfThisThread()
    {
        nuint remaining = 0;
        var thread = new Thread(() => remaining = ThreadStack.Remaining(), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.InRange(remaining, (nuint)64 * 1024, (nuint)256 * 1024);
    }
}
