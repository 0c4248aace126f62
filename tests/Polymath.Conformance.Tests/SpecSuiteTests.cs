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
        foreach (var runtime in Polymath.Tests.RuntimePlugins.All.Keys)
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
            Polymath.Tests.RuntimePlugins.All[runtime](), options: new WastRunnerOptions { Cancellable = mode == "cancellable" }))).Value;
        var result = run.RunFile(file);
        output.WriteLine($"[{runtime}, {mode}] {result.Describe(includeNotApplicable: true)}");
        Assert.True(result.Passed > 0 || result.NotApplicable > 0, $"{file} ran no command");
        Assert.True(result.Failed == 0, $"[{runtime}, {mode}] {result.Describe()}");
    }

    private static IReadOnlyCollection<string> CapabilitiesOf(string runtime) =>
        Polymath.Tests.RuntimePlugins.All[runtime]().Probe(Polymath.Sdk.PlatformInfo.Current).Capabilities.ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void No_file_of_the_suite_is_excluded()
    {
        var suite = SpecSuite.Locate();
        Assert.NotEmpty(suite.IncludedFiles);
        Assert.Empty(suite.ExcludedFiles);
        Assert.Contains(suite.IncludedFiles, f => f.StartsWith("simd_", StringComparison.Ordinal));
        output.WriteLine($"{suite.IncludedFiles.Count} files run, none excluded, from {suite.Directory}");
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

    [Theory]
    [InlineData("compiler")]
    [InlineData("interpreter")]
    public void The_managed_tiers_advertise_simd_and_run_the_simd_files(string runtime)
    {
        // Issue #20: both managed tiers run SIMD on the shared Core/Simd semantics and advertise wasm.simd128.
        var suite = SpecSuite.Locate();
        Assert.Contains(Polymath.Sdk.Capabilities.WasmSimd128, CapabilitiesOf(runtime));
        Assert.Empty(suite.ExcludedFilesFor(CapabilitiesOf(runtime)));
        Assert.Equal(56, suite.IncludedFilesFor(CapabilitiesOf(runtime)).Count(f => f.StartsWith("simd_", StringComparison.Ordinal)));
    }

    /// <summary>Every runtime id.</summary>
    public static TheoryData<string> RuntimeIds() => new(Polymath.Tests.RuntimePlugins.All.Keys);
}
