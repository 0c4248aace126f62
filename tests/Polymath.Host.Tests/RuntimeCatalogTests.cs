using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polymath.Host.Catalog;
using Polymath.Host.Manifest;
using Polymath.Host.Platform;
using Polymath.Sdk;

namespace Polymath.Host.Tests;

public class RuntimeCatalogTests
{
    private static RuntimeCatalog Catalog(string manifestPath, string? rid = null, bool noDynamicCode = false) =>
        new(PluginManifestReader.Load(manifestPath), PlatformResolver.Resolve(rid, noDynamicCode ? true : null, environment: _ => null));

    private static object Entry(string id, string fixture, object? platforms = null, int priority = 0, string[]? nativeLibraries = null) =>
        platforms is null
            ? new { id, assembly = Fixtures.AssemblyPath(fixture), priority, nativeLibraries = nativeLibraries ?? [] }
            : new { id, assembly = Fixtures.AssemblyPath(fixture), priority, platforms, nativeLibraries = nativeLibraries ?? [] };

    [Fact]
    public void SixtyFourBitOnlyPluginIsUnsupportedOnLinuxArmAndNeverLoaded()
    {
        var manifest = Fixtures.WriteManifest(
            Entry("fixture-only64", Fixtures.Only64Bit, new { architectures = new[] { "x64", "arm64", "riscv64", "s390x" } }),
            Entry("fixture-alpha", Fixtures.Alpha));

        using (var arm = Catalog(manifest, "linux-arm"))
        {
            var reports = arm.Probe();
            var only64 = Assert.Single(reports, r => r.Id == "fixture-only64");
            Assert.Equal(RuntimeStatus.Unsupported, only64.Status);
            Assert.Equal("plugins.json limits it to architectures x64, arm64, riscv64, s390x; this platform is arm (linux-arm)", only64.Reason);
            Assert.Null(only64.Descriptor);
            Assert.Empty(only64.Capabilities);
            // The other plugin was selected normally, so selection did run.
            Assert.Equal(RuntimeStatus.Available, Assert.Single(reports, r => r.Id == "fixture-alpha").Status);
            // The assembly never entered any load context, and no context was made for it.
            Assert.False(Fixtures.IsLoadedAnywhere(Fixtures.Only64Bit));
            Assert.DoesNotContain(AssemblyLoadContext.All, c => c.Name == "polymath-plugin:fixture-only64");
        }

        // Control: on a 64-bit platform the same entry is loaded and its own probe runs.
        using var arm64 = Catalog(manifest, "linux-arm64");
        var report = Assert.Single(arm64.Probe(), r => r.Id == "fixture-only64");
        Assert.Equal(RuntimeStatus.Available, report.Status);
        Assert.Equal("64-bit platform linux-arm64", report.Reason);
        Assert.Equal(RuntimeTier.Jit, report.Tier);
        Assert.True(Fixtures.IsLoadedAnywhere(Fixtures.Only64Bit));
    }

    [Fact]
    public void DynamicCodePluginIsUnsupportedWithoutDynamicCode()
    {
        var manifest = Fixtures.WriteManifest(Entry("fixture-jitlike", Fixtures.Declining, new { requiresDynamicCode = true }));
        using var catalog = Catalog(manifest, "linux-x64", noDynamicCode: true);
        var report = Assert.Single(catalog.Probe());
        Assert.Equal(RuntimeStatus.Unsupported, report.Status);
        Assert.Contains("requires dynamic code", report.Reason);
    }

