using System.Diagnostics;
using System.Text.Json;

namespace Polymath.Service.Tests;

/// <summary>
/// The protocol is standard: vscode-jsonrpc (npm; the JSON-RPC library of VS Code's language servers), run by node,
/// calls the service. .ci/run installs node (Debian nodejs, npm) and runs <c>npm ci</c> in tests/Polymath.Service.Tests/node.
/// </summary>
[Collection("service")]
public sealed class NodeClientTests(SharedService shared)
{
    [Fact]
    public async Task VscodeJsonRpcCallsTheService()
    {
        string folder = Path.Combine(Repository.Root, "tests", "Polymath.Service.Tests", "node");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "vscode-jsonrpc")),
            $"vscode-jsonrpc is not installed in {folder}: run `npm ci --prefix {folder}` (needs the Debian packages nodejs and npm; .ci/run does this)");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(folder, "client.js"));
        start.ArgumentList.Add(shared.Service.SocketPath);
        Process p;
        try { p = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException("node is required by this test: install the Debian package 'nodejs'", e); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(60_000);
            await p.WaitForExitAsync(timeout.Token);
            Assert.True(p.ExitCode == 0, $"node client failed: {await stderr}");
            using var doc = JsonDocument.Parse(await stdout);
            var r = doc.RootElement;
            Assert.Equal(200, r.GetProperty("calls").GetInt32());
            Assert.True(r.GetProperty("allCorrect").GetBoolean());
            Assert.Equal("serving", r.GetProperty("health").GetString());
            Assert.Equal(-32601, r.GetProperty("unknownMethod").GetInt32());
            Assert.Equal(-32800, r.GetProperty("cancelled").GetInt32());
            Assert.Equal(3, r.GetProperty("afterCancel").GetInt32());
        }
    }
}
