using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>The limits in force for one expert.</summary>
/// <param name="MemoryPages">Memory cap in pages.</param>
/// <param name="FuelPerCall">Fuel per call, or null.</param>
/// <param name="TimeoutMs">Timeout per call in ms.</param>
/// <param name="MaxResultBytes">Largest accepted result.</param>
/// <param name="MaxCallDepth">Maximum call depth.</param>
public sealed record EffectiveLimits(uint MemoryPages, ulong? FuelPerCall, int TimeoutMs, int MaxResultBytes, int MaxCallDepth)
{
    /// <summary>Manifest limits over host defaults.</summary>
    public static EffectiveLimits Combine(ExpertLimits? manifest, ExpertLimitDefaults defaults) => new(
        manifest?.MemoryPages ?? defaults.MemoryPages,
        manifest?.FuelPerCall ?? defaults.FuelPerCall,
        manifest?.TimeoutMs ?? defaults.TimeoutMs,
        manifest?.MaxResultBytes ?? defaults.MaxResultBytes,
        defaults.MaxCallDepth);
}
