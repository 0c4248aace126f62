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
