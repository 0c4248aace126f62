using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>A compiled module, instantiable any number of times in any store of its engine.</summary>
public interface IWasmModule
{
    /// <summary>The decoded module (imports, exports, features, names).</summary>
    Module Definition { get; }
}
