using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>A global.</summary>
public interface IWasmGlobal : IWasmExtern
{
    /// <summary>Its type.</summary>
    GlobalType Type { get; }

    /// <summary>Its value; setting an immutable global throws <see cref="InvalidOperationException"/>.</summary>
    WasmValue Value { get; set; }
}
