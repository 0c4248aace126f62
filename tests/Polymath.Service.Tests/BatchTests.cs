using System.Text;
using System.Text.Json;
using Polymath.Client;

namespace Polymath.Service.Tests;

/// <summary>JSON-RPC 2.0 batches (an array of requests → an array of replies), sent raw: vscode-jsonrpc has no batches.</summary>
[Collection("service")]
public sealed class BatchTests(SharedService shared)
{
    private ServiceProcess Service => shared.Service;

    [Fact]
    public void ABatchGetsOneArrayWithAReplyPerRequestAndNoneForNotifications()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.SendMessage("""
            [{"jsonrpc":"2.0","id":1,"method":"call","params":{"op":"gcd","args":{"a":12,"b":18}}},
             {"jsonrpc":"2.0","method":"call","params":{"op":"gcd","args":{"a":1,"b":1}}},
             {"jsonrpc":"2.0","id":"h","method":"health"},
             {"jsonrpc":"2.0","id":3,"method":"no.such.method"},
             {"jsonrpc":"2.0","id":4,"method":"call","params":{"op":"decline","args":{}}},
             42]
            """);
        using var reply = raw.Receive();
        Assert.NotNull(reply);
        Assert.Equal(JsonValueKind.Array, reply.RootElement.ValueKind);
        var byId = reply.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").ToString());
        Assert.Equal(5, byId.Count); // 6 members, one notification
        Assert.Equal(6, byId["1"].GetProperty("result").GetProperty("value").GetInt32());
        Assert.Equal("serving", byId["h"].GetProperty("result").GetProperty("status").GetString());
        Assert.Equal(-32601, byId["3"].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("declined", byId["4"].GetProperty("result").GetProperty("outcome").GetString());
        Assert.Equal(-32600, byId[""].GetProperty("error").GetProperty("code").GetInt32()); // 42: id null
        foreach (var r in reply.RootElement.EnumerateArray()) Assert.Equal("2.0", r.GetProperty("jsonrpc").GetString());

        // The connection goes on with single requests.
        raw.SendMessage("""{"jsonrpc":"2.0","id":5,"method":"health"}""");
        using var after = raw.Receive();
        Assert.Equal(5, after!.RootElement.GetProperty("id").GetInt32());
    }

    [Fact]
    public void ABatchOfNotificationsGetsNothingAndABatchOfOneGetsAnArray()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.SendMessage("""[{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}},{"jsonrpc":"2.0","method":"call","params":{"op":"gcd","args":{"a":2,"b":4}}}]""");
        raw.SendMessage("""[{"jsonrpc":"2.0","id":9,"method":"call","params":{"op":"gcd","args":{"a":2,"b":4}}}]""");
        using var reply = raw.Receive(); // the first message back answers the second batch: the first got none
        Assert.Equal(JsonValueKind.Array, reply!.RootElement.ValueKind);
        var only = Assert.Single(reply.RootElement.EnumerateArray().ToArray());
        Assert.Equal(9, only.GetProperty("id").GetInt32());
        Assert.Equal(2, only.GetProperty("result").GetProperty("value").GetInt32());
    }

    [Fact]
    public void ManyPipelinedCallsInOneBatchAreEachAnsweredOnce()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        var batch = new StringBuilder("[");
        for (int i = 0; i < 64; i++) // SharedService: MaxInFlightPerConnection=64
            batch.Append(i == 0 ? "" : ",").Append($$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"call","params":{"op":"echo","args":{"i":{{{i}}}""").Append("}}}");
        raw.SendMessage(batch.Append(']').ToString());
        using var reply = raw.Receive();
        var replies = reply!.RootElement.EnumerateArray().ToArray();
        Assert.Equal(64, replies.Length);
        Assert.Equal(Enumerable.Range(0, 64), replies.Select(r => r.GetProperty("id").GetInt32()).Order());
        Assert.All(replies, r => Assert.Equal(r.GetProperty("id").GetInt32(), r.GetProperty("result").GetProperty("value").GetProperty("i").GetInt32()));
    }

    [Fact]
    public void ABatchLargerThanTheInFlightLimitIsRefusedNamingTheSetting()
    {
        using var raw = new RawConnection(Service.ConnectRaw());
        raw.SendMessage("[" + string.Join(',', Enumerable.Range(0, 65).Select(i => $$"""{"jsonrpc":"2.0","id":{{i}},"method":"health"}""")) + "]");
        using var reply = raw.Receive();
        var error = reply!.RootElement.GetProperty("error");
        Assert.Equal(-32600, error.GetProperty("code").GetInt32());
        Assert.Contains("Service:MaxInFlightPerConnection", error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, reply.RootElement.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task ABatchCountsAgainstTheInFlightLimitUntilItsArrayIsSent()
    {
        await using var observer = await Service.ConnectAsync();
        using var raw = new RawConnection(Service.ConnectRaw());
        // Ten slow calls (each stopped by its 1.5 s deadline) and one fast one: the array waits for the slowest.
        raw.SendMessage("[" + string.Join(',', Enumerable.Range(0, 10).Select(i => $$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"call","params":{"op":"sloop","args":{},"deadline_ms":1500}}"""))
            + """,{"jsonrpc":"2.0","id":"fast","method":"call","params":{"op":"gcd","args":{"a":3,"b":6}}}]""");
        await ServiceTests.WaitForAsync(async () => (await observer.StatsAsync()).GetProperty("in_flight").GetInt64() >= 11 + 1);
        using var reply = raw.Receive(20_000);
        var replies = reply!.RootElement.EnumerateArray().ToArray();
        Assert.Equal(11, replies.Length);
        Assert.Equal(10, replies.Count(r => r.GetProperty("result").TryGetProperty("limit", out var limit) && limit.GetString() == "timeout"));
        await ServiceTests.WaitForAsync(async () => (await observer.StatsAsync()).GetProperty("in_flight").GetInt64() <= 1);
    }
}
