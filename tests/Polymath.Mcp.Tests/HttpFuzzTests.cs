using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Mcp.Tests;

/// <summary>
/// A seeded fuzz run against a real `polymath mcp --http` process: random and mutated JSON-RPC messages, tool names and
/// arguments (lone surrogates, huge numbers, deep nesting), header variants (Host, Origin, session ids, content types),
/// methods and paths. The oracle: the process never dies, every answer is an HTTP status from a fixed set (never 500),
/// and a well-formed <c>tools/call</c> in a live session is always a tool result (never a JSON-RPC error). The bounded
/// run takes seconds; POLYMATH_MCP_FUZZ_SEED, POLYMATH_MCP_FUZZ_COUNT and POLYMATH_MCP_FUZZ_SECONDS make it longer
/// or replay one (docs/mcp.md).
/// </summary>
[Collection("polymath processes")]
public sealed class HttpFuzzTests(ITestOutputHelper output)
{
    private static readonly int[] Allowed = [200, 202, 400, 403, 404, 405, 406, 408, 413, 415, 431, 503];

    private static readonly string[] Names =
    [
        "\"gcd\"", "\"to_roman\"", "\"reverse\"", "\"add\"", "\"\"", "\"\\ud800\"", "\"gcd\\udc00\"", "\"\\ud83d\\ude00\"", "\"bad name\"",
        "\"\\u0000\"", "\"tools/list\"", "\"../gcd\"", "null", "1", "[]", "{}", "\"" + new string('g', 300) + "\"", "\"GCD\"", "\"gcd \"",
    ];

    private static readonly string[] Strings =
    [
        "\"\"", "\"abc\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"é\"", "\"\\\"\"", "\"\\n\\t\"",
        "\"" + new string('z', 5000) + "\"", "\"\\uDBFF\\uDFFF\"", "\"\\uDFFF\\uDBFF\"",
    ];

    private static readonly string[] Numbers = ["0", "-1", "12", "18", "1e308", "1e999", "-1e999", "12345678901234567890123", "0.5", "-0.0", "4294967296", "1E-400"];

