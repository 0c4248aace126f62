using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Polymath.Client;

namespace Polymath.Service.Tests;

/// <summary>
/// The real service: the built CLI (copied to cli/ under the test output) run as <c>dotnet polymath.dll serve</c> on a
/// temporary Unix socket. Waits until <c>health</c> answers; stops with SIGTERM.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, string socketPath, string directory)
    {
        _process = process;
        SocketPath = socketPath;
        Directory = directory;
    }

    public string SocketPath { get; }
    public string Directory { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the service logged so far (stdout and stderr).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The TCP port from the "Listening on tcp:" log line, when TCP is on.</summary>
    public int TcpPort => int.Parse(TcpLine().Match(Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Listening on tcp:127\.0\.0\.1:(\d+)")]
    private static partial Regex TcpLine();

    public static string CliDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
            Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
            return dll;
        }
    }

    /// <summary>Starts <c>polymath serve</c> on a new socket over <paramref name="expertsDirectory"/>.</summary>
    public static async Task<ServiceProcess> StartAsync(string expertsDirectory, params string[] extra)
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("polymath-svc-").FullName;
        string socket = Path.Combine(dir, "polymath.sock");
        var service = Launch(dir, socket, ["serve", "--socket", socket, $"--Experts:Directory={expertsDirectory}", "--Experts:DebounceMs=100", .. extra]);
        await service.WaitReadyAsync();
        return service;
    }

    /// <summary>Starts the process without waiting (for tests of failed starts).</summary>
    public static ServiceProcess Launch(string dir, string socket, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var v in new[] { "POLYMATH_PLATFORM", "POLYMATH_NO_DYNAMIC_CODE", "POLYMATH_PLUGINS", "NOTIFY_SOCKET", "INVOCATION_ID" }) start.Environment.Remove(v);
        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, socket, dir);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (service._output) service._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (service._output) service._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private async Task WaitReadyAsync()
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"polymath serve exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            if (File.Exists(SocketPath))
            {
                try
                {
                    await using var client = await PolymathClient.ConnectAsync(SocketPath);
                    await client.HealthAsync();
                    return;
                }
                catch (PolymathConnectionException) { }
            }
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(90), $"polymath serve did not answer within 90 s:\n{Output}");
            await Task.Delay(50);
        }
    }

    public Task<PolymathClient> ConnectAsync() => PolymathClient.ConnectAsync(SocketPath);

    /// <summary>A raw connection for malformed-input tests.</summary>
    public Socket ConnectRaw()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        return socket;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(int timeoutMs = 30_000)
    {
        Assert.Equal(0, Kill(_process.Id, 15));
        using var cts = new CancellationTokenSource(timeoutMs);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Assert.Fail($"polymath serve did not exit within {timeoutMs} ms of SIGTERM:\n{Output}"); }
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to exit (a failed start).</summary>
    public async Task<int> WaitForExitAsync(int timeoutMs = 60_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill(_process.Id, 15);
            if (!_process.WaitForExit(15_000)) _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
