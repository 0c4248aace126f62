using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The result path stays UTF-8: <see cref="ExpertResult.Parse(ReadOnlySpan{byte}, string, string, ulong)"/> reads the
/// guest's bytes (UTF-8 and surrogate escapes checked on bytes), keeps the value's bytes compacted, and
/// <see cref="ExpertJson.WriteValue(Utf8JsonWriter, ExpertResult)"/> writes them raw exactly when that is byte for byte
/// what re-writing them would give.
/// </summary>
public sealed class ResultBytesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Values() => new()
    {
        { "6", "6" },
        { """ { "a" : [ 1 , 2 , { "b" : null } ] , "s" : "x y\tz" } """, """{"a":[1,2,{"b":null}],"s":"x y\tz"}""" },
        { "\n[\r\n1,\t\"two words\" ]\n", "[1,\"two words\"]" },
        { """ "a \" quoted, spaced \\ string" """, """ "a \" quoted, spaced \\ string" """.Trim() },
        { "-0.0", "-0.0" },
        { "1E+400", "1E+400" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TheValueIsTheGuestsBytesWithoutWhiteSpaceBetweenTokens(string value, string compact)
    {
        var r = ExpertResult.Parse(Encoding.UTF8.GetBytes($$"""{"value":{{value}},"confidence":0.5}"""), "e", "op", 9);
        Assert.Equal(compact, Encoding.UTF8.GetString(r.ValueUtf8.Span));
        Assert.Equal(compact, r.Value.GetRawText()); // the element is parsed from those bytes, on demand
        Assert.Equal((0.5f, 9UL, "e", "op"), (r.Confidence, r.LatencyNs, r.ExpertId, r.Op));
    }

    [Fact]
    public void InvalidUtf8AndLoneSurrogateEscapesAreRefusedOnTheBytes()
    {
        byte[] invalid = [.. "{\"value\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(invalid, "e", "op", 0));
        Assert.Equal((AbiViolation.InvalidResult, "the result is not valid UTF-8"), (e.Violation, e.Message));
        byte[] cesu = [.. "{\"value\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]; // a surrogate encoded as UTF-8 (CESU-8)
        Assert.Equal(AbiViolation.InvalidResult, Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(cesu, "e", "op", 0)).Violation);
        foreach (string lone in new[] { """{"value":"a\udfff"}""", """{"value":["\uD800x"]}""", """{"value":1,"k\ud800":2}""", """{"value":"\ud800\u0041"}""" })
        {
            e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(Encoding.UTF8.GetBytes(lone), "e", "op", 0));
            Assert.Equal(AbiViolation.InvalidResult, e.Violation);
            Assert.Contains("unpaired UTF-16 surrogate", e.Message, StringComparison.Ordinal);
            Assert.Contains("at byte ", e.Message, StringComparison.Ordinal);
        }
        var pair = ExpertResult.Parse("""{"value":["\ud83d\ude00","\\udfff"]}"""u8, "e", "op", 0);
        Assert.Equal("😀", pair.Value[0].GetString());
        Assert.Equal("\\udfff", pair.Value[1].GetString());
    }

    public static TheoryData<string> Written() => new(
        "42", """{"a":[1,2.5,true,null],"b":"plain text"}""", """ "café" """, """ "<script>&'+`" """, """ "a\/b\u0041\n" """,
        """{"nested":{"deep":[{"x":"y"}]}}""", """ "😀 \ud83d\ude00" """, "-0.0", """ "tab\there" """, "[]");

    [Theory]
    [MemberData(nameof(Written))]
    public void WritingTheBytesGivesWhatReWritingTheValueGave(string value)
    {
        var result = ExpertResult.Parse(Encoding.UTF8.GetBytes($$"""{"value":{{value.Trim()}}}"""), "e", "op", 0);
        foreach (var options in new[]
        {
            new JsonWriterOptions(), new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
            new JsonWriterOptions { Indented = true },
        })
            Assert.Equal(Write(options, w => result.Value.WriteTo(w)), Write(options, w => ExpertJson.WriteValue(w, result)));
    }

    private static string Write(JsonWriterOptions options, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, options))
        {
            w.WriteStartObject();
            w.WritePropertyName("value");
            write(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void ARegistryCallAllocatesLessThanBefore()
    {
        // Per call (after warm-up) the host allocated 496 B before the result stayed UTF-8; what is left is the value's
        // bytes and the two result records. Measured on this thread only, so other tests do not count.
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        using var registry = new ExpertHost(new ExpertHostOptions { Directory = _dir.Path, Watch = false },
            [RuntimeReport.FromPlugin(RuntimePlugins.All["interpreter"](), PlatformInfo.Current)], PlatformInfo.Current);
        registry.Reload();
        var args = """{"x":1}"""u8.ToArray();
        for (int i = 0; i < 200; i++) Assert.True(registry.Call("echo", args).IsResult);
        const int Calls = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++) registry.Call("echo", args);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        Assert.True(perCall < 496, $"{perCall} B per call");
    }
}
