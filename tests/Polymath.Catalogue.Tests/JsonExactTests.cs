using System.Text.Json;
using Xunit;

namespace Polymath.Catalogue.Tests;

/// <summary>The comparer is as strict as a larql caller: these must differ.</summary>
public sealed class JsonExactTests
{
    private static string? Diff(string e, string a, double? tol = null)
    {
        using var x = JsonDocument.Parse(e);
        using var y = JsonDocument.Parse(a);
        return JsonExact.Difference(x.RootElement, y.RootElement, tol);
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("1.0", "1")]
    [InlineData("{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}")]
    [InlineData("null", "0")]
    [InlineData("[1,2]", "[1,2,3]")]
    [InlineData("0.1", "0.10000000000000002")]
    [InlineData("\"x\"", "\"y\"")]
    [InlineData("true", "false")]
    [InlineData("9223372036854775807", "9223372036854775806")]
    public void Differs(string expected, string actual) => Assert.NotNull(Diff(expected, actual));

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.5", "1.50")]
    [InlineData("1e3", "1000.0")]
    [InlineData("{\"a\":[1,2.0,null]}", "{\"a\":[1,2.0,null]}")]
    public void Equal(string expected, string actual) => Assert.Null(Diff(expected, actual));

    [Fact]
    public void ToleranceIsApplied()
    {
        Assert.Null(Diff("0.1", "0.10000000000000002", 1e-9));
        Assert.NotNull(Diff("0.1", "0.2", 1e-9));
    }
}
