namespace Polymath.Wasm;

/// <summary>A memory type: limits in 64 KiB pages.</summary>
public sealed record MemoryType(Limits Limits)
{
    /// <summary>Size of one WebAssembly page in bytes.</summary>
    public const int PageSize = 65536;

    /// <summary>Maximum number of pages of a 32-bit memory.</summary>
    public const uint MaxPages = 65536;
}
