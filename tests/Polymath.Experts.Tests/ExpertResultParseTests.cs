using System.Text.Json;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// <see cref="ExpertResult.Parse"/>, the call path's one-pass reader of a guest's result: what it accepts (attributed to
/// the host's routing, whatever the guest claims) and what it refuses as <see cref="AbiViolation.InvalidResult"/>.
/// </summary>
public sealed class ExpertResultParseTests
{
    public static TheoryData<string, string, float> Accepted() => new()
    {
        { """{"value":6,"confidence":1.0,"latency_ns":0,"expert_id":"arithmetic","op":"gcd"}""", "6", 1.0f },
        { """{"value":{"a":[1,2,{"b":null}]},"confidence":0.5}""", """{"a":[1,2,{"b":null}]}""", 0.5f },
        { """ {"op":"other","value":"x\u00e9\"","expert_id":"someone else"} """, "\"x\\u00e9\\\"\"", 1.0f },
        { """{"value":null,"confidence":"high","expert_id":7,"op":[1]}""", "null", 1.0f },
        { """{"value":[1,2,3],"extra":{"deep":[{"x":1}]},"op":"g\u0063d"}""", "[1,2,3]", 1.0f },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void AcceptsResultsAndAttributesThemToTheHost(string json, string rawValue, float confidence)
    {
        var r = ExpertResult.Parse(json, "arithmetic", "gcd", 42);
        Assert.Equal(rawValue, r.Value.GetRawText());
        Assert.Equal(confidence, r.Confidence);
        Assert.Equal(42UL, r.LatencyNs);
        Assert.Equal(("arithmetic", "gcd"), (r.ExpertId, r.Op));
        Assert.NotEqual(JsonValueKind.Undefined, r.Value.ValueKind);
    }

    public static TheoryData<string> Refused() => new(
        """{"value":1,"value":2}""",
        """{"value":1,"op":"a","op":"b"}""",
        """{"confidence":1.0}""",
        """{"value":1,"confidence":1e39}""",
        """{"value":1,"confidence":-1e400}""",
        """{"value":"\udfff"}""",
        "{\"value\":" + new string('[', 65) + new string(']', 65) + "}",
        """[1,2]""",
        """{"value":1""",
        """{"value":1} trailing""",
        """not json""",
        "");

    [Theory]
    [MemberData(nameof(Refused))]
    public void RefusesWhatIsNotAResult(string json)
    {
        var e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(json, "arithmetic", "gcd", 0));
        Assert.Equal(AbiViolation.InvalidResult, e.Violation);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }
}
