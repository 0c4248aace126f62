using System.Collections.Concurrent;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// The runtime plugins the catalogue runs on. Adding a runtime plugin to the conformance run is one more line here:
/// every example and listing test is a theory over (runtime, case).
/// </summary>
public static class Runtimes
{
    /// <summary>Runtime name → factory for a fresh plugin object.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IRuntimePlugin>> All = new Dictionary<string, Func<IRuntimePlugin>>
    {
        ["interpreter"] = () => new InterpreterRuntimePlugin(),
        ["compiler"] = () => new Polymath.Runtime.Compiler.CompilerRuntimePlugin(),
        ["wasmtime"] = () => new Polymath.Runtime.Wasmtime.WasmtimeRuntimePlugin(),
    };

    private static readonly ConcurrentDictionary<(string Runtime, string? Platform), Lazy<ExpertHost>> Hosts = new();

    /// <summary>
    /// A started host over the repository's experts/ directory bound to one runtime only (shared across tests, like the
    /// CLI's one host per process). <paramref name="platform"/> is the <c>--platform</c> override (null = this machine).
    /// </summary>
    public static ExpertHost Host(string runtime, string? platform = null) =>
        Hosts.GetOrAdd((runtime, platform), key => new Lazy<ExpertHost>(() =>
        {
            var host = ExpertHost.CreateBuilder()
                .Configure(o => { o.Directory = Repo.ExpertsDirectory; o.Watch = false; o.Platform = key.Platform; })
                .AddRuntime(All[key.Runtime]())
                .Build();
            host.StartAsync().GetAwaiter().GetResult();
            return host;
        })).Value;
}

/// <summary>Locates the repository from the test assembly's folder.</summary>
public static class Repo
{
    /// <summary>The repository root (the folder holding experts/ and plugins.json).</summary>
    public static string Root { get; } = Find();

    /// <summary>The repository's experts/ directory.</summary>
    public static string ExpertsDirectory => Path.Combine(Root, "experts");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "experts", "conformance", "examples.jsonl")))
                return dir.FullName;
        // Artifacts may live outside the tree (--artifacts-path): fall back to the source location.
        string? src = Path.GetDirectoryName(typeof(Repo).Assembly.Location);
        string here = ThisFile();
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(here)!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "experts", "conformance", "examples.jsonl")))
                return dir.FullName;
        throw new InvalidOperationException($"cannot find the repository (experts/conformance/examples.jsonl) above {AppContext.BaseDirectory} or {src}");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
