using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Polymath.Client;

namespace Polymath.Service.Tests;

/// <summary>
/// Issue #24's hostile replays against a real <c>polymath serve</c> over a real socket: malformed text, slow calls of
/// fast ops, busy guests, idle connections and large queued args each end contained, the service keeps answering
/// <c>health</c> and other clients, and SIGTERM then ends it promptly with exit code 0.
/// </summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainmentTests : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();

    public ContainmentTests()
    {
        // spin: loops until its 500 ms timeout (no fuel limit): the busy guest of item 9.
        TestExperts.WritePackage(_experts, "spin", TestExperts.Echo("spin", "p"), extra: ",\"limits\":{\"timeoutMs\":500}");
    }

    public void Dispose() => Directory.Delete(_experts, true);

    private static async Task StopPromptlyAsync(ServiceProcess service, int withinMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        int exit = await service.TerminateAsync(withinMs);
        Assert.True(exit == 0, $"polymath serve exited with {exit} after SIGTERM:\n{service.Output}");
        Assert.True(sw.ElapsedMilliseconds < withinMs, $"SIGTERM took {sw.ElapsedMilliseconds} ms");
    }

    private static int ErrorCode(JsonDocument? reply)
    {
        Assert.NotNull(reply);
        Assert.True(reply.RootElement.TryGetProperty("error", out var error), $"expected an error, got {reply.RootElement}");
        return error.GetProperty("code").GetInt32();
    }

    // Item 7: bytes that cannot become a .NET string, in each field a request's handling reads.
    public static TheoryData<string, string> MalformedText() => new()
    {
        { "method, invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"he\xFFlth\"}" },
        { "method, lone surrogate", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\ud800\"}" },
        { "id, invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":\"\xC3\x28\",\"method\":\"health\"}" },
        { "id, lone surrogate", "{\"jsonrpc\":\"2.0\",\"id\":\"\\udc00x\",\"method\":\"health\"}" },
        { "op, invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call\",\"params\":{\"op\":\"gc\xE2\x82\"}}" },
        { "op, lone surrogate", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call\",\"params\":{\"op\":\"gcd\\ud83d\"}}" },
        { "args, invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call\",\"params\":{\"op\":\"echo\",\"args\":{\"x\":\"\xF0\x9F\"}}}" },
        { "cancel id, lone surrogate", "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":\"\\ud800\"}}" },
        { "property name, lone surrogate", "{\"jsonr\\ud800pc\":\"2.0\",\"id\":1,\"method\":\"health\"}" },
        { "property name, invalid UTF-8", "{\"j\xC3(\xEDsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}" },
        { "batch member, lone surrogate", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\ud800\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"health\"}]" },
    };

    private static byte[] Latin1(string s) => s.Select(c => (byte)c).ToArray(); // \xNN above: raw bytes, not UTF-16

    [Fact]
    public async Task MalformedTextIsAnsweredAndFreesItsSlot()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code", "--Service:MaxConnections=3", "--Service:MaxInFlightPerConnection=2");
        await using var _ = service;
        // Three rounds of every case on three connections at once: a leaked slot or connection would lock the next round out.
        for (int round = 0; round < 3; round++)
        {
            // Every connection of the previous round (and the readiness probe) has been closed by the service.
            await ServiceTests.WaitForAsync(async () =>
            {
                await using var probe = await service.ConnectAsync();
                return (await probe.HealthAsync()).GetProperty("connections").GetInt64() == 1;
            }, 10_000);
            await Task.Delay(200); // the probe's own close
            // All three connected before any sends (the pending limit is ¾ of 3 rounded up: 3).
            var raws = Enumerable.Range(0, 3).Select(_ => new RawConnection(service.ConnectRaw())).ToArray();
            try
            {
                foreach (var (name, body) in MalformedText().Select(row => ((string)row[0], (string)row[1])))
                {
                    foreach (var raw in raws)
                    {
                        try { raw.SendBytes(Latin1(body)); }
                        catch (SocketException e) { Assert.Fail($"round {round}, {name}: the connection was closed ({e.SocketErrorCode}):\n{service.Output}"); }
                        using var reply = raw.Receive(5_000);
                        Assert.True(reply is not null, $"{name}: no reply (the connection was closed)");
                        var root = reply.RootElement;
                        var first = root.ValueKind == JsonValueKind.Array ? root[0] : root;
                        int code = ErrorCode(JsonDocument.Parse(first.GetRawText()));
                        // args are handed through as bytes: their invalid UTF-8 is an invalid param (-32602), the rest an invalid request.
                        Assert.True(name.StartsWith("args", StringComparison.Ordinal) ? code == -32602 : code is -32600 or -32700, $"{name}: code {code}");
                        if (root.ValueKind == JsonValueKind.Array) Assert.Equal(2, root.GetArrayLength()); // the good member is answered too
                        // The same connection keeps serving (its two slots are free again).
                        raw.SendMessage("""{"jsonrpc":"2.0","id":7,"method":"health"}""");
                        using var health = raw.Receive(5_000);
                        Assert.True(health is not null && health.RootElement.TryGetProperty("result", out var _), $"{name}: health after it was not answered");
                    }
                }
            }
            finally { foreach (var raw in raws) raw.Dispose(); }
        }
        await using (var client = await service.ConnectAsync())
            Assert.True((await client.CallAsync("gcd", """{"a":12,"b":18}""")).IsResult);
        Assert.Contains("not valid text", service.Output);
        await StopPromptlyAsync(service, 5_000);
    }

    [Fact]
    public async Task ASlowCallOfAFastOpLeavesTheReadLoopAndCanBeCancelled()
    {
        // The best tier here (a JIT): is_prime of a small number takes microseconds, well under the 100 µs that makes an op fast.
        var service = await ServiceProcess.StartAsync(_experts, "--Experts:Limits:TimeoutMs=60000", "--Experts:TierUp=false", "--Service:InlineBudgetMs=5");
        await using var _ = service;
        await using var client = await service.ConnectAsync();
        // is_prime of small numbers: fast, so the service starts running it inline.
        for (int i = 0; i < 200; i++) Assert.True((await client.CallAsync("is_prime", $"{{\"n\":{i + 2}}}")).IsResult);
        // 2^61 - 1 is prime: trial division takes far longer than the budget (and than this test) on the interpreter.
        using var cancel = new CancellationTokenSource();
        var slow = client.CallAsync("is_prime", """{"n":2305843009213693951}""", cancellationToken: cancel.Token);
        await Task.Delay(300);
        var sw = Stopwatch.StartNew();
        Assert.True((await client.HealthAsync()).GetProperty("guests").GetProperty("running").GetInt32() >= 1);
        Assert.True((await client.CallAsync("gcd", """{"a":12,"b":18}""")).IsResult);
        Assert.True(sw.ElapsedMilliseconds < 2_000, $"the connection's other requests waited {sw.ElapsedMilliseconds} ms behind the slow call");
        Assert.False(slow.IsCompleted);
        sw.Restart();
        cancel.Cancel();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => slow);
        Assert.True(error is OperationCanceledException or PolymathServiceException { Code: -32800 }, error.ToString());
        await ServiceTests.WaitForAsync(async () => (await client.HealthAsync()).GetProperty("guests").GetProperty("running").GetInt32() == 0, 5_000);
        Assert.True(sw.ElapsedMilliseconds < 5_000, $"the cancelled call ran on for {sw.ElapsedMilliseconds} ms");
        Assert.Contains("ran past the inline budget", service.Output);
        await StopPromptlyAsync(service);
    }

    [Theory]
    [InlineData("interpreter", 16)]
    [InlineData("best", 16)]
    [InlineData("interpreter", 96)]
    public async Task PipelinedLoopsDoNotStarveHealthOrOtherClients(string tier, int calls)
    {
        string[] tierArgs = tier == "interpreter" ? ["--no-dynamic-code"] : [];
        var service = await ServiceProcess.StartAsync(_experts, [.. tierArgs, "--Service:DrainTimeoutMs=2000"]);
        await using var _ = service;
        int threads = (await (await service.ConnectAsync()).HealthAsync()).GetProperty("guests").GetProperty("threads").GetInt32();
        await using var busy = await service.ConnectAsync();
        var sw = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, calls).Select(_ => busy.CallAsync("ploop", "{}")).ToArray();
        await Task.Delay(200);
        // health on the busy connection and on a new one, and another client's first call: all answered at once.
        for (int probe = 0; probe < 3; probe++)
        {
            var t = Stopwatch.StartNew();
            Assert.Equal("serving", (await busy.HealthAsync()).GetProperty("status").GetString());
            await using (var other = await service.ConnectAsync())
            {
                Assert.Equal("serving", (await other.HealthAsync()).GetProperty("status").GetString());
                Assert.Equal(6, (await other.CallAsync("gcd", """{"a":12,"b":18}""")).Value!.Value.GetInt32());
            }
            // Round robin: another connection's call waits for at most one busy call per thread (500 ms) and the machine's load.
            Assert.True(t.ElapsedMilliseconds < 3_000, $"probe {probe}: health and another client's call took {t.ElapsedMilliseconds} ms");
            await Task.Delay(300);
        }
        if (calls <= 16)
        {
            var results = await Task.WhenAll(loops);
            Assert.All(results, r => Assert.Equal("timeout", r.Limit));
            // calls × 500 ms over the guest threads, plus slack for a loaded machine.
            double expected = calls * 0.5 / threads;
            Assert.True(sw.Elapsed.TotalSeconds < expected + 8, $"{calls} loops took {sw.Elapsed.TotalSeconds:F1} s on {threads} threads (expected ≈ {expected:F1} s)");
        }
        // SIGTERM with loops still queued (96): the drain cancels them after 2 s and the service exits 0.
        await StopPromptlyAsync(service);
        foreach (var loop in loops)
        {
            try { var r = await loop; Assert.Equal("timeout", r.Limit); }
            catch (PolymathServiceException e) { Assert.Equal(-32800, e.Code); }
            catch (PolymathConnectionException) { }
        }
    }

    [Fact]
    public async Task IdleTcpConnectionsDoNotLockOutTheUnixSocket()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code", "--Service:TcpPort=0", "--Service:MaxConnections=24", "--Service:HandshakeTimeoutMs=3000");
        await using var _ = service;
        int port = service.TcpPort;
        var idle = new List<Socket>();
        try
        {
            // 24 loopback TCP connections that send nothing: 18 (¾ of 24) are kept, the others are told why and closed.
            for (int i = 0; i < 24; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect(new IPEndPoint(IPAddress.Loopback, port));
                idle.Add(s);
            }
            await Task.Delay(1000);
            var refused = idle.Where(s => s.Poll(0, SelectMode.SelectRead)).ToList();
            Assert.Equal(6, refused.Count);
            Assert.All(refused, s => Assert.Contains("Service:MaxPendingConnections", ReadAll(s)));
            // The Unix socket has its own limits: its users are served meanwhile.
            await using (var unix = await service.ConnectAsync())
                Assert.True((await unix.CallAsync("gcd", """{"a":8,"b":12}""")).IsResult);
            // The kept ones are closed at the handshake deadline, each with an error naming the setting.
            foreach (var s in idle.Except(refused)) Assert.Contains("Service:HandshakeTimeoutMs", ReadAll(s, 10_000));
            // A TCP client that speaks is served.
            await using (var tcp = await PolymathClient.ConnectAsync($"tcp:127.0.0.1:{port}"))
                Assert.True((await tcp.CallAsync("gcd", """{"a":8,"b":12}""")).IsResult);
        }
        finally { foreach (var s in idle) s.Dispose(); }
        Assert.Contains("have not sent a request yet", service.Output);
        await StopPromptlyAsync(service);
    }

    // Everything until the service closes the connection (or the timeout passes).
    private static string ReadAll(Socket s, int timeoutMs = 2000)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        s.ReceiveTimeout = timeoutMs;
        try
        {
            int n;
            while ((n = s.Receive(buffer)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (SocketException) { }
        return text.ToString();
    }

    [Fact]
    public async Task QueuedBytesAndCallsAreBounded()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code", "--Service:GuestThreads=1",
            "--Service:MaxQueuedBytesPerConnection=4194304", "--Service:MaxQueuedCalls=64", "--Service:DrainTimeoutMs=2000");
        await using var _ = service;
        await using var observer = await service.ConnectAsync();
        long before = (await observer.StatsAsync()).GetProperty("memory").GetProperty("working_set_bytes").GetInt64();
        // 4 connections × 64 pipelined calls with 512 KiB args each (1 MiB as queued UTF-16): 256 MiB if all were read.
        string args = "{\"x\":\"" + new string('a', 512 * 1024) + "\"}";
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => service.ConnectAsync()));
        var calls = clients.SelectMany(c => Enumerable.Range(0, 64).Select(_ => c.CallAsync("ploop", args))).ToArray();
        long peakBytes = 0, peakWorkingSet = 0;
        for (int i = 0; i < 20; i++)
        {
            await Task.Delay(250);
            var health = await observer.HealthAsync();
            peakBytes = Math.Max(peakBytes, health.GetProperty("guests").GetProperty("queued_bytes").GetInt64());
            peakWorkingSet = Math.Max(peakWorkingSet, (await observer.StatsAsync()).GetProperty("memory").GetProperty("working_set_bytes").GetInt64());
        }
        // Each connection holds at most its 4 MiB plus the one call that crossed it.
        Assert.True(peakBytes <= 4 * (5L << 20), $"{peakBytes >> 20} MiB of calls were queued");
        Assert.True(peakWorkingSet - before < 200L << 20, $"the working set grew by {(peakWorkingSet - before) >> 20} MiB");
        // The service-wide call limit: past 64 waiting calls, a call is refused at once with -32003 naming the setting.
        await using var flood = await service.ConnectAsync();
        var refusals = 0;
        var small = Enumerable.Range(0, 100).Select(_ => flood.CallAsync("ploop", "{}")).ToArray();
        foreach (var call in small)
        {
            try { await call.WaitAsync(TimeSpan.FromSeconds(1)); }
            catch (PolymathServiceException e) when (e.Code == -32003 && e.Message.Contains("Service:MaxQueuedCalls", StringComparison.Ordinal)) { refusals++; }
            catch (TimeoutException) { }
        }
        Assert.True(refusals > 0, "no call was refused past Service:MaxQueuedCalls");
        Assert.Equal("serving", (await observer.HealthAsync()).GetProperty("status").GetString());
        await StopPromptlyAsync(service, 15_000);
        foreach (var c in clients) await c.DisposeAsync();
    }
}