    [Fact]
    public void PluginsWithDifferentVersionsOfOnePrivateDependencyBothLoadAndRun()
    {
        var manifest = Fixtures.WriteManifest(Entry("fixture-alpha", Fixtures.Alpha), Entry("fixture-beta", Fixtures.Beta));
        using var catalog = Catalog(manifest);
        var reports = catalog.Probe();

        var alpha = Assert.Single(reports, r => r.Id == "fixture-alpha");
        var beta = Assert.Single(reports, r => r.Id == "fixture-beta");
        Assert.Equal(RuntimeStatus.Available, alpha.Status);
        Assert.Equal(RuntimeStatus.Available, beta.Status);
        Assert.StartsWith("alpha uses Polymath.Fixtures.VersionedLib 1.0.0.0", alpha.Reason);
        Assert.Equal("beta uses Polymath.Fixtures.VersionedLib 2.0.0.0, twice 21 is 42", beta.Reason);
        Assert.Equal(["wasm.core", "x-fixture.alpha"], alpha.Capabilities);
        Assert.Equal(RuntimeTier.Compiler, beta.Tier);

        var alphaContext = catalog.GetLoadContext("fixture-alpha")!;
        var betaContext = catalog.GetLoadContext("fixture-beta")!;
        Assert.Equal("polymath-plugin:fixture-alpha", alphaContext.Name);
        Assert.Contains(alphaContext, AssemblyLoadContext.All);
        Assert.Equal(new Version(1, 0, 0, 0), Assert.Single(alphaContext.Assemblies, a => a.GetName().Name == "Polymath.Fixtures.VersionedLib").GetName().Version);
        Assert.Equal(new Version(2, 0, 0, 0), Assert.Single(betaContext.Assemblies, a => a.GetName().Name == "Polymath.Fixtures.VersionedLib").GetName().Version);
        // Private dependencies stay private; the contracts are shared from the host, never loaded again.
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Polymath.Fixtures.VersionedLib");
        Assert.DoesNotContain(alphaContext.Assemblies, a => a.GetName().Name is "Polymath.Sdk" or "Polymath.Wasm");
        Assert.DoesNotContain(betaContext.Assemblies, a => a.GetName().Name is "Polymath.Sdk" or "Polymath.Wasm");
        // Loaded from memory: no file behind the assembly, so the file stays replaceable.
        Assert.All(alphaContext.Assemblies, a => Assert.Equal("", a.Location));
    }

