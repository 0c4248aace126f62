using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Runtime.Wasmtime;
using Polymath.Sdk;

namespace Polymath.Catalogue.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher (e.g. <c>-- --filter '*'</c>).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>Locates the repository's experts/ directory (POLYMATH_EXPERTS overrides).</summary>
internal static class Repo
{
    public static string Experts { get; } = Environment.GetEnvironmentVariable("POLYMATH_EXPERTS") ?? Find();

    private static string Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "experts", "conformance", "examples.jsonl")))
                    return Path.Combine(d.FullName, "experts");
        throw new InvalidOperationException("cannot find experts/conformance/examples.jsonl above the current directory; set POLYMATH_EXPERTS");
    }

    /// <summary>
    /// A started host over experts/ on one runtime: <c>interpreter</c>, <c>wasmtime</c>, <c>wasmtime-cache</c>
    /// (Wasmtime with the compiled-code cache in <paramref name="cacheDirectory"/>), or <c>wasmtime-cache+metadata</c>
    /// (also the metadata cache there: experts are compiled on their first call, not at load).
    /// </summary>
    public static ExpertHost StartHost(string runtime = "interpreter", string? cacheDirectory = null)
    {
        IRuntimePlugin plugin = runtime switch
        {
            "interpreter" => new InterpreterRuntimePlugin(),
            "wasmtime" => new WasmtimeRuntimePlugin(),
            "wasmtime-cache" or "wasmtime-cache+metadata" =>
                new CodeCacheRuntime(new WasmtimeRuntimePlugin(), cacheDirectory ?? throw new ArgumentNullException(nameof(cacheDirectory))),
            _ => throw new ArgumentException($"unknown runtime '{runtime}'", nameof(runtime)),
        };
        string? metadataCache = runtime == "wasmtime-cache+metadata" ? Path.Combine(cacheDirectory!, "metadata") : null;
        var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = Experts; o.Watch = false; o.MetadataCacheDirectory = metadataCache; })
            .AddRuntime(plugin).Build();
        host.StartAsync().GetAwaiter().GetResult();
        return host;
    }
}

/// <summary>
/// A runtime plugin whose engines get <see cref="EngineOptions.CodeCacheDirectory"/> (until the host's configured
/// cache directory is wired to engines).
/// </summary>
internal sealed class CodeCacheRuntime(IRuntimePlugin inner, string directory) : IRuntimePlugin
{
    public RuntimeDescriptor Descriptor => inner.Descriptor;

    public RuntimeProbeResult Probe(PlatformInfo platform) => inner.Probe(platform);

    public IWasmEngine CreateEngine(EngineOptions options)
    {
        options.CodeCacheDirectory = directory;
        return inner.CreateEngine(options);
    }
}

/// <summary>
/// Cold load: build a host, load and bind all 19 experts (parse, validate, translate or compile), dispose. On
/// <c>wasmtime-cache</c> the compiled modules come from a code cache filled in the global setup.
/// </summary>
[MemoryDiagnoser]
public class ColdLoadBenchmarks
{
    private string? _cache;

    /// <summary>The runtime the experts load on.</summary>
    [Params("interpreter", "wasmtime", "wasmtime-cache", "wasmtime-cache+metadata")]
    public string Runtime { get; set; } = "interpreter";

    /// <summary>Fills the code cache (and the metadata cache) for <c>wasmtime-cache</c> (<c>+metadata</c>).</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!Runtime.StartsWith("wasmtime-cache", StringComparison.Ordinal)) return;
        _cache = Directory.CreateTempSubdirectory("polymath-bench-cwasm-").FullName;
        using var warm = Repo.StartHost(Runtime, _cache);
    }

    /// <summary>Deletes the code cache.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_cache is not null) Directory.Delete(_cache, true);
    }

    /// <summary>Loads every expert in experts/.</summary>
    [Benchmark]
    public int LoadAllExperts()
    {
        using var host = Repo.StartHost(Runtime, _cache);
        int n = host.Experts.Count;
        if (n != 19) throw new InvalidOperationException($"expected 19 experts, loaded {n}");
        return n;
    }
}

