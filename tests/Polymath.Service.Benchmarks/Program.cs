using System.Diagnostics;
using Polymath.Client;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;

// Round trip of `gcd` through polymath serve (the real process) vs the same call in process.
// Prints a Markdown table: p50/p99 latency and throughput per transport and client count, and the service's overhead.
string experts = Polymath.Tests.Repository.ExpertsDirectory;
int seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
const string Args = "{\"a\":1071,\"b\":462}";

// 1. In process: the registry's call on the calling thread (what the service runs per request).
await using var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = experts; o.Watch = false; }).AddRuntime(new InterpreterRuntimePlugin()).Build();
await host.StartAsync();
var inProcess = Polymath.Service.Benchmarks.Benchmark.MeasureAsync(1, TimeSpan.FromSeconds(seconds), _ => { if (!host.Call("gcd", Args).IsResult) throw new InvalidOperationException("gcd failed"); return Task.CompletedTask; }, synchronous: true).Result;
// What the call itself allocates (the service's bytes per call include it).
long allocated = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 10_000; i++) host.Call("gcd", Args);
inProcess = inProcess with { ServerBytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 10_000.0 };

if (args.Length > 1 && args[1] == "compare")
{
    // Both servers in this process, same registry, same client: hand-written Pipelines code vs StreamJsonRpc.
    string cdir = Directory.CreateTempSubdirectory("polymath-compare-").FullName;
    string ours = Path.Combine(cdir, "ours.sock"), theirs = Path.Combine(cdir, "streamjsonrpc.sock");
    var builder = Polymath.Service.PolymathServiceHost.CreateBuilder(null, [$"--Service:SocketPath={ours}", $"--Experts:Directory={experts}", "--Experts:Watch=false", "--Serilog:MinimumLevel:Default=Warning"],
        o => o.PluginsFile = Path.Combine(AppContext.BaseDirectory, "cli", "plugins.json"));
    using var ourHost = builder.Build();
    await ourHost.StartAsync();
    var sjr = new Polymath.Service.Benchmarks.StreamJsonRpcServer(host, theirs);
    sjr.Start();
    var compare = new List<(string Name, Result R)>();
    foreach (var (name, address) in new[] { ("Polymath.Service (Pipelines, hand-written)", ours), ("StreamJsonRpc 2.26 (SystemTextJsonFormatter)", theirs), ("Polymath.Service again", ours), ("StreamJsonRpc again", theirs) })
    {
        compare.Add(($"{name}, 1 client", await Remote(address, 1, seconds)));
        compare.Add(($"{name}, 16 clients", await Remote(address, 16, seconds)));
    }
    PrintTable(inProcess, compare);
    await sjr.DisposeAsync();
    await ourHost.StopAsync();
    Directory.Delete(cdir, true);
    return;
}

// 2. The service: the built CLI as its own process. With "--baseline DIR" a second service runs from another build of
// the CLI (DIR holds its polymath.dll, e.g. the previous commit's), and the rows of both alternate, so a before/after
// comparison shares the machine's load.
// "--after-env NAME=VALUE" (repeatable, after --baseline DIR) sets environment variables for the second service only.
string? baselineDir = args.Length > 2 && args[1] == "--baseline" ? args[2] : null;
var afterEnvironment = new Dictionary<string, string>();
for (int i = 3; i + 1 < args.Length; i += 2)
    if (args[i] == "--after-env" && args[i + 1].Split('=', 2) is [var envName, var envValue]) afterEnvironment[envName] = envValue;
var services = new List<(string Name, Polymath.Service.Benchmarks.ServiceUnderTest S)>();
try
{
    if (baselineDir is not null) services.Add(("before", await Polymath.Service.Benchmarks.ServiceUnderTest.StartAsync(Path.Combine(baselineDir, "polymath.dll"), experts)));
    services.Add((baselineDir is null ? "" : "after", await Polymath.Service.Benchmarks.ServiceUnderTest.StartAsync(Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll"), experts, afterEnvironment)));
    Console.Error.WriteLine("service ready");
    var rows = new List<(string Name, Result R)>();
    int passes = baselineDir is null ? 1 : 2;
    for (int pass = 0; pass < passes; pass++)
        foreach (var (transport, clients) in new[] { ("unix socket", 1), ("unix socket", 16), ("tcp loopback", 1), ("tcp loopback", 16) })
            foreach (var (name, service) in services)
            {
                string label = (name.Length > 0 ? name + ", " : "") + $"{transport}, {clients} client{(clients > 1 ? "s" : "")}";
                rows.Add((label, await service.MeasureAsync(transport == "unix socket" ? service.Socket : $"127.0.0.1:{service.Port}", clients, seconds)));
            }
    PrintTable(inProcess, rows);
}
finally
{
    foreach (var (_, service) in services) await service.DisposeAsync();
}

static async Task<Result> Remote(string address, int clients, int seconds)
{
    var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => PolymathClient.ConnectAsync(address)));
    var r = await Polymath.Service.Benchmarks.Benchmark.MeasureAsync(clients, TimeSpan.FromSeconds(seconds), async c =>
    {
        var result = await connections[c].CallAsync("gcd", "{\"a\":1071,\"b\":462}");
        if (!result.IsResult) throw new InvalidOperationException(result.Reason);
    }, synchronous: false);
    foreach (var c in connections) await c.DisposeAsync();
    return r;
}

static void PrintTable(Result inProcess, List<(string Name, Result R)> rows)
{
    Console.WriteLine("| path | p50 µs | p99 µs | calls/s | calls | overhead p50 µs | service CPU µs/call | service bytes/call | client CPU µs/call | client bytes/call |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
    Console.WriteLine($"| in process (ExpertHost.Call, 1 thread) | {inProcess.P50:F1} | {inProcess.P99:F1} | {inProcess.PerSecond:F0} | {inProcess.Count} | – | – | {F(inProcess.ServerBytes, "F0")} | – | – |");
    foreach (var (name, r) in rows)
        Console.WriteLine($"| {name} | {r.P50:F1} | {r.P99:F1} | {r.PerSecond:F0} | {r.Count} | {(name.Contains("16 clients", StringComparison.Ordinal) ? "(queueing)" : F(r.P50 - inProcess.P50, "F1"))} | {F(r.ServerCpuUs, "F1")} | {F(r.ServerBytes, "F0")} | {F(r.ClientCpuUs, "F1")} | {F(r.ClientBytes, "F0")} |");
}

internal readonly record struct Result(double P50, double P99, double PerSecond, int Count)
{
    /// <summary>Service CPU (user + system) per call, µs; NaN when not measured.</summary>
    public double ServerCpuUs { get; init; } = double.NaN;
    /// <summary>Bytes the service allocated on its managed heap per call; NaN when not measured.</summary>
    public double ServerBytes { get; init; } = double.NaN;
    /// <summary>CPU of this (client) process per call, µs; NaN when not measured.</summary>
    public double ClientCpuUs { get; init; } = double.NaN;
    /// <summary>Bytes this (client) process allocated per call, including the benchmark's own bookkeeping; NaN when not measured.</summary>
    public double ClientBytes { get; init; } = double.NaN;
}
