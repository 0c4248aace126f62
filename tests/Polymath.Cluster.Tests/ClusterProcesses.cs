using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Polymath.Client;

namespace Polymath.Cluster.Tests;

/// <summary>Real processes for the multi-process tests: a redis-server, <c>polymath serve --cluster</c> silos, node.</summary>
internal static class ClusterProcesses
{
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "cli", "polymath");

    /// <summary>Starts <paramref name="file"/>, or fails naming the tool and its Debian package.</summary>
    public static Process Start(ProcessStartInfo start, string package)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        try { return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{start.FileName} is required by this test and could not be started: install the Debian package '{package}' (.ci/run does)", e);
        }
    }

    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}

/// <summary>A redis-server on a free loopback port, without persistence; killed on dispose.</summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    public int Port { get; }

    public string Membership => $"redis://127.0.0.1:{Port}";

    private RedisServer(Process process, int port) => (_process, Port) = (process, port);

    public static async Task<RedisServer> StartAsync()
    {
        int port = ClusterProcesses.FreePort();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            start.ArgumentList.Add(a);
        var p = ClusterProcesses.Start(start, "redis-server");
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var server = new RedisServer(p, port);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { if ((await server.CommandAsync("PING")).Contains("PONG", StringComparison.Ordinal)) return server; }
            catch (SocketException) when (DateTime.UtcNow < deadline && !p.HasExited) { await Task.Delay(50); }
            if (p.HasExited || DateTime.UtcNow > deadline) { server.Dispose(); throw new InvalidOperationException($"redis-server did not answer PING on port {port} within 10 s"); }
        }
    }

    /// <summary>Sends one command (RESP array of bulk strings) and returns the raw reply.</summary>
    public async Task<string> CommandAsync(params string[] words)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        var request = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
        foreach (string w in words) request.Append('$').Append(Encoding.UTF8.GetByteCount(w)).Append("\r\n").Append(w).Append("\r\n");
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[64 * 1024];
        int n = await socket.ReceiveAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose()
    {
        try { _process.Kill(true); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

/// <summary>One <c>polymath serve --cluster MEMBERSHIP --socket …</c> process (the built CLI, from cli/).</summary>
internal sealed class ServeSilo : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public string Socket { get; }

    private ServeSilo(Process process, string socket)
    {
        (_process, Socket) = (process, socket);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts a silo; <paramref name="settings"/> are <c>--Cluster:Key=value</c> and similar tokens.</summary>
    public static ServeSilo Start(string membership, string clusterId, string expertsDirectory, params string[] settings)
    {
        string socket = Path.Combine(Path.GetTempPath(), $"pmc-{Guid.NewGuid().ToString("N")[..10]}.sock");
        var start = new ProcessStartInfo(ClusterProcesses.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "serve", "--cluster", membership, "--cluster-id", clusterId, "--silo-port", "0", "--gateway-port", "0", "--socket", socket, $"--Experts:Directory={expertsDirectory}" })
            start.ArgumentList.Add(a);
        foreach (string s in settings) start.ArgumentList.Add(s);
        return new ServeSilo(ClusterProcesses.Start(start, "the built CLI (dotnet build)"), socket);
    }

    /// <summary>The <c>cluster</c> object of this silo's <c>health</c>.</summary>
    public async Task<JsonElement> ClusterAsync(CancellationToken cancellationToken = default)
    {
        await using var client = await PolymathClient.ConnectAsync(Socket, null, cancellationToken);
        var health = await client.HealthAsync(cancellationToken);
        return health.GetProperty("cluster").Clone();
    }

    /// <summary>The cluster's silos as this silo sees them: address → (status, calls, experts).</summary>
    public async Task<Dictionary<string, (string Status, long Calls, int Experts)>> SilosAsync()
    {
        var cluster = await ClusterAsync();
        return cluster.GetProperty("silos").EnumerateArray().ToDictionary(
            s => s.GetProperty("address").GetString()!,
            s => (s.GetProperty("status").GetString()!, s.GetProperty("calls").GetInt64(), s.GetProperty("experts").GetArrayLength()));
    }

    /// <summary>This silo's own address in the cluster.</summary>
    public async Task<string> AddressAsync() => (await ClusterAsync()).GetProperty("silo").GetString()!;

    /// <summary>Waits until this silo sees <paramref name="count"/> active silos, each with its experts reported.</summary>
    public async Task WaitForActiveAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"polymath serve exited with {_process.ExitCode}:\n{Stderr}");
            if (File.Exists(Socket))
            {
                try
                {
                    var silos = await SilosAsync();
                    if (silos.Values.Count(s => s.Status == "Active" && s.Experts > 0) == count) return;
                    last = string.Join(", ", silos.Select(s => $"{s.Key} {s.Value.Status} {s.Value.Experts} experts"));
                }
                catch (PolymathConnectionException e) { last = e.Message; }
                catch (KeyNotFoundException) { last = "no cluster object in health"; }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"silo {Socket} did not see {count} active silos within {timeout}: {last}\n{Stderr}");
    }

    /// <summary>SIGSTOP (<paramref name="stop"/>) or SIGCONT: the process stalls, as under a long pause, and resumes.</summary>
    public void Pause(bool stop)
    {
        using var kill = Process.Start("kill", [stop ? "-STOP" : "-CONT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The exit code once the process has ended on its own (and its output has been read).</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no goodbye to the membership.</summary>
    public void Kill9()
    {
        _process.Kill();
        _process.WaitForExit(5000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        try { File.Delete(Socket); } catch (IOException) { }
    }
}
