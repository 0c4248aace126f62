using Microsoft.Extensions.Configuration;
using Polymath.Sdk;

namespace Polymath.Host.Platform;

/// <summary>The platform the host decides for, and where that decision came from.</summary>
/// <param name="Platform">The (real or simulated) platform.</param>
/// <param name="Source">Where the platform came from: <c>process</c>, <c>--platform</c>, <c>POLYMATH_PLATFORM</c> or <c>Polymath:Platform</c>.</param>
/// <param name="DynamicCodeSource">Where the dynamic-code switch came from, or null when the platform's own default applies.</param>
public sealed record PlatformSelection(PlatformInfo Platform, string Source, string? DynamicCodeSource)
{
    /// <summary>The real process, without overrides.</summary>
    public static PlatformSelection Process { get; } = new(PlatformInfo.Current, PlatformResolver.ProcessSource, null);
}
