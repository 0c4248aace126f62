using System.Runtime.InteropServices;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Host.Tests;

public class PluginManifestTests
{
    private const string File = "/srv/polymath/plugins.json";

    [Fact]
    public void ReadsAFullEntry()
    {
        var manifest = PluginManifestReader.Parse("""
            {
              // comments and trailing commas are allowed
              "schemaVersion": 1,
              "plugins": [
                {
                  "id": "wasmtime",
                  "assembly": "plugins/wasmtime/Polymath.Runtime.Wasmtime.dll",
                  "priority": 30,
                  "tier": "jit",
                  "description": "Wasmtime via its C API",
                  "platforms": { "architectures": ["x64", "arm64"], "os": ["linux", "osx", "win"], "requiresDynamicCode": true },
                  "nativeLibraries": ["wasmtime"],
                },
                { "id": "interpreter", "assembly": "plugins/interpreter/Polymath.Runtime.Interpreter.dll" }
              ]
            }
            """, File);

        Assert.Equal(1, manifest.SchemaVersion);
        Assert.Equal("/srv/polymath", manifest.BaseDirectory);
        Assert.Equal(2, manifest.Plugins.Count);
        var wasmtime = manifest.Plugins[0];
        Assert.Equal(0, wasmtime.Index);
        Assert.Equal("wasmtime", wasmtime.Id);
        Assert.Equal("/srv/polymath/plugins/wasmtime/Polymath.Runtime.Wasmtime.dll", wasmtime.AssemblyFullPath);
        Assert.Equal(30, wasmtime.Priority);
        Assert.Equal(RuntimeTier.Jit, wasmtime.Tier);
        Assert.Equal([Architecture.X64, Architecture.Arm64], wasmtime.Platforms.Architectures);
        Assert.Equal(["linux", "osx", "win"], wasmtime.Platforms.OperatingSystems);
        Assert.True(wasmtime.Platforms.RequiresDynamicCode);
        Assert.Equal(["wasmtime"], wasmtime.NativeLibraries);

        var interpreter = manifest.Plugins[1];
        Assert.Same(PlatformConstraint.Any, interpreter.Platforms);
        Assert.Equal(0, interpreter.Priority);
        Assert.Null(interpreter.Tier);
        Assert.Empty(interpreter.NativeLibraries);
    }

    [Fact]
    public void AbsoluteAssemblyPathsStayAbsolute()
    {
        var manifest = PluginManifestReader.Parse("""{"schemaVersion":1,"plugins":[{"id":"a","assembly":"/opt/p/A.dll"}]}""", File);
        Assert.Equal("/opt/p/A.dll", manifest.Plugins[0].AssemblyFullPath);
    }

