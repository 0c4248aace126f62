namespace Polymath.Host.Experts;

/// <summary>Host defaults for per-call limits; an expert's manifest overrides each one it sets.</summary>
public sealed record ExpertLimitDefaults
{
    /// <summary>Memory cap in 64 KiB pages (default 256 = 16 MiB).</summary>
    public uint MemoryPages { get; set; } = 256;
    /// <summary>Fuel per call; null = unmetered (default; the timeout still applies).</summary>
    public ulong? FuelPerCall { get; set; }
    /// <summary>Wall-clock timeout per call in ms (default 10,000).</summary>
    public int TimeoutMs { get; set; } = 10_000;
    /// <summary>Largest accepted result in bytes (default 1 MiB).</summary>
    public int MaxResultBytes { get; set; } = 1 << 20;
    /// <summary>Maximum wasm call depth (default 10,000).</summary>
    public int MaxCallDepth { get; set; } = 10_000;
}
