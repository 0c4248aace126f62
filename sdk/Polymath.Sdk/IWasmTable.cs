using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>A table of references.</summary>
public interface IWasmTable : IWasmExtern
{
    /// <summary>Its current type.</summary>
    TableType Type { get; }

    /// <summary>Current size in elements.</summary>
    uint Size { get; }

    /// <summary>Reads an element.</summary>
    /// <exception cref="WasmTrapException">Out of bounds.</exception>
    WasmValue Get(uint index);

    /// <summary>Writes an element.</summary>
    /// <exception cref="WasmTrapException">Out of bounds.</exception>
    void Set(uint index, WasmValue value);

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="initial"/>; returns the old size or -1.</summary>
    int Grow(uint delta, WasmValue initial);
}
