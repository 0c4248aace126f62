using System.Diagnostics;

namespace Polymath.Service.Tests;

/// <summary>A service of its own with a short idle timeout and Debug logs: slow clients and hostile text in logs.</summary>
[Collection("service")]
public sealed class SlowClientAndLogTests : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();

    public void Dispose() => Directory.Delete(_experts, true);

    [Fact]
    public async Task APartialHeaderThenSilenceIsClosedByTheIdleTimeoutAndClientTextIsLoggedEscaped()
    {
        var service = await ServiceProcess.StartAsync(_experts, "--Service:IdleTimeoutMs=800",
            "--Serilog:MinimumLevel:Default=Debug", "--Serilog:WriteTo:0:Name=Console");
        await using var _ = service;

        // Slowloris: half a header, then nothing. The connection is closed within the idle timeout (+ the timer's period).
        using (var slow = new RawConnection(service.ConnectRaw()))
        {
            slow.Send("Content-Length: 4");
            var sw = Stopwatch.StartNew();
            Assert.True(slow.IsClosedByPeer(10_000), "a client that sent half a header and went silent was not closed");
            Assert.InRange(sw.ElapsedMilliseconds, 500, 9000); // 800 ms + the idle timer's period, on a loaded machine
        }
        // A body that never completes is the same.
        using (var slow = new RawConnection(service.ConnectRaw()))
        {
            slow.Send("Content-Length: 100\r\n\r\n{\"jsonrpc\"");
            Assert.True(slow.IsClosedByPeer(10_000), "a client that sent part of a body and went silent was not closed");
        }

        // A method name and an id with CR/LF and an ANSI escape: logged escaped, so no forged line appears.
        using (var raw = new RawConnection(service.ConnectRaw()))
        {
            raw.SendMessage("""{"jsonrpc":"2.0","id":"i\n[ERR] forged id","method":"evil\r\n[ERR] forged method\u001b[31m"}""");
            using var reply = raw.Receive();
            Assert.Equal(-32601, reply!.RootElement.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal("i\n[ERR] forged id", reply.RootElement.GetProperty("id").GetString()); // the reply keeps the exact id
        }
        await ServiceTests.WaitForAsync(() => Task.FromResult(service.Output.Contains("unknown method", StringComparison.Ordinal)));
        string log = service.Output;
        Assert.Contains(@"evil\r\n[ERR] forged method\u001b[31m", log);
        Assert.Contains(@"i\n[ERR] forged id", log);
        Assert.DoesNotContain(log.Split('\n'), line => line.StartsWith("[ERR] forged", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', log);
    }
}
