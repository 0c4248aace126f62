using System.Runtime.Loader;
using System.Text.Json;

namespace Polymath.Host.Tests;

/// <summary>Paths of the fixture plugins copied under the test output, and throw-away manifests that use them.</summary>
internal static class Fixtures
{
    public const string Alpha = "Polymath.Fixtures.Alpha";
    public const string Beta = "Polymath.Fixtures.Beta";
    public const string Only64Bit = "Polymath.Fixtures.Only64Bit";
    public const string ThrowingProbe = "Polymath.Fixtures.ThrowingProbe";
    public const string Declining = "Polymath.Fixtures.Declining";
    public const string NoAttribute = "Polymath.Fixtures.NoAttribute";
    public const string NativeUser = "Polymath.Fixtures.NativeUser";

    public static string AssemblyPath(string fixture)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", fixture, fixture + ".dll");
        if (!File.Exists(path))
            throw new InvalidOperationException($"fixture plugin {fixture} was not built into {path}; the test project's CopyFixturePlugins target should have copied it");
        return path;
    }

    /// <summary>A fresh temp folder for one test.</summary>
    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "polymath-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes a plugins.json into a fresh folder and returns its path. Each entry is an anonymous object serialized as-is.</summary>
    public static string WriteManifest(params object[] entries)
    {
        var path = Path.Combine(TempDirectory(), "plugins.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { schemaVersion = 1, plugins = entries }));
        return path;
    }

    public static bool IsLoadedAnywhere(string assemblySimpleName) =>
        AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Any(a => a.GetName().Name == assemblySimpleName);
}
