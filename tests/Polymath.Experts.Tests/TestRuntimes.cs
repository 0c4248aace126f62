using System.Collections.Concurrent;
using Polymath.Runtime.Interpreter;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>The runtime plugins the ABI, limit and hostile-expert tests run on: each such test is a theory over these.</summary>
public static class TestRuntimes
{
    /// <summary>Runtime id → factory.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IRuntimePlugin>> All = new Dictionary<string, Func<IRuntimePlugin>>
    {
        ["interpreter"] = () => new InterpreterRuntimePlugin(),
        ["wasmtime"] = () => new WasmtimeRuntimePlugin(),
        ["compiler"] = () => new Polymath.Runtime.Compiler.CompilerRuntimePlugin(),
    };

    private static readonly ConcurrentDictionary<string, IWasmEngine> Engines = new();

    /// <summary>Every runtime id, for [MemberData].</summary>
    public static TheoryData<string> Names() => new(All.Keys);

    /// <summary>One shared engine per runtime.</summary>
    public static IWasmEngine Engine(string runtime) => Engines.GetOrAdd(runtime, r => All[r]().CreateEngine(new EngineOptions()));
}
