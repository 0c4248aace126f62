using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Host.Experts;
using Xunit.Abstractions;

namespace Polymath.Runtime.Native.Tests;

/// <summary>The whole catalogue with kernels for this platform (experts/build.sh --native --packages), built once.</summary>
public sealed class CataloguePackagesFixture : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    public CataloguePackagesFixture()
    {
        Directory = Native.BuildPackages(Path.Combine(_tmp.Path, "experts"));
        Wasm = Native.StartHost(Directory, Path.Combine(_tmp.Path, "shadow-wasm"), [], nativeRuntime: false);
        Kernels = Native.StartHost(Directory, Path.Combine(_tmp.Path, "shadow"), ["*"]);
    }

    public string Directory { get; }

    /// <summary>Every expert on its WebAssembly build (the interpreter).</summary>
    public ExpertHost Wasm { get; }

    /// <summary>Every expert on its native kernel.</summary>
    public ExpertHost Kernels { get; }

    public void Dispose()
    {
        Kernels.Dispose();
        Wasm.Dispose();
        _tmp.Dispose();
    }
}

/// <summary>
/// Issue #24 item 14: a kernel gives its WebAssembly build's answers bit for bit, whether or not the operator grants it.
/// Every catalogue example, then the float-valued args of the numeric ops replaced by edge values (signed zeros,
/// subnormals, the largest doubles, infinities and NaN as strings where the op coerces them, 1-ulp-sensitive trig
/// arguments), runs on the .wasm (interpreter) and on the kernel; outcome and the result's JSON text must be equal.
/// Floats are written in shortest round-trip form, so equal text is equal bits (-0.0 included).
/// </summary>
public sealed class SameAnswersTests(CataloguePackagesFixture catalogue, ITestOutputHelper output) : IClassFixture<CataloguePackagesFixture>
{
    // Ops whose float args are safe to push to extremes (no loop runs that many times).
    private static readonly HashSet<string> FloatOps = new(StringComparer.Ordinal)
    {
        "arithmetic.add", "arithmetic.sub", "arithmetic.mul", "arithmetic.div", "arithmetic.pow", "arithmetic.mod",
        "arithmetic.percent_of", "arithmetic.percent_increase", "arithmetic.percent_decrease",
        "trig.sin", "trig.cos", "trig.tan", "trig.asin", "trig.acos", "trig.atan", "trig.sec", "trig.csc", "trig.cot",
        "trig.deg_to_rad", "trig.rad_to_deg",
        "statistics.mean", "statistics.median", "statistics.mode", "statistics.stddev", "statistics.variance", "statistics.min",
        "statistics.max", "statistics.sum", "statistics.count", "statistics.range", "statistics.sort",
        "geometry.circle_area", "geometry.circle_circumference", "geometry.circle_diameter", "geometry.sphere_volume",
        "geometry.sphere_surface_area", "geometry.cylinder_volume", "geometry.cone_volume", "geometry.cube_volume",
        "geometry.box_volume", "geometry.square_area", "geometry.square_perimeter", "geometry.rectangle_area",
        "geometry.rectangle_perimeter", "geometry.triangle_area_bh", "geometry.triangle_area_heron", "geometry.trapezoid_area",
        "geometry.ellipse_area", "geometry.hypotenuse",
        "finance.present_value", "finance.compound_interest", "finance.simple_interest", "finance.mortgage_payment", "finance.npv",
        "finance.bayes", "finance.kelly", "finance.roi", "unit.convert",
    };

    // Numbers as JSON text: signed zeros, subnormals, extremes, 1-ulp-sensitive trig arguments, and the non-finite values
    // as the strings num~ accepts (a plain num arg declines them — on both builds).
    private static readonly string[] Numbers =
    [
        "0.0", "-0.0", "5e-324", "-5e-324", "2.225073858507201e-308", "2.2250738585072014e-308", "1e-310", "1.7976931348623157e308",
        "-1.7976931348623157e308", "\"inf\"", "\"-inf\"", "\"NaN\"", "\"infinity\"", "2.5", "-2.5", "1.1", "0.5", "1.0", "-1.0",
        "3.141592653589793", "1.5707963267948966", "0.7853981633974483", "6.283185307179586", "1e-8", "1e22", "1e300", "-1e300",
        "710.0", "22.0", "355.0", "1e16", "4503599627370497.0", "0.1", "123456789.123456789", "-7.25", "1e-5", "0.9999999999999999",
    ];

    private static readonly string[] Lists =
    [
        "[0.0,-0.0]", "[-0.0,0.0]", "[-0.0]", "[0.0]", "[-0.0,-0.0]", "[5e-324,-5e-324]", "[1.7976931348623157e308,1.7976931348623157e308]",
        "[1e308,-1e308]", "[\"NaN\",1.0]", "[1.0,\"NaN\"]", "[\"inf\",\"-inf\"]", "[\"inf\",1.0]", "[2.5]", "[0.1,0.2,0.3]", "[1,2,3,4.5]",
        "[1e-310,2e-310,3e-310]", "[-1.5,2.5,-3.5,4.5]", "[]",
    ];

