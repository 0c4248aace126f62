using System.Runtime.InteropServices;
using Polymath.Sdk;

namespace Polymath.Host.Manifest;

/// <summary>The declarative platform requirements of a plugin entry.</summary>
public sealed record PlatformConstraint
{
    /// <summary>A constraint every platform satisfies.</summary>
    public static PlatformConstraint Any { get; } = new();

    /// <summary>Allowed process architectures; null means any.</summary>
    public IReadOnlyList<Architecture>? Architectures { get; init; }

    /// <summary>
    /// Allowed operating systems as spelled in RIDs; null means any. An entry matches the same name and
    /// any more specific name that starts with it and a dash (<c>linux</c> matches <c>linux-musl</c>).
    /// </summary>
    public IReadOnlyList<string>? OperatingSystems { get; init; }

    /// <summary>True when the plugin needs run-time code generation (a JIT or Reflection.Emit).</summary>
    public bool RequiresDynamicCode { get; init; }

    /// <summary>
    /// Checks <paramref name="platform"/> against the constraint. Returns null when it is satisfied,
    /// otherwise a one-line reason naming the first requirement that is not met.
    /// </summary>
    public string? Check(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (Architectures is { } archs && !archs.Contains(platform.Architecture))
            return $"plugins.json limits it to architectures {string.Join(", ", archs.Select(PlatformInfo.ArchitectureName))}; " +
                   $"this platform is {PlatformInfo.ArchitectureName(platform.Architecture)} ({platform.RuntimeIdentifier})";
        if (OperatingSystems is { } oses && !oses.Any(os => OsMatches(os, platform.OperatingSystem)))
            return $"plugins.json limits it to operating systems {string.Join(", ", oses)}; " +
                   $"this platform is {platform.OperatingSystem} ({platform.RuntimeIdentifier})";
        if (RequiresDynamicCode && !platform.IsDynamicCodeSupported)
            return $"plugins.json says it requires dynamic code, which this platform does not support ({platform.RuntimeIdentifier})";
        return null;
    }

    private static bool OsMatches(string declared, string actual) =>
        string.Equals(declared, actual, StringComparison.OrdinalIgnoreCase) ||
        (actual.Length > declared.Length && actual[declared.Length] == '-' &&
         actual.StartsWith(declared, StringComparison.OrdinalIgnoreCase));
}