/// <summary>Per-call latency through the registry (routing, pooled instance, ABI copy in/out, result parse).</summary>
[MemoryDiagnoser]
public class CallBenchmarks
{
    private ExpertHost _host = null!;
    private string _sql = "";
    private string _edges = "";
    private (string Op, string Args)[] _sweep = [];

    /// <summary>The runtime the experts run on.</summary>
    [Params("interpreter", "wasmtime")]
    public string Runtime { get; set; } = "interpreter";

    /// <summary>Starts the host and prepares arguments; every prepared call is checked to give a result.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _host = Repo.StartHost(Runtime);
        var sql = new StringBuilder("CREATE TABLE t (id int, v int);");
        for (int i = 0; i < 100; i++) sql.Append($" INSERT INTO t VALUES ({i}, {i * 7 % 13});");
        sql.Append(" SELECT SUM(v) FROM t WHERE id > 10");
        _sql = JsonSerializer.Serialize(new { sql = sql.ToString() });
        var edges = new List<string[]>();
        for (int i = 0; i < 300; i++) edges.Add([$"n{i}", $"n{(i + 1) % 300}"]);
        for (int i = 0; i < 100; i++) edges.Add([$"n{i}", $"n{(i * 37 + 11) % 300}"]);
        _edges = JsonSerializer.Serialize(new { edges });
        // Sweep: the first example of every (expert, op) that gives a result.
        var seen = new HashSet<string>();
        var sweep = new List<(string, string)>();
        foreach (string line in File.ReadLines(Path.Combine(Repo.Experts, "conformance", "examples.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string op = r.GetProperty("op").GetString()!;
            if (r.GetProperty("expect").ValueKind == JsonValueKind.String && r.GetProperty("expect").GetString() == "declined") continue;
            if (!seen.Add(op)) continue;
            sweep.Add((op, r.GetProperty("args").GetRawText()));
        }
        _sweep = [.. sweep];
        foreach (var (op, args) in _sweep.Append(("gcd", """{"a":48,"b":18}""")).Append(("execute", _sql))
                     .Append(("connected_components", _edges)).Append(("most_central", _edges)))
        {
            var r = _host.Call(op, args);
            if (!r.IsResult) throw new InvalidOperationException($"{op} {args[..Math.Min(80, args.Length)]}: {r.OutcomeName} {r.Reason}");
        }
    }

    /// <summary>Disposes the host.</summary>
    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    /// <summary>A small op.</summary>
    [Benchmark(Baseline = true)]
    public ExpertCallResult Gcd() => _host.Call("gcd", """{"a":48,"b":18}""");

    /// <summary>sql.execute: CREATE, 100 INSERTs, SELECT SUM … WHERE.</summary>
    [Benchmark]
    public ExpertCallResult SqlExecute100Rows() => _host.Call("execute", _sql);

    /// <summary>graph.connected_components on 300 nodes / 400 edges.</summary>
    [Benchmark]
    public ExpertCallResult GraphConnectedComponents400Edges() => _host.Call("connected_components", _edges);

    /// <summary>graph.most_central on 300 nodes / 400 edges.</summary>
    [Benchmark]
    public ExpertCallResult GraphMostCentral400Edges() => _host.Call("most_central", _edges);

    /// <summary>One call of every op that has a result example (126 ops when the catalogue is complete).</summary>
    [Benchmark]
    public int SweepAllOps()
    {
        int ok = 0;
        foreach (var (op, args) in _sweep)
            if (_host.Call(op, args).IsResult) ok++;
        return ok;
    }

    /// <summary>Number of ops in the sweep (printed by the runner).</summary>
    public int SweepCount => _sweep.Length;
}
