using System.Text;
using System.Text.Json;

namespace Polymath.Service.Tests;

/// <summary>
/// Issue #25 step 2 against a real <c>polymath serve</c> over a real socket: <c>args</c> go to the expert as the request's
/// own UTF-8 bytes; bytes that are not valid UTF-8 are refused as an invalid param naming the field (whether the call
/// would run inline or on a guest thread), an <c>args_text</c> that is not JSON is an <c>invalid_args</c> outcome, and
/// the connection keeps serving.
/// </summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RawArgsTests : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();

    public void Dispose() => Directory.Delete(_experts, true);

    private static JsonElement Send(RawConnection raw, byte[] body)
    {
        raw.SendBytes(body);
        using var reply = raw.Receive(10_000);
        Assert.NotNull(reply);
        return reply.RootElement.Clone();
    }

    private static byte[] Call(int id, string op, string paramsTail) =>
        Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"call\",\"params\":{{\"op\":\"{op}\",{paramsTail}}}}}");

    [Fact]
    public async Task ArgsThatAreNotUtf8AreAnInvalidParamNamingTheField()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code");
        await using var _ = service;
        using var raw = new RawConnection(service.ConnectRaw());
        // Twice each: the first call of an op runs on a guest thread, later ones (a fast op) inline on the read loop.
        for (int round = 0; round < 3; round++)
        {
            var ok = Send(raw, Call(1, "echo", "\"args\":{\"n\":1}"));
            Assert.Equal("result", ok.GetProperty("result").GetProperty("outcome").GetString());
            // "\xF0\x9F" is a truncated 4-byte sequence inside a string: the request parses, its text is not UTF-8.
            var body = Call(2, "echo", "\"args\":{\"x\":\"@@\"}");
            int at = Array.IndexOf(body, (byte)'@');
            body[at] = 0xF0;
            body[at + 1] = 0x9F;
            var bad = Send(raw, body);
            var error = bad.GetProperty("error");
            Assert.Equal(-32602, error.GetProperty("code").GetInt32());
            Assert.Contains("params.args", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(2, bad.GetProperty("id").GetInt32());
        }
        await using var client = await service.ConnectAsync();
        Assert.True((await client.CallAsync("gcd", """{"a":12,"b":18}""")).IsResult);
    }

    [Fact]
    public async Task ArgsTextThatIsNotJsonIsInvalidArgsAndArgsPassThroughAsSent()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code");
        await using var _ = service;
        using var raw = new RawConnection(service.ConnectRaw());
        var text = Send(raw, Call(1, "echo", "\"args_text\":\"{\\\"x\\\":\""));
        var r = text.GetProperty("result");
        Assert.Equal("invalid_args", r.GetProperty("outcome").GetString());
        Assert.Contains("not valid JSON", r.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // The guest sees the bytes the client sent (a number's spelling, an escaped pair, non-ASCII text), not a re-encoding.
        for (int round = 0; round < 3; round++)
        {
            var echo = Send(raw, Call(2, "echo", "\"args\":{\"n\":1.50,\"s\":\"\\ud83d\\ude00é\"}")).GetProperty("result");
            Assert.Equal("result", echo.GetProperty("outcome").GetString());
            Assert.Contains("1.50", echo.GetProperty("value").GetRawText(), StringComparison.Ordinal);
        }
    }
}
