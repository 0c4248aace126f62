using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Polymath.Client;
using Polymath.Sdk;

namespace Polymath.Service.Tests;

/// <summary>Garbage, floods and slow clients: each is refused or closed with a clear error, and the service keeps serving.</summary>
[Collection("service")]
public sealed class HostileInputTests(SharedService shared)
{
    private const string Health = """{"jsonrpc":"2.0","id":1,"method":"health"}""";

    private ServiceProcess Service => shared.Service;

    [Fact]
    public void ADepthBombIsAParseErrorAndTheConnectionStaysOpen()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.SendMessage(new string('[', 100_000) + new string(']', 100_000));
        using (var reply = raw.Receive())
        {
            Assert.Equal(-32700, reply!.RootElement.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Contains("depth", reply.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }
        // Also inside a request's args.
        raw.SendMessage($$$"""{"jsonrpc":"2.0","id":2,"method":"call","params":{"op":"echo","args":{{{new string('[', 5000)}}}{{{new string(']', 5000)}}}}}""");
        using (var reply = raw.Receive()) Assert.Equal(-32700, reply!.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        raw.SendMessage("""{"jsonrpc":"2.0","id":3,"method":"health"}""");
        using (var reply = raw.Receive()) Assert.Equal(3, reply!.RootElement.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task ArgsAboveTheMessageCapAreRefusedAtTheFramingLayerNamingTheSetting()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        string request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call\",\"params\":{\"op\":\"echo\",\"args\":{\"s\":\"" + new string('x', 1_100_000) + "\"}}}";
        // The header says it all: the service answers before reading the body (here only its first 64 KiB is sent).
        raw.Send($"Content-Length: {request.Length}\r\n\r\n{request[..65536]}");
        using (var reply = raw.Receive())
        {
            var error = reply!.RootElement.GetProperty("error");
            Assert.Equal(-32600, error.GetProperty("code").GetInt32());
            Assert.Contains("Service:MaxMessageBytes", error.GetProperty("message").GetString());
        }
        Assert.True(raw.IsClosedByPeer());
        // Only that connection is closed.
        await using var other = await Service.ConnectAsync();
        Assert.True((await other.CallAsync("gcd", """{"a":8,"b":12}""")).IsResult);
    }

    [Fact]
    public async Task MadeUpOpNamesDoNotGrowTheStats()
    {
        await using var client = await Service.ConnectAsync();
        var calls = Enumerable.Range(0, 500).Select(i => client.CallAsync($"made_up_{Guid.NewGuid():N}_{i}", "{}")).ToArray();
        Assert.All(await Task.WhenAll(calls), r => Assert.Equal(ExpertCallOutcome.UnknownOp, r.Outcome));
        var ops = (await client.StatsAsync()).GetProperty("ops");
        Assert.DoesNotContain(ops.EnumerateObject(), p => p.Name.StartsWith("made_up_", StringComparison.Ordinal));
        Assert.True(ops.GetProperty("(unrouted)").GetProperty("outcomes").GetProperty("unknown_op").GetInt64() >= 500);
    }

    [Fact]
    public async Task TenThousandConnectionsOpenedAndDroppedLeaveTheServiceServing()
    {
        await using var observer = await Service.ConnectAsync();
        long before = (await observer.StatsAsync()).GetProperty("memory").GetProperty("working_set_bytes").GetInt64();
        const int total = 10_000;
        int opened = 0, refusedByKernel = 0;
        var sw = Stopwatch.StartNew();
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            // A full accept backlog makes connect fail at once (EAGAIN on a Unix socket); a client retries.
            for (int attempt = 0; ; attempt++)
            {
                try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(Service.SocketPath), ct); break; }
                catch (SocketException) when (attempt < 1000)
                {
                    Interlocked.Increment(ref refusedByKernel);
                    socket.Dispose();
                    socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await Task.Delay(1, ct);
                }
            }
            using var _ = socket;
            Interlocked.Increment(ref opened);
            // A third send half a header, a third a whole request, a third nothing; all hang up at once.
            if (i % 3 == 1) socket.Send("Content-Len"u8);
            else if (i % 3 == 2) socket.Send(Encoding.ASCII.GetBytes($"Content-Length: {Health.Length}\r\n\r\n{Health}"));
        });
        Assert.Equal(total, opened);
        // Every dropped connection is closed by the service.
        await ServiceTests.WaitForAsync(async () => (await observer.StatsAsync()).GetProperty("connections").GetInt64() <= 1, 60_000);
        var stats = await observer.StatsAsync();
        Assert.InRange(stats.GetProperty("in_flight").GetInt64(), 0, 1);
        long after = stats.GetProperty("memory").GetProperty("working_set_bytes").GetInt64();
        Assert.True(after - before < 150L << 20, $"working set grew by {(after - before) >> 20} MiB after {opened} connections in {sw.ElapsedMilliseconds} ms ({refusedByKernel} connects retried)");
        Assert.True((await observer.CallAsync("gcd", """{"a":9,"b":6}""")).IsResult);
    }
}
