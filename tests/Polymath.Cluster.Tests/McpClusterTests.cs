using System.Diagnostics;
using System.Text.Json;

namespace Polymath.Cluster.Tests;

/// <summary>
/// <c>polymath mcp --cluster redis://…</c>: the MCP process is a silo of a 2-silo cluster (the other a
/// <c>polymath serve --cluster</c>) and its tool calls are routed into the cluster. A direct stdio exchange.
/// </summary>
public sealed class McpClusterTests
{
    [Fact]
    public async Task McpToolCallsAreRoutedIntoTheCluster()
    {
        using var redis = await RedisServer.StartAsync();
        string id = $"mcp-{Guid.NewGuid():N}"[..12];
        string[] settings = ["--Cluster:RefreshMs=200", "--Cluster:ProbeTimeoutMs=500", "--Cluster:WorkerThreads=2"];
        await using var serve = ServeSilo.Start(redis.Membership, id, Repository.ExpertsDirectory, settings);
        await serve.WaitForActiveAsync(1, TimeSpan.FromSeconds(90));

        // The MCP silo runs one call at a time itself: with 60 calls in flight most go to the serve silo.
        var start = new ProcessStartInfo(ClusterProcesses.Cli) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "mcp", "--dir", Repository.ExpertsDirectory, "--cluster", redis.Membership, "--cluster-id", id, "--silo-port", "0", "--gateway-port", "0" })
            start.ArgumentList.Add(a);
        // mcp takes no --Section:Key=value tokens: the rest of the settings come from the environment, like any setting.
        foreach (var (key, value) in new[] { ("LocalConcurrency", "1"), ("WorkerThreads", "1"), ("RefreshMs", "200"), ("ProbeTimeoutMs", "500") })
            start.Environment[$"POLYMATH_Cluster__{key}"] = value;
        using var mcp = ClusterProcesses.Start(start, "the built CLI (dotnet build)");
        var stderr = mcp.StandardError.ReadToEndAsync();
        try
        {
            await serve.WaitForActiveAsync(2, TimeSpan.FromSeconds(90));
            string serveAddress = await serve.AddressAsync();
            long before = (await serve.SilosAsync())[serveAddress].Calls;

            var stdin = mcp.StandardInput;
            await stdin.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
            await stdin.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            const int Calls = 60;
            for (int i = 0; i < Calls; i++)
                await stdin.WriteLineAsync("""{"jsonrpc":"2.0","id":""" + (100 + i) + ""","method":"tools/call","params":{"name":"is_prime","arguments":{"n":2147483647}}}""");
            await stdin.FlushAsync();

            var answers = new Dictionary<int, JsonElement>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (answers.Count < Calls && await mcp.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("id", out var rid) && rid.GetInt32() >= 100) answers[rid.GetInt32()] = doc.RootElement.Clone();
            }
            Assert.Equal(Calls, answers.Count);
            foreach (var (_, answer) in answers)
            {
                var result = answer.GetProperty("result");
                Assert.False(result.TryGetProperty("isError", out var e) && e.GetBoolean(), answer.GetRawText());
                Assert.True(result.GetProperty("structuredContent").GetProperty("value").GetBoolean(), answer.GetRawText());
            }
            // The serve silo ran some of them: they went through the cluster, not only the MCP process's own host.
            long ran = (await serve.SilosAsync())[serveAddress].Calls - before;
            Assert.True(ran > 0, "no MCP tool call was answered by the other silo");
        }
        finally
        {
            mcp.StandardInput.Close();
            if (!mcp.WaitForExit(20_000)) mcp.Kill(true);
            _ = await stderr;
        }
    }
}
