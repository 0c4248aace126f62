using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Polymath.Client;
using Polymath.Sdk;

namespace Polymath.Service.Tests;

/// <summary>Protocol, outcomes, load, malformed input, hot swap and backpressure against one real service process.</summary>
[Collection("service")]
public sealed class ServiceTests(SharedService shared)
{
    private ServiceProcess Service => shared.Service;

    [Fact]
    public async Task EveryOutcomeKindComesBackTyped()
    {
        await using var client = await Service.ConnectAsync();
        var result = await client.CallAsync("echo", "{\"x\":42}");
        Assert.Equal(ExpertCallOutcome.Result, result.Outcome);
        Assert.Equal(42, result.Value!.Value.GetProperty("x").GetInt32());
        Assert.Equal("echo", result.ExpertId);
        Assert.Equal("interpreter", result.RuntimeId);

        Assert.Equal(ExpertCallOutcome.Declined, (await client.CallAsync("decline", "{}")).Outcome);
        var unknown = await client.CallAsync("no_such_op", "{}");
        Assert.Equal(ExpertCallOutcome.UnknownOp, unknown.Outcome);
        Assert.Contains("no_such_op", unknown.Reason);
        var unavailable = await client.CallAsync("jecho", "{}");
        Assert.Equal(ExpertCallOutcome.Unavailable, unavailable.Outcome);
        Assert.Contains("exec.jit", unavailable.Reason);
        var fuel = await client.CallAsync("loop", "{}");
        Assert.Equal(ExpertCallOutcome.LimitExceeded, fuel.Outcome);
        Assert.Equal("fuel", fuel.Limit);
        var trapped = await client.CallAsync("trap", "{}");
        Assert.Equal(ExpertCallOutcome.Trapped, trapped.Outcome);
        Assert.NotNull(trapped.Trap);
        var invalid = await client.CallAsync("echo", "{\"x\":");
        Assert.Equal(ExpertCallOutcome.InvalidArgs, invalid.Outcome);
        Assert.Contains("not valid JSON", invalid.Reason);
        var deadline = await client.CallAsync("sloop", "{}", deadlineMs: 100);
        Assert.Equal(ExpertCallOutcome.LimitExceeded, deadline.Outcome);
        Assert.Equal("timeout", deadline.Limit);
        Assert.Contains("deadline_ms", deadline.Reason);
        var gcd = await client.CallAsync("gcd", "{\"a\":12,\"b\":18}");
        Assert.Equal(6, gcd.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task CancelRequestStopsARunningCallAndSlowCallsDoNotBlockFastOnes()
    {
        await using var client = await Service.ConnectAsync();
        using var cts = new CancellationTokenSource();
        var slow = client.CallAsync("sloop", "{}", cancellationToken: cts.Token);
        var deadline = client.CallAsync("sloop", "{}", deadlineMs: 3000);
        // Answered out of order: the fast call sent after the slow ones comes back first.
        var fast = await client.CallAsync("echo", "{\"n\":1}");
        Assert.True(fast.IsResult);
        Assert.False(slow.IsCompleted);
        Assert.False(deadline.IsCompleted);
        var sw = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        Assert.Equal(ExpertCallOutcome.LimitExceeded, (await deadline).Outcome);
        // The service really stopped the cancelled call: nothing stays in flight.
        await WaitForAsync(async () => (await client.StatsAsync()).GetProperty("in_flight").GetInt64() <= 1);
        Assert.True(sw.ElapsedMilliseconds < 10_000);
    }

    [Fact]
    public async Task SixtyFourClientsPipelineThousandsOfCallsEachReplyMatched()
    {
        const int clients = 64, callsPerClient = 1000;
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Service.ConnectAsync()));
        long mismatched = 0, failed = 0, answered = 0;
        string? firstError = null;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(connections.Select((client, c) => Task.Run(async () =>
        {
            var calls = new Task<RemoteCallResult>[callsPerClient];
            for (int i = 0; i < callsPerClient; i++) calls[i] = client.CallAsync("echo", $"{{\"c\":{c},\"i\":{i}}}");
            for (int i = 0; i < callsPerClient; i++)
            {
                try
                {
                    var r = await calls[i];
                    Interlocked.Increment(ref answered);
                    if (!r.IsResult || r.Value!.Value.GetProperty("c").GetInt32() != c || r.Value.Value.GetProperty("i").GetInt32() != i) Interlocked.Increment(ref mismatched);
                }
                catch (Exception e) { if (Interlocked.Increment(ref failed) == 1) firstError = e.ToString(); }
            }
        })));
        sw.Stop();
        foreach (var c in connections) await c.DisposeAsync();
        Assert.True(failed == 0, $"{failed} calls failed; the first: {firstError}");
        Assert.Equal(0, mismatched);
        Assert.Equal(clients * callsPerClient, answered);
    }

