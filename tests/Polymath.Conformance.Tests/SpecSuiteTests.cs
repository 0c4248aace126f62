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

    /// <summary>
    /// Every (runtime id, call mode, file) to run. Modes: "cancellable" (calls carry a timeout token, as the host's
    /// calls do) and "unlimited" (no token, no fuel: the runtime's fastest path, e.g. the interpreter's code without
    /// fuel ops). Both must pass the whole suite.
    /// </summary>
    public static TheoryData<string, string, string> Cases()
    {
        var suite = SpecSuite.Locate();
        var data = new TheoryData<string, string, string>();
        foreach (var runtime in ConformanceRuntimes.All.Keys)
        {
            var files = suite.IncludedFilesFor(CapabilitiesOf(runtime));
            foreach (var mode in new[] { "cancellable", "unlimited" })
                foreach (var file in files)
                    data.Add(runtime, mode, file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void File_passes_every_assertion(string runtime, string mode, string file)
    {
        var run = Runs.GetOrAdd(runtime + "/" + mode, _ => new Lazy<SpecConformance>(() => SpecConformance.Create(
            ConformanceRuntimes.All[runtime](), options: new WastRunnerOptions { Cancellable = mode == "cancellable" }))).Value;
        var result = run.RunFile(file);
        output.WriteLine($"[{runtime}, {mode}] {result.Describe(includeNotApplicable: true)}");
        Assert.True(result.Passed > 0 || result.NotApplicable > 0, $"{file} ran no command");
        Assert.True(result.Failed == 0, $"[{runtime}, {mode}] {result.Describe()}");
    }

    private static IReadOnlyCollection<string> CapabilitiesOf(string runtime) =>
        ConformanceRuntimes.All[runtime]().Probe(Polymath.Sdk.PlatformInfo.Current).Capabilities.ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Exclusions_hold_only_simd_files_of_the_suite()
    {
        var suite = SpecSuite.Locate();
        Assert.NotEmpty(suite.IncludedFiles);
        Assert.All(suite.ExcludedFiles, f => Assert.StartsWith("simd_", f, StringComparison.Ordinal));
        Assert.All(suite.IncludedFiles, f => Assert.False(f.StartsWith("simd_", StringComparison.Ordinal), f));
        output.WriteLine($"{suite.IncludedFiles.Count} files run, {suite.ExcludedFiles.Count} excluded (simd_*) from {suite.Directory}");
    }

    [Theory]
    [MemberData(nameof(RuntimeIds))]
    public void A_runtime_with_simd_runs_every_file_and_one_without_runs_all_but_simd(string runtime)
    {
        var suite = SpecSuite.Locate();
        var capabilities = CapabilitiesOf(runtime);
        var excluded = suite.ExcludedFilesFor(capabilities);
        if (capabilities.Contains(Polymath.Sdk.Capabilities.WasmSimd128))
            Assert.Empty(excluded);
        else
            Assert.Equal(suite.ExcludedFiles, excluded);
        output.WriteLine($"[{runtime}] {suite.IncludedFilesFor(capabilities).Count} of {suite.AllFiles.Count} files run");
    }

    [Fact]
    public void The_compiler_runs_the_simd_files_and_the_interpreter_does_not_yet()
    {
        // Issue #20: the compiler tier advertises wasm.simd128, so its SIMD exclusion is gone; the interpreter's stays
        // until its SIMD lands on the shared Core/Simd semantics.
        var suite = SpecSuite.Locate();
        Assert.Contains(Polymath.Sdk.Capabilities.WasmSimd128, CapabilitiesOf("compiler"));
        Assert.Empty(suite.ExcludedFilesFor(CapabilitiesOf("compiler")));
        Assert.Contains(suite.IncludedFilesFor(CapabilitiesOf("compiler")), f => f.StartsWith("simd_", StringComparison.Ordinal));
        Assert.NotEmpty(suite.ExcludedFilesFor(CapabilitiesOf("interpreter")));
    }

    /// <summary>Every runtime id.</summary>
    public static TheoryData<string> RuntimeIds() => new(ConformanceRuntimes.All.Keys);
}
