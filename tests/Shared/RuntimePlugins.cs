using Polymath.Sdk;

namespace Polymath.Tests;

/// <summary>
/// The WebAssembly runtime plugins the tests run on, by id. Adding a runtime plugin to every theory over runtimes (the
/// catalogue, the expert ABI and limit tests, the spec testsuite and the spec runner) is one line here, plus its
/// ProjectReference in each project that links this file. One file, linked into those projects (tests/Shared/).
/// </summary>
internal static class RuntimePlugins
{
    /// <summary>Runtime id → factory for a fresh plugin object.</summary>
    public static IReadOnlyDictionary<string, Func<IRuntimePlugin>> All { get; } = new Dictionary<string, Func<IRuntimePlugin>>
    {
        ["interpreter"] = () => new Polymath.Runtime.Interpreter.InterpreterRuntimePlugin(),
        ["compiler"] = () => new Polymath.Runtime.Compiler.CompilerRuntimePlugin(),
        ["wasmtime"] = () => new Polymath.Runtime.Wasmtime.WasmtimeRuntimePlugin(),
    };
}
