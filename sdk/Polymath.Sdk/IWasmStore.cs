using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>
/// Owns instances and host-created externs. Not thread-safe: one call at a time.
/// </summary>
public interface IWasmStore : IDisposable
{
    /// <summary>The limits this store was created with.</summary>
    StoreLimits Limits { get; }

    /// <summary>Fuel consumed by the most recent call made through this store (0 when fuel was not metered).</summary>
    ulong LastCallFuelConsumed { get; }

    /// <summary>Creates a function implemented by the host.</summary>
    IWasmFunction CreateHostFunction(FuncType type, HostFunctionCallback callback);

    /// <summary>Creates a memory owned by the host.</summary>
    IWasmMemory CreateMemory(MemoryType type);

    /// <summary>Creates a table owned by the host, every element set to <paramref name="initial"/>.</summary>
    IWasmTable CreateTable(TableType type, WasmValue initial);

    /// <summary>Creates a global owned by the host.</summary>
    IWasmGlobal CreateGlobal(GlobalType type, WasmValue value);

    /// <summary>
    /// Instantiates <paramref name="module"/>: <paramref name="imports"/> gives one extern per import, in the
    /// module's import order. Runs active segments and the start function.
    /// </summary>
    /// <exception cref="WasmLinkException">An import is missing or does not match (assert_unlinkable).</exception>
    /// <exception cref="WasmTrapException">A segment or the start function trapped (assert_uninstantiable).</exception>
    IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default);
}
