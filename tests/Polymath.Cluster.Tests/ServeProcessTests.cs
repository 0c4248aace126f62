using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Polymath.Cluster.Tests;

/// <summary>The real <c>polymath serve --cluster</c> process (the built CLI, copied to cli/ beside the tests).</summary>
public sealed class ServeProcessTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "cli", "polymath");

    private static int ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port; // closed again when disposed: nothing listens there
    }

    private static (int Exit, string Error, TimeSpan Took) Serve(params string[] args)
    {
        var psi = new ProcessStartInfo(Cli) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add($"--Experts:Directory={Repository.ExpertsDirectory}");
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException($"polymath serve {string.Join(' ', args)} did not exit within 30 s"); }
        return (p.ExitCode, stderr.Result, clock.Elapsed);
    }

    [Fact]
    public void UnreachableRedisIsAClearErrorNamingTheAddressWithinSeconds()
    {
        int port = ClosedPort();
        string socket = Path.Combine(Path.GetTempPath(), $"pm-{Guid.NewGuid():N}.sock");
        var (exit, error, took) = Serve("serve", "--cluster", $"redis://127.0.0.1:{port}", "--socket", socket, "--silo-port", "0", "--gateway-port", "0");
        Assert.Equal(2, exit);
        Assert.Contains($"redis://127.0.0.1:{port}", error, StringComparison.Ordinal);
        Assert.Contains("cannot be reached", error, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(15), $"took {took}");
    }

    [Theory]
    [InlineData("redis://", "Cluster:Membership")]
    [InlineData("zookeeper://x:1", "Cluster:Membership")]
    [InlineData("kubernetes", "Cluster:Redis")]
    public void BadMembershipIsRefusedNamingTheKey(string membership, string key)
    {
        var (exit, error, _) = Serve("serve", "--cluster", membership, "--socket", "");
        Assert.Equal(2, exit);
        Assert.Contains(key, error, StringComparison.Ordinal);
    }
}
