using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Polymath.Mcp.Tests;

/// <summary>Runs `polymath mcp --http 127.0.0.1:0 …` and reads the URL it prints to stderr.</summary>
internal sealed partial class PolymathHttpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PolymathHttpServer(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { _url.TrySetException(new InvalidOperationException($"polymath mcp --http exited before listening\n{Stderr}")); return; }
            lock (_stderr) _stderr.AppendLine(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } m) _url.TrySetResult(m.Groups[1].Value);
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public string Url { get; private set; } = "";

    /// <summary>The port the server listens on.</summary>
    public int Port => new Uri(Url).Port;

    /// <summary>The server's process id (for /proc/PID/status).</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The server process's resident set size in bytes (VmRSS), or its peak so far (VmHWM).</summary>
    public long ResidentBytes(string field = "VmRSS")
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"no {field} in /proc/{Pid}/status");
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    [GeneratedRegex("listening on (http://\\S+)")]
    private static partial Regex ListeningOn();

    public static Task<PolymathHttpServer> StartAsync(string expertsDir, params string[] extra) => StartOnAsync("127.0.0.1:0", expertsDir, extra);

    /// <summary>Runs `polymath mcp --http <paramref name="address"/>` (port 0: any free one).</summary>
    public static async Task<PolymathHttpServer> StartOnAsync(string address, string expertsDir, params string[] extra)
    {
        var psi = new ProcessStartInfo(TestPaths.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { TestPaths.PolymathDll, "mcp", "--dir", expertsDir, "--http", address }.Concat(extra)) psi.ArgumentList.Add(a);
        var server = new PolymathHttpServer(Process.Start(psi)!);
        server.Url = await server._url.Task.WaitAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
