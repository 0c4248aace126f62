using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Polymath.Service.Tests;

/// <summary>Frames written and read by hand, for malformed-input tests.</summary>
internal sealed class RawConnection(Socket socket) : IDisposable
{
    private readonly List<byte> _buffer = [];

    public Socket Socket => socket;

    public void Send(string text) => socket.Send(Encoding.UTF8.GetBytes(text));

    /// <summary>Frames <paramref name="body"/> as it is (bytes that need not be valid UTF-8).</summary>
    public void SendBytes(byte[] body)
    {
        socket.Send(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        socket.Send(body);
    }

    public void SendMessage(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        socket.Send(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        socket.Send(body);
    }

    /// <summary>The next message, or null when the service closed the connection.</summary>
    public JsonDocument? Receive(int timeoutMs = 10_000)
    {
        socket.ReceiveTimeout = timeoutMs;
        var chunk = new byte[8192];
        while (true)
        {
            var data = _buffer.ToArray();
            int end = IndexOf(data, "\r\n\r\n"u8.ToArray());
            if (end >= 0)
            {
                string header = Encoding.ASCII.GetString(data, 0, end);
                int length = int.Parse(header.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (data.Length >= end + 4 + length)
                {
                    var doc = JsonDocument.Parse(data.AsMemory(end + 4, length));
                    _buffer.RemoveRange(0, end + 4 + length);
                    return doc;
                }
            }
            int n = socket.Receive(chunk);
            if (n == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>True when the service has closed the connection (reads end) within the timeout.</summary>
    public bool IsClosedByPeer(int timeoutMs = 10_000)
    {
        socket.ReceiveTimeout = timeoutMs;
        var chunk = new byte[1024];
        try
        {
            while (true) if (socket.Receive(chunk) == 0) return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return true; }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { return false; }
    }

    private static int IndexOf(byte[] data, byte[] pattern) => data.AsSpan().IndexOf(pattern);

    public void Dispose() => socket.Dispose();
}
