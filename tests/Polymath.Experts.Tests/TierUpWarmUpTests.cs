using System.Text;
using System.Text.Json;
using Polymath.Host.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The arguments the compiler tier's warm-up calls each op with, made from the op's JSON Schema in the manifest: they fit
/// the catalogue's schemas, prefer the schema's own examples, default and enum, and stay small whatever the schema.
/// </summary>
public sealed class TierUpWarmUpTests
{
    private static string Sample(string? schema) =>
        Encoding.UTF8.GetString(TierUpWarmUp.SampleArgs(schema is null ? null : JsonDocument.Parse(schema).RootElement.Clone()));

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""", """{"a":1.5,"b":1.5}""")]
    [InlineData("""{"type":"object","properties":{"code":{"type":"integer","minimum":100,"maximum":599}}}""", """{"code":100}""")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","maximum":1}}}""", """{"n":1}""")]
    [InlineData("""{"type":"object","properties":{"grid":{"type":"array","items":{"type":"array","items":{"type":"integer","minimum":0}}}}}""", """{"grid":[[0,0],[0,0]]}""")]
    [InlineData("""{"type":"object","properties":{"edges":{"type":"array","items":{"type":"array","prefixItems":[{"type":"string"},{"type":"string"},{"type":"integer"}]}}}}""",
        """{"edges":[["12","12",2],["12","12",2]]}""")]
    [InlineData("""{"type":"object","properties":{"expr":{"type":"string"},"assignments":{"type":"object","additionalProperties":{"type":"boolean"}}}}""",
        """{"expr":"12","assignments":{"A":true}}""")]
    [InlineData("""{"type":"object","properties":{"from":{"type":"string","enum":["m","km"]},"x":{"type":["null","number"]}}}""", """{"from":"m","x":null}""")]
    [InlineData("""{"type":"object","properties":{"sql":{"type":"string","examples":["SELECT 1"],"default":"x"},"k":{"type":"string","default":"kg"}}}""",
        """{"sql":"SELECT 1","k":"kg"}""")]
    [InlineData("""{"examples":[{"isbn":"978-0-596-52068-7"}]}""", """{"isbn":"978-0-596-52068-7"}""")]
    [InlineData("""{"type":"string"}""", "{}")]
    [InlineData(null, "{}")]
    public void ArgumentsFollowTheSchema(string? schema, string expected) => Assert.Equal(expected, Sample(schema));

    [Fact]
    public void HostileSchemasGiveSmallArguments()
    {
        // 30 levels of schemas (61 of JSON: the manifest parser's limit is 64): written 6 deep, then a plain number.
        string deep = string.Concat(Enumerable.Repeat("""{"type":"object","properties":{"a":""", 30)) + "{}" + new string('}', 60);
        Assert.Equal("""{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}""", Sample(deep));

        // 100 000 properties, 100 000 prefix items and a huge range: 16 of each, finite numbers.
        string wide = "{\"type\":\"object\",\"properties\":{" + string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"\"p{i}\":{{\"type\":\"integer\",\"minimum\":-1e300}}")) + "}}";
        var props = JsonDocument.Parse(Sample(wide)).RootElement.EnumerateObject().ToList();
        Assert.Equal(16, props.Count);
        Assert.All(props, p => Assert.Equal(-1e15, p.Value.GetDouble()));
        string items = "{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"array\",\"prefixItems\":[" + string.Join(',', Enumerable.Repeat("{\"type\":\"boolean\"}", 100_000)) + "]}}}";
        Assert.Equal(16, JsonDocument.Parse(Sample(items)).RootElement.GetProperty("t").GetArrayLength());

        // Nonsense where schemas go: no exception, an argument object or a plain value.
        Assert.Equal("""{"a":1}""", Sample("""{"type":"object","properties":{"a":7}}"""));
        Assert.Equal("""{"a":1.5}""", Sample("""{"type":"object","properties":{"a":{"type":7,"minimum":"x"}}}"""));
    }
}
