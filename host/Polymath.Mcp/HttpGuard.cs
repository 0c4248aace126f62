using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Polymath.Mcp;

/// <summary>
/// What every HTTP request passes before the MCP SDK sees it, in order: the <c>Host</c> header must name this server
/// (the bound address, <c>localhost</c> on loopback, or an allowed host) on the bound port, and an <c>Origin</c>, when
/// present, must be a loopback or allowed origin (403 otherwise: the DNS rebinding defence of the MCP spec); a body
/// larger than the cap gets 413 before it is read, and one that takes longer than the deadline gets 408; a new session
/// beyond the cap gets 503. Rejections carry a JSON-RPC error body without id, as the spec allows.
/// </summary>
internal sealed class HttpGuard
{
    private const int MaxEchoed = 80;
    private readonly McpServerSettings _settings;
    private readonly ILogger _logger;
    private readonly long _maxBody;
    private readonly HashSet<IPAddress> _addresses;
    private readonly HashSet<string> _names;
    private int _liveSessions;
    private int _pendingSessions;

    public HttpGuard(McpServerSettings settings, long maxBody, ILogger logger)
    {
        _settings = settings;
        _maxBody = maxBody;
        _logger = logger;
        var bound = settings.Endpoint!.Address;
        _names = new HashSet<string>(settings.HostNames, StringComparer.Ordinal);
        _addresses = [bound];
        if (IPAddress.IsLoopback(bound)) _names.Add("localhost");
        if (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any))
        {
            // Every interface: its addresses, loopback ones included, and this machine's name.
            _names.Add("localhost");
            _names.Add(Dns.GetHostName().ToLowerInvariant());
            _addresses.Add(IPAddress.Loopback);
            _addresses.Add(IPAddress.IPv6Loopback);
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                    _addresses.Add(a.Address);
        }
    }

    /// <summary>Sessions alive now (between their creation and their end: DELETE, idle expiry or shutdown).</summary>
    public int LiveSessions => Volatile.Read(ref _liveSessions);

    /// <summary>The SDK's session runner, counting sessions for <see cref="LimitSessionsAsync"/>.</summary>
    public async Task RunSessionAsync(HttpContext context, McpServer server, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _liveSessions);
        try { await server.RunAsync(cancellationToken).ConfigureAwait(false); }
        finally { Interlocked.Decrement(ref _liveSessions); }
    }

    /// <summary>403 unless <c>Host</c> names this server and <c>Origin</c> (when present) is allowed.</summary>
    public Task CheckHostAndOriginAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        string? problem = CheckHost(request.Headers.Host, context.Connection.LocalPort);
        if (problem is null)
        {
            var origin = request.Headers.Origin;
            if (origin.Count > 1) problem = "more than one Origin header";
            else if (origin.Count == 1 && !IsAllowedOrigin(origin[0] ?? "", out problem)) { }
        }
        if (problem is null) return next(context);
        Log.HttpRejected(_logger, 403, problem, Remote(context));
        return RejectAsync(context, StatusCodes.Status403Forbidden, $"Forbidden: {problem}");
    }

    /// <summary>
    /// 413 for a body over the cap (by Content-Length before reading, or while reading a chunked one), 408 when the
    /// body is not complete within the deadline. The body is read here into a pooled buffer (at most the cap) and handed
    /// on from memory, so nothing downstream waits on a slow client or holds more than the cap.
    /// </summary>
    public async Task LimitBodyAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        long? length = request.ContentLength;
        if (HttpMethods.IsPost(request.Method) && !IsJson(request.Headers.ContentType))
        {
            string why = $"Content-Type '{Echo(request.Headers.ContentType.ToString())}' is not application/json (UTF-8)";
            Log.HttpRejected(_logger, 415, why, Remote(context));
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Unsupported Media Type: {why}").ConfigureAwait(false);
            return;
        }
        if (length > _maxBody)
        {
            await TooLargeAsync(context, string.Create(CultureInfo.InvariantCulture, $"Content-Length {length}")).ConfigureAwait(false);
            return;
        }
        if (length is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length ?? 16 << 10, _maxBody + 1));
        int total = 0;
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
            {
                deadline.CancelAfter(_settings.RequestBodyTimeout);
                try
                {
                    while (true)
                    {
                        if (total == buffer.Length)
                        {
                            if (total > _maxBody) break;
                            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, _maxBody + 1));
                            buffer.AsSpan(0, total).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }
                        int n = await request.Body.ReadAsync(buffer.AsMemory(total), deadline.Token).ConfigureAwait(false);
                        if (n == 0) break;
                        total += n;
                    }
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    Log.HttpRejected(_logger, 408, string.Create(CultureInfo.InvariantCulture, $"request body not complete after {_settings.RequestBodyTimeout.TotalMilliseconds} ms ({total} bytes)"), Remote(context));
                    context.Response.Headers.Connection = "close";
                    await RejectAsync(context, StatusCodes.Status408RequestTimeout,
                        string.Create(CultureInfo.InvariantCulture, $"Request Timeout: the body did not arrive within {_settings.RequestBodyTimeout.TotalMilliseconds} ms")).ConfigureAwait(false);
                    return;
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    await TooLargeAsync(context, "the chunked body").ConfigureAwait(false);
                    return;
                }
                catch (BadHttpRequestException e)
                {
                    Log.HttpRejected(_logger, e.StatusCode, e.Message, Remote(context));
                    await RejectAsync(context, e.StatusCode, $"Bad Request: {e.Message}").ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    return; // the client went away
                }
            }
            if (total > _maxBody)
            {
                await TooLargeAsync(context, "the chunked body").ConfigureAwait(false);
                return;
            }
            var original = request.Body;
            request.Body = new MemoryStream(buffer, 0, total, writable: false);
            try { await next(context).ConfigureAwait(false); }
            finally { request.Body = original; }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    // One Content-Type, application/json or */*+json, UTF-8 if a charset is named: what the SDK can read.
    private static bool IsJson(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(values[0], out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        && (!media.Charset.HasValue || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>503 for a request that would start a session (a POST without <c>Mcp-Session-Id</c>) when the cap is reached.</summary>
    public async Task LimitSessionsAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Headers.ContainsKey("Mcp-Session-Id"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        // Counted before the SDK creates the session, so concurrent initializes cannot overshoot the cap.
        if (Interlocked.Increment(ref _pendingSessions) + LiveSessions > _settings.MaxSessions)
        {
            Interlocked.Decrement(ref _pendingSessions);
            string why = string.Create(CultureInfo.InvariantCulture, $"{_settings.MaxSessions} sessions are open (the cap); close one (DELETE) or wait for idle ones to expire");
            Log.HttpRejected(_logger, 503, why, Remote(context));
            context.Response.Headers.RetryAfter = "5";
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, $"Service Unavailable: {why}").ConfigureAwait(false);
            return;
        }
        try { await next(context).ConfigureAwait(false); }
        finally { Interlocked.Decrement(ref _pendingSessions); }
    }

    /// <summary>
    /// 400 instead of 500 when the SDK's transport throws on a message it parsed but cannot bind (an <c>initialize</c>
    /// whose params lack <c>clientInfo</c>, hold a lone surrogate or repeat a key, say): the answer names the problem,
    /// the request is logged, nothing is lost.
    /// </summary>
    public async Task AnswerUnbindableAsync(HttpContext context, RequestDelegate next)
    {
        try { await next(context).ConfigureAwait(false); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException && !context.Response.HasStarted)
        {
            string why = Echo(e.Message, 300);
            Log.HttpRejected(_logger, 400, why, Remote(context));
            context.Response.Clear();
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"Bad Request: the message's params do not fit its method: {why}", -32602).ConfigureAwait(false);
        }
    }

    private Task TooLargeAsync(HttpContext context, string what)
    {
        string why = string.Create(CultureInfo.InvariantCulture, $"{what} exceeds the cap of {_maxBody} bytes (--max-body-bytes)");
        Log.HttpRejected(_logger, 413, why, Remote(context));
        context.Response.Headers.Connection = "close";
        return RejectAsync(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: {why}");
    }

    private string? CheckHost(Microsoft.Extensions.Primitives.StringValues values, int localPort)
    {
        if (values.Count == 0 || string.IsNullOrEmpty(values[0])) return "the request has no Host header";
        if (values.Count > 1) return "more than one Host header";
        string host = values[0]!;
        string name, portText;
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return $"Host '{Echo(host)}' is malformed";
            name = host[1..close];
            string rest = host[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':') return $"Host '{Echo(host)}' is malformed";
            portText = rest.Length > 0 ? rest[1..] : "";
        }
        else
        {
            int colon = host.IndexOf(':', StringComparison.Ordinal);
            if (colon != host.LastIndexOf(':')) return $"Host '{Echo(host)}' is malformed (an IPv6 address goes in brackets)";
            name = colon < 0 ? host : host[..colon];
            portText = colon < 0 ? "" : host[(colon + 1)..];
        }
        int port = 80;
        if (portText.Length > 0 && (!portText.All(char.IsAsciiDigit) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)))
            return $"Host '{Echo(host)}' has a malformed port";
        if (port != localPort) return string.Create(CultureInfo.InvariantCulture, $"Host '{Echo(host)}' names port {port}, not this server's port {localPort}");
        bool bracketed = host.StartsWith('[');
        bool known = IPAddress.TryParse(name, out var address) && !name.Contains('%', StringComparison.Ordinal)
            ? bracketed == (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) && _addresses.Contains(address)
            : !bracketed && _names.Contains(name.ToLowerInvariant());
        return known ? null : $"Host '{Echo(host)}' does not name this server (allowed: the bound address{(_names.Count > 0 ? ", " + string.Join(", ", _names.Order(StringComparer.Ordinal)) : "")}; add names with --allowed-host)";
    }

    private bool IsAllowedOrigin(string origin, out string? problem)
    {
        string? normal = NormalizeOrigin(origin, out string? why);
        if (normal is null)
        {
            problem = $"Origin '{Echo(origin)}' is not allowed: {why}";
            return false;
        }
        var uri = new Uri(normal);
        string host = uri.Host.TrimStart('[').TrimEnd(']');
        if (host == "localhost" || IPAddress.TryParse(host, out var a) && IPAddress.IsLoopback(a) || _settings.Origins.Contains(normal))
        {
            problem = null;
            return true;
        }
        problem = $"Origin '{Echo(origin)}' is not allowed (loopback origins are; add others with --allowed-origin)";
        return false;
    }

    /// <summary>
    /// <c>scheme://host:port</c> (lower case, port explicit) for an HTTP(S) origin as browsers send it, else null with
    /// <paramref name="why"/>. <c>null</c> (sandboxed and file pages, which any site can create) is not an origin here.
    /// </summary>
    internal static string? NormalizeOrigin(string origin, out string? why)
    {
        why = null;
        if (origin == "null") { why = "'null' is the origin of sandboxed and file pages, which any site can create"; return null; }
        int sep = origin.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0 || origin.IndexOfAny(['/', '?', '#', '@', '\\', '*', ' '], sep + 3) >= 0 || origin.Any(char.IsControl))
        {
            why = "an origin is scheme://host[:port], with no path, query, user or wildcard";
            return null;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            why = "an origin is http(s)://host[:port]";
            return null;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}");
    }

    /// <summary>Null when <paramref name="name"/> is a DNS name or IP literal usable as an allowed host; else why not.</summary>
    internal static string? CheckHostName(string name)
    {
        if (name.Length is 0 or > 253) return "is not a host name";
        if (name.Contains(':', StringComparison.Ordinal)) return "must be a host name without a port (the bound port is required)";
        if (name.EndsWith('.')) return "ends with a dot: give the name without it";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) return "is not a host name (letters, digits, '-' and '.')";
        return null;
    }

    private static Task RejectAsync(HttpContext context, int status, string message, int code = -32600)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNull("id");
            w.WriteStartObject("error");
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        context.Response.ContentLength = body.WrittenCount;
        return context.Response.Body.WriteAsync(body.WrittenMemory).AsTask();
    }

    // Header text quoted back: printable ASCII only, cut short, so a hostile header cannot fill the logs or the answer.
    private static string Echo(string text, int max = MaxEchoed)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max) + 3);
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, max)))
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        if (text.Length > max) sb.Append("...");
        return sb.ToString();
    }

    private static string Remote(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "?";
}
