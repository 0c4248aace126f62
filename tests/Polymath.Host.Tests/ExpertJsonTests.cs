using System.Text;
using System.Text.Json;
using Polymath.Experts;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Host.Tests;

/// <summary>
/// The writer of <c>polymath call --json</c>, <c>experts --json</c> and the service's replies never throws on what a
/// guest or package supplied: non-finite numbers and lone surrogates are written in the documented way, and a result
/// is attributed by the host.
/// </summary>
public class ExpertJsonTests
{
    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static ExpertCallResult Result(string valueJson, float confidence, string guestId = "spoofed", string guestOp = "spoofed_op")
    {
        using var doc = JsonDocument.Parse(valueJson);
        return new ExpertCallResult
        {
            Outcome = ExpertCallOutcome.Result, Op = "hello", ExpertId = "good", RuntimeId = "interpreter", LatencyNs = 5,
            Result = new ExpertResult(doc.RootElement.Clone(), confidence, 5, guestId, guestOp),
        };
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void ANonFiniteConfidenceIsWrittenAsNull(float confidence)
    {
        string json = Write(w => ExpertJson.WriteCallResult(w, Result("42", confidence)));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("confidence").ValueKind);
        Assert.Equal(42, doc.RootElement.GetProperty("value").GetInt32());
    }

    [Fact]
    public void AFiniteConfidenceIsWrittenAsANumber()
    {
        using var doc = JsonDocument.Parse(Write(w => ExpertJson.WriteCallResult(w, Result("1", 0.25f))));
        Assert.Equal(0.25, doc.RootElement.GetProperty("confidence").GetDouble());
    }

    [Fact]
    public void AResultIsAttributedToTheHostsExpertAndOpNotTheGuestsClaim()
    {
        using var doc = JsonDocument.Parse(Write(w => ExpertJson.WriteCallResult(w, Result("1", 1f, guestId: "arithmetic", guestOp: "gcd"))));
        Assert.Equal("good", doc.RootElement.GetProperty("expert_id").GetString());
        Assert.Equal("hello", doc.RootElement.GetProperty("op").GetString());
        Assert.Equal("interpreter", doc.RootElement.GetProperty("runtime").GetString());
    }

    [Fact]
    public void LoneSurrogatesInAGuestValueBecomeReplacementCharacters()
    {
        // A lone low surrogate, a lone high one at the end, a valid pair and an escaped backslash before "udfff".
        string value = """{"s":"a\udfffb","t":"c\ud800","pair":"\ud83d\ude00","lit":"\\udfff","arr":["\uDFFF"],"\udfffkey":1}""";
        string json = Write(w => ExpertJson.WriteCallResult(w, Result(value, 1f)));
        using var doc = JsonDocument.Parse(json);
        var v = doc.RootElement.GetProperty("value");
        Assert.Equal("a\uFFFDb", v.GetProperty("s").GetString());
        Assert.Equal("c\uFFFD", v.GetProperty("t").GetString());
        Assert.Equal("\U0001F600", v.GetProperty("pair").GetString());
        Assert.Equal("\\udfff", v.GetProperty("lit").GetString());
        Assert.Equal("\uFFFD", v.GetProperty("arr")[0].GetString());
        Assert.Equal(1, v.GetProperty("\uFFFDkey").GetInt32());
    }

    [Fact]
    public void AGuestValueIsWrittenOnOneLine()
    {
        string json = Write(w => ExpertJson.WriteCallResult(w, Result("{\n  \"a\" : [ 1,\r\n 2 ]\n}", 1f)));
        Assert.DoesNotContain('\n', json);
        Assert.Contains("\"value\":{\"a\":[1,2]}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExpertWithAnUnknownTierOrInvalidTextIsStillWritten()
    {
        var failed = new ExpertInfo { Id = "broken\udfff", Tier = null, Source = "/x/broken.wasm", Status = ExpertStatus.Unavailable, Reason = "bad \ud800 module" };
        using (var doc = JsonDocument.Parse(Write(w => ExpertJson.WriteExpert(w, failed))))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("tier").ValueKind);
            Assert.Equal("broken\uFFFD", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal("bad \uFFFD module", doc.RootElement.GetProperty("reason").GetString());
        }
        var bound = failed with { Id = "ok", Tier = 3, Status = ExpertStatus.Bound, Reason = "fine" };
        using (var doc = JsonDocument.Parse(Write(w => ExpertJson.WriteExpert(w, bound))))
            Assert.Equal(3, doc.RootElement.GetProperty("tier").GetInt32());
    }
}
