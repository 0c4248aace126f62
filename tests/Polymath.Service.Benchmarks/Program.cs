using System.Diagnostics;
using Polymath.Client;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;

// Round trip of `gcd` through polymath serve (the real process) vs the same call in process.
// Prints a Markdown table: p50/p99 latency and throughput per transport and client count, and the service's overhead.
string root = FindRoot();
string experts = Path.Combine(root, "experts");
int seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
const string Args = "{\"a\":1071,\"b\":462}";

// 1. In process: the registry's call on the calling thread (what the service runs per request).
await using var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = experts; o.Watch = false; }).AddRuntime(new InterpreterRuntimePlugin()).Build();
await host.StartAsync();
var inProcess = Measure(1, TimeSpan.FromSeconds(seconds), _ => { if (!host.Registry.Call("gcd", Args).IsResult) throw new InvalidOperationException("gcd failed"); return Task.CompletedTask; }, synchronous: true).Result;

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

// 2. The service: the built CLI as its own process.
string dir = Directory.CreateTempSubdirectory("polymath-bench-").FullName;
string socket = Path.Combine(dir, "polymath.sock");
var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
int port;
using (var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { free.Start(); port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port; free.Stop(); }
foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll"), "serve", "--socket", socket, "--tcp", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    $"--Experts:Directory={experts}", "--Experts:Watch=false" }) start.ArgumentList.Add(a);
using var service = Process.Start(start)!;
var log = new System.Text.StringBuilder();
service.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
service.BeginErrorReadLine();
service.BeginOutputReadLine();
try
{
    while (!File.Exists(socket)) { if (service.HasExited) throw new InvalidOperationException(log.ToString()); await Task.Delay(50); }
    await using (var probe = await PolymathClient.ConnectAsync(socket)) await probe.HealthAsync();
    Console.Error.WriteLine("service ready");
    var rows = new List<(string Name, Result R)>();
    foreach (var (name, address) in new[] { ("unix socket", socket), ("tcp loopback", $"127.0.0.1:{port}") })
    {
        rows.Add(($"{name}, 1 client", await Remote(address, 1, seconds)));
        rows.Add(($"{name}, 16 clients", await Remote(address, 16, seconds)));
    }
    PrintTable(inProcess, rows);
}
finally
{
    service.Kill();
    await service.WaitForExitAsync();
    Directory.Delete(dir, true);
}

static async Task<Result> Remote(string address, int clients, int seconds)
{
    var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => PolymathClient.ConnectAsync(address)));
    var r = await Measure(clients, TimeSpan.FromSeconds(seconds), async c =>
    {
        var result = await connections[c].CallAsync("gcd", "{\"a\":1071,\"b\":462}");
        if (!result.IsResult) throw new InvalidOperationException(result.Reason);
    }, synchronous: false);
    foreach (var c in connections) await c.DisposeAsync();
    return r;
}

// Each worker calls in a loop (one call outstanding per worker); after a 1 s warm-up, every latency is recorded.
static async Task<Result> Measure(int workers, TimeSpan duration, Func<int, Task> call, bool synchronous)
{
    var warmup = Stopwatch.StartNew();
    while (warmup.Elapsed < TimeSpan.FromSeconds(1)) for (int w = 0; w < workers; w++) await call(w);
    var latencies = new List<long>[workers];
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
    {
        var mine = latencies[w] = new List<long>(1 << 20);
        while (total.Elapsed < duration)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (synchronous) call(w).GetAwaiter().GetResult(); else await call(w);
            mine.Add(Stopwatch.GetTimestamp() - t0);
        }
    })));
    double elapsed = total.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
    return new Result(us(all[all.Length / 2]), us(all[(int)(all.Length * 0.99)]), all.Length / elapsed, all.Length);
}

static void PrintTable(Result inProcess, List<(string Name, Result R)> rows)
{
    Console.WriteLine("| path | p50 µs | p99 µs | calls/s | calls | overhead p50 µs |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    Console.WriteLine($"| in process (Registry.Call, 1 thread) | {inProcess.P50:F1} | {inProcess.P99:F1} | {inProcess.PerSecond:F0} | {inProcess.Count} | – |");
    foreach (var (name, r) in rows)
        Console.WriteLine($"| {name} | {r.P50:F1} | {r.P99:F1} | {r.PerSecond:F0} | {r.Count} | {r.P50 - inProcess.P50:F1} |");
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Polymath.slnx"))) return d.FullName;
    throw new InvalidOperationException("Polymath.slnx not found");
}

internal readonly record struct Result(double P50, double P99, double PerSecond, int Count);
