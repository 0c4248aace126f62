using Polymath.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace MyRuntime.Tests;

/// <summary>One case per spec testsuite file the plugin's capabilities include (SIMD files only when it has wasm.simd128).</summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files()
    {
        var plugin = new MyRuntimePlugin();
        var capabilities = plugin.Probe(Polymath.Sdk.PlatformInfo.Current).Capabilities;
        var data = new TheoryData<string>();
        foreach (var file in SpecSuite.Locate().IncludedFilesFor(capabilities)) data.Add(file);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void SpecFile(string file)
    {
        using var run = SpecConformance.Create(new MyRuntimePlugin());
        var result = run.RunFile(file);
        output.WriteLine($"{file}: {result.Passed} passed, {result.Failed} failed, {result.NotApplicable} not applicable");
        Assert.True(result.Failed == 0, string.Join('\n', result.Failures));
        Assert.True(result.Passed > 0, $"{file}: nothing ran");
    }
}
