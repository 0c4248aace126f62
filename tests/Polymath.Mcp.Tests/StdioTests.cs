using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Experts;
using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>`polymath mcp` over stdio, driven by the official TypeScript MCP SDK (client/client.mjs).</summary>
[Collection("polymath processes")]
public sealed class StdioTests
{
    private static HashSet<string> CatalogueOps()
    {
        var ops = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in Directory.GetDirectories(TestPaths.ExpertsDirectory))
        {
            string manifest = Path.Combine(dir, ExpertManifest.FileName);
            if (!File.Exists(manifest)) continue;
            foreach (var op in ExpertManifest.Parse(File.ReadAllText(manifest), manifest).Ops.Keys) ops.Add(op);
        }
        return ops;
    }

    [Fact]
    public async Task Initialize_and_list_the_126_catalogue_ops_with_valid_precise_schemas()
    {
        await using var client = await McpClientProcess.StdioAsync(TestPaths.ExpertsDirectory);
        Assert.Equal("polymath", client.Hello["serverInfo"]!["name"]!.GetValue<string>());
        Assert.True(client.Hello["capabilities"]!["tools"]!["listChanged"]!.GetValue<bool>());

        var tools = await client.ListToolsAsync(); // throws when ajv rejects any inputSchema
        Assert.Equal(126, tools.Count);
        Assert.Equal(CatalogueOps().Order(StringComparer.Ordinal), tools.Select(t => t!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var t in tools)
        {
            string name = t!["name"]!.GetValue<string>();
            var schema = t["inputSchema"]!.AsObject();
            Assert.Equal("object", schema["type"]!.GetValue<string>());
            Assert.False(schema["additionalProperties"]!.GetValue<bool>(), name);
            Assert.NotNull(schema["properties"]);
            string description = t["description"]!.GetValue<string>();
            Assert.DoesNotContain("not declared", description, StringComparison.Ordinal); // every catalogue op has a typed schema
            Assert.Contains("Expert '", description, StringComparison.Ordinal);
        }
        var gcd = tools.Single(t => t!["name"]!.GetValue<string>() == "gcd")!;
        Assert.Equal("integer", gcd["inputSchema"]!["properties"]!["a"]!["type"]!.GetValue<string>());
        Assert.Equal(["a", "b"], gcd["inputSchema"]!["required"]!.AsArray().Select(x => x!.GetValue<string>()));
    }

    [Fact]
    public async Task Calls_with_good_arguments_return_structured_content_and_text()
    {
        await using var client = await McpClientProcess.StdioAsync(TestPaths.ExpertsDirectory);
        var r = await client.CallAsync("gcd", new JsonObject { ["a"] = 48, ["b"] = 18 });
        Assert.False(r["isError"]?.GetValue<bool>() ?? false);
        Assert.Equal(6, r["structuredContent"]!["value"]!.GetValue<int>());
        Assert.Equal("arithmetic", r["structuredContent"]!["expert_id"]!.GetValue<string>());
        Assert.Equal("6", r["content"]![0]!["text"]!.GetValue<string>());

        var date = await client.CallAsync("add_days", JsonNode.Parse("""{"date":{"year":2025,"month":1,"day":1},"days":10}""")!.AsObject());
        Assert.Equal("""{"day":11,"month":1,"year":2025}""", date["structuredContent"]!["value"]!.ToJsonString());

        var nullValue = await client.CallAsync("div", new JsonObject { ["a"] = 1, ["b"] = 0 });
        Assert.False(nullValue["isError"]?.GetValue<bool>() ?? false);
        Assert.Equal("null", nullValue["content"]![0]!["text"]!.GetValue<string>());

        var units = await client.CallAsync("list_units", []); // optional argument left out
        Assert.Equal(40, units["structuredContent"]!["value"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("gcd", """{"a":"twelve","b":18}""", "argument 'a'")]
    [InlineData("gcd", """{"a":12}""", "missing required argument 'b'")]
    [InlineData("gcd", """{"a":12,"b":18,"c":1}""", "unknown argument 'c'")]
    [InlineData("to_roman", """{"n":4000}""", "argument 'n'")]
    [InlineData("add_days", """{"date":{"year":2024,"month":13,"day":1},"days":1}""", "argument 'date' (at /date/month)")]
    [InlineData("convert", """{"value":1,"from":"KM","to":"m"}""", "argument 'from'")]
    [InlineData("mean", """{"values":[]}""", "argument 'values'")]
    public async Task Arguments_that_violate_the_schema_are_a_tool_error_naming_the_argument(string tool, string args, string expected)
    {
        await using var client = await McpClientProcess.StdioAsync(TestPaths.ExpertsDirectory);
        await client.ListToolsAsync();
        // ajv (an independent validator) agrees that the arguments violate the listed schema.
        var check = await client.SendAsync(new JsonObject { ["cmd"] = "check", ["name"] = tool, ["args"] = JsonNode.Parse(args) });
        Assert.False(check["valid"]!.GetValue<bool>());

        var r = await client.CallAsync(tool, JsonNode.Parse(args)!.AsObject());
        Assert.True(r["isError"]!.GetValue<bool>());
        string text = r["content"]![0]!["text"]!.GetValue<string>();
        Assert.StartsWith("invalid_args: ", text, StringComparison.Ordinal);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Equal("invalid_args", r["structuredContent"]!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Declines_and_unknown_tools_are_tool_errors_not_protocol_errors()
    {
        await using var client = await McpClientProcess.StdioAsync(TestPaths.ExpertsDirectory);
        var declined = await client.CallAsync("from_roman", new JsonObject { ["s"] = "abc" }); // schema-valid, the expert declines
        Assert.True(declined["isError"]!.GetValue<bool>());
        Assert.StartsWith("declined: ", declined["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("arithmetic", declined["structuredContent"]!["expert_id"]!.GetValue<string>());

        var unknown = await client.CallAsync("no_such_op", []);
        Assert.True(unknown["isError"]!.GetValue<bool>());
        Assert.StartsWith("unknown_op: ", unknown["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_list_follows_the_experts_directory_with_list_changed()
    {
        string dir = TestPaths.TempExperts("arithmetic", "hash");
        try
        {
            await using var client = await McpClientProcess.StdioAsync(dir);
            var tools = await client.ListToolsAsync();
            Assert.Equal(18 + 7, tools.Count);

            TestPaths.CopyExpert("luhn", dir);
            int count = await client.WaitListChangedAsync(0);
            Assert.True(count >= 1, $"no tools/list_changed after adding luhn\n{client.Stderr}");
            tools = await WaitForCountAsync(client, 18 + 7 + 3);
            Assert.Contains(tools, t => t!["name"]!.GetValue<string>() == "card_type");
            var r = await client.CallAsync("check", new JsonObject { ["number"] = "79927398713" });
            Assert.True(r["structuredContent"]!["value"]!.GetValue<bool>());

            Directory.Delete(Path.Combine(dir, "hash"), recursive: true);
            Assert.True(await client.WaitListChangedAsync(count) > count, $"no tools/list_changed after removing hash\n{client.Stderr}");
            tools = await WaitForCountAsync(client, 18 + 3);
            Assert.DoesNotContain(tools, t => t!["name"]!.GetValue<string>() == "base64_encode");
            var gone = await client.CallAsync("base64_encode", new JsonObject { ["s"] = "x" });
            Assert.True(gone["isError"]!.GetValue<bool>());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // A reload can be announced before the last file event settles; the list converges within the debounce.
    internal static async Task<JsonArray> WaitForCountAsync(McpClientProcess client, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var tools = await client.ListToolsAsync();
            if (tools.Count == expected || DateTime.UtcNow > deadline)
            {
                Assert.Equal(expected, tools.Count);
                return tools;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Limits_are_the_hosts_a_runaway_call_is_a_limit_tool_error()
    {
        // A manifest limit (the operator's package) stops the call; nothing the client sends can change it.
        string dir = TestPaths.TempExperts("logic");
        try
        {
            string manifestPath = Path.Combine(dir, "logic", "expert.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
            manifest["limits"] = new JsonObject { ["fuelPerCall"] = 200_000 }; // enough for metadata on every runtime (their fuel rules differ), far too little for 2^16 rows
            File.WriteAllText(manifestPath, manifest.ToJsonString());
            await using var client = await McpClientProcess.StdioAsync(dir);
            string expr = string.Join(" AND ", Enumerable.Range(0, 16).Select(i => ((char)('A' + i)).ToString()));
            var r = await client.CallAsync("truth_table", new JsonObject { ["expr"] = expr });
            Assert.True(r["isError"]!.GetValue<bool>(), r.ToJsonString());
            Assert.StartsWith("limit_exceeded: ", r["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("fuel", r["structuredContent"]!["limit"]!.GetValue<string>());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Stdout_carries_only_protocol_messages()
    {
        // Every line polymath writes to stdout must be a JSON-RPC message, even with verbose logging on.
        var psi = new System.Diagnostics.ProcessStartInfo(TestPaths.DotnetHost)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { TestPaths.PolymathDll, "mcp", "--dir", TestPaths.ExpertsDirectory, "--verbose" }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.WriteLine("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        p.StandardInput.WriteLine("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        p.StandardInput.WriteLine("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"gcd","arguments":{"a":4,"b":6}}}""");
        var lines = new List<string>();
        while (lines.Count < 2 && p.StandardOutput.ReadLine() is { } line) lines.Add(line);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(30_000));
        lines.AddRange(p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.NotEmpty(await stderr); // the logs went somewhere: stderr
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
            Assert.Equal("2.0", JsonDocument.Parse(line).RootElement.GetProperty("jsonrpc").GetString());
        Assert.Equal(0, p.ExitCode);
    }
}
