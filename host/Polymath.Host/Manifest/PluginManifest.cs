using System.Runtime.InteropServices;
using Polymath.Sdk;

namespace Polymath.Host.Manifest;

/// <summary>
/// The parsed contents of a plugins.json file (docs/plugins-json.md): the runtime plugins the host
/// may use, in file order. Produced by <see cref="PluginManifestReader"/>, which validates every field.
/// </summary>
public sealed class PluginManifest
{
    /// <summary>The only schema version this host understands.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Creates a manifest.</summary>
    /// <param name="filePath">Full path of the file it was read from (assembly paths are relative to its folder).</param>
    /// <param name="schemaVersion">The file's schemaVersion.</param>
    /// <param name="plugins">The entries, in file order.</param>
    public PluginManifest(string filePath, int schemaVersion, IReadOnlyList<PluginEntry> plugins)
    {
        FilePath = filePath;
        SchemaVersion = schemaVersion;
        Plugins = plugins;
    }

    /// <summary>Full path of the file the manifest was read from.</summary>
    public string FilePath { get; }

    /// <summary>The folder relative assembly paths are resolved against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(FilePath) ?? ".";

    /// <summary>The schema version of the file.</summary>
    public int SchemaVersion { get; }

    /// <summary>The plugin entries, in file order.</summary>
    public IReadOnlyList<PluginEntry> Plugins { get; }
}

/// <summary>One runtime plugin declared in plugins.json.</summary>
public sealed record PluginEntry
{
    /// <summary>Zero-based position of the entry in the <c>plugins</c> array.</summary>
    public required int Index { get; init; }

    /// <summary>The plugin id; must equal the id of the plugin's <see cref="RuntimeDescriptor"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The assembly path exactly as written in the file.</summary>
    public required string AssemblyPath { get; init; }

    /// <summary>The assembly path resolved against the manifest's folder.</summary>
    public required string AssemblyFullPath { get; init; }

    /// <summary>Preference among available runtimes: higher wins; ties keep file order. Default 0.</summary>
    public int Priority { get; init; }

    /// <summary>The declared tier, if any. When present it must match the plugin's descriptor.</summary>
    public RuntimeTier? Tier { get; init; }

    /// <summary>Where the plugin can run. <see cref="PlatformConstraint.Any"/> when the entry has no <c>platforms</c> object.</summary>
    public PlatformConstraint Platforms { get; init; } = PlatformConstraint.Any;

    /// <summary>Native libraries the plugin needs (bare names such as <c>wasmtime</c>); the host checks they resolve before probing.</summary>
    public IReadOnlyList<string> NativeLibraries { get; init; } = [];

    /// <summary>"plugins[2] (id 'wasmtime')": how errors and logs name this entry.</summary>
    public override string ToString() => $"plugins[{Index}] (id '{Id}')";
}

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
