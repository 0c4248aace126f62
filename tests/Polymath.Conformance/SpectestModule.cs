using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Conformance;

/// <summary>
/// The <c>spectest</c> host module every spec script may import from: the print functions (no-ops),
/// <c>global_i32</c>/<c>global_i64</c> = 666, <c>global_f32</c>/<c>global_f64</c> = 666.6, a funcref
/// <c>table</c> with limits 10..20 and a <c>memory</c> with limits 1..2, as the reference interpreter defines them.
/// </summary>
public static class SpectestModule
{
    /// <summary>The import module name.</summary>
    public const string Name = "spectest";

    private static readonly HostFunctionCallback NoOp = static (_, _, _) => { };

    /// <summary>Creates the module's externs in <paramref name="store"/>, by export name.</summary>
    public static IReadOnlyDictionary<string, IWasmExtern> Create(IWasmStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        IWasmFunction Print(params ValueType[] parameters) => store.CreateHostFunction(new FuncType(parameters, []), NoOp);
        return new Dictionary<string, IWasmExtern>(StringComparer.Ordinal)
        {
            ["print"] = Print(),
            ["print_i32"] = Print(ValueType.I32),
            ["print_i64"] = Print(ValueType.I64),
            ["print_f32"] = Print(ValueType.F32),
            ["print_f64"] = Print(ValueType.F64),
            ["print_i32_f32"] = Print(ValueType.I32, ValueType.F32),
            ["print_f64_f64"] = Print(ValueType.F64, ValueType.F64),
            ["global_i32"] = store.CreateGlobal(new GlobalType(ValueType.I32, false), WasmValue.I32(666)),
            ["global_i64"] = store.CreateGlobal(new GlobalType(ValueType.I64, false), WasmValue.I64(666)),
            ["global_f32"] = store.CreateGlobal(new GlobalType(ValueType.F32, false), WasmValue.F32(666.6f)),
            ["global_f64"] = store.CreateGlobal(new GlobalType(ValueType.F64, false), WasmValue.F64(666.6)),
            ["table"] = store.CreateTable(new TableType(ValueType.FuncRef, new Limits(10, 20)), WasmValue.Null(ValueType.FuncRef)),
            ["memory"] = store.CreateMemory(new MemoryType(new Limits(1, 2))),
        };
    }
}
