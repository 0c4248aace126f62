using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Polymath.Service.Tests;

/// <summary>
/// Fuzzes the service's framing and request handling against a real <c>polymath serve</c> over its Unix socket: seeded
/// mutations of well-formed frames (byte flips, invalid UTF-8, lone surrogates, wrong or huge Content-Length, garbage
/// headers, truncation, deep nesting, batches). Each connection sends a few frames and half-closes; the service must
/// answer or close it within 10 s with well-framed JSON, never die, and still stop with exit code 0 on SIGTERM.
/// CI runs a bounded run (POLYMATH_FUZZ_SECONDS, default 5; POLYMATH_FUZZ_SEED to replay); seed and counts are printed.
/// </summary>
[Collection("service")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FramingFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _experts = TestExperts.CreateDirectory();

    public void Dispose() => Directory.Delete(_experts, true);

    private static readonly string[] Templates =
    [
        """{"jsonrpc":"2.0","id":1,"method":"health"}""",
        """{"jsonrpc":"2.0","id":"a","method":"call","params":{"op":"gcd","args":{"a":12,"b":18}}}""",
        """{"jsonrpc":"2.0","id":2,"method":"call","params":{"op":"echo","args":{"x":"hé"},"deadline_ms":50}}""",
        """{"jsonrpc":"2.0","id":3,"method":"call","params":{"op":"sloop","args_text":"{}","deadline_ms":20}}""",
        """[{"jsonrpc":"2.0","id":4,"method":"stats"},{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":4}}]""",
        """{"jsonrpc":"2.0","id":5,"method":"experts.describe","params":{"id":"echo"}}""",
        """{"jsonrpc":"2.0","id":6,"method":"auth","params":{"token":"x"}}""",
        """{"jsonrpc":"2.0","id":null,"method":"no.such"}""",
    ];

    private static readonly string[] Splices = ["\\ud800", "\\udfff", "\\u0000", "\"", "\\", "[", "{", "}", "]", ",", ":", "1e999", "-0", "null", "\"id\":", "\"method\":"];

    [Fact]
    public async Task MutatedFramesNeverHangOrKillTheService()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_FUZZ_SEED"), out int s) ? s : Environment.TickCount & 0x7fffffff;
        int seconds = int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_FUZZ_SECONDS"), out int d) ? d : 5;
        var rng = new Random(seed);
        var service = await ServiceProcess.StartAsync(_experts, "--no-dynamic-code", "--Service:MaxMessageBytes=65536", "--Service:MaxInFlightPerConnection=8");
        await using var _ = service;
        long connections = 0, frames = 0, replies = 0;
        var codes = new SortedDictionary<int, long>();
        var sw = Stopwatch.StartNew();
        try
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                using var socket = service.ConnectRaw();
                int count = rng.Next(1, 6);
                var sent = new MemoryStream();
                for (int i = 0; i < count; i++) sent.Write(Frame(rng));
                frames += count;
                try
                {
                    socket.Send(sent.ToArray());
                    socket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException) { } // the service closed first (a framing error it answered already)
                connections++;
                foreach (var reply in ReadUntilClosed(socket, seed, connections, sent.ToArray()))
                {
                    replies++;
                    if (reply.RootElement.ValueKind == JsonValueKind.Object && reply.RootElement.TryGetProperty("error", out var e))
                        codes[e.GetProperty("code").GetInt32()] = codes.GetValueOrDefault(e.GetProperty("code").GetInt32()) + 1;
                    reply.Dispose();
                }
                Assert.False(service.HasExited, $"seed {seed}: polymath serve died after connection {connections}:\n{service.Output}");
            }
            await using var client = await service.ConnectAsync();
            var health = await client.HealthAsync();
            Assert.Equal("serving", health.GetProperty("status").GetString());
            Assert.True((await client.CallAsync("gcd", """{"a":12,"b":18}""")).IsResult);
        }
        finally
        {
            string summary = $"framing fuzz: seed {seed}, {seconds} s, {connections} connections, {frames} frames, {replies} replies, errors by code: " +
                string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}"));
            output.WriteLine(summary);
            Console.WriteLine(summary);
        }
        int exit = await service.TerminateAsync(10_000);
        Assert.True(exit == 0, $"seed {seed}: exit code {exit} after SIGTERM:\n{service.Output}");
    }

    private static byte[] Frame(Random rng)
    {
        string json = Templates[rng.Next(Templates.Length)];
        if (rng.Next(8) == 0) json = new string('[', rng.Next(1, 200)) + json + new string(']', rng.Next(1, 200));
        var body = new List<byte>(Encoding.UTF8.GetBytes(json));
        int mutations = rng.Next(0, 4);
        for (int m = 0; m < mutations && body.Count > 0; m++)
        {
            int at = rng.Next(body.Count);
            switch (rng.Next(5))
            {
                case 0: body[at] = (byte)rng.Next(256); break;                                            // any byte, invalid UTF-8 included
                case 1: body.InsertRange(at, Encoding.ASCII.GetBytes(Splices[rng.Next(Splices.Length)])); break;
                case 2: body.RemoveRange(at, Math.Min(body.Count - at, rng.Next(1, 8))); break;
                case 3: body.InsertRange(at, new byte[] { 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xFF }.Take(rng.Next(1, 7))); break;
                default: body.InsertRange(at, body.GetRange(0, Math.Min(at, rng.Next(1, 16)))); break;
            }
        }
        long length = rng.Next(10) switch
        {
            0 => body.Count + rng.Next(-5, 6),        // a wrong length: the boundaries are lost
            1 => 1L << rng.Next(17, 40),                // larger than Service:MaxMessageBytes
            _ => body.Count,
        };
        string header = rng.Next(12) switch
        {
            0 => $"Content-Length: {length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
            1 => $"content-length:{length}\r\n\r\n",
            2 => $"Content-Length: {length}\n\n",                                  // bare LFs
            3 => $"Content-Length: {length}\r\nContent-Length: {length}\r\n\r\n",   // twice
            4 => $"Content-Length: -{length}\r\n\r\n",
            5 => "X" + new string('y', rng.Next(1, 2000)) + "\r\n\r\n",
            _ => $"Content-Length: {length}\r\n\r\n",
        };
        var frame = new List<byte>(Encoding.ASCII.GetBytes(header));
        frame.AddRange(body);
        if (rng.Next(10) == 0) frame.RemoveRange(frame.Count / 2, frame.Count - frame.Count / 2); // cut short
        return [.. frame];
    }

    // Every reply until the service closes the connection; each must be a well-framed JSON message, and the close must
    // come within 10 s of the client's half-close.
    private static List<JsonDocument> ReadUntilClosed(Socket socket, int seed, long connection, byte[] sent)
    {
        var replies = new List<JsonDocument>();
        var buffer = new List<byte>();
        var chunk = new byte[16384];
        var deadline = Stopwatch.StartNew();
        socket.ReceiveTimeout = 10_000;
        while (true)
        {
            int n;
            try { n = socket.Receive(chunk); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { break; }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                Assert.Fail($"seed {seed}, connection {connection}: no reply and no close within 10 s of the half-close; {replies.Count} replies; it sent: {Shown(sent)}");
                throw;
            }
            if (n == 0) break;
            buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            while (TryTakeFrame(buffer, out var body, seed, connection)) replies.Add(JsonDocument.Parse(body));
            Assert.True(deadline.ElapsedMilliseconds < 20_000, $"seed {seed}, connection {connection}: replies still coming after 20 s");
        }
        Assert.True(buffer.Count == 0, $"seed {seed}, connection {connection}: {buffer.Count} bytes of an incomplete reply before the close");
        return replies;
    }

    // The bytes sent, printable (for a failure message): ASCII as is, everything else as \xNN.
    private static string Shown(byte[] sent) =>
        string.Concat(sent.Take(4000).Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}"));

    private static bool TryTakeFrame(List<byte> buffer, out byte[] body, int seed, long connection)
    {
        body = [];
        var data = buffer.ToArray();
        int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) return false;
        string header = Encoding.ASCII.GetString(data, 0, end);
        Assert.True(header.StartsWith("Content-Length: ", StringComparison.Ordinal), $"seed {seed}, connection {connection}: bad reply header '{header}'");
        int length = int.Parse(header["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        if (data.Length < end + 4 + length) return false;
        body = data.AsSpan(end + 4, length).ToArray();
        buffer.RemoveRange(0, end + 4 + length);
        return true;
    }
}
