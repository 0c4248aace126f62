using Xunit;

namespace Polymath.Mcp.Tests;

/// <summary>The HTTP guard's settings: origins normalised as browsers send them, every bad value named at start.</summary>
public sealed class GuardSettingsTests
{
    [Theory]
    [InlineData("HTTPS://App.Example", "https://app.example:443")]
    [InlineData("http://app.example:80", "http://app.example:80")]
    [InlineData("http://localhost", "http://localhost:80")]
    [InlineData("http://[::1]:3000", "http://[::1]:3000")]
    [InlineData("http://127.0.0.1:5173", "http://127.0.0.1:5173")]
    public void Origins_are_normalised(string origin, string expected) => Assert.Equal(expected, HttpGuard.NormalizeOrigin(origin, out _));

    [Theory]
    [InlineData("null")]
    [InlineData("*")]
    [InlineData("http://app.example/")]
    [InlineData("http://app.example/path")]
    [InlineData("http://app.example?x=1")]
    [InlineData("http://app.example#x")]
    [InlineData("http://user@app.example")]
    [InlineData("ws://app.example")]
    [InlineData("file://")]
    [InlineData("app.example")]
    [InlineData("http://app.example\t")]
    [InlineData("http://*.example")]
    public void Non_origins_are_refused_with_a_reason(string origin)
    {
        Assert.Null(HttpGuard.NormalizeOrigin(origin, out var why));
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Each_bad_guard_setting_is_named()
    {
        static string Fails(Action<McpServerSettings> edit, string http = "127.0.0.1:0")
        {
            var s = new McpServerSettings { Http = http };
            edit(s);
            return Assert.Throws<ArgumentException>(s.Validate).Message;
        }
        Assert.StartsWith("--allowed-origin: 'null' is not an origin", Fails(s => s.AllowedOrigins.Add("null")), StringComparison.Ordinal);
        Assert.StartsWith("--allowed-host: 'a b'", Fails(s => s.AllowedHosts.Add("a b")), StringComparison.Ordinal);
        Assert.StartsWith("--body-timeout-ms", Fails(s => s.RequestBodyTimeout = TimeSpan.Zero), StringComparison.Ordinal);
        Assert.StartsWith("--session-idle-seconds", Fails(s => s.SessionIdleTimeout = TimeSpan.FromDays(2)), StringComparison.Ordinal);
        Assert.StartsWith("--max-sessions", Fails(s => s.MaxSessions = 0), StringComparison.Ordinal);
        Assert.StartsWith("--max-body-bytes", Fails(s => s.MaxRequestBodyBytes = 1L << 40), StringComparison.Ordinal);
        Assert.StartsWith("MaxRequestHeadersBytes", Fails(s => s.MaxRequestHeadersBytes = 10), StringComparison.Ordinal);
        var stdio = new McpServerSettings();
        stdio.AllowedOrigins.Add("https://app.example");
        Assert.Contains("only with --http", Assert.Throws<ArgumentException>(stdio.Validate).Message, StringComparison.Ordinal);

        var ok = new McpServerSettings { Http = "127.0.0.1:0" };
        ok.AllowedOrigins.Add("https://App.Example");
        ok.AllowedHosts.Add("MCP.Internal");
        ok.Validate();
        Assert.Contains("https://app.example:443", ok.Origins);
        Assert.Contains("mcp.internal", ok.HostNames);
    }
}
