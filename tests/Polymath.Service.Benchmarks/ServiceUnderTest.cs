using System.Diagnostics;
using System.Text.Json;
using Polymath.Client;

namespace Polymath.Service.Benchmarks;

/// <summary>
/// One <c>polymath serve</c> process (a given build of the CLI) on a temporary Unix socket and a free TCP port, measured
/// through <see cref="PolymathClient"/>: latency, throughput, and from its <c>stats</c> before and after each row the
/// CPU and managed bytes it spent per call.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private ServiceUnderTest(Process process, string dir, string socket, int port)
    {
        _process = process;
        _dir = dir;
        Socket = socket;
        Port = port;
    }

    public string Socket { get; }
    public int Port { get; }

    public static async Task<ServiceUnderTest> StartAsync(string cliDll, string experts, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(cliDll)) throw new FileNotFoundException($"no CLI build at {cliDll}", cliDll);
        string dir = Directory.CreateTempSubdirectory("polymath-bench-").FullName;
        string socket = Path.Combine(dir, "polymath.sock");
        int port;
        using (var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { free.Start(); port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port; free.Stop(); }
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { cliDll, "serve", "--socket", socket, "--tcp", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"--Experts:Directory={experts}", "--Experts:Watch=false" }) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var service = new ServiceUnderTest(process, dir, socket, port);
        while (!File.Exists(socket))
        {
            if (process.HasExited) throw new InvalidOperationException(log.ToString());
            await Task.Delay(50);
        }
        await using (var probe = await PolymathClient.ConnectAsync(socket)) await probe.HealthAsync();
        return service;
    }

    public async Task<Result> MeasureAsync(string address, int clients, int seconds)
    {
        await using var observer = await PolymathClient.ConnectAsync(Socket);
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => PolymathClient.ConnectAsync(address)));
        (double Cpu, double Bytes) before = default;
        TimeSpan clientBefore = default;
        long clientBytesBefore = 0;
        var r = await Benchmark.MeasureAsync(clients, TimeSpan.FromSeconds(seconds), async c =>
        {
            var result = await connections[c].CallAsync("gcd", "{\"a\":1071,\"b\":462}");
            if (!result.IsResult) throw new InvalidOperationException(result.Reason);
        }, synchronous: false, afterWarmup: async () =>
        {
            before = await UsageAsync(observer);
            clientBefore = Environment.CpuUsage.TotalTime;
            clientBytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        });
        long clientBytes = GC.GetTotalAllocatedBytes(precise: true) - clientBytesBefore;
        var after = await UsageAsync(observer);
        var clientCpu = Environment.CpuUsage.TotalTime - clientBefore;
        foreach (var c in connections) await c.DisposeAsync();
        return r with
        {
            ServerCpuUs = (after.Cpu - before.Cpu) * 1000 / r.Count,
            ServerBytes = (after.Bytes - before.Bytes) / r.Count,
            ClientCpuUs = clientCpu.TotalMicroseconds / r.Count,
            ClientBytes = (double)clientBytes / r.Count,
        };
    }

    private static async Task<(double Cpu, double Bytes)> UsageAsync(PolymathClient observer)
    {
        var memory = (await observer.StatsAsync()).GetProperty("memory");
        return (memory.TryGetProperty("cpu_time_ms", out var cpu) ? cpu.GetDouble() : double.NaN,
                memory.TryGetProperty("allocated_bytes", out var bytes) ? bytes.GetDouble() : double.NaN);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_dir, true);
    }
}