    private static readonly (string Op, string Args)[] IssueCases =
    [
        ("min", """{"values":[0.0,-0.0]}"""), ("max", """{"values":[-0.0,0.0]}"""), ("sin", """{"x":2.5}"""),
        ("tan", """{"x":2.5}"""), ("cot", """{"x":2.5}"""),
    ];

    [Fact]
    public void EveryExpertIsOnItsKernelInOneHostAndOnWasmInTheOther()
    {
        Assert.All(catalogue.Kernels.Experts, e => Assert.Equal("native", e.RuntimeId));
        Assert.All(catalogue.Wasm.Experts, e => Assert.Equal("interpreter", e.RuntimeId));
        Assert.Equal(catalogue.Wasm.Experts.Count, catalogue.Kernels.Experts.Count);
    }

    [Fact]
    public void TheIssuesCasesGiveTheWebAssemblyAnswers()
    {
        var mismatches = IssueCases.Select(c => Compare(c.Op, c.Args)).OfType<string>().ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        // The WebAssembly build's libm orders -0 below +0 (wasi-libc's fmin/fmax), so the kernel does too.
        Assert.Equal("-0.0", catalogue.Kernels.Call("min", """{"values":[0.0,-0.0]}""").Result!.Value.GetRawText());
        Assert.Equal("0.0", catalogue.Kernels.Call("max", """{"values":[-0.0,0.0]}""").Result!.Value.GetRawText());
    }

    [Fact]
    public void EveryCatalogueExampleGivesTheSameAnswerOnBoth()
    {
        var cases = Examples().Select(e => (e.Op, e.Args)).ToList();
        AssertSame(cases);
    }

    [Fact]
    public void EdgeValuesGiveTheSameAnswerOnBoth()
    {
        var cases = new List<(string Op, string Args)>();
        foreach (var (expert, op, args) in Examples())
        {
            if (!FloatOps.Contains($"{expert}.{op}") || JsonNode.Parse(args) is not JsonObject obj) continue;
            foreach (var (key, value) in obj.ToList())
            {
                string[] values = value switch
                {
                    JsonArray => Lists,
                    JsonValue v when v.GetValueKind() == JsonValueKind.Number => Numbers,
                    _ => [],
                };
                foreach (string replacement in values)
                {
                    var copy = (JsonObject)obj.DeepClone();
                    copy[key] = JsonNode.Parse(replacement);
                    cases.Add((op, copy.ToJsonString()));
                }
            }
        }
        // The trig ops over a sweep of arguments where libms disagree in the last place.
        foreach (string op in new[] { "sin", "cos", "tan", "cot", "sec", "csc", "atan", "asin", "acos" })
            for (int i = -400; i <= 400; i++)
                cases.Add((op, $$"""{"x":{{(i * 0.0625 + i * 1e-3).ToString("R", CultureInfo.InvariantCulture)}}}"""));
        Assert.True(cases.Count > 5000, $"only {cases.Count} edge cases");
        AssertSame(cases);
    }

    private void AssertSame(List<(string Op, string Args)> cases)
    {
        var mismatches = cases.Select(c => Compare(c.Op, c.Args)).OfType<string>().ToList();
        output.WriteLine($"{cases.Count} calls compared, {mismatches.Count} differ");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} calls differ:\n{string.Join("\n", mismatches.Take(40))}");
    }

    // Null when both builds give the same outcome and the same result JSON; else a line saying how they differ.
    private string? Compare(string op, string args)
    {
        var w = catalogue.Wasm.Call(op, args);
        var n = catalogue.Kernels.Call(op, args);
        if (w.IsResult && n.RuntimeId != "native") return $"{op} {args}: the kernel host ran it on {n.RuntimeId}";
        string Text(ExpertCallResult r) => r.IsResult ? $"{r.Result!.Value.GetRawText()} (confidence {r.Result.Confidence.ToString("R", CultureInfo.InvariantCulture)})" : r.OutcomeName;
        string a = Text(w), b = Text(n);
        return a == b ? null : $"{op} {args}: wasm {a}, native {b}";
    }

    private static IEnumerable<(string Expert, string Op, string Args)> Examples()
    {
        foreach (string line in File.ReadLines(Path.Combine(Repository.Root, "experts", "conformance", "examples.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            yield return (r.GetProperty("expert").GetString()!, r.GetProperty("op").GetString()!,
                r.TryGetProperty("args", out var a) ? a.GetRawText() : "{}");
        }
    }
}
