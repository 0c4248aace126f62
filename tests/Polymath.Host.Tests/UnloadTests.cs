using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Polymath.Host.Catalog;
using Polymath.Host.Loading;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;
using Polymath.Sdk;

namespace Polymath.Host.Tests;

public class UnloadTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Context, string Reason) LoadProbeAndUnload(PluginEntry entry)
    {
        var plugin = PluginLoader.Load(entry);
        var reason = plugin.Plugin.Probe(PlatformInfo.Current).Reason;
        return (plugin.Unload(), reason);
    }

    private static PluginEntry EntryFor(string id, string fixture) =>
        PluginManifestReader.Load(Fixtures.WriteManifest(new { id, assembly = Fixtures.AssemblyPath(fixture) })).Plugins[0];

    [Fact]
    public void UnloadedContextIsCollected()
    {
        var (weak, reason) = LoadProbeAndUnload(EntryFor("fixture-beta", Fixtures.Beta));
        Assert.Equal("beta uses Polymath.Fixtures.VersionedLib 2.0.0.0, twice 21 is 42", reason);
        Assert.True(PluginLoader.WaitForCollection(weak, 20) >= 0, "the plugin's load context was not collected after unload");
    }

    [Fact]
    public void APrecompiledPluginIsMappedFromItsFileIntoAContextThatIsNotCollectible()
    {
        // A framework assembly stands in for a ReadyToRun plugin (every shared-framework assembly is precompiled);
        // the IL fixtures built by the tests are not.
        string precompiled = typeof(System.Text.Json.JsonSerializer).Assembly.Location;
        Assert.True(PluginLoadContext.IsReadyToRun(precompiled));
        Assert.False(PluginLoadContext.IsReadyToRun(Fixtures.AssemblyPath(Fixtures.Beta)));
        Assert.False(PluginLoadContext.IsReadyToRun(Path.Combine(Path.GetTempPath(), "no-such-plugin.dll")));

        var context = new PluginLoadContext("precompiled-test", precompiled);
        Assert.True(context.IsPrecompiled);
        Assert.False(context.IsCollectible);
        var assembly = context.LoadMainAssembly();
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(assembly));
        Assert.Equal(precompiled, assembly.Location); // mapped from the file, not copied from bytes (Location is "" then)

        var il = new PluginLoadContext("il-test", Fixtures.AssemblyPath(Fixtures.Beta));
        Assert.False(il.IsPrecompiled);
        Assert.True(il.IsCollectible);
        Assert.Equal("", il.LoadMainAssembly().Location);
        il.Unload();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndUnloadButKeepAnObject(PluginEntry entry, StrongBox<object?> holder)
    {
        var plugin = PluginLoader.Load(entry);
        holder.Value = plugin.Plugin;
        return plugin.Unload();
    }

    [Fact]
    public void AStrongReferenceToAPluginObjectKeepsTheContextAliveUntilReleased()
    {
        // Shows the verification is real: while a plugin object is referenced the context cannot go.
        var holder = new StrongBox<object?>();
        var weak = LoadAndUnloadButKeepAnObject(EntryFor("fixture-alpha", Fixtures.Alpha), holder);
        Assert.Equal(-1, PluginLoader.WaitForCollection(weak, 3));
        Assert.NotNull(holder.Value);
        holder.Value = null;
        Assert.True(PluginLoader.WaitForCollection(weak, 20) >= 0, "the context was not collected after the last reference was dropped");
    }

    [Fact]
    public void CatalogUnloadVerifiesCollectionAndFreesNativeLibraries()
    {
        // A private copy of the plugin folder, so no other test maps the same native library file.
        var source = Path.GetDirectoryName(Fixtures.AssemblyPath(Fixtures.NativeUser))!;
        var copy = Fixtures.TempDirectory();
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var manifest = Fixtures.WriteManifest(
            new { id = "fixture-native", assembly = Path.Combine(copy, Fixtures.NativeUser + ".dll"), nativeLibraries = new[] { "fixturenative" } });
        using var catalog = new RuntimeCatalog(PluginManifestReader.Load(manifest), PlatformSelection.Process);
        Assert.Equal(RuntimeStatus.Available, Assert.Single(catalog.Probe()).Status);
        var library = LoadedNativeLibrary(catalog);
        Assert.StartsWith(copy, library);

        Assert.True(catalog.Unload("fixture-native"));
        Assert.False(IsMapped(library), $"{library} is still mapped into the process after unload");
        Assert.False(catalog.Unload("fixture-native"));
        var e = Assert.Throws<RuntimeNotAvailableException>(() => catalog.CreateEngine("fixture-native"));
        Assert.Equal("runtime 'fixture-native' has been unloaded", e.Message);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string LoadedNativeLibrary(RuntimeCatalog catalog)
    {
        var path = Assert.Single(catalog.GetLoadContext("fixture-native")!.LoadedNativeLibraries);
        Assert.True(IsMapped(path) || !OperatingSystem.IsLinux(), $"{path} should be mapped while the plugin is loaded");
        return path;
    }

    private static bool IsMapped(string path) =>
        OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/maps").Contains(Path.GetFullPath(path), StringComparison.Ordinal);
}