    [Fact]
    public async Task Mcp_http_endpoint_survives_a_seeded_fuzz_run()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_MCP_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount & 0x7fffffff;
        int count = int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_MCP_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : 400;
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("POLYMATH_MCP_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var t) ? t : 20;
        var rng = new Random(seed);
        string dir = TestPaths.TempExperts("arithmetic", "string_ops");
        int sent = 0;
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        try
        {
            await using var server = await PolymathHttpServer.StartAsync(dir, "--body-timeout-ms", "2000", "--max-sessions", "32");
            int port = server.Port;
            string session = await RawHttp.OpenSessionAsync(port);
            var watch = Stopwatch.StartNew();
            for (; sent < count && watch.Elapsed.TotalSeconds < seconds && failures.Count < 5; sent++)
            {
                var (head, body, expectToolResult) = Generate(rng, port, session);
                RawHttp.Response r;
                try { r = await RawHttp.SendAsync(port, head, body, TimeSpan.FromSeconds(30)); }
                catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
                {
                    if (server.HasExited) { failures.Add($"#{sent}: the server died: {e.Message}\n{Shorten(head + body)}"); break; }
                    // Kestrel may reset a connection it refuses (a malformed request line, say): no answer is not a failure.
                    statuses[0] = statuses.GetValueOrDefault(0) + 1;
                    continue;
                }
                statuses[r.Status] = statuses.GetValueOrDefault(r.Status) + 1;
                if (!Allowed.Contains(r.Status)) failures.Add($"#{sent}: status {r.Status}: {Shorten(r.Body)}\n{Shorten(head + body)}");
                else if (expectToolResult)
                {
                    var m = r.Status == 200 ? r.Message : null;
                    if (m?["result"] is null) failures.Add($"#{sent}: a tools/call was not a tool result: {r.Status} {Shorten(r.Body)}\n{Shorten(body)}");
                }
                if (server.HasExited) { failures.Add($"#{sent}: the server died\n{Shorten(head + body)}"); break; }
            }
            string summary = $"MCP HTTP fuzz: seed {seed}, {sent} requests in {watch.Elapsed.TotalSeconds:F1} s, statuses {string.Join(", ", statuses.Select(kv => $"{kv.Key}:{kv.Value}"))} (0 = connection refused/reset)";
            output.WriteLine(summary);
            Console.WriteLine(summary);
            Assert.False(server.HasExited, $"{summary}\nthe server died:\n{server.Stderr}");
            Assert.True(failures.Count == 0, $"{summary}\n{string.Join("\n", failures)}");
            var ok = await RawHttp.PostAsync(port, session, RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}"""));
            Assert.Equal(6, ok.Message!["result"]!["structuredContent"]!["value"]!.GetValue<int>());
            Assert.True(sent >= Math.Min(count, 50), $"{summary}: too few requests to mean anything");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static string Shorten(string s) => s.Length <= 600 ? s : s[..600] + $"... ({s.Length} chars)";

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static (string Head, string Body, bool ExpectToolResult) Generate(Random rng, int port, string session)
    {
        switch (rng.Next(6))
        {
            case 0 or 1:
            {
                // A well-formed tools/call in the live session: must be a tool result whatever the name and arguments.
                string body = RawHttp.ToolsCall(rng.Next(3) == 0 ? Pick(rng, Names[..4]) : Pick(rng, Names.Where(n => n.StartsWith('"')).ToArray()), RandomObject(rng, 0), rng.Next(1, 1000));
                return (RawHttp.PostHead(port, Encoding.UTF8.GetByteCount(body), null, $"Mcp-Session-Id: {session}"), body, true);
            }
            case 2:
            {
                // Any JSON-RPC shape: wrong params, methods, ids.
                string method = Pick(rng, new[] { "tools/call", "tools/list", "initialize", "ping", "resources/list", "prompts/get", "logging/setLevel", "x", "", "notifications/initialized" });
                string id = Pick(rng, new[] { "1", "\"a\"", "null", "-5", "1.5", "{}", "[]", "99999999999999999999" });
                string p = rng.Next(3) == 0 ? RandomValue(rng, 0, deep: true) : RandomObject(rng, 0, deep: true);
                string body = rng.Next(4) == 0
                    ? $"{{\"jsonrpc\":\"2.0\",\"method\":\"{method}\",\"params\":{p}}}"
                    : $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{p}}}";
                return (RawHttp.PostHead(port, Encoding.UTF8.GetByteCount(body), null, rng.Next(4) == 0 ? "X-None: 1" : $"Mcp-Session-Id: {session}"), body, false);
            }
            case 3:
            {
                // A mutated valid message: bytes flipped, cut, duplicated.
                var bytes = Encoding.UTF8.GetBytes(RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}""")).ToList();
                for (int i = rng.Next(1, 6); i > 0; i--)
                {
                    int at = rng.Next(bytes.Count);
                    switch (rng.Next(3))
                    {
                        case 0: bytes[at] = (byte)rng.Next(256); break;
                        case 1: bytes.RemoveRange(at, Math.Min(rng.Next(1, 8), bytes.Count - at)); break;
                        default: bytes.InsertRange(at, bytes.Skip(at).Take(rng.Next(1, 8)).ToList()); break;
                    }
                    if (bytes.Count == 0) bytes.Add((byte)'{');
                }
                string body = Encoding.Latin1.GetString(bytes.ToArray());
                return (RawHttp.PostHead(port, Encoding.UTF8.GetByteCount(body), null, $"Mcp-Session-Id: {session}"), body, false);
            }
            case 4:
            {
                // Header variants on a valid initialize.
                string host = Pick(rng, new[] { $"127.0.0.1:{port}", $"localhost:{port}", "evil.example", $"[::1]:{port}", $"127.0.0.1:{port + 1}", "", "a b", $"LOCALHOST:{port}", new string('h', 3000) });
                var extra = new List<string>();
                if (rng.Next(2) == 0) extra.Add("Origin: " + Pick(rng, new[] { "null", "http://evil.example", "http://localhost:1", "https://[::1]", "x", "http://127.0.0.1", "" }));
                if (rng.Next(3) == 0) extra.Add("Mcp-Session-Id: " + Pick(rng, new[] { session, "", "nope", new string('s', 500), session + "x" }));
                if (rng.Next(3) == 0) extra.Add("Mcp-Protocol-Version: " + Pick(rng, new[] { "2025-06-18", "2025-11-25", "1999-01-01", "", "2026-07-28" }));
                if (rng.Next(4) == 0) extra.Add("Content-Type: " + Pick(rng, new[] { "text/plain", "application/json; charset=latin1", "", "multipart/form-data" }));
                if (rng.Next(4) == 0) extra.Add("Accept: " + Pick(rng, new[] { "*/*", "text/event-stream", "application/json", "" }));
                string hostLine = host.Length == 0 ? "X-No-Host: 1" : $"Host: {host}";
                string head = $"POST /mcp HTTP/1.1\r\n{hostLine}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: {Encoding.UTF8.GetByteCount(RawHttp.Initialize)}\r\n{string.Concat(extra.Select(e => e + "\r\n"))}\r\n";
                return (head, RawHttp.Initialize, false);
            }
            default:
            {
                // Other methods, paths and framings.
                string method = Pick(rng, new[] { "GET", "DELETE", "PUT", "OPTIONS", "HEAD", "PATCH", "POST" });
                string path = Pick(rng, new[] { "/mcp", "/", "/mcp/", "/MCP", "/mcp?x=1", "/../mcp", "/mcp%00", "*" });
                string body = rng.Next(2) == 0 ? "" : RandomObject(rng, 0);
                string framing = rng.Next(3) == 0 && body.Length > 0
                    ? "Transfer-Encoding: chunked\r\n"
                    : $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n";
                if (framing.StartsWith("Transfer", StringComparison.Ordinal))
                    body = $"{Encoding.UTF8.GetByteCount(body):x}\r\n{body}\r\n0\r\n\r\n";
                string head = $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\nConnection: close\r\nMcp-Session-Id: {(rng.Next(2) == 0 ? session : "zzz")}\r\n{framing}\r\n";
                // GET with the live session opens its notification stream (it stays open), DELETE ends the session: both
                // get a made-up session id instead.
                if (method is "GET" or "DELETE") head = head.Replace($"Mcp-Session-Id: {session}", "Mcp-Session-Id: zzz", StringComparison.Ordinal);
                return (head, body, false);
            }
        }
    }

    private static string RandomObject(Random rng, int depth, bool deep = false)
    {
        var sb = new StringBuilder("{");
        int n = rng.Next(depth == 0 ? 4 : 3);
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(rng.Next(4) == 0 ? Pick(rng, Strings) : Pick(rng, new[] { "\"a\"", "\"b\"", "\"s\"", "\"n\"", "\"x\"", "\"_meta\"" }));
            sb.Append(':').Append(RandomValue(rng, depth + 1, deep));
        }
        return sb.Append('}').ToString();
    }

    // deep: may nest past the reader's limit of 64 (the SDK then answers 400, which is not a tool result).
    private static string RandomValue(Random rng, int depth, bool deep = false) => rng.Next(depth > 4 ? 4 : 7) switch
    {
        0 => Pick(rng, Numbers),
        1 => Pick(rng, Strings),
        2 => Pick(rng, new[] { "true", "false", "null" }),
        3 => rng.Next(20) == 0 && deep ? new string('[', 200) + new string(']', 200) : Pick(rng, Numbers),
        4 => RandomObject(rng, depth, deep),
        5 => "[" + string.Join(",", Enumerable.Range(0, rng.Next(4)).Select(_ => RandomValue(rng, depth + 1, deep))) + "]",
        _ => RandomObject(rng, depth, deep),
    };
}
