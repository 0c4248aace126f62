using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Experts;

/// <summary>Per-expert limits from the manifest; null means "use the host default".</summary>
public sealed record ExpertLimits
{
    /// <summary>Cap on linear memory, in 64 KiB pages.</summary>
    public uint? MemoryPages { get; init; }
    /// <summary>Instruction budget per call.</summary>
    public ulong? FuelPerCall { get; init; }
    /// <summary>Wall-clock timeout per call, in milliseconds.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Largest result JSON accepted, in bytes (excluding the NUL).</summary>
    public int? MaxResultBytes { get; init; }

    /// <summary>No manifest limits.</summary>
    public static ExpertLimits None { get; } = new();
}