    public static TheoryData<string, int?, string?, string?> Malformed => new()
    {
        // json, entry index, entry id, field
        { """[]""", null, null, null },
        { """{"plugins":[]}""", null, null, "schemaVersion" },
        { """{"schemaVersion":"1","plugins":[]}""", null, null, "schemaVersion" },
        { """{"schemaVersion":1.5,"plugins":[]}""", null, null, "schemaVersion" },
        { """{"schemaVersion":2,"plugins":[]}""", null, null, "schemaVersion" },
        { """{"schemaVersion":1}""", null, null, "plugins" },
        { """{"schemaVersion":1,"plugins":{}}""", null, null, "plugins" },
        { """{"schemaVersion":1,"plugins":[],"plugin":[]}""", null, null, "plugin" },
        { """{"schemaVersion":1,"schemaVersion":1,"plugins":[]}""", null, null, "schemaVersion" },
        { """{"schemaVersion":1,"plugins":[1]}""", 0, null, null },
        { """{"schemaVersion":1,"plugins":[{"assembly":"A.dll"}]}""", 0, null, "id" },
        { """{"schemaVersion":1,"plugins":[{"id":7,"assembly":"A.dll"}]}""", 0, null, "id" },
        { """{"schemaVersion":1,"plugins":[{"id":"Bad Id","assembly":"A.dll"}]}""", 0, null, "id" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll"},{"id":"a","assembly":"B.dll"}]}""", 1, "a", "id" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","id":"a","assembly":"A.dll"}]}""", 0, "a", "id" },
        { """{"schemaVersion":1,"plugins":[{"id":"a"}]}""", 0, "a", "assembly" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":5}]}""", 0, "a", "assembly" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":" "}]}""", 0, "a", "assembly" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.exe"}]}""", 0, "a", "assembly" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","priority":"high"}]}""", 0, "a", "priority" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","priority":1.5}]}""", 0, "a", "priority" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","tier":"turbo"}]}""", 0, "a", "tier" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","tier":1}]}""", 0, "a", "tier" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","description":false}]}""", 0, "a", "description" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","prioirty":1}]}""", 0, "a", "prioirty" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":[]}]}""", 0, "a", "platforms" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"cpu":["x64"]}}]}""", 0, "a", "platforms.cpu" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"architectures":"x64"}}]}""", 0, "a", "platforms.architectures" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"architectures":[]}}]}""", 0, "a", "platforms.architectures" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"architectures":["x64","amd64"]}}]}""", 0, "a", "platforms.architectures[1]" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"architectures":[64]}}]}""", 0, "a", "platforms.architectures[0]" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"architectures":["x64","X64"]}}]}""", 0, "a", "platforms.architectures[1]" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"os":[]}}]}""", 0, "a", "platforms.os" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"os":["Linux OS"]}}]}""", 0, "a", "platforms.os[0]" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","platforms":{"requiresDynamicCode":"yes"}}]}""", 0, "a", "platforms.requiresDynamicCode" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","nativeLibraries":"wasmtime"}]}""", 0, "a", "nativeLibraries" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","nativeLibraries":["lib/x.so"]}]}""", 0, "a", "nativeLibraries[0]" },
        { """{"schemaVersion":1,"plugins":[{"id":"a","assembly":"A.dll","nativeLibraries":["x",""]}]}""", 0, "a", "nativeLibraries[1]" },
        { """{"schemaVersion":1,"plugins":[{"id":"ok","assembly":"A.dll"},{"id":"b","assembly":"B.dll","platforms":{"architectures":["sparc"]}}]}""", 1, "b", "platforms.architectures[0]" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedManifestNamesFileEntryAndField(string json, int? index, string? id, string? field)
    {
        var e = Assert.Throws<PluginManifestException>(() => PluginManifestReader.Parse(json, File));
        Assert.Equal(File, e.FilePath);
        Assert.Equal(index, e.EntryIndex);
        Assert.Equal(id, e.EntryId);
        Assert.Equal(field, e.Field);
        Assert.StartsWith(File + ":", e.Message);
        if (index is { } i)
            Assert.Contains(id is null ? $"plugins[{i}]" : $"plugins[{i}] (id '{id}')", e.Message);
        if (field is not null)
            Assert.Contains($"field '{field}'", e.Message);
    }

    [Fact]
    public void InvalidJsonSaysWhere()
    {
        var e = Assert.Throws<PluginManifestException>(() => PluginManifestReader.Parse("{\n  \"schemaVersion\": 1,\n  \"plugins\": [\n", File));
        Assert.Contains("not valid JSON at line", e.Message);
        Assert.StartsWith(File, e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(Fixtures.TempDirectory(), "nope", "plugins.json");
        var e = Assert.Throws<PluginManifestException>(() => PluginManifestReader.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("file not found", e.Message);
    }

    [Theory]
    [InlineData("linux", "linux-x64", true)]
    [InlineData("linux", "linux-musl-arm64", true)]
    [InlineData("linux-musl", "linux-x64", false)]
    [InlineData("win", "linux-x64", false)]
    [InlineData("osx", "osx-arm64", true)]
    [InlineData("lin", "linux-x64", false)]
    public void OsConstraintMatchesMoreSpecificNames(string declared, string rid, bool matches)
    {
        var constraint = new PlatformConstraint { OperatingSystems = [declared] };
        var reason = constraint.Check(PlatformInfo.FromRuntimeIdentifier(rid));
        Assert.Equal(matches, reason is null);
    }

    [Fact]
    public void ConstraintReasonsNameTheRequirement()
    {
        var only64 = new PlatformConstraint { Architectures = [Architecture.X64, Architecture.Arm64] };
        Assert.Null(only64.Check(PlatformInfo.FromRuntimeIdentifier("linux-arm64")));
        Assert.Equal("plugins.json limits it to architectures x64, arm64; this platform is arm (linux-arm)",
            only64.Check(PlatformInfo.FromRuntimeIdentifier("linux-arm")));

        var jit = new PlatformConstraint { RequiresDynamicCode = true };
        Assert.Null(jit.Check(PlatformInfo.FromRuntimeIdentifier("linux-x64")));
        Assert.Contains("requires dynamic code", jit.Check(PlatformInfo.FromRuntimeIdentifier("linux-x64").WithoutDynamicCode()));
        Assert.Contains("requires dynamic code", jit.Check(PlatformInfo.FromRuntimeIdentifier("ios-arm64")));
    }
}