    [Theory]
    [InlineData("Content-Lenght: 5\r\n\r\nhello", -32700, true)]                     // bad header
    [InlineData("Content-Length: 12x\r\n\r\n{}", -32700, true)]                       // bad number
    [InlineData("Content-Length: 99999999\r\n\r\n{}", -32600, true)]                  // oversized
    [InlineData("Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\"", -32700, true)]     // truncated (then the client shuts down its side)
    [InlineData("Content-Length: 9\r\n\r\n{not json", -32700, false)]                 // invalid JSON
    [InlineData("M{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"nope\"}", -32601, false)]  // unknown method
    [InlineData("M{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"call\",\"params\":{\"op\":5}}", -32602, false)] // wrong params
    [InlineData("M{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"call\",\"params\":{\"op\":\"echo\",\"deadline_ms\":-1}}", -32602, false)]
    [InlineData("M{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"health\"}", -32600, false)] // not 2.0
    [InlineData("M[]", -32600, false)]                                                  // empty batch
    [InlineData("M42", -32600, false)]                                                  // not an object
    [InlineData("M\"text\"", -32600, false)]                                          // valid JSON, not an object
    [InlineData("Mnull", -32600, false)]
    [InlineData("Mtrue", -32600, false)]
    [InlineData("Content-Length: 99999999999999999999\r\n\r\n{}", -32700, true)]     // huge Content-Length (does not fit)
    [InlineData("Content-Length: 2000000\r\n\r\n{}", -32600, true)]                 // above Service:MaxMessageBytes
    [InlineData("Content-Length: -5\r\n\r\n{}", -32700, true)]                        // negative
    [InlineData("Content-Length: twelve\r\n\r\n{}", -32700, true)]                    // not a number
    [InlineData("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", -32700, true)]  // duplicated header
    [InlineData("Content-Length: 2\r\nX-Evil: \u001b[31m\r\n\r\n{}", -32700, true)] // control character in a header
    public async Task MalformedInputGetsTheSpecErrorAndClosesAtMostThatConnection(string input, int code, bool closes)
    {
        // A healthy client keeps calling on another connection the whole time.
        await using var healthy = await Service.ConnectAsync();
        using var stop = new CancellationTokenSource();
        long ok = 0, bad = 0;
        Assert.True((await healthy.CallAsync("gcd", "{\"a\":21,\"b\":14}")).IsResult);
        var background = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await healthy.CallAsync("gcd", "{\"a\":21,\"b\":14}");
                if (r.IsResult && r.Value!.Value.GetInt32() == 7) Interlocked.Increment(ref ok); else Interlocked.Increment(ref bad);
            }
        });

        using var raw = new RawConnection(Service.ConnectRaw());
        if (input.StartsWith('M')) raw.SendMessage(input[1..]); else raw.Send(input);
        if (input.StartsWith("Content-Length: 100\r\n", StringComparison.Ordinal)) raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        using (var reply = raw.Receive())
        {
            Assert.NotNull(reply);
            var error = reply.RootElement.GetProperty("error");
            Assert.Equal(code, error.GetProperty("code").GetInt32());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.Equal("2.0", reply.RootElement.GetProperty("jsonrpc").GetString());
        }
        if (closes) Assert.True(raw.IsClosedByPeer(), "the service should close a connection whose framing is lost");
        else
        {
            // The same connection still works.
            raw.SendMessage("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"health\"}");
            using var health = raw.Receive();
            Assert.Equal("after", health!.RootElement.GetProperty("id").GetString());
            Assert.Equal("serving", health.RootElement.GetProperty("result").GetProperty("status").GetString());
        }
        await Task.Delay(100);
        stop.Cancel();
        await background;
        Assert.Equal(0, bad);
        Assert.True(ok > 0);
    }

    [Fact]
    public async Task NotificationsWithoutIdGetNoReplyAndUnknownNotificationsAreIgnored()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.SendMessage("{\"jsonrpc\":\"2.0\",\"method\":\"$/setTrace\",\"params\":{\"value\":\"off\"}}");
        raw.SendMessage("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":12345}}");
        raw.SendMessage("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"experts.describe\",\"params\":{\"id\":\"arithmetic\"}}");
        using var reply = raw.Receive();
        Assert.Equal(1, reply!.RootElement.GetProperty("id").GetInt32());
        var expert = reply.RootElement.GetProperty("result");
        Assert.Equal("arithmetic", expert.GetProperty("id").GetString());
        Assert.Contains(expert.GetProperty("ops").EnumerateArray(), o => o.GetProperty("name").GetString() == "gcd");
    }

    [Fact]
    public async Task ListDescribeHealthStatsAndTcp()
    {
        await using var client = await PolymathClient.ConnectAsync($"127.0.0.1:{Service.TcpPort}");
        var list = await client.ListExpertsAsync();
        Assert.Contains(list.GetProperty("experts").EnumerateArray(), e => e.GetProperty("id").GetString() == "needsjit" && e.GetProperty("status").GetString() == "unavailable");
        var health = await client.HealthAsync();
        Assert.Equal("serving", health.GetProperty("status").GetString());
        Assert.Equal(5, health.GetProperty("experts").GetProperty("total").GetInt32());
        var gcd = await client.CallAsync("gcd", "{\"a\":12,\"b\":18}");
        Assert.Equal(6, gcd.Value!.Value.GetInt32());
        var stats = await client.StatsAsync();
        Assert.True(stats.GetProperty("ops").GetProperty("gcd").GetProperty("outcomes").GetProperty("result").GetInt64() >= 1);
        Assert.True(stats.GetProperty("memory").GetProperty("working_set_bytes").GetInt64() > 0);
        var error = await Assert.ThrowsAsync<PolymathServiceException>(() => client.DescribeExpertAsync("nobody"));
        Assert.Equal(-32602, error.Code);
    }

    [Fact]
    public async Task HotSwapUnderLoadFailsZeroCallsAndNotifies()
    {
        await using var client = await Service.ConnectAsync();
        var notifications = new ConcurrentQueue<ServiceNotification>();
        client.Notification += (_, n) => notifications.Enqueue(n);
        var versions = new ConcurrentDictionary<string, int>();
        long calls = 0, failures = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await client.CallAsync("wversion", "{}");
                Interlocked.Increment(ref calls);
                if (r.IsResult) versions.AddOrUpdate(r.Value!.Value.GetString()!, 1, (_, n) => n + 1);
                else Interlocked.Increment(ref failures);
            }
        })).ToArray();
        await Task.Delay(300);
        var wasm = TestExperts.Echo("swap", "w", version: "2.0.0");
        string dir = Path.Combine(shared.ExpertsDirectory, "swap");
        File.WriteAllBytes(Path.Combine(dir, "swap.wasm"), wasm); // the manifest still names the old hash: rejected, old version serves
        await Task.Delay(150);
        File.WriteAllText(Path.Combine(dir, "expert.json"), TestExperts.Manifest("swap", wasm, "2.0.0"));
        await WaitForAsync(() => Task.FromResult(versions.ContainsKey("2.0.0")), 20_000);
        await Task.Delay(200);
        stop.Cancel();
        await Task.WhenAll(load);
        Assert.Equal(0, failures);
        Assert.True(versions.ContainsKey("1.0.0"));
        Assert.True(calls > 100);
        await WaitForAsync(() => Task.FromResult(notifications.Any(n => n.Method == "experts.loaded" &&
            n.Params.GetProperty("expert").GetProperty("version").GetString() == "2.0.0")), 5000);
    }

    [Fact]
    public async Task AClientThatStopsReadingIsHeldBackNotBuffered()
    {
        await using var observer = await Service.ConnectAsync();
        long before = (await observer.StatsAsync()).GetProperty("memory").GetProperty("working_set_bytes").GetInt64();
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.Socket.SendTimeout = 3000;
        string args = new('x', 2000);
        var request = System.Text.Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call\",\"params\":{{\"op\":\"echo\",\"args\":{{\"s\":\"{args}\"}}}}}}");
        var frame = System.Text.Encoding.ASCII.GetBytes($"Content-Length: {request.Length}\r\n\r\n").Concat(request).ToArray();
        long sent = 0;
        var writer = Task.Run(() =>
        {
            try
            {
                for (int i = 0; i < 100_000; i++) { raw.Socket.Send(frame); sent++; }
            }
            catch (System.Net.Sockets.SocketException) { } // the send timed out: the service stopped reading
        });
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(sent < 100_000, "every request was accepted although the client never read a reply");
        var stats = await observer.StatsAsync();
        Assert.InRange(stats.GetProperty("in_flight").GetInt64(), 1, 64 + 1); // one connection's slots (+ this stats request)
        long after = stats.GetProperty("memory").GetProperty("working_set_bytes").GetInt64();
        Assert.True(after - before < 200L << 20, $"working set grew by {(after - before) >> 20} MiB");
        // Other clients are still served.
        Assert.True((await observer.CallAsync("gcd", "{\"a\":4,\"b\":6}")).IsResult);
        raw.Socket.Close();
        await WaitForAsync(async () => (await observer.StatsAsync()).GetProperty("in_flight").GetInt64() <= 1, 15_000);
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs) throw new TimeoutException("condition not reached");
            await Task.Delay(25);
        }
    }
}
