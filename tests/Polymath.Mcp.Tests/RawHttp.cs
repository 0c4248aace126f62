using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Polymath.Mcp.Tests;

/// <summary>
/// HTTP/1.x spoken by hand over a TCP socket, for requests HttpClient will not send (any Host, none, HTTP/1.0,
/// chunked bodies that never end, bodies that trickle). Every request asks for <c>Connection: close</c> unless it
/// brings its own headers, so the answer is read to the end of the stream.
/// </summary>
internal static class RawHttp
{
    public const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>The JSON-RPC message of an SSE (<c>data: …</c>) or JSON body.</summary>
        public JsonNode? Message
        {
            get
            {
                string? data = Body.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal))?[6..];
                return JsonNode.Parse(data ?? Body);
            }
        }

        public override string ToString() => $"{Status} {Body}";
    }

    /// <summary>The head of a POST to <c>/mcp</c> with MCP's headers; <paramref name="extra"/> lines are added as given.</summary>
    public static string PostHead(int port, long? contentLength, string? host = null, params string[] extra)
    {
        var sb = new StringBuilder("POST /mcp HTTP/1.1\r\n");
        if (host is not null) sb.Append("Host: ").Append(host).Append("\r\n");
        else sb.Append(CultureInfo.InvariantCulture, $"Host: 127.0.0.1:{port}\r\n");
        sb.Append("Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nConnection: close\r\n");
        if (contentLength is { } n) sb.Append(CultureInfo.InvariantCulture, $"Content-Length: {n}\r\n");
        foreach (var line in extra) sb.Append(line).Append("\r\n");
        return sb.Append("\r\n").ToString();
    }

    /// <summary>Sends <paramref name="head"/> and <paramref name="body"/> and reads the answer to the end.</summary>
    public static async Task<Response> SendAsync(int port, string head, string body = "", TimeSpan? timeout = null, string address = "127.0.0.1")
    {
        using var tcp = new TcpClient(System.Net.IPAddress.Parse(address).AddressFamily);
        await tcp.ConnectAsync(System.Net.IPAddress.Parse(address), port).ConfigureAwait(false);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head + body)).ConfigureAwait(false);
        return await ReadAsync(stream, timeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    /// <summary>Reads one response to the end of the stream (the server closes: Connection: close).</summary>
    public static async Task<Response> ReadAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var all = new MemoryStream();
        var buffer = new byte[16 << 10];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false)) > 0) all.Write(buffer, 0, n);
        }
        catch (IOException) when (all.Length > 0) { } // reset after the answer: fine
        catch (OperationCanceledException) { throw new TimeoutException($"no complete answer within {timeout}: {Encoding.UTF8.GetString(all.ToArray())}"); }
        return Parse(all.ToArray());
    }

    public static Response Parse(byte[] raw)
    {
        string text = Encoding.UTF8.GetString(raw);
        // Skip interim answers (100 Continue).
        while (text.StartsWith("HTTP/1.1 100", StringComparison.Ordinal)) text = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) throw new InvalidOperationException($"not an HTTP response: '{text}'");
        var lines = text[..end].Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var l in lines.Skip(1))
        {
            int colon = l.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[l[..colon].Trim()] = l[(colon + 1)..].Trim();
        }
        string body = text[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)) body = Dechunk(body);
        return new Response(status, headers, body);
    }

    private static string Dechunk(string body)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < body.Length)
        {
            int eol = body.IndexOf("\r\n", i, StringComparison.Ordinal);
            if (eol < 0) break;
            int size = int.Parse(body.AsSpan(i, eol - i).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) break;
            sb.Append(body, eol + 2, Math.Min(size, body.Length - eol - 2));
            i = eol + 2 + size + 2;
        }
        return sb.ToString();
    }

    /// <summary>Opens a session (initialize + initialized) and returns its Mcp-Session-Id.</summary>
    public static async Task<string> OpenSessionAsync(int port)
    {
        var r = await SendAsync(port, PostHead(port, Encoding.UTF8.GetByteCount(Initialize)), Initialize).ConfigureAwait(false);
        if (r.Status != 200 || !r.Headers.TryGetValue("Mcp-Session-Id", out var session)) throw new InvalidOperationException($"initialize failed: {r}");
        const string initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";
        var n = await SendAsync(port, PostHead(port, initialized.Length, null, $"Mcp-Session-Id: {session}"), initialized).ConfigureAwait(false);
        if (n.Status != 202) throw new InvalidOperationException($"notifications/initialized failed: {n}");
        return session;
    }

    /// <summary>POSTs one JSON-RPC message in <paramref name="session"/>.</summary>
    public static Task<Response> PostAsync(int port, string session, string json, params string[] extra) =>
        SendAsync(port, PostHead(port, Encoding.UTF8.GetByteCount(json), null, [$"Mcp-Session-Id: {session}", .. extra]), json);

    /// <summary>A tools/call request.</summary>
    public static string ToolsCall(string nameJson, string argsJson, int id = 2) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":{nameJson},\"arguments\":{argsJson}}}}}");
}
