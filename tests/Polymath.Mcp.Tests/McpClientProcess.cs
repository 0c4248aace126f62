using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Polymath.Mcp.Tests;

/// <summary>
/// Runs client/client.mjs (the official TypeScript MCP SDK) against `polymath mcp`, either spawning it over stdio or
/// connecting over HTTP, and exchanges one JSON command/answer per line with it.
/// </summary>
internal sealed class McpClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private McpClientProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    /// <summary>What the client printed after initialize: {"ready":true, serverInfo, capabilities, instructions}.</summary>
    public JsonObject Hello { get; private set; } = new();

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts `polymath mcp --dir DIR` over stdio under the client.</summary>
    public static Task<McpClientProcess> StdioAsync(string expertsDir, params string[] extra) =>
        StartAsync(["stdio", TestPaths.DotnetHost, TestPaths.PolymathDll, "mcp", "--dir", expertsDir, .. extra], expectReady: true);

    /// <summary>Connects to a streamable HTTP endpoint.</summary>
    public static Task<McpClientProcess> HttpAsync(string url, string? token = null, bool expectReady = true) =>
        StartAsync(token is null ? ["http", url] : ["http", url, token], expectReady);

    private static async Task<McpClientProcess> StartAsync(string[] args, bool expectReady)
    {
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = TestPaths.ClientDirectory,
        };
        psi.ArgumentList.Add(TestPaths.ClientScript);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var client = new McpClientProcess(Process.Start(psi)!);
        var hello = await client.ReadAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        client.Hello = hello.AsObject();
        if (expectReady && hello["ready"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"the MCP client did not connect: {hello.ToJsonString()}\n{client.Stderr}");
        return client;
    }

    public async Task<JsonNode> SendAsync(JsonObject command, TimeSpan? timeout = null)
    {
        await _process.StandardInput.WriteLineAsync(command.ToJsonString()).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        return await ReadAsync(timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    public async Task<JsonArray> ListToolsAsync()
    {
        var answer = await SendAsync(new JsonObject { ["cmd"] = "list" }).ConfigureAwait(false);
        var errors = answer["schemaErrors"]!.AsArray();
        if (errors.Count > 0) throw new InvalidOperationException($"ajv rejected tool schemas: {errors.ToJsonString()}");
        return answer["tools"]!.AsArray();
    }

    public async Task<JsonObject> CallAsync(string name, JsonObject args)
    {
        var answer = await SendAsync(new JsonObject { ["cmd"] = "call", ["name"] = name, ["args"] = args }).ConfigureAwait(false);
        if (answer["result"] is not JsonObject result)
            throw new InvalidOperationException($"tools/call {name} was a protocol error, not a tool result: {answer.ToJsonString()}");
        return result;
    }

    /// <summary>Waits until more than <paramref name="after"/> tools/list_changed notifications arrived; returns the count.</summary>
    public async Task<int> WaitListChangedAsync(int after, int timeoutMs = 60_000)
    {
        var answer = await SendAsync(new JsonObject { ["cmd"] = "waitListChanged", ["after"] = after, ["timeoutMs"] = timeoutMs },
            TimeSpan.FromMilliseconds(timeoutMs + 30_000)).ConfigureAwait(false);
        return answer["count"]!.GetValue<int>();
    }

    private async Task<JsonNode> ReadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try { line = await _process.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { throw new TimeoutException($"no answer from the MCP client within {timeout}\n{Stderr}"); }
        if (line is null) throw new InvalidOperationException($"the MCP client exited (code {(_process.HasExited ? _process.ExitCode : -1)})\n{Stderr}");
        return JsonNode.Parse(line)!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("{\"cmd\":\"close\"}").ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
                _process.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }
        }
        catch (IOException) { }
        _process.Dispose();
    }
}
