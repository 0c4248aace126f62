using System.Text.Json.Nodes;
using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>
/// Which ops become tools: degraded experts say so, unavailable ones are absent, op names outside MCP's alphabet are
/// left out, ops without a manifest schema get one derived from their arg keys, traps are tool errors.
/// </summary>
[Collection("polymath processes")]
public sealed class ExpertStatusTests
{
    // The hostile test expert of Polymath.Experts.Tests (larql ABI in WAT), with its 'version' op renamed to 'bad name'.
    private static byte[] OddNamesExpert()
    {
        string watPath = Path.Combine(TestPaths.RepoRoot, "tests", "Polymath.Experts.Tests", "wat", "test_expert.wat");
        const string from = "\\22name\\22:\\22version\\22";
        string wat = File.ReadAllText(watPath);
        if (!wat.Contains(from, StringComparison.Ordinal)) throw new InvalidOperationException($"{watPath} no longer lists an op named 'version' in its metadata");
        wat = wat.Replace("{{ID}}", "oddnames").Replace("{{TIER}}", "1").Replace("{{VERSION}}", "1.0.0").Replace(from, "\\22name\\22:\\22bad name\\22", StringComparison.Ordinal);
        return Polymath.Tests.Wat.ToWasmPlain(wat); // tests/Shared/Wat.cs: plain wat2wasm, failing loudly when wabt is missing
    }

    private static void EditManifest(string dir, string id, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, id, "expert.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    [Fact]
    public async Task Degraded_unavailable_misnamed_and_undeclared_ops()
    {
        string dir = TestPaths.TempExperts("arithmetic", "hash");
        try
        {
            // A platform without dynamic code (--no-dynamic-code) leaves only the interpreter, which has no JIT.
            EditManifest(dir, "arithmetic", m => m["prefers"] = new JsonArray("exec.jit"));  // the interpreter has no JIT: degraded
            EditManifest(dir, "hash", m => m["requires"] = new JsonArray("exec.jit"));       // cannot run here: unavailable
            File.WriteAllBytes(Path.Combine(dir, "oddnames.wasm"), OddNamesExpert());        // bare module, no manifest

            await using var client = await McpClientProcess.StdioAsync(dir, "--no-dynamic-code");
            var tools = await client.ListToolsAsync();
            var names = tools.Select(t => t!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

            Assert.DoesNotContain("base64_encode", names);            // unavailable expert: not listed
            Assert.DoesNotContain("bad name", names);                 // not a valid MCP tool name: left out
            Assert.Contains("Op bad name of expert oddnames is not offered", client.Stderr, StringComparison.Ordinal);
            Assert.Equal(18 + 14, tools.Count);                       // arithmetic + oddnames' other 14 ops

            var gcd = tools.Single(t => t!["name"]!.GetValue<string>() == "gcd")!;
            Assert.StartsWith("[degraded: ", gcd["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("exec.jit", gcd["description"]!.GetValue<string>(), StringComparison.Ordinal);
            var ok = await client.CallAsync("gcd", new JsonObject { ["a"] = 12, ["b"] = 18 }); // degraded still runs
            Assert.Equal(6, ok["structuredContent"]!["value"]!.GetValue<int>());

            var echo = tools.Single(t => t!["name"]!.GetValue<string>() == "echo")!;
            Assert.Contains("Argument types are not declared; the expert reads: x", echo["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("""{"type":"object","properties":{"x":{}},"additionalProperties":false}""", echo["inputSchema"]!.ToJsonString());
            var echoed = await client.CallAsync("echo", new JsonObject { ["x"] = new JsonArray(1, "two") });
            Assert.Equal("""{"x":[1,"two"]}""", echoed["structuredContent"]!["value"]!.ToJsonString());
            var typo = await client.CallAsync("echo", new JsonObject { ["y"] = 1 });
            Assert.Contains("unknown argument 'y' (this tool takes: x)", typo["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

            var trapped = await client.CallAsync("trap", []);
            Assert.True(trapped["isError"]!.GetValue<bool>());
            Assert.StartsWith("trapped: ", trapped["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
            var unavailable = await client.CallAsync("hex_encode", new JsonObject { ["s"] = "x" });
            Assert.True(unavailable["isError"]!.GetValue<bool>());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
