using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Service.Tests;

/// <summary><c>polymath call --server</c> prints what the in-process call prints; <c>polymath status</c>.</summary>
[Collection("service")]
public sealed partial class CliTests(SharedService shared)
{
    private static (int Code, string Stdout, string Stderr) Polymath(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServiceProcess.CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "polymath did not finish within 60 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [GeneratedRegex("\"latency_ns\":\\d+")]
    private static partial Regex Latency();

    [Theory]
    [InlineData("gcd", "{\"a\":12,\"b\":18}", true)]
    [InlineData("gcd", "{\"a\":12,\"b\":18}", false)]
    [InlineData("no_such_op", "{}", false)]
    [InlineData("trap", "{}", true)]
    [InlineData("echo", "{\"x\":", true)]
    public void CallThroughTheServicePrintsWhatTheInProcessCallPrints(string op, string args, bool json)
    {
        string[] extra = json ? ["--json"] : [];
        // The shared service runs with --no-dynamic-code (the interpreter); the in-process call must bind the same way.
        var local = Polymath(["call", op, args, "--dir", shared.ExpertsDirectory, "--no-dynamic-code", .. extra]);
        var remote = Polymath(["call", op, args, "--server", shared.Service.SocketPath, .. extra]);
        Assert.Equal(local.Code, remote.Code);
        // latency_ns is measured per call; every other byte is the same.
        Assert.Equal(Latency().Replace(local.Stdout, "\"latency_ns\":0"), Latency().Replace(remote.Stdout, "\"latency_ns\":0"));
    }

    [Fact]
    public void StatusShowsHealthAndStats()
    {
        var json = Polymath("status", "--server", shared.Service.SocketPath, "--json");
        Assert.True(json.Code == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("serving", doc.RootElement.GetProperty("health").GetProperty("status").GetString());
        Assert.True(doc.RootElement.GetProperty("stats").TryGetProperty("ops", out _));
        var table = Polymath("status", "--server", shared.Service.SocketPath);
        Assert.True(table.Code == 0, table.Stderr);
        Assert.Contains("serving", table.Stdout);
        Assert.Contains("Calls by op", table.Stdout);
        var missing = Polymath("status", "--server", "/nonexistent/polymath.sock");
        Assert.Equal(2, missing.Code);
        Assert.Contains("cannot connect", missing.Stderr);
    }
}
