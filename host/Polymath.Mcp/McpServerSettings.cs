using System.Globalization;
using System.Net;

namespace Polymath.Mcp;

/// <summary>
/// How <c>polymath mcp</c> serves: over stdio (default) or, with <see cref="Http"/>, over streamable HTTP. Checked by
/// <see cref="Validate"/> before anything starts; every error names the option.
/// </summary>
public sealed class McpServerSettings
{
    /// <summary>What a request body may hold beyond the host's argument cap: the JSON-RPC envelope (64 KiB).</summary>
    public const int EnvelopeAllowance = 64 << 10;

    /// <summary>The request body cap when neither <see cref="MaxRequestBodyBytes"/> nor the host's argument cap is known (1 MiB + 64 KiB).</summary>
    public const long DefaultMaxRequestBodyBytes = (1 << 20) + EnvelopeAllowance;

    /// <summary>Address and port for streamable HTTP, e.g. <c>127.0.0.1:3001</c> (port 0 picks a free port); null = stdio.</summary>
    public string? Http { get; set; }

    /// <summary>
    /// A file holding the bearer token HTTP clients must send (<c>Authorization: Bearer …</c>). Required for any
    /// address other than loopback; optional (but enforced when given) on loopback.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>The HTTP path of the MCP endpoint (default <c>/mcp</c>).</summary>
    public string Path { get; set; } = "/mcp";

    /// <summary>
    /// Browser origins allowed besides loopback ones (<c>http(s)://localhost|127.x.x.x|[::1][:port]</c>, always
    /// allowed), each <c>scheme://host[:port]</c> (<c>--allowed-origin</c>). A request with any other <c>Origin</c>
    /// gets 403: this is the MCP spec's DNS rebinding defence.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Host names a request's <c>Host</c> header may carry besides the bound address (and <c>localhost</c> on
    /// loopback), e.g. a DNS name of this machine (<c>--allowed-host</c>). The port must always be the bound one.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Largest request body in bytes (<c>--max-body-bytes</c>); larger ones get 413 before they are read. Null: the
    /// host's argument cap (<c>Experts:Limits:MaxArgsBytes</c>) plus <see cref="EnvelopeAllowance"/>.
    /// </summary>
    public long? MaxRequestBodyBytes { get; set; }

    /// <summary>Time to receive a whole request body (<c>--body-timeout-ms</c>, default 10 s); a slower one gets 408.</summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to receive a request's headers (default 10 s); Kestrel drops a slower connection.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest total size of a request's headers (default 32 KiB); more gets 431.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 << 10;

    /// <summary>Most MCP sessions alive at once (<c>--max-sessions</c>, default 64); an <c>initialize</c> beyond gets 503.</summary>
    public int MaxSessions { get; set; } = 64;

    /// <summary>A session with no request for this long is closed (<c>--session-idle-seconds</c>, default 10 minutes).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most TCP connections open at once (default 256); Kestrel refuses more.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>The parsed <see cref="Http"/> endpoint (after <see cref="Validate"/>).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>The token read from <see cref="TokenFile"/> (after <see cref="Validate"/>).</summary>
    public string? Token { get; private set; }

    /// <summary>The normalized <see cref="AllowedOrigins"/> (after <see cref="Validate"/>).</summary>
    internal IReadOnlySet<string> Origins { get; private set; } = new HashSet<string>();

    /// <summary>The lower-cased <see cref="AllowedHosts"/> (after <see cref="Validate"/>).</summary>
    internal IReadOnlySet<string> HostNames { get; private set; } = new HashSet<string>();

    /// <summary>Checks the settings, parses the endpoint, origins and hosts, and reads the token file.</summary>
    /// <exception cref="ArgumentException">A setting is wrong; the message names it.</exception>
    public void Validate()
    {
        if (Http is null)
        {
            if (TokenFile is not null) throw new ArgumentException("--token-file applies only with --http");
            if (AllowedOrigins.Count > 0) throw new ArgumentException("--allowed-origin applies only with --http");
            if (AllowedHosts.Count > 0) throw new ArgumentException("--allowed-host applies only with --http");
            return;
        }
        if (!IPEndPoint.TryParse(Http, out var endpoint) || endpoint.Port == 0 && !Http.EndsWith(":0", StringComparison.Ordinal))
            throw new ArgumentException($"--http: '{Http}' is not ADDRESS:PORT (e.g. 127.0.0.1:3001 or [::1]:3001)");
        if (!Path.StartsWith('/')) throw new ArgumentException($"MCP path '{Path}' must start with '/'");
        if (MaxRequestBodyBytes is { } max && (max < 1024 || max > 256L << 20))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--max-body-bytes: {max} is outside 1024..{256L << 20}"));
        CheckRange(RequestBodyTimeout, "--body-timeout-ms", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        CheckRange(RequestHeadersTimeout, "RequestHeadersTimeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        CheckRange(SessionIdleTimeout, "--session-idle-seconds", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (MaxSessions is < 1 or > 100_000) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--max-sessions: {MaxSessions} is outside 1..100000"));
        if (MaxConnections < 2) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MaxConnections: {MaxConnections} is below 2"));
        if (MaxRequestHeadersBytes is < 4096 or > 1 << 20) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MaxRequestHeadersBytes: {MaxRequestHeadersBytes} is outside 4096..1048576"));
        var origins = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in AllowedOrigins)
            origins.Add(HttpGuard.NormalizeOrigin(o, out var why) ?? throw new ArgumentException($"--allowed-origin: '{o}' is not an origin: {why}"));
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in AllowedHosts)
            hosts.Add(HttpGuard.CheckHostName(h) is { } why ? throw new ArgumentException($"--allowed-host: '{h}' {why}") : h.ToLowerInvariant());
        Endpoint = endpoint;
        Origins = origins;
        HostNames = hosts;
        if (TokenFile is not null)
        {
            string token;
            try { token = File.ReadAllText(TokenFile).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--token-file: cannot read '{TokenFile}': {e.Message}", e);
            }
            if (token.Length < 16) throw new ArgumentException($"--token-file: the token in '{TokenFile}' must be at least 16 characters");
            Token = token;
        }
        else if (!IPAddress.IsLoopback(endpoint.Address))
            throw new ArgumentException($"--http {Http} is not a loopback address: pass --token-file FILE (clients then send 'Authorization: Bearer <token>')");
    }

    private static void CheckRange(TimeSpan value, string name, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}: {value.TotalMilliseconds} ms is outside {min.TotalMilliseconds}..{max.TotalMilliseconds} ms"));
    }
}
