using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Polymath.Client;

namespace Polymath.Service.Tests;

/// <summary>
/// systemd's Type=notify, for real: the service runs as the example unit's ExecStart says, with the example
/// configuration, under a parent process named <c>systemd</c> (how Microsoft.Extensions.Hosting.Systemd recognises a
/// unit) and with <c>NOTIFY_SOCKET</c> naming a Unix datagram socket this test owns. READY=1 must arrive once the
/// service answers, STOPPING=1 on SIGTERM, then a clean exit.
/// </summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SystemdTests : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-systemd-").FullName;

    public void Dispose()
    {
        Directory.Delete(_experts, true);
        Directory.Delete(_dir, true);
    }

    private static string Unit => Path.Combine(Repository.Root, "host", "Polymath.Service", "polymath.service");
    private static string ExampleConfig => Path.Combine(Repository.Root, "host", "Polymath.Service", "polymath.example.json");

    private static List<(string Key, string Value)> UnitEntries() =>
        File.ReadAllLines(Unit).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or '[') && l.Contains('='))
            .Select(l => (l[..l.IndexOf('=')], l[(l.IndexOf('=') + 1)..])).ToList();

    [Fact]
    public void TheExampleUnitIsTypeNotifyAndGivesTheDrainTimeToStop()
    {
        var unit = UnitEntries();
        string Get(string key) => Assert.Single(unit, e => e.Key == key).Value;
        Assert.Equal("notify", Get("Type"));
        Assert.Equal("SIGTERM", Get("KillSignal"));
        Assert.Contains(" serve ", Get("ExecStart"), StringComparison.Ordinal);
        // systemd must wait longer than the service's own shutdown (drain + 5 s, PolymathServiceHost).
        using var config = JsonDocument.Parse(File.ReadAllText(ExampleConfig));
        int drainMs = config.RootElement.GetProperty("Service").GetProperty("DrainTimeoutMs").GetInt32();
        Assert.True(int.Parse(Get("TimeoutStopSec"), CultureInfo.InvariantCulture) * 1000 > drainMs + 5000, "TimeoutStopSec is shorter than the drain timeout + 5 s");
        // The socket lives in the unit's RuntimeDirectory, which the hardening leaves writable.
        string socket = unit.Single(e => e.Key == "Environment" && e.Value.StartsWith("POLYMATH_Service__SocketPath=", StringComparison.Ordinal)).Value.Split('=')[1];
        Assert.Equal("/run/" + Get("RuntimeDirectory"), Path.GetDirectoryName(socket));
        Assert.Contains(Path.GetDirectoryName(socket)!, Get("ReadWritePaths").Split(' '));
        Assert.Equal(socket, config.RootElement.GetProperty("Service").GetProperty("SocketPath").GetString());
    }

    [Fact]
    public async Task ReadyIsNotifiedOnceServingAndStoppingOnSigterm()
    {
        // A parent named "systemd": /bin/sh through a symlink of that name, running ExecStart in the background.
        string systemd = Path.Combine(_dir, "systemd");
        Assert.True(File.Exists("/bin/sh"), "/bin/sh is required by this test");
        File.CreateSymbolicLink(systemd, "/bin/sh");
        string notifyPath = Path.Combine(_dir, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        // ExecStart as the unit has it, the dll and the configuration file pointed at this build and the repository.
        var unit = UnitEntries();
        var exec = unit.Single(e => e.Key == "ExecStart").Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int dll = Array.FindIndex(exec, a => a.EndsWith("polymath.dll", StringComparison.Ordinal));
        var arguments = exec.Skip(dll + 1).Select(a => a == "/etc/polymath/polymath.json" ? ExampleConfig : a).ToList();
        Assert.Contains(ExampleConfig, arguments);
        string socket = Path.Combine(_dir, "polymath.sock");
        arguments.AddRange([$"--Service:SocketPath={socket}", $"--Experts:Directory={_experts}", $"--Serilog:WriteTo:1:Args:path={Path.Combine(_dir, "polymath-.clef")}"]);

        var start = new ProcessStartInfo(systemd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir };
        foreach (var a in (string[])["-c", "\"$0\" \"$@\" & echo $!; wait $!", "dotnet", ServiceProcess.CliDll, .. arguments]) start.ArgumentList.Add(a);
        foreach (var (key, value) in unit.Where(e => e.Key == "Environment").Select(e => (e.Value[..e.Value.IndexOf('=')], e.Value[(e.Value.IndexOf('=') + 1)..])))
            start.Environment[key] = value;
        foreach (var v in new[] { "POLYMATH_PLATFORM", "POLYMATH_NO_DYNAMIC_CODE", "POLYMATH_PLUGINS", "INVOCATION_ID" }) start.Environment.Remove(v);
        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        using var parent = Process.Start(start)!;
        var output = new StringBuilder();
        parent.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        int pid = int.Parse(await parent.StandardOutput.ReadLineAsync() ?? "0", CultureInfo.InvariantCulture);
        var rest = parent.StandardOutput.ReadToEndAsync(); // the example configuration logs to stderr
        parent.BeginErrorReadLine();
        string Log() { lock (output) return output.ToString(); }
        try
        {
            string ready = await ReceiveAsync(notify, 90_000, Log);
            Assert.Equal("READY=1", ready.Trim());
            // Ready means serving: the socket answers at once.
            await using (var client = await PolymathClient.ConnectAsync(socket))
                Assert.Equal("serving", (await client.HealthAsync()).GetProperty("status").GetString());

            Assert.Equal(0, Kill(pid, 15));
            string stopping = await ReceiveAsync(notify, 30_000, Log);
            Assert.Equal("STOPPING=1", stopping.Trim());
            using var exit = new CancellationTokenSource(30_000);
            await parent.WaitForExitAsync(exit.Token);
            Assert.True(parent.ExitCode == 0, $"the service exited with {parent.ExitCode}:\n{Log()}");
            Assert.False(File.Exists(socket));
        }
        finally
        {
            if (!parent.HasExited) { Kill(pid, 9); parent.Kill(); }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, int timeoutMs, Func<string> log)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no systemd notification within {timeoutMs} ms:\n{log()}");
            throw;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
