using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>An instance of a module.</summary>
public interface IWasmInstance
{
    /// <summary>The module this is an instance of.</summary>
    IWasmModule Module { get; }

    /// <summary>Exports by name.</summary>
    IReadOnlyDictionary<string, IWasmExtern> Exports { get; }
}
