using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>A linear memory.</summary>
public interface IWasmMemory : IWasmExtern
{
    /// <summary>Its current type (limits with the current size as minimum).</summary>
    MemoryType Type { get; }

    /// <summary>Current size in pages.</summary>
    uint Pages { get; }

    /// <summary>The whole memory. Invalidated by growth: take it again after any call.</summary>
    Span<byte> Span { get; }

    /// <summary>Grows by <paramref name="deltaPages"/>; returns the old size in pages, or -1 when growth fails.</summary>
    int Grow(uint deltaPages);
}
