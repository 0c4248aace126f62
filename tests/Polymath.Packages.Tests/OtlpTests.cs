using System.Diagnostics;
using Polymath.Client;
using Polymath.Host.Telemetry;

namespace Polymath.Packages.Tests;

/// <summary>
/// `polymath serve --otlp URL` (the built CLI, a real process on a real socket) sends every call's span and the call
/// metrics to an OTLP/HTTP collector; bad OTLP settings stop the service with exit code 2 naming the setting.
/// </summary>
public sealed class OtlpTests
{
    [Fact]
    public async Task ServeExportsCallSpansAndMetricPointsWithAttributes()
    {
        using var collector = new OtlpReceiver();
        string dir = Directory.CreateTempSubdirectory("polymath-otlp-").FullName;
        string experts = Path.Combine(dir, "experts");
        Repo.CopyFolder(Path.Combine(Repo.Root, "experts", "arithmetic"), Path.Combine(experts, "arithmetic"));
        string socket = Path.Combine(dir, "polymath.sock");
        using var service = Start(dir, "serve", "--socket", socket, "--otlp", collector.Url, $"--Experts:Directory={experts}",
            "--Experts:Watch=false", "--OpenTelemetry:MetricIntervalMs=200", "--OpenTelemetry:ServiceName=otlp-test");
        try
        {
            await using (var client = await ConnectAsync(socket, service))
            {
                var ok = await client.CallAsync("gcd", """{"a":12,"b":18}""");
                Assert.Equal("6", ok.Value?.GetRawText());
                await client.CallAsync("no_such_op", "{}");
            }
            await collector.WaitAsync(c => c.Spans.Count(s => s.Name == "gcd") >= 1 && c.Spans.Any(s => s.Name == "no_such_op"), "the call spans");
            var span = collector.Spans.First(s => s.Name == "gcd");
            Assert.Equal(PolymathTelemetry.SourceName, span.Scope);
            Assert.Equal("gcd", span.Attributes[PolymathTelemetry.OpTag]);
            Assert.Equal("arithmetic", span.Attributes[PolymathTelemetry.ExpertTag]);
            Assert.False(string.IsNullOrEmpty(span.Attributes[PolymathTelemetry.VersionTag]));
            Assert.False(string.IsNullOrEmpty(span.Attributes[PolymathTelemetry.RuntimeTag]));
            Assert.Equal("result", span.Attributes[PolymathTelemetry.OutcomeTag]);
            Assert.Equal("otlp-test", span.Resource["service.name"]);
            var unknown = collector.Spans.First(s => s.Name == "no_such_op");
            Assert.Equal("unknown_op", unknown.Attributes[PolymathTelemetry.OutcomeTag]);
            Assert.Equal(2, unknown.StatusCode); // STATUS_CODE_ERROR

            await collector.WaitAsync(c => c.Points.Any(p => p.Name == PolymathTelemetry.CallsMetric && p.Attributes.GetValueOrDefault(PolymathTelemetry.OpTag) == "gcd")
                                           && c.Points.Any(p => p.Name == PolymathTelemetry.DurationMetric), "the call metric points");
            var point = collector.Points.First(p => p.Name == PolymathTelemetry.CallsMetric && p.Attributes[PolymathTelemetry.OpTag] == "gcd");
            Assert.Equal(PolymathTelemetry.SourceName, point.Scope);
            Assert.Equal("arithmetic", point.Attributes[PolymathTelemetry.ExpertTag]);
            Assert.Equal(span.Attributes[PolymathTelemetry.RuntimeTag], point.Attributes[PolymathTelemetry.RuntimeTag]);
            Assert.Equal(span.Attributes[PolymathTelemetry.VersionTag], point.Attributes[PolymathTelemetry.VersionTag]);
            Assert.Equal("result", point.Attributes[PolymathTelemetry.OutcomeTag]);
        }
        finally
        {
            if (!service.HasExited) service.Kill(true);
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("--otlp=ftp://127.0.0.1:1", "--otlp")]
    [InlineData("--OpenTelemetry:Endpoint=not a url", "OpenTelemetry:Endpoint")]
    [InlineData("--OpenTelemetry:Protocol=carrier-pigeon", "OpenTelemetry:Protocol")]
    public void ServeRejectsBadOtlpSettings(string setting, string named)
    {
        string dir = Directory.CreateTempSubdirectory("polymath-otlp-bad-").FullName;
        try
        {
            var extra = setting.Contains("Protocol", StringComparison.Ordinal) ? new[] { setting, "--otlp", "http://127.0.0.1:4318" } : [setting];
            var (code, stdout, stderr) = Repo.TryRun("dotnet", dir, new Dictionary<string, string?>(),
                [Repo.CliDll, "serve", "--socket", Path.Combine(dir, "s.sock"), $"--Experts:Directory={dir}", .. extra]);
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains(named, stderr, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void McpRejectsANonHttpOtlpUrl()
    {
        string dir = Directory.CreateTempSubdirectory("polymath-otlp-mcp-").FullName;
        try
        {
            var (code, stdout, stderr) = Repo.TryRun("dotnet", dir, new Dictionary<string, string?>(), Repo.CliDll, "mcp", "--dir", dir, "--otlp", "file:///etc/passwd");
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("--otlp", stderr, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static Process Start(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Repo.CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var v in new[] { "POLYMATH_PLATFORM", "POLYMATH_NO_DYNAMIC_CODE", "POLYMATH_PLUGINS", "NOTIFY_SOCKET", "INVOCATION_ID" }) psi.Environment.Remove(v);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<PolymathClient> ConnectAsync(string socket, Process service)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            Assert.False(service.HasExited, $"polymath serve exited with {(service.HasExited ? service.ExitCode : 0)}");
            if (File.Exists(socket))
            {
                try
                {
                    var client = await PolymathClient.ConnectAsync(socket);
                    await client.HealthAsync();
                    return client;
                }
                catch (PolymathConnectionException) { }
            }
            Assert.True(DateTime.UtcNow < until, "polymath serve did not answer within 90 s");
            await Task.Delay(100);
        }
    }
}
