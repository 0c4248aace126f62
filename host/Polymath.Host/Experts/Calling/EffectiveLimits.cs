using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>The limits in force for one expert: the operator's ceilings, lowered where the manifest asks for less.</summary>
/// <param name="MemoryPages">Memory cap in pages.</param>
/// <param name="FuelPerCall">Fuel per call, or null.</param>
/// <param name="TimeoutMs">Timeout per call in ms.</param>
/// <param name="MaxResultBytes">Largest accepted result.</param>
/// <param name="MaxCallDepth">Maximum call depth.</param>
public sealed record EffectiveLimits(uint MemoryPages, ulong? FuelPerCall, int TimeoutMs, int MaxResultBytes, int MaxCallDepth)
{
    /// <summary>
    /// The manifest limits that asked for more than the operator allows and were clamped to the operator's ceiling,
    /// one line each (e.g. <c>limits.timeoutMs 2147483647 clamped to 10000</c>); empty when none was.
    /// </summary>
    public IReadOnlyList<string> Clamped { get; init; } = [];

    /// <summary>
    /// The operator's <paramref name="ceilings"/> with each limit the manifest sets lowered to the manifest's value; a
    /// manifest value above the ceiling is clamped to it and listed in <see cref="Clamped"/>. Call depth is the
    /// operator's alone. An unmetered operator (no fuel) lets a manifest ask for a fuel budget.
    /// </summary>
    public static EffectiveLimits Combine(ExpertLimits? manifest, ExpertLimitDefaults ceilings)
    {
        ArgumentNullException.ThrowIfNull(ceilings);
        var clamped = new List<string>();
        uint memory = Lower(manifest?.MemoryPages, ceilings.MemoryPages, "memoryPages", clamped);
        int timeout = Lower(manifest?.TimeoutMs, ceilings.TimeoutMs, "timeoutMs", clamped);
        int result = Lower(manifest?.MaxResultBytes, ceilings.MaxResultBytes, "maxResultBytes", clamped);
        ulong? fuel = ceilings.FuelPerCall is { } cap
            ? Lower(manifest?.FuelPerCall, cap, "fuelPerCall", clamped)
            : manifest?.FuelPerCall;
        return new EffectiveLimits(memory, fuel, timeout, result, ceilings.MaxCallDepth) { Clamped = clamped };
    }

    private static T Lower<T>(T? asked, T ceiling, string field, List<string> clamped) where T : struct, IComparable<T>
    {
        if (asked is not { } value) return ceiling;
        if (value.CompareTo(ceiling) <= 0) return value;
        clamped.Add($"limits.{field} {value} clamped to the operator's {ceiling}");
        return ceiling;
    }
}
