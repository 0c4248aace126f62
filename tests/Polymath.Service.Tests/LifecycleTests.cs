using System.Collections.Concurrent;
using System.Diagnostics;
using Polymath.Client;
using Polymath.Sdk;

namespace Polymath.Service.Tests;

/// <summary>Start, limits, authentication and shutdown of separate service processes.</summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LifecycleTests : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();

    public void Dispose() => Directory.Delete(_experts, true);

    [Fact]
    public async Task SigtermMidLoadDrainsWithNoCallLostOrUnanswered()
    {
        var service = await ServiceProcess.StartAsync(_experts);
        await using var _ = service;
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => service.ConnectAsync()));
        long results = 0, closedBeforeRead = 0, refused = 0, wrong = 0;
        var other = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = clients.Select((client, c) => Task.Run(async () =>
        {
            int i = 0;
            var window = new Queue<(int I, Task<RemoteCallResult> Call)>();
            while (true)
            {
                while (window.Count < 32 && !stop.IsCancellationRequested) { window.Enqueue((i, client.CallAsync("echo", $"{{\"c\":{c},\"i\":{i}}}"))); i++; }
                if (window.Count == 0) return;
                var (n, call) = window.Dequeue();
                try
                {
                    var r = await call;
                    if (r.IsResult && r.Value!.Value.GetProperty("i").GetInt32() == n) Interlocked.Increment(ref results); else Interlocked.Increment(ref wrong);
                }
                catch (PolymathConnectionException) { Interlocked.Increment(ref closedBeforeRead); stop.Cancel(); }
                catch (PolymathServiceException e) when (e.Code == -32002) { Interlocked.Increment(ref refused); }
                catch (Exception e) { other.Add(e.ToString()); }
            }
        })).ToArray();
        await Task.Delay(500);
        // Long calls in flight when SIGTERM arrives: the drain must wait for them and deliver their replies.
        var longCalls = Enumerable.Range(0, 4).Select(_ => clients[0].CallAsync("sloop", "{}", deadlineMs: 1500)).ToArray();
        await Task.Delay(200);
        long before = Interlocked.Read(ref results);
        var sw = Stopwatch.StartNew();
        int exit = await service.TerminateAsync();
        stop.Cancel();
        var all = Task.WhenAll(load);
        Assert.True(await Task.WhenAny(all, Task.Delay(20_000)) == all, "a call was left unanswered (hangs) after the service stopped");
        foreach (var call in longCalls)
        {
            var r = await call;
            Assert.Equal(ExpertCallOutcome.LimitExceeded, r.Outcome);
            Assert.Equal("timeout", r.Limit);
        }
        Assert.True(sw.ElapsedMilliseconds >= 500, "the service exited before its in-flight calls finished");
        Assert.Equal(0, exit);
        Assert.Empty(other);
        Assert.Equal(0, wrong);
        Assert.True(before > 0);
        Assert.Contains("Stopped: every connection is closed", service.Output);
        Assert.False(File.Exists(service.SocketPath), "the socket file was not removed");
        foreach (var c in clients) await c.DisposeAsync();
    }

    [Fact]
    public async Task ConnectionLimitIdleTimeoutAndTcpToken()
    {
        string tokenFile = Path.Combine(_experts, "token");
        await File.WriteAllTextAsync(tokenFile, "s3cret-token-for-tests-0123456789\n");
        // Sinks come from configuration (Serilog.Settings.Configuration): console for the TcpPort line, a compact-JSON file.
        string logFile = Path.Combine(_experts, "service.clef");
        var service = await ServiceProcess.StartAsync(_experts, "--Service:MaxConnections=2", "--Service:IdleTimeoutMs=600",
            "--Service:TcpPort=0", $"--Service:TokenFile={tokenFile}",
            "--Serilog:WriteTo:0:Name=Console", "--Serilog:WriteTo:1:Name=File", $"--Serilog:WriteTo:1:Args:path={logFile}",
            "--Serilog:WriteTo:1:Args:formatter=Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact");
        await using var _ = service;
        await ServiceTests.WaitForAsync(() => Task.FromResult(File.Exists(logFile) && ReadShared(logFile).Contains("\"@mt\":\"Listening on tcp:{Endpoint}\"", StringComparison.Ordinal)));
        // StartAsync's readiness probe has closed its connection; wait until the service has seen that.
        await Task.Delay(300);
        using var first = new RawConnection(service.ConnectRaw());
        using var second = new RawConnection(service.ConnectRaw());
        first.SendMessage("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}");
        using (var ok = first.Receive()) Assert.True(ok!.RootElement.TryGetProperty("result", out var _result));
        using var third = new RawConnection(service.ConnectRaw());
        using (var refused = third.Receive())
        {
            Assert.NotNull(refused);
            Assert.Equal(-32000, refused.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }
        Assert.True(third.IsClosedByPeer());
        // Idle connections are closed after Service:IdleTimeoutMs.
        Assert.True(first.IsClosedByPeer(5000), "an idle connection was not closed");
        Assert.True(second.IsClosedByPeer(5000), "an idle connection was not closed");

        // TCP with a token file: nothing but auth is served before the token.
        // (The closed connections leave the service's count a moment after the client sees them closed: retry -32000.)
        int code = 0;
        for (var sw = Stopwatch.StartNew(); sw.ElapsedMilliseconds < 10_000; await Task.Delay(100))
        {
            await using var anonymous = await PolymathClient.ConnectAsync($"127.0.0.1:{service.TcpPort}");
            code = (await Assert.ThrowsAsync<PolymathServiceException>(() => anonymous.CallAsync("gcd", "{\"a\":4,\"b\":6}"))).Code;
            if (code != -32000) break;
        }
        Assert.Equal(-32001, code);
        await Assert.ThrowsAsync<PolymathServiceException>(() => PolymathClient.ConnectAsync($"127.0.0.1:{service.TcpPort}", new PolymathClientOptions { Token = "wrong-token-wrong-token" }));
        await using var authenticated = await PolymathClient.ConnectAsync($"127.0.0.1:{service.TcpPort}", new PolymathClientOptions { Token = "s3cret-token-for-tests-0123456789" });
        Assert.Equal(2, (await authenticated.CallAsync("gcd", "{\"a\":4,\"b\":6}")).Value!.Value.GetInt32());
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    [Theory]
    [InlineData("--Service:MaxConnections=0", "Service:MaxConnections")]
    [InlineData("--Service:MaxInFlightPerConnection=abc", "Service:MaxInFlightPerConnection")]
    [InlineData("--Service:TcpPort=0|--Service:TcpAddress=0.0.0.0", "Service:AllowNonLoopback")]
    [InlineData("--Service:TcpPort=0|--Service:TcpAddress=0.0.0.0|--Service:AllowNonLoopback=true", "Service:TokenFile")]
    [InlineData("--Experts:DebounceMs=soon", "Experts:DebounceMs")]
    [InlineData("--Service:GuestThreads=0", "Service:GuestThreads")]
    [InlineData("--Service:MaxPendingConnections=300", "Service:MaxPendingConnections")]
    [InlineData("--Service:HandshakeTimeoutMs=10", "Service:HandshakeTimeoutMs")]
    [InlineData("--Service:MaxQueuedBytes=1000", "Service:MaxQueuedBytes")]
    [InlineData("--Service:MaxQueuedBytesPerConnection=0", "Service:MaxQueuedBytesPerConnection")]
    [InlineData("--Service:InlineBudgetMs=-1", "Service:InlineBudgetMs")]
    // Tokens that are not options nor --Section:Key=value used to be taken as configuration nobody reads (issue #25).
    [InlineData("--sokcet|/tmp/polymath-typo.sock", "unknown option '--sokcet'; did you mean '--socket'?")]
    [InlineData("--Servce:TcpPort=0", "unknown configuration section in '--Servce:TcpPort=0'")]
    [InlineData("--Service:TcpPort", "'--Service:TcpPort' has no value")]
    [InlineData("Service:TcpPort=0", "unknown option 'Service:TcpPort=0'")]
    public async Task InvalidOptionsStopTheStartNamingTheKey(string args, string key)
    {
        string dir = Directory.CreateTempSubdirectory("polymath-svc-").FullName;
        var service = ServiceProcess.Launch(dir, Path.Combine(dir, "s.sock"), ["serve", "--socket", Path.Combine(dir, "s.sock"), $"--Experts:Directory={_experts}", .. args.Split('|')]);
        await using var _ = service;
        Assert.Equal(2, await service.WaitForExitAsync());
        Assert.Contains(key, service.Output);
    }

    [Fact]
    public async Task AShortOrMissingTokenStopsTheStartNamingTheFile()
    {
        // The token lives outside the services' working directories: disposing a service deletes its own.
        string tokenDir = Directory.CreateTempSubdirectory("polymath-token-").FullName;
        string tokenFile = Path.Combine(tokenDir, "token");
        await File.WriteAllTextAsync(tokenFile, "short\n");
        try
        {
            foreach (var (file, expected) in new[] { (tokenFile, "is shorter than 16 characters"), (tokenFile + ".missing", "does not exist") })
            {
                string dir = Directory.CreateTempSubdirectory("polymath-svc-").FullName;
                var service = ServiceProcess.Launch(dir, Path.Combine(dir, "s.sock"),
                    ["serve", "--socket", Path.Combine(dir, "s.sock"), $"--Experts:Directory={_experts}", "--Service:TcpPort=0", $"--Service:TokenFile={file}"]);
                await using var _ = service;
                Assert.Equal(2, await service.WaitForExitAsync());
                Assert.Contains("Service:TokenFile: ", service.Output, StringComparison.Ordinal);
                Assert.Contains($"'{file}' {expected}", service.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(tokenDir, recursive: true);
        }
    }

    [Fact]
    public async Task StaleSocketIsReplacedButALiveServiceOrAFileIsNot()
    {
        var first = await ServiceProcess.StartAsync(_experts);
        await using var _ = first;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.SocketPath));

        // A second service on the same path while the first is alive refuses to start.
        var second = ServiceProcess.Launch(Directory.CreateTempSubdirectory("polymath-svc-").FullName, first.SocketPath, ["serve", "--socket", first.SocketPath, $"--Experts:Directory={_experts}"]);
        await using (second)
        {
            Assert.Equal(2, await second.WaitForExitAsync());
            Assert.Contains("another service is listening", second.Output);
        }

        // The first crashes (SIGKILL leaves its socket file behind); a new service replaces the stale file.
        Process.GetProcessById(first.Pid).Kill();
        await first.WaitForExitAsync();
        Assert.True(File.Exists(first.SocketPath));
        string dir = Directory.CreateTempSubdirectory("polymath-svc-").FullName;
        var third = ServiceProcess.Launch(dir, first.SocketPath, ["serve", "--socket", first.SocketPath, $"--Experts:Directory={_experts}"]);
        await using (third)
        {
            await ServiceTests.WaitForAsync(async () =>
            {
                try { await using var c = await PolymathClient.ConnectAsync(first.SocketPath); await c.HealthAsync(); return true; }
                catch (PolymathConnectionException) { return false; }
            }, 60_000);
            Assert.Contains("Replaced the stale socket file", third.Output);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.SocketPath));
        }

        // A regular file at the path is never deleted.
        dir = Directory.CreateTempSubdirectory("polymath-svc-").FullName;
        string file = Path.Combine(dir, "not-a-socket");
        await File.WriteAllTextAsync(file, "keep me");
        var fourth = ServiceProcess.Launch(Directory.CreateTempSubdirectory("polymath-svc-").FullName, file, ["serve", "--socket", file, $"--Experts:Directory={_experts}"]);
        await using (fourth)
        {
            Assert.Equal(2, await fourth.WaitForExitAsync());
            Assert.Contains("is not a socket", fourth.Output);
            Assert.Equal("keep me", await File.ReadAllTextAsync(file));
        }
        Directory.Delete(dir, true);
    }
}
