using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>`polymath mcp --http` (streamable HTTP), driven by the official TypeScript MCP SDK.</summary>
[Collection("polymath processes")]
public sealed class HttpTests
{
    [Fact]
    public async Task Lists_calls_and_announces_changes_over_streamable_http()
    {
        string dir = TestPaths.TempExperts("arithmetic", "string_ops");
        try
        {
            await using var server = await PolymathHttpServer.StartAsync(dir);
            Assert.StartsWith("http://127.0.0.1:", server.Url, StringComparison.Ordinal);
            await using var client = await McpClientProcess.HttpAsync(server.Url);
            Assert.True(client.Hello["capabilities"]!["tools"]!["listChanged"]!.GetValue<bool>());
            var tools = await client.ListToolsAsync();
            Assert.Equal(18 + 14, tools.Count);

            var r = await client.CallAsync("to_roman", new JsonObject { ["n"] = 1994 });
            Assert.Equal("MCMXCIV", r["structuredContent"]!["value"]!.GetValue<string>());
            var bad = await client.CallAsync("reverse", new JsonObject { ["s"] = 5 });
            Assert.True(bad["isError"]!.GetValue<bool>());
            Assert.Contains("argument 's'", bad["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

            TestPaths.CopyExpert("isbn", dir);
            int count = await client.WaitListChangedAsync(0);
            Assert.True(count >= 1, $"no tools/list_changed over HTTP after adding isbn\n{server.Stderr}\n{client.Stderr}");
            await StdioTests.WaitForCountAsync(client, 18 + 14 + 3);

            Directory.Delete(Path.Combine(dir, "string_ops"), recursive: true);
            Assert.True(await client.WaitListChangedAsync(count) > count, $"no tools/list_changed over HTTP after removing string_ops\n{server.Stderr}");
            await StdioTests.WaitForCountAsync(client, 18 + 3);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task A_token_file_makes_the_bearer_token_mandatory()
    {
        string dir = TestPaths.TempExperts("arithmetic");
        string tokenFile = TestPaths.TokenFile("s3cret-token-0123456789");
        try
        {
            await using var server = await PolymathHttpServer.StartAsync(dir, "--token-file", tokenFile);
            await using (var refused = await McpClientProcess.HttpAsync(server.Url, token: null, expectReady: false))
                Assert.False(refused.Hello["ready"]!.GetValue<bool>());
            await using (var wrong = await McpClientProcess.HttpAsync(server.Url, token: "s3cret-token-0123456780", expectReady: false))
                Assert.False(wrong.Hello["ready"]!.GetValue<bool>());
            await using var client = await McpClientProcess.HttpAsync(server.Url, token: "s3cret-token-0123456789");
            var r = await client.CallAsync("gcd", new JsonObject { ["a"] = 12, ["b"] = 18 });
            Assert.Equal(6, r["structuredContent"]!["value"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData("0.0.0.0:3001", "--token-file")]
    [InlineData("localhost", "is not ADDRESS:PORT")]
    public void Bad_http_settings_exit_2_naming_the_problem(string http, string expected)
    {
        var psi = new ProcessStartInfo(TestPaths.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { TestPaths.PolymathDll, "mcp", "--dir", TestPaths.ExpertsDirectory, "--http", http }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
