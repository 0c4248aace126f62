using Polymath.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

public class ManifestTests
{
    internal const string Hash = "0000000000000000000000000000000000000000000000000000000000000000";

    internal static string Valid(string? replaceField = null, string? with = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["schemaVersion"] = "1",
            ["id"] = "\"arithmetic\"",
            ["version"] = "\"0.2.0\"",
            ["tier"] = "1",
            ["description"] = "\"Arithmetic\"",
            ["payloads"] = $"{{\"wasm\":{{\"path\":\"arithmetic.wasm\",\"sha256\":\"{Hash}\"}}}}",
            ["requires"] = "[\"wasm.core\"]",
            ["prefers"] = "[\"exec.jit\"]",
            ["grants"] = "[\"wasi.clock\"]",
            ["limits"] = "{\"memoryPages\":64,\"fuelPerCall\":1000,\"timeoutMs\":500,\"maxResultBytes\":4096}",
        };
        if (replaceField is not null)
        {
            if (with is null) fields.Remove(replaceField); else fields[replaceField] = with;
        }
        return "{" + string.Join(",", fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}";
    }

    [Fact]
    public void ParsesEveryField()
    {
        var m = ExpertManifest.Parse(Valid(), "expert.json");
        Assert.Equal("arithmetic", m.Id);
        Assert.Equal("0.2.0", m.Version);
        Assert.Equal(1, m.Tier);
        Assert.Equal("arithmetic.wasm", m.Wasm.Path);
        Assert.Equal(["wasm.core"], m.Requires);
        Assert.Equal(["exec.jit"], m.Prefers);
        Assert.Equal(["wasi.clock"], m.Grants);
        Assert.Equal(64u, m.Limits.MemoryPages);
        Assert.Equal(1000ul, m.Limits.FuelPerCall);
        Assert.Equal(500, m.Limits.TimeoutMs);
        Assert.Equal(4096, m.Limits.MaxResultBytes);
    }

    [Fact]
    public void RoundTripsThroughToJson()
    {
        var m = ExpertManifest.Parse(Valid(), "expert.json");
        var again = ExpertManifest.Parse(m.ToJson(), "again.json");
        Assert.Equal(m.Id, again.Id);
        Assert.Equal(m.Wasm, again.Wasm);
        Assert.Equal(m.Limits, again.Limits);
        Assert.Equal(m.Grants, again.Grants);
    }

    [Theory]
    [InlineData("id", null, "id")]
    [InlineData("id", "\"Bad Id\"", "id")]
    [InlineData("id", "42", "id")]
    [InlineData("tier", "300", "tier")]
    [InlineData("tier", "\"one\"", "tier")]
    [InlineData("version", null, "version")]
    [InlineData("schemaVersion", "2", "schemaVersion")]
    [InlineData("schemaVersion", null, "schemaVersion")]
    [InlineData("payloads", null, "payloads")]
    [InlineData("payloads", "{}", "payloads.wasm")]
    [InlineData("payloads", "{\"wasm\":{\"sha256\":\"" + Hash + "\"}}", "payloads.wasm.path")]
    [InlineData("payloads", "{\"wasm\":{\"path\":\"a.wasm\"}}", "payloads.wasm.sha256")]
    [InlineData("payloads", "{\"wasm\":{\"path\":\"a.wasm\",\"sha256\":\"xyz\"}}", "payloads.wasm.sha256")]
    [InlineData("payloads", "{\"wasm\":{\"path\":\"../a.wasm\",\"sha256\":\"" + Hash + "\"}}", "payloads.wasm.path")]
    [InlineData("payloads", "{\"wasm\":{\"path\":\"a.wasm\",\"sha256\":\"" + Hash + "\"},\"native\":{\"nowhere\":{\"path\":\"a.so\",\"sha256\":\"" + Hash + "\"}}}", "payloads.native.nowhere")]
    [InlineData("requires", "\"wasm.core\"", "requires")]
    [InlineData("requires", "[\"Not A Capability\"]", "requires[0]")]
    [InlineData("grants", "[\"wasi.network\"]", "grants[0]")]
    [InlineData("limits", "{\"fuelPerCall\":\"lots\"}", "limits.fuelPerCall")]
    [InlineData("limits", "{\"memoryPages\":0}", "limits.memoryPages")]
    [InlineData("limits", "{\"timeoutMs\":-5}", "limits.timeoutMs")]
    [InlineData("limits", "{\"stack\":5}", "limits.stack")]
    [InlineData("surprise", "true", "surprise")]
    public void ErrorsNameTheField(string field, string? value, string expectedField)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(Valid(field, value), "x/expert.json"));
        Assert.Equal(expectedField, e.Field);
        Assert.Contains($"'{expectedField}'", e.Message);
        Assert.Contains("x/expert.json", e.Message);
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse("{\"id\": ", "dir/expert.json"));
        Assert.Contains("dir/expert.json", e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void HashesMayBeMissingWhenPacking()
    {
        var m = ExpertManifest.Parse(Valid("payloads", "{\"wasm\":{\"path\":\"a.wasm\"}}"), "expert.json", requireHashes: false);
        Assert.Equal("", m.Wasm.Sha256);
    }
}

public class MetadataTests
{
    [Fact]
    public void ParsesOpSpecObjects()
    {
        var m = ExpertMetadata.Parse("""{"id":"arithmetic","tier":1,"description":"d","version":"0.2.0","ops":[{"name":"gcd","args":["a","b"]},{"name":"list","args":[]}]}""", "x.wasm");
        Assert.Equal("arithmetic", m.Id);
        Assert.False(m.IsOldStyle);
        Assert.Equal(2, m.Ops.Count);
        Assert.Equal(["a", "b"], m.Ops[0].Args);
    }

    [Fact]
    public void ParsesOldStyleStrings()
    {
        var m = ExpertMetadata.Parse("""{"id":"old","tier":2,"description":"d","version":"0.1.0","ops":["add","sub"]}""", "x.wasm");
        Assert.True(m.IsOldStyle);
        Assert.Equal(["add", "sub"], m.Ops.Select(o => o.Name));
        Assert.All(m.Ops, o => Assert.Empty(o.Args));
    }

    [Theory]
    [InlineData("""{"tier":1,"ops":[]}""", "metadata.id")]
    [InlineData("""{"id":"a","tier":256,"ops":[]}""", "metadata.tier")]
    [InlineData("""{"id":"a","tier":1}""", "metadata.ops")]
    [InlineData("""{"id":"a","tier":1,"ops":["x",{"name":"y","args":[]}]}""", "metadata.ops[1]")]
    [InlineData("""{"id":"a","tier":1,"ops":[{"args":[]}]}""", "metadata.ops[0].name")]
    [InlineData("""{"id":"a","tier":1,"ops":[{"name":"x","args":[1]}]}""", "metadata.ops[0].args")]
    [InlineData("""{"id":"a","tier":1,"ops":[7]}""", "metadata.ops[0]")]
    public void BadMetadataNamesTheField(string json, string field)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertMetadata.Parse(json, "x.wasm"));
        Assert.Equal(field, e.Field);
    }
}
