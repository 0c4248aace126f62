using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace Polymath.Conformance.Tests;

/// <summary>
/// The WebAssembly 2.0 spec testsuite: one case per (runtime, non-excluded .wast file). A missing suite or
/// missing wast2json fails loudly (the data source throws a SpecSetupException saying what to install).
/// </summary>
public sealed class SpecSuiteTests(ITestOutputHelper output)
{
    private static readonly ConcurrentDictionary<string, Lazy<SpecConformance>> Runs = new();

    /// <summary>Every (runtime id, file) pair to run.</summary>
    public static TheoryData<string, string> Cases()
    {
        var suite = SpecSuite.Locate();
        var data = new TheoryData<string, string>();
        foreach (var runtime in ConformanceRuntimes.All.Keys)
            foreach (var file in suite.IncludedFiles)
                data.Add(runtime, file);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void File_passes_every_assertion(string runtime, string file)
    {
        var run = Runs.GetOrAdd(runtime, id => new Lazy<SpecConformance>(() => SpecConformance.Create(ConformanceRuntimes.All[id]()))).Value;
        var result = run.RunFile(file);
        output.WriteLine($"[{runtime}] {result.Describe(includeNotApplicable: true)}");
        Assert.True(result.Passed > 0 || result.NotApplicable > 0, $"{file} ran no command");
        Assert.True(result.Failed == 0, $"[{runtime}] {result.Describe()}");
    }

    [Fact]
    public void Exclusions_hold_only_simd_files_of_the_suite()
    {
        var suite = SpecSuite.Locate();
        Assert.NotEmpty(suite.IncludedFiles);
        Assert.All(suite.ExcludedFiles, f => Assert.StartsWith("simd_", f, StringComparison.Ordinal));
        Assert.All(suite.IncludedFiles, f => Assert.False(f.StartsWith("simd_", StringComparison.Ordinal), f));
        output.WriteLine($"{suite.IncludedFiles.Count} files run, {suite.ExcludedFiles.Count} excluded (simd_*) from {suite.Directory}");
    }
}
