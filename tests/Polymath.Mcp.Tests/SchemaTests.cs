using System.Text;
using System.Text.Json;
using Polymath.Experts;
using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>The manifest's per-op schemas: parsing, validation against the JSON Schema meta-schema, argument checks.</summary>
public sealed class SchemaTests
{
    public static TheoryData<string> CatalogueManifests()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(TestPaths.ExpertsDirectory).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, ExpertManifest.FileName))) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogueManifests))]
    public void Every_catalogue_op_schema_is_valid_json_schema_2020_12(string id)
    {
        string path = Path.Combine(TestPaths.ExpertsDirectory, id, ExpertManifest.FileName);
        var manifest = ExpertManifest.Parse(File.ReadAllText(path), path);
        Assert.NotEmpty(manifest.Ops);
        foreach (var (op, spec) in manifest.Ops)
        {
            Assert.False(string.IsNullOrWhiteSpace(spec.Description), $"{id}.{op} has no description");
            Assert.NotNull(spec.Args);
            Assert.Null(ArgumentSchema.CheckAgainstMetaSchema(spec.Args!.Value));
        }
    }

    [Fact]
    public void The_catalogue_has_126_described_ops()
    {
        int total = 0;
        foreach (var dir in Directory.GetDirectories(TestPaths.ExpertsDirectory))
        {
            string path = Path.Combine(dir, ExpertManifest.FileName);
            if (File.Exists(path)) total += ExpertManifest.Parse(File.ReadAllText(path), path).Ops.Count;
        }
        Assert.Equal(126, total);
    }

    private const string Base = """
        {"schemaVersion":1,"id":"x","version":"1","tier":1,"payloads":{"wasm":{"path":"x.wasm","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}},
        """;

    [Fact]
    public void Ops_round_trip_through_ToJson()
    {
        var m = ExpertManifest.Parse(Base + """ "ops":{"f":{"description":"does f","args":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}}""", "m.json");
        var again = ExpertManifest.Parse(m.ToJson(), "again.json");
        Assert.Equal("does f", again.Ops["f"].Description);
        Assert.Equal("integer", again.Ops["f"].Args!.Value.GetProperty("properties").GetProperty("a").GetProperty("type").GetString());
    }

    [Fact]
    public void Pack_keeps_the_ops()
    {
        string dir = TestPaths.TempExperts("date");
        try
        {
            var (manifest, zip) = ExpertPacker.Pack(Path.Combine(dir, "date"), Path.Combine(dir, "date.expert"), writeHashes: true);
            Assert.Equal(6, manifest.Ops.Count);
            string path = Path.Combine(dir, "date", ExpertManifest.FileName);
            var rewritten = ExpertManifest.Parse(File.ReadAllText(path), path);
            Assert.Equal(manifest.Ops.Keys.Order(StringComparer.Ordinal), rewritten.Ops.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["date", "days"], rewritten.Ops["add_days"].Args!.Value.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(6, ExpertPackageReader.Read(zip).Manifest!.Ops.Count);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(""" "ops":[]}""", "field 'ops' must be an object")]
    [InlineData(""" "ops":{"f":{"args":{"type":"array"}}}}""", "field 'ops.f.args.type'")]
    [InlineData(""" "ops":{"f":{"args":{"properties":{"a":{}},"required":["b"]}}}}""", "field 'ops.f.args.required[0]' names 'b'")]
    [InlineData(""" "ops":{"f":{"summary":"x"}}}""", "field 'ops.f.summary' is not a known field")]
    [InlineData(""" "ops":{"f":{"description":3}}}""", "field 'ops.f.description' must be a string")]
    public void Bad_ops_fields_are_rejected_naming_the_field(string tail, string expected)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(Base + tail, "m.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("m.json", e.Message, StringComparison.Ordinal);
    }

    private static OpDescriptor Op(string? schema, params string[] args) => new()
    {
        Op = "f", ExpertId = "x", Fingerprint = "1", ArgNames = args,
        ArgsSchema = schema is null ? null : JsonDocument.Parse(schema).RootElement.Clone(),
    };

    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void Without_a_manifest_schema_one_is_derived_from_the_arg_names()
    {
        var schema = ArgumentSchema.For(Op(null, "a", "b"), out var problem);
        Assert.Null(problem);
        Assert.False(schema.IsPrecise);
        Assert.Null(ArgumentSchema.CheckAgainstMetaSchema(schema.Element));
        Assert.Null(schema.Validate(Json("""{"a":1,"b":"anything"}""")));
        Assert.Null(schema.Validate(Json("{}"))); // the metadata does not say which keys are optional
        Assert.Contains("unknown argument 'c' (this tool takes: a, b)", schema.Validate(Json("""{"c":1}""")), StringComparison.Ordinal);

        var open = ArgumentSchema.For(Op(null), out _); // old-style metadata: no keys known, anything goes
        Assert.Null(open.Validate(Json("""{"c":1}""")));
    }

    [Fact]
    public void An_invalid_manifest_schema_falls_back_to_the_derived_one_and_says_why()
    {
        var schema = ArgumentSchema.For(Op("""{"type":"object","properties":{"a":{"type":"integr"}}}""", "a"), out var problem);
        Assert.NotNull(problem);
        Assert.False(schema.IsPrecise);
    }

    [Fact]
    public void Nested_violations_name_the_argument_and_the_location()
    {
        var schema = ArgumentSchema.For(Op("""{"type":"object","properties":{"d":{"type":"object","properties":{"m":{"type":"integer","maximum":12}}}},"additionalProperties":false}""", "d"), out var problem);
        Assert.Null(problem);
        Assert.True(schema.IsPrecise);
        string? error = schema.Validate(Json("""{"d":{"m":13}}"""));
        Assert.NotNull(error);
        Assert.StartsWith("argument 'd' (at /d/m): ", error, StringComparison.Ordinal);
        Assert.Null(schema.Validate(Json("""{"d":{"m":12}}""")));
    }

    [Fact]
    public void Op_names_outside_the_mcp_alphabet_are_not_tool_names()
    {
        Assert.True(ExpertToolSet.IsValidToolName("to_roman"));
        Assert.True(ExpertToolSet.IsValidToolName("a.b-c_9"));
        Assert.False(ExpertToolSet.IsValidToolName("two words"));
        Assert.False(ExpertToolSet.IsValidToolName("ünïcode"));
        Assert.False(ExpertToolSet.IsValidToolName(""));
        Assert.False(ExpertToolSet.IsValidToolName(new string('a', 129)));
    }

    [Fact]
    public void The_bearer_token_check_needs_the_exact_token()
    {
        byte[] expected = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("0123456789abcdef"));
        Assert.True(PolymathMcpServer.Authorized("Bearer 0123456789abcdef", expected));
        Assert.False(PolymathMcpServer.Authorized("Bearer 0123456789abcdeg", expected));
        Assert.False(PolymathMcpServer.Authorized("Bearer ", expected));
        Assert.False(PolymathMcpServer.Authorized("", expected));
        Assert.False(PolymathMcpServer.Authorized("Basic 0123456789abcdef", expected));
    }

    [Fact]
    public void Settings_name_what_is_wrong()
    {
        Assert.Contains("--token-file", Assert.Throws<ArgumentException>(() => new McpServerSettings { Http = "192.0.2.1:80" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("only with --http", Assert.Throws<ArgumentException>(() => new McpServerSettings { TokenFile = "t" }.Validate()).Message, StringComparison.Ordinal);
        var ok = new McpServerSettings { Http = "127.0.0.1:0" };
        ok.Validate();
        Assert.NotNull(ok.Endpoint);
    }
}
