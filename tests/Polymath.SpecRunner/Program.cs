using System.Diagnostics;
using Polymath.Conformance;
using Polymath.Sdk;

namespace Polymath.SpecRunner;

/// <summary>
/// <c>dotnet run --project tests/Polymath.SpecRunner -c Release -- [--runtime ID] [--filter PATTERN] [--verbose] [--max-failures N] [--unlimited] [--code-cache DIR]</c>:
/// runs every non-excluded .wast file of the spec testsuite against a runtime, prints one line per file and the
/// final line <c>N passed, N failed</c>. Exit code 0 when nothing failed, 1 when a command failed, 2 on a usage or
/// setup error (missing suite, missing wast2json, unknown runtime).
/// </summary>
public static class Program
{
    /// <summary>The runtimes this runner knows: one line per runtime plugin in tests/Shared/RuntimePlugins.cs.</summary>
    private static IReadOnlyDictionary<string, Func<IRuntimePlugin>> Runtimes => Polymath.Tests.RuntimePlugins.All;

    private const string Usage =
        "usage: Polymath.SpecRunner [--runtime ID] [--filter PATTERN] [--verbose] [--max-failures N] [--unlimited] [--code-cache DIR]\n" +
        "  --runtime ID       runtime plugin to test (default: interpreter)\n" +
        "  --filter PATTERN   only .wast files whose name matches (substring, or a pattern with '*'); excluded files stay excluded\n" +
        "  --verbose          print every kept failure and not-applicable command, and per-command-type counts\n" +
        "  --max-failures N   failure messages kept per file (default 5, 50 with --verbose)\n" +
        "  --unlimited        calls without a timeout token or fuel (the runtime's fastest path; a hang is not caught)\n" +
        "  --code-cache DIR   the engine's compiled-code cache (EngineOptions.CodeCacheDirectory): runs the cached code path\n" +
        "environment: POLYMATH_WASM_TESTSUITE (suite folder), POLYMATH_SPEC_CACHE (conversion cache), POLYMATH_WAST2JSON (tool)";

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        string runtimeId = "interpreter";
        string? filter = null;
        bool verbose = false;
        int? maxFailures = null;
        bool unlimited = false;
        string? codeCache = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--runtime":
                    runtimeId = Next() ?? "";
                    break;
                case "--filter":
                    filter = Next();
                    if (filter is null) return UsageError("--filter needs a pattern");
                    break;
                case "--verbose":
                case "-v":
                    verbose = true;
                    break;
                case "--max-failures":
                    if (!int.TryParse(Next(), out var n) || n < 0) return UsageError("--max-failures needs a non-negative integer");
                    maxFailures = n;
                    break;
                case "--unlimited":
                    unlimited = true;
                    break;
                case "--code-cache":
                    codeCache = Next();
                    if (codeCache is null) return UsageError("--code-cache needs a directory");
                    break;
                case "--help":
                case "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    return UsageError($"unknown argument '{args[i]}'");
            }
        }
        if (!Runtimes.TryGetValue(runtimeId, out var factory))
            return UsageError($"unknown runtime '{runtimeId}'; known: {string.Join(", ", Runtimes.Keys)}");

        try
        {
            return Run(factory(), filter, verbose, maxFailures ?? (verbose ? 50 : 5), unlimited, codeCache);
        }
        catch (SpecSetupException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static int Run(IRuntimePlugin plugin, string? filter, bool verbose, int maxFailures, bool unlimited, string? codeCache)
    {
        var options = new WastRunnerOptions { MaxFailures = maxFailures, Cancellable = !unlimited };
        using var run = SpecConformance.Create(plugin, options: options, codeCacheDirectory: codeCache);
        var suite = run.Suite;
        var descriptor = plugin.Descriptor;
        Console.WriteLine($"runtime {descriptor.Id} ({descriptor.Name} {descriptor.Version}) on {PlatformInfo.Current}: {run.Probe.Reason}");
        Console.WriteLine($"suite {suite.Directory}; wast2json {run.Converter.Version}; cache {run.Converter.CacheDirectory}");

        var matcher = filter is null ? null
            : SpecExclusions.Parse($"{(filter.Contains('*') ? filter : "*" + filter + "*")} # --filter", "--filter");
        bool Selected(string file) => matcher is null || matcher.IsExcluded(file);

        var capabilities = run.Probe.Capabilities.ToHashSet(StringComparer.Ordinal);
        var excluded = suite.ExcludedFilesFor(capabilities).Where(Selected).ToList();
        var files = suite.IncludedFilesFor(capabilities).Where(Selected).ToList();
        if (files.Count == 0 && excluded.Count == 0)
        {
            Console.Error.WriteLine($"error: no .wast file matches '{filter}'");
            return 2;
        }

        long passed = 0, failed = 0, notApplicable = 0;
        var failedFiles = new List<string>();
        var byKind = new SortedDictionary<WastCommandKind, (long Passed, long Failed, long NotApplicable)>();
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            var result = run.RunFile(file);
            passed += result.Passed;
            failed += result.Failed;
            notApplicable += result.NotApplicable;
            foreach (var (kind, counts) in result.ByKind)
            {
                byKind.TryGetValue(kind, out var total);
                byKind[kind] = (total.Passed + counts.Passed, total.Failed + counts.Failed, total.NotApplicable + counts.NotApplicable);
            }
            if (result.Failed > 0) failedFiles.Add($"{file} ({result.Failed})");
            Console.WriteLine(result.Failed > 0 || verbose ? result.Describe(includeNotApplicable: verbose) : result.Summary);
        }

        foreach (var group in excluded.GroupBy(f => suite.Exclusions.Find(f)!))
            Console.WriteLine($"excluded: {group.Key.Pattern} ({group.Count()} files: {string.Join(", ", group)}): {group.Key.Reason}");
        Console.WriteLine();
        if (verbose)
        {
            foreach (var (kind, counts) in byKind)
                Console.WriteLine($"  {kind,-22} {counts.Passed,7} passed {counts.Failed,6} failed {counts.NotApplicable,6} not applicable");
        }
        Console.WriteLine($"{files.Count} files run in {clock.Elapsed.TotalSeconds:0.0} s, {excluded.Count} excluded by spec-exclusions.txt");
        if (notApplicable > 0)
            Console.WriteLine($"{notApplicable} not applicable (text-format assert_malformed: this runner drives runtimes with binary modules only)");
        if (failedFiles.Count > 0)
            Console.WriteLine($"files with failures: {string.Join(", ", failedFiles)}");
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed > 0 ? 1 : 0;
    }
}