    [Fact]
    public void BrokenPluginsFailWithTheirReasonAndTheOthersStillWork()
    {
        var dir = Fixtures.TempDirectory();
        var garbage = Path.Combine(dir, "Garbage.dll");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7))]);
        var missing = Path.Combine(dir, "Missing", "Missing.dll");

        var manifest = Fixtures.WriteManifest(
            new { id = "fixture-missing", assembly = missing },
            new { id = "fixture-garbage", assembly = garbage },
            Entry("fixture-throwing", Fixtures.ThrowingProbe),
            Entry("fixture-noattribute", Fixtures.NoAttribute),
            Entry("fixture-wrong-id", Fixtures.Alpha),
            Entry("fixture-declining", Fixtures.Declining),
            Entry("fixture-beta", Fixtures.Beta));
        using var catalog = Catalog(manifest);
        var reports = catalog.Probe().ToDictionary(r => r.Id);

        Assert.Equal(7, reports.Count);
        Assert.Equal(RuntimeStatus.Failed, reports["fixture-missing"].Status);
        Assert.Equal($"assembly not found: {missing}", reports["fixture-missing"].Reason);
        Assert.Equal(RuntimeStatus.Failed, reports["fixture-garbage"].Status);
        Assert.StartsWith($"not a valid .NET assembly: {garbage}", reports["fixture-garbage"].Reason);
        Assert.Equal(RuntimeStatus.Failed, reports["fixture-throwing"].Status);
        Assert.Equal("probe threw InvalidOperationException: fixture probe exploded on purpose", reports["fixture-throwing"].Reason);
        Assert.Equal(RuntimeStatus.Failed, reports["fixture-noattribute"].Status);
        Assert.Contains("has no [assembly: RuntimePlugin(typeof(...))] attribute", reports["fixture-noattribute"].Reason);
        Assert.Equal(RuntimeStatus.Failed, reports["fixture-wrong-id"].Status);
        Assert.Equal("the plugin's descriptor id 'fixture-alpha' does not match the plugins.json id 'fixture-wrong-id'", reports["fixture-wrong-id"].Reason);
        Assert.Equal(RuntimeStatus.Unavailable, reports["fixture-declining"].Status);
        Assert.Equal("libfixturejit.so not found for " + PlatformInfo.Current.RuntimeIdentifier, reports["fixture-declining"].Reason);
        Assert.Equal(RuntimeStatus.Available, reports["fixture-beta"].Status);

        // Failed and unavailable plugins are unloaded; only the available one stays.
        var e = Assert.Throws<RuntimeNotAvailableException>(() => catalog.CreateEngine("fixture-throwing"));
        Assert.Equal("runtime 'fixture-throwing' is failed: probe threw InvalidOperationException: fixture probe exploded on purpose", e.Message);
        var none = Assert.Throws<RuntimeNotAvailableException>(() => catalog.CreateEngine("nope"));
        Assert.Contains("no runtime 'nope'", none.Message);
        // The available fixture's own CreateEngine is reached (it is a loader fixture and refuses).
        Assert.Throws<NotSupportedException>(() => catalog.CreateEngine());
    }

    [Fact]
    public void DeclaredTierMustMatchTheDescriptor()
    {
        var manifest = Fixtures.WriteManifest(new { id = "fixture-alpha", assembly = Fixtures.AssemblyPath(Fixtures.Alpha), tier = "jit" });
        using var catalog = Catalog(manifest);
        var report = Assert.Single(catalog.Probe());
        Assert.Equal(RuntimeStatus.Failed, report.Status);
        Assert.Equal("the plugin's tier 'interpreter' does not match the plugins.json tier 'jit'", report.Reason);
    }

    [Fact]
    public void NativeLibraryIsResolvedByPrefixAndSuffixAndMissingOnesMakeThePluginUnavailable()
    {
        var manifest = Fixtures.WriteManifest(
            Entry("fixture-native", Fixtures.NativeUser, nativeLibraries: ["fixturenative"]));
        using (var catalog = Catalog(manifest))
        {
            var report = Assert.Single(catalog.Probe());
            Assert.Equal(RuntimeStatus.Available, report.Status);
            Assert.Equal("fixture_add(40, 2) = 42", report.Reason);
            var context = catalog.GetLoadContext("fixture-native")!;
            Assert.Contains(context.LoadedNativeLibraries, p => Path.GetFileName(p) == "libfixturenative" + Loading.NativeLibraryNames.SuffixFor(PlatformInfo.Current.RuntimeIdentifier));
        }

        // Simulating a platform for which the library is not shipped: unavailable, and the probe is never called.
        var other = PlatformInfo.Current.Architecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-x64" : "linux-arm64";
        using var simulated = Catalog(manifest, other);
        var missing = Assert.Single(simulated.Probe());
        Assert.Equal(RuntimeStatus.Unavailable, missing.Status);
        var expected = $"native library 'fixturenative' not found for {other} (looked for fixturenative, fixturenative.so, libfixturenative, libfixturenative.so in runtimes/{other}/native";
        Assert.True(missing.Reason.StartsWith(expected, StringComparison.Ordinal), missing.Reason);
    }

    [Fact]
    public void ReportsComeInPreferenceOrder()
    {
        var manifest = Fixtures.WriteManifest(
            Entry("fixture-alpha", Fixtures.Alpha, priority: 1),
            Entry("fixture-declining", Fixtures.Declining, priority: 5),
            Entry("fixture-beta", Fixtures.Beta, priority: 5));
        using var catalog = Catalog(manifest);
        Assert.Equal(["fixture-declining", "fixture-beta", "fixture-alpha"], catalog.Probe().Select(r => r.Id));
        Assert.Same(catalog.Probe(), catalog.Probe());
    }

    [Fact]
    public void ServiceCollectionBuildsTheCatalogFromOptionsAndConfiguration()
    {
        var manifest = Fixtures.WriteManifest(Entry("fixture-alpha", Fixtures.Alpha));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Polymath:PluginsFile"] = manifest, ["Polymath:Platform"] = "linux-armv6" })
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddPolymathHost()
            .BuildServiceProvider();
        var catalog = services.GetRequiredService<RuntimeCatalog>();
        Assert.Equal(manifest, catalog.Manifest.FilePath);
        Assert.Equal("linux-armv6", catalog.Platform.RuntimeIdentifier);
        var report = Assert.Single(catalog.Probe());
        Assert.Equal("alpha uses Polymath.Fixtures.VersionedLib 1.0.0.0 on linux-armv6", report.Reason);
    }
}
