using Polymath.Sdk;

namespace Polymath.Conformance.Tests;

/// <summary>
/// The runtime plugins the spec testsuite runs against. Adding a runtime is one line here (plus its
/// ProjectReference in the csproj): every non-excluded .wast file then becomes a test case for it too.
/// </summary>
public static class ConformanceRuntimes
{
    /// <summary>Runtime id → factory.</summary>
    public static IReadOnlyDictionary<string, Func<IRuntimePlugin>> All { get; } = new Dictionary<string, Func<IRuntimePlugin>>
    {
        ["interpreter"] = () => new Polymath.Runtime.Interpreter.InterpreterRuntimePlugin(),
        ["compiler"] = () => new Polymath.Runtime.Compiler.CompilerRuntimePlugin(),
        ["wasmtime"] = () => new Polymath.Runtime.Wasmtime.WasmtimeRuntimePlugin(),
    };
}
