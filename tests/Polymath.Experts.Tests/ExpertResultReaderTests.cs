using Polymath.Host.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>The call path's result reader gives what <see cref="ExpertResult.Parse"/> gives, for results and for errors.</summary>
public sealed class ExpertResultReaderTests
{
    public static TheoryData<string> Results() => new(
        """{"value":6,"confidence":1.0,"latency_ns":0,"expert_id":"arithmetic","op":"gcd"}""",
        """{"value":{"a":[1,2,{"b":null}]},"confidence":0.5}""",
        """ {"op":"other","value":"x\u00e9\"","expert_id":"someone else"} """,
        """{"value":null,"confidence":"high","expert_id":7,"op":[1]}""",
        """{"value":1,"value":2}""",
        """{"value":[1,2,3],"extra":{"deep":[{"x":1}]},"op":"g\u0063d"}""",
        """{"confidence":1.0}""",
        """[1,2]""",
        """{"value":1""",
        """{"value":1} trailing""",
        """not json""",
        "");

    [Theory]
    [MemberData(nameof(Results))]
    public void ReadsLikeExpertResultParse(string json)
    {
        ExpertResult? expected = null, actual = null;
        ExpertAbiException? expectedError = null, actualError = null;
        try { expected = ExpertResult.Parse(json, "arithmetic", "gcd", 42); }
        catch (ExpertAbiException e) { expectedError = e; }
        try { actual = ExpertResultReader.Read(json, "arithmetic", "gcd", 42); }
        catch (ExpertAbiException e) { actualError = e; }

        if (expected is null)
        {
            Assert.NotNull(actualError);
            Assert.Equal(expectedError!.Violation, actualError.Violation);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(expected.Value.GetRawText(), actual.Value.GetRawText());
        Assert.Equal((expected.Confidence, expected.LatencyNs, expected.ExpertId, expected.Op), (actual.Confidence, actual.LatencyNs, actual.ExpertId, actual.Op));
    }

    [Fact]
    public void MatchingIdAndOpReuseTheCallersStrings()
    {
        string id = "arithmetic", op = "gcd";
        var r = ExpertResultReader.Read("""{"value":6,"expert_id":"arithmetic","op":"gcd"}""", id, op, 0);
        Assert.Same(id, r.ExpertId);
        Assert.Same(op, r.Op);
    }
}
