namespace Polymath.Host.Experts;

/// <summary>
/// The operator's per-call limits (configuration section <c>Experts:Limits</c>). Each is a ceiling: an expert's manifest
/// may lower a limit for itself, never raise it (a higher value is clamped, logged and shown in the listing).
/// </summary>
public sealed record ExpertLimitDefaults
{
    /// <summary>Largest <see cref="MaxArgsBytes"/> the validator accepts (256 MiB).</summary>
    public const int MaxArgsBytesCeiling = 256 << 20;

    /// <summary>Memory cap in 64 KiB pages (default 256 = 16 MiB; 1..65536).</summary>
    public uint MemoryPages { get; set; } = 256;
    /// <summary>Fuel per call; null = unmetered (default; the timeout still applies).</summary>
    public ulong? FuelPerCall { get; set; }
    /// <summary>Wall-clock timeout per call in ms (default 10,000; at most one hour).</summary>
    public int TimeoutMs { get; set; } = 10_000;
    /// <summary>Largest accepted result in bytes (default 1 MiB; at most 256 MiB).</summary>
    public int MaxResultBytes { get; set; } = 1 << 20;
    /// <summary>Maximum wasm call depth (default 10,000; at most 1,000,000). The operator's alone: manifests cannot set it.</summary>
    public int MaxCallDepth { get; set; } = 10_000;
    /// <summary>
    /// Largest call args accepted, in UTF-8 bytes (default 1 MiB; at most 256 MiB). Checked before the args are copied or
    /// encoded; larger args end the call as <c>invalid_args</c>, attributed to the caller. The operator's alone.
    /// </summary>
    public int MaxArgsBytes { get; set; } = 1 << 20;
}
