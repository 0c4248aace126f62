using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Mcp.Tests;

/// <summary>
/// `polymath mcp --http` against hostile HTTP (issue #24): DNS rebinding (Host and Origin), bodies over the cap,
/// slow bodies and headers, huge headers, too many sessions, lone surrogates. Each case runs against the real built
/// CLI process over a real socket.
/// </summary>
[Collection("polymath processes")]
public sealed class HttpHardeningTests(ITestOutputHelper output)
{
    private static async Task<PolymathHttpServer> StartAsync(string dir, params string[] extra)
    {
        var server = await PolymathHttpServer.StartAsync(dir, extra);
        Assert.StartsWith("http://127.0.0.1:", server.Url, StringComparison.Ordinal);
        return server;
    }

    // A server over a copy of the arithmetic expert, for one test.
    private static async Task WithServerAsync(Func<PolymathHttpServer, int, Task> test, params string[] extra)
    {
        string dir = TestPaths.TempExperts("arithmetic");
        try
        {
            await using var server = await StartAsync(dir, extra);
            await test(server, server.Port);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task AssertGcdAsync(int port, string session)
    {
        var r = await RawHttp.PostAsync(port, session, RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}"""));
        Assert.Equal(200, r.Status);
        Assert.Equal(6, r.Message!["result"]!["structuredContent"]!["value"]!.GetValue<int>());
    }

    [Fact]
    public async Task Dns_rebinding_requests_get_403()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            // The replay: a page of evil.example whose name now resolves to 127.0.0.1.
            var rebound = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, "evil.example", "Origin: http://evil.example"), RawHttp.Initialize);
            Assert.Equal(403, rebound.Status);
            Assert.Contains("evil.example", rebound.Message!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(rebound.Headers.ContainsKey("Mcp-Session-Id"));
            var withPort = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, $"evil.example:{port}", "Origin: http://evil.example:" + port), RawHttp.Initialize);
            Assert.Equal(403, withPort.Status);

            // An open session is no help to a foreign page: its calls are refused too, the session still works.
            string session = await RawHttp.OpenSessionAsync(port);
            var call = await RawHttp.PostAsync(port, session, RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}"""), "Origin: http://evil.example");
            Assert.Equal(403, call.Status);
            var viaHost = await RawHttp.SendAsync(port, RawHttp.PostHead(port, Encoding.UTF8.GetByteCount(RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}""")), $"evil.example:{port}", $"Mcp-Session-Id: {session}"),
                RawHttp.ToolsCall("\"gcd\"", """{"a":12,"b":18}"""));
            Assert.Equal(403, viaHost.Status);
            await AssertGcdAsync(port, session);
            Assert.Contains("Rejected an MCP HTTP request", server.Stderr, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Host_header_must_name_this_server_on_its_port()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var cases = new (string Host, int Status)[]
            {
                ($"127.0.0.1:{port}", 200), ($"localhost:{port}", 200), ($"LocalHost:{port}", 200),
                ("evil.example", 403), ($"evil.example:{port}", 403), ($"EVIL.example:{port}", 403),
                ($"localhost.:{port}", 403),                // trailing dot: another name as far as we are concerned
                ($"127.0.0.1.:{port}", 403), ($"localhost.evil.example:{port}", 403), ($"127.0.0.1.nip.io:{port}", 403),
                ($"127.0.0.1:{port + 1}", 403), ("127.0.0.1", 403), ($"localhost:{port}0", 403), ($"127.0.0.1:+{port}", 403),
                ($"[::1]:{port}", 403),                     // bound to 127.0.0.1, not ::1
                ($"[::ffff:127.0.0.1]:{port}", 403), ($"::1:{port}", 403), ($"[127.0.0.1]:{port}", 403),
                ($"127.0.0.1:{port}@evil.example", 403), ($"evil.example#127.0.0.1:{port}", 403),
            };
            var failures = new List<string>();
            foreach (var (host, status) in cases)
            {
                var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, host), RawHttp.Initialize);
                bool refused = status == 403 && r.Status is 400 or 403; // Kestrel itself refuses some malformed ones (400)
                if (r.Status != status && !refused) failures.Add($"Host '{host}': {r.Status}, expected {status}: {r.Body}");
            }
            // HTTP/1.0 may leave Host out; no browser does, and the server answers nothing without it.
            var noHost = await RawHttp.SendAsync(port, $"POST /mcp HTTP/1.0\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {len}\r\n\r\n", RawHttp.Initialize);
            if (noHost.Status != 403 || !noHost.Body.Contains("no Host header", StringComparison.Ordinal)) failures.Add($"HTTP/1.0 without Host: {noHost}");
            // Two Host headers: Kestrel refuses them itself.
            var twoHosts = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, $"127.0.0.1:{port}", $"Host: evil.example"), RawHttp.Initialize);
            if (twoHosts.Status != 400) failures.Add($"two Host headers: {twoHosts}");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.False(server.HasExited);
        });
    }

    // The accepted names follow the bound address: [::1] on IPv6 loopback; every local address, the machine's name and
    // --allowed-host names on 0.0.0.0 (which needs a token).
    [Fact]
    public async Task Host_rules_follow_the_bound_address()
    {
        string dir = TestPaths.TempExperts("arithmetic");
        string tokenFile = TestPaths.TokenFile("s3cret-token-0123456789");
        try
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var failures = new List<string>();
            await using (var v6 = await PolymathHttpServer.StartOnAsync("[::1]:0", dir))
            {
                int port = v6.Port;
                foreach (var (host, status) in new[] { ($"[::1]:{port}", 200), ($"localhost:{port}", 200), ($"[0:0:0:0:0:0:0:1]:{port}", 200), ($"127.0.0.1:{port}", 403), ($"evil.example:{port}", 403), ($"[::1]:{port + 1}", 403) })
                {
                    var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, host), RawHttp.Initialize, address: "::1");
                    if (r.Status != status) failures.Add($"bound [::1], Host '{host}': {r.Status}, expected {status}");
                }
            }
            await using (var any = await PolymathHttpServer.StartOnAsync("0.0.0.0:0", dir, "--token-file", tokenFile, "--allowed-host", "MCP.internal"))
            {
                int port = any.Port;
                const string auth = "Authorization: Bearer s3cret-token-0123456789";
                foreach (var (host, status) in new[] { ($"127.0.0.1:{port}", 200), ($"localhost:{port}", 200), ($"mcp.internal:{port}", 200), ($"{System.Net.Dns.GetHostName()}:{port}", 200), ($"evil.example:{port}", 403), ($"mcp.internal:{port + 1}", 403) })
                {
                    var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, host, auth), RawHttp.Initialize);
                    if (r.Status != status) failures.Add($"bound 0.0.0.0, Host '{host}': {r.Status}, expected {status}");
                }
                Assert.Contains("reachable from other machines", any.Stderr, StringComparison.Ordinal);
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Origin_must_be_loopback_or_allowed()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var cases = new (string Origin, int Status)[]
            {
                ("http://localhost", 200), ("http://localhost:5173", 200), ($"http://127.0.0.1:{port}", 200), ("https://127.0.0.1", 200),
                ("http://[::1]:3000", 200), ("http://127.9.9.9", 200),
                ("https://app.example", 200), ("https://app.example:443", 200), ("http://tools.example:8080", 200),
                ("http://evil.example", 403), ("null", 403), ("http://app.example", 403), ("https://app.example:444", 403),
                ("http://tools.example", 403), ("https://evil.app.example", 403), ("http://localhost.evil.example", 403),
                ("http://127.0.0.1.evil.example", 403), ("http://localhost@evil.example", 403), ("http://localhost/", 403),
                ("file://", 403), ("chrome-extension://abcdef", 403), ("*", 403), ("", 403), ("http://localhost, http://evil.example", 403),
            };
            var failures = new List<string>();
            foreach (var (origin, status) in cases)
            {
                var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, $"Origin: {origin}"), RawHttp.Initialize);
                if (r.Status != status) failures.Add($"Origin '{origin}': {r.Status}, expected {status}: {r.Body}");
            }
            var two = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, "Origin: http://localhost", "Origin: http://evil.example"), RawHttp.Initialize);
            if (two.Status != 403) failures.Add($"two Origin headers: {two}");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }, "--allowed-origin", "https://App.Example", "--allowed-origin", "http://tools.example:8080");
    }

    [Fact]
    public async Task Origin_is_checked_before_the_token_and_the_token_still_applies()
    {
        string tokenFile = TestPaths.TokenFile("s3cret-token-0123456789");
        try
        {
            await WithServerAsync(async (server, port) =>
            {
                int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
                const string good = "Authorization: Bearer s3cret-token-0123456789";
                Assert.Equal(403, (await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, good, "Origin: http://evil.example"), RawHttp.Initialize)).Status);
                Assert.Equal(401, (await RawHttp.SendAsync(port, RawHttp.PostHead(port, len), RawHttp.Initialize)).Status);
                Assert.Equal(401, (await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, "Authorization: Bearer s3cret-token-012345678"), RawHttp.Initialize)).Status);
                Assert.Equal(401, (await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, "Authorization: Bearer " + new string('x', 20_000)), RawHttp.Initialize)).Status);
                Assert.Equal(200, (await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, good, "Origin: http://localhost:8000"), RawHttp.Initialize)).Status);
            }, "--token-file", tokenFile);
        }
        finally { File.Delete(tokenFile); }
    }

    // 25 MB bodies, 20 at once, declared (Content-Length) and chunked: each gets 413 having cost the server at most the
    // cap, so its resident memory barely moves (the issue measured +13.7 GB before the cap).
    [Fact]
    public async Task Over_size_bodies_get_413_before_they_are_read_and_memory_stays_flat()
    {
        const int Concurrent = 20;
        const int BodyBytes = 25_000_000;
        await WithServerAsync(async (server, port) =>
        {
            string session = await RawHttp.OpenSessionAsync(port);
            await AssertGcdAsync(port, session);
            // Warm up the paths measured below (JIT, pools), then measure.
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SendHugeAsync(port, session, BodyBytes, chunked: false)));
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SendHugeAsync(port, session, BodyBytes, chunked: true)));
            GC.Collect();
            await Task.Delay(500);
            long before = server.ResidentBytes();
            long peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, server.ResidentBytes());
                    await Task.Delay(20);
                }
            });
            var watch = Stopwatch.StartNew();
            var declared = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => SendHugeAsync(port, session, BodyBytes, chunked: false)));
            var chunked = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => SendHugeAsync(port, session, BodyBytes, chunked: true)));
            watch.Stop();
            await Task.Delay(300);
            await sampling.CancelAsync();
            await sampler;
            long after = server.ResidentBytes();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS before {before / 1e6:F1} MB, peak {peak / 1e6:F1} MB (+{(peak - before) / 1e6:F1} MB), after {after / 1e6:F1} MB; {Concurrent} declared + {Concurrent} chunked {BodyBytes / 1e6:F0} MB bodies in {watch.ElapsedMilliseconds} ms"));
            Assert.All(declared, r => Assert.Equal(413, r.Status));
            Assert.All(chunked, r => Assert.Equal(413, r.Status));
            Assert.Contains("exceeds the cap of", declared[0].Message!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(peak - before < 96_000_000, $"RSS rose by {(peak - before) / 1e6:F1} MB (bound 96 MB)");
            await AssertGcdAsync(port, session);
        });
    }

    // Sends a tools/call whose string argument makes the body about `bytes` long; stops writing once the server answers.
    private static async Task<RawHttp.Response> SendHugeAsync(int port, string session, int bytes, bool chunked)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        string prefix = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"gcd\",\"arguments\":{\"a\":1,\"b\":1,\"pad\":\"";
        string head = chunked
            ? RawHttp.PostHead(port, null, null, $"Mcp-Session-Id: {session}", "Transfer-Encoding: chunked")
            : RawHttp.PostHead(port, bytes, null, $"Mcp-Session-Id: {session}");
        var reading = RawHttp.ReadAsync(stream, TimeSpan.FromSeconds(120));
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            var block = new byte[64 << 10];
            Array.Fill(block, (byte)'x');
            Encoding.ASCII.GetBytes(prefix).CopyTo(block, 0);
            for (int sent = 0; sent < bytes && !reading.IsCompleted; sent += block.Length)
            {
                int n = Math.Min(block.Length, bytes - sent);
                if (chunked) await stream.WriteAsync(Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                await stream.WriteAsync(block.AsMemory(0, n));
                if (chunked) await stream.WriteAsync("\r\n"u8.ToArray());
            }
        }
        catch (IOException) { } // the server answered 413 and closed: the rest is not wanted
        return await reading;
    }

    [Fact]
    public async Task A_body_or_headers_that_do_not_arrive_in_time_are_cut_off()
    {
        await WithServerAsync(async (server, port) =>
        {
            // A body that trickles: 10 of 1000 bytes, then nothing.
            using var slowBody = new TcpClient();
            await slowBody.ConnectAsync("127.0.0.1", port);
            var watch = Stopwatch.StartNew();
            await slowBody.GetStream().WriteAsync(Encoding.ASCII.GetBytes(RawHttp.PostHead(port, 1000) + "{\"jsonrpc\""));
            // Headers that never end.
            using var slowHead = new TcpClient();
            await slowHead.ConnectAsync("127.0.0.1", port);
            await slowHead.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: "));

            var r = await RawHttp.ReadAsync(slowBody.GetStream(), TimeSpan.FromSeconds(20));
            long bodyMs = watch.ElapsedMilliseconds;
            Assert.Equal(408, r.Status);
            Assert.InRange(bodyMs, 1000, 15_000);
            // Kestrel's header deadline (10 s) drops the connection (EOF or reset, with or without a 408).
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                while (await slowHead.GetStream().ReadAsync(buffer, cts.Token) > 0) { }
            }
            catch (IOException) { }
            long headMs = watch.ElapsedMilliseconds;
            output.WriteLine($"slow body cut at {bodyMs} ms, slow headers at {headMs} ms");
            Assert.InRange(headMs, 5_000, 25_000);
            string session = await RawHttp.OpenSessionAsync(port);
            await AssertGcdAsync(port, session);
        }, "--body-timeout-ms", "1500");
    }

    [Fact]
    public async Task Huge_headers_get_431()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var one = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, "X-Big: " + new string('a', 40_000)), RawHttp.Initialize);
            Assert.Equal(431, one.Status);
            var many = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, [.. Enumerable.Range(0, 2000).Select(i => $"X-H{i}: {new string('b', 20)}")]), RawHttp.Initialize);
            Assert.Equal(431, many.Status);
            string session = await RawHttp.OpenSessionAsync(port);
            await AssertGcdAsync(port, session);
        });
    }

    [Fact]
    public async Task Sessions_are_capped_and_idle_ones_expire()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var sessions = new List<string>();
            for (int i = 0; i < 3; i++) sessions.Add(await RawHttp.OpenSessionAsync(port));
            var refused = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len), RawHttp.Initialize);
            Assert.Equal(503, refused.Status);
            Assert.Equal("5", refused.Headers["Retry-After"]);
            Assert.Contains("3 sessions are open", refused.Message!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            // Concurrent initializes cannot overshoot the cap either.
            var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RawHttp.SendAsync(port, RawHttp.PostHead(port, len), RawHttp.Initialize)));
            Assert.All(burst, r => Assert.Equal(503, r.Status));
            await AssertGcdAsync(port, sessions[0]); // open sessions still work

            // Closing one makes room.
            var deleted = await RawHttp.SendAsync(port, $"DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nMcp-Session-Id: {sessions[1]}\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, deleted.Status);
            sessions.Add(await RawHttp.OpenSessionAsync(port));

            // Idle ones expire (2 s idle, checked every 5 s by the SDK): then the cap has room again.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            RawHttp.Response again;
            do
            {
                await Task.Delay(1000);
                again = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len), RawHttp.Initialize);
            }
            while (again.Status == 503 && DateTime.UtcNow < deadline);
            Assert.Equal(200, again.Status);
            // The session idle longest (sessions[2]: nothing since its initialize; sessions[0] answered a call after it)
            // is the one a sweep expires first; sessions[0] may still be alive when a sweep ran under 2 s after its call.
            var expired = await RawHttp.PostAsync(port, sessions[2], RawHttp.ToolsCall("\"gcd\"", """{"a":1,"b":2}"""));
            Assert.Equal(404, expired.Status);
        }, "--max-sessions", "3", "--session-idle-seconds", "2");
    }

    [Theory]
    [InlineData("--allowed-origin", "null", "--allowed-origin: 'null' is not an origin")]
    [InlineData("--allowed-origin", "http://app.example/path", "--allowed-origin: 'http://app.example/path' is not an origin")]
    [InlineData("--allowed-origin", "*", "--allowed-origin: '*' is not an origin")]
    [InlineData("--allowed-origin", "app.example", "--allowed-origin: 'app.example' is not an origin")]
    [InlineData("--allowed-origin", "ftp://app.example", "--allowed-origin: 'ftp://app.example' is not an origin")]
    [InlineData("--allowed-host", "evil.example:80", "--allowed-host: 'evil.example:80' must be a host name without a port")]
    [InlineData("--allowed-host", "localhost.", "--allowed-host: 'localhost.' ends with a dot")]
    [InlineData("--max-sessions", "0", "--max-sessions")]
    [InlineData("--max-body-bytes", "10", "--max-body-bytes")]
    public async Task Bad_guard_settings_exit_2_naming_the_option(string option, string value, string expected)
    {
        var psi = new ProcessStartInfo(TestPaths.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { TestPaths.PolymathDll, "mcp", "--dir", TestPaths.ExpertsDirectory, "--http", "127.0.0.1:0", option, value }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = await p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains(expected, stderr + await stdout, StringComparison.Ordinal);
    }

    // A lone surrogate ("\ud800") in a tools/call name or argument used to be -32603 (an internal error): now it is a tool
    // error the model can read, over HTTP and stdio, sent by the official TypeScript SDK.
    [Fact]
    public async Task A_lone_surrogate_is_a_tool_error_not_an_internal_error()
    {
        string dir = TestPaths.TempExperts("arithmetic", "string_ops");
        try
        {
            await using var server = await StartAsync(dir);
            await using var http = await McpClientProcess.HttpAsync(server.Url);
            await using var stdio = await McpClientProcess.StdioAsync(dir);
            foreach (var client in new[] { http, stdio })
            {
                var name = await CallRawAsync(client, new JsonObject { ["nameCodes"] = new JsonArray(0xD800), ["args"] = new JsonObject() });
                Assert.True(name["isError"]!.GetValue<bool>());
                Assert.StartsWith("unknown_op: the tool name holds a lone UTF-16 surrogate (\"\\ud800\")", name["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
                var mixed = await CallRawAsync(client, new JsonObject { ["nameCodes"] = new JsonArray(0x67, 0x63, 0x64, 0xDC00), ["args"] = new JsonObject() });
                Assert.True(mixed["isError"]!.GetValue<bool>());
                var arg = await CallRawAsync(client, new JsonObject { ["name"] = "reverse", ["argsJson"] = """{"s":"ab\udc00"}""" });
                Assert.True(arg["isError"]!.GetValue<bool>());
                Assert.StartsWith("invalid_args: argument 's' (at /s) holds a lone UTF-16 surrogate", arg["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
                var key = await CallRawAsync(client, new JsonObject { ["name"] = "gcd", ["argsJson"] = """{"a":1,"\ud800":2}""" });
                Assert.StartsWith("invalid_args: the arguments object has a property name with a lone UTF-16 surrogate", key["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
                var pair = await CallRawAsync(client, new JsonObject { ["name"] = "reverse", ["argsJson"] = """{"s":"a\ud83d\ude00"}""" }); // a valid pair is text
                Assert.False(pair["isError"]!.GetValue<bool>());
                var ok = await client.CallAsync("gcd", new JsonObject { ["a"] = 12, ["b"] = 18 });
                Assert.Equal(6, ok["structuredContent"]!["value"]!.GetValue<int>());
            }
            // Repeated keys: System.Text.Json will not bind them either (was -32603 too).
            int port = server.Port;
            string session = await RawHttp.OpenSessionAsync(port);
            var dup = (await RawHttp.PostAsync(port, session, """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"gcd","name":"x","arguments":{}}}""")).Message!;
            Assert.True(dup["result"]!["isError"]!.GetValue<bool>(), dup.ToJsonString());
            Assert.StartsWith("unknown_op: the tools/call params at / repeats a property name", dup["result"]!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
            var dupArgs = (await RawHttp.PostAsync(port, session, """{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"gcd","arguments":{"a":1,"b":{"c":1,"c":2}},"arguments":{}}}""")).Message!;
            Assert.True(dupArgs["result"]!["isError"]!.GetValue<bool>(), dupArgs.ToJsonString());
            // Elsewhere it is a protocol error naming the field: invalid params, not an internal error.
            var list = (await RawHttp.PostAsync(port, session, """{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"\ud800"}}""")).Message!;
            Assert.Equal(-32602, list["error"]!["code"]!.GetValue<int>());
            Assert.Contains("/cursor holds a lone UTF-16 surrogate", list["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Non_json_and_unbindable_bodies_get_4xx_not_500()
    {
        await WithServerAsync(async (server, port) =>
        {
            int len = Encoding.UTF8.GetByteCount(RawHttp.Initialize);
            var failures = new List<string>();
            foreach (var type in new[] { "text/plain", "multipart/form-data", "application/json; charset=latin1", "" })
            {
                var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len, null, $"Content-Type: {type}"), RawHttp.Initialize);
                if (r.Status != 415) failures.Add($"Content-Type '{type}' (plus application/json): {r}");
            }
            var plain = await RawHttp.SendAsync(port, RawHttp.PostHead(port, len).Replace("Content-Type: application/json", "Content-Type: text/plain", StringComparison.Ordinal), RawHttp.Initialize);
            if (plain.Status != 415) failures.Add($"text/plain: {plain}");
            foreach (var body in new[] { """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}""", """{"jsonrpc":"2.0","id":1,"method":"initialize","params":[]}""" })
            {
                var r = await RawHttp.SendAsync(port, RawHttp.PostHead(port, Encoding.UTF8.GetByteCount(body)), body);
                if (r.Status != 400 || r.Message?["error"]?["code"]?.GetValue<int>() != -32602) failures.Add($"{body}: {r}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            string session = await RawHttp.OpenSessionAsync(port);
            await AssertGcdAsync(port, session);
        });
    }

    private static async Task<JsonObject> CallRawAsync(McpClientProcess client, JsonObject command)
    {
        command["cmd"] = "call";
        var answer = await client.SendAsync(command);
        return answer["result"] as JsonObject ?? throw new InvalidOperationException($"a protocol error, not a tool result: {answer.ToJsonString()}");
    }
}
