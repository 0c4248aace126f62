using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Polymath.Protocol;

namespace Polymath.Client;

/// <summary>
/// A client of the Polymath service (<c>polymath serve</c>): one connection (Unix domain socket or TCP) shared by
/// any number of concurrent callers. Requests are pipelined; replies may arrive in any order and are matched by id.
/// Cancelling a call's token sends <c>$/cancelRequest</c> and ends the call with <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class PolymathClient : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly ConcurrentQueue<(byte[] Bytes, int Length)> _queue = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonDocument>> _pending = new();
    private readonly int _maxMessageBytes;
    private readonly Task _readLoop;
    private int _writerActive;
    private long _nextId;
    private Exception? _closed;

    private PolymathClient(Socket socket, PolymathClientOptions options)
    {
        _socket = socket;
        _maxMessageBytes = options.MaxMessageBytes;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Raised (on the connection's read loop) for every notification the service sends.</summary>
    public event EventHandler<ServiceNotification>? Notification;

    /// <summary>
    /// Connects to <paramref name="server"/>: <c>unix:PATH</c> or a path containing <c>/</c> (Unix domain socket),
    /// <c>tcp:HOST:PORT</c> or <c>HOST:PORT</c> (TCP). Sends <c>auth</c> first when <see cref="PolymathClientOptions.Token"/> is set.
    /// </summary>
    /// <exception cref="PolymathConnectionException">The service cannot be reached.</exception>
    public static async Task<PolymathClient> ConnectAsync(string server, PolymathClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(server);
        options ??= new PolymathClientOptions();
        EndPoint endPoint = ParseAddress(server);
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (endPoint is DnsEndPoint dns) await socket.ConnectAsync(dns.Host, dns.Port, cancellationToken).ConfigureAwait(false);
            else await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new PolymathConnectionException($"cannot connect to the Polymath service at {server}: {e.Message}", e);
        }
        var client = new PolymathClient(socket, options);
        if (options.Token is { } token)
        {
            try
            {
                using var reply = await client.InvokeAsync("auth", w => { w.WriteStartObject(); w.WriteString("token", token); w.WriteEndObject(); }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return client;
    }

    private static EndPoint ParseAddress(string server)
    {
        if (server.StartsWith("unix:", StringComparison.Ordinal)) return new UnixDomainSocketEndPoint(server[5..]);
        string tcp = server.StartsWith("tcp:", StringComparison.Ordinal) ? server[4..] : server;
        int colon = tcp.LastIndexOf(':');
        if (!server.Contains('/', StringComparison.Ordinal) && colon > 0 && int.TryParse(tcp.AsSpan(colon + 1), out int port) && port is > 0 and < 65536)
        {
            string host = tcp[..colon].Trim('[', ']');
            return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        }
        return new UnixDomainSocketEndPoint(server);
    }

    /// <summary>Calls <paramref name="op"/> with <paramref name="argsJson"/> (a JSON object text; null = <c>{}</c>).</summary>
    /// <param name="op">The op name.</param>
    /// <param name="argsJson">The args as JSON text.</param>
    /// <param name="deadlineMs">Optional deadline: the call ends as <c>limit_exceeded</c> (timeout) if it runs longer.</param>
    /// <param name="cancellationToken">Cancels the call (sends <c>$/cancelRequest</c>).</param>
    /// <exception cref="PolymathServiceException">The service rejected the request (e.g. malformed args text).</exception>
    /// <exception cref="PolymathConnectionException">The connection closed before the reply.</exception>
    public async Task<RemoteCallResult> CallAsync(string op, string? argsJson = null, int? deadlineMs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        bool isJson = argsJson is null || IsJson(argsJson);
        using var reply = await InvokeAsync("call", w =>
        {
            w.WriteStartObject();
            w.WriteString("op", op);
            if (argsJson is not null && isJson)
            {
                w.WritePropertyName("args");
                w.WriteRawValue(argsJson, skipInputValidation: true);
            }
            else if (argsJson is not null) w.WriteString("args_text", argsJson); // the service answers invalid_args, as in process
            if (deadlineMs is int d) w.WriteNumber("deadline_ms", d);
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return RemoteCallResult.FromJson(reply.RootElement.GetProperty("result"));
    }

    // Args that are not JSON would break the request itself; they go as args_text so the service reports invalid_args.
    // Checked on a pooled UTF-8 copy: no allocation per call.
    private static bool IsJson(string argsJson)
    {
        if (string.IsNullOrWhiteSpace(argsJson)) return false;
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(argsJson.Length));
        try
        {
            int length = System.Text.Encoding.UTF8.GetBytes(argsJson, utf8);
            var reader = new Utf8JsonReader(utf8.AsSpan(0, length));
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
        finally { ArrayPool<byte>.Shared.Return(utf8); }
    }

    /// <summary>The <c>experts.list</c> result: <c>{platform, directory, experts: [...]}</c>.</summary>
    public Task<JsonElement> ListExpertsAsync(CancellationToken cancellationToken = default) => ResultAsync("experts.list", null, cancellationToken);

    /// <summary>The <c>experts.describe</c> result for one expert id.</summary>
    public Task<JsonElement> DescribeExpertAsync(string id, CancellationToken cancellationToken = default) =>
        ResultAsync("experts.describe", w => { w.WriteStartObject(); w.WriteString("id", id); w.WriteEndObject(); }, cancellationToken);

    /// <summary>The <c>health</c> result.</summary>
    public Task<JsonElement> HealthAsync(CancellationToken cancellationToken = default) => ResultAsync("health", null, cancellationToken);

    /// <summary>The <c>stats</c> result.</summary>
    public Task<JsonElement> StatsAsync(CancellationToken cancellationToken = default) => ResultAsync("stats", null, cancellationToken);

    private async Task<JsonElement> ResultAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken)
    {
        using var reply = await InvokeAsync(method, writeParams, cancellationToken).ConfigureAwait(false);
        return reply.RootElement.GetProperty("result").Clone();
    }

    /// <summary>
    /// Sends any request and returns the whole reply document (with <c>result</c>); the caller disposes it.
    /// </summary>
    /// <exception cref="PolymathServiceException">The reply is an error.</exception>
    public async Task<JsonDocument> InvokeAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        cancellationToken.ThrowIfCancellationRequested();
        long id = Interlocked.Increment(ref _nextId);
        var pending = new TaskCompletionSource<JsonDocument>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = pending;
        if (Volatile.Read(ref _closed) is { } closed) { _pending.TryRemove(id, out _); throw Closed(closed); }
        Send(w =>
        {
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", id);
            w.WriteString("method", method);
            if (writeParams is not null)
            {
                w.WritePropertyName("params");
                writeParams(w);
            }
        });
        JsonDocument reply;
        using (cancellationToken.CanBeCanceled ? cancellationToken.Register(() => CancelRequest(id, cancellationToken)) : default)
            reply = await pending.Task.ConfigureAwait(false);
        if (reply.RootElement.TryGetProperty("error", out var error))
        {
            int code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
            string message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            reply.Dispose();
            throw new PolymathServiceException(code, message);
        }
        return reply;
    }

    private void CancelRequest(long id, CancellationToken token)
    {
        if (!_pending.TryRemove(id, out var pending)) return;
        pending.TrySetCanceled(token);
        if (Volatile.Read(ref _closed) is null)
            Send(w =>
            {
                w.WriteString("jsonrpc", "2.0");
                w.WriteString("method", "$/cancelRequest");
                w.WriteStartObject("params");
                w.WriteNumber("id", id);
                w.WriteEndObject();
            });
    }

    // The message is written with this thread's writer (reused: no allocation per request), then copied to a pooled array.
    private void Send(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Capacity > 1 << 20) t_buffer = buffer = new ArrayBufferWriter<byte>(256);
        else buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        w.Reset(buffer);
        w.WriteStartObject();
        write(w);
        w.WriteEndObject();
        w.Flush();
        var bytes = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(bytes);
        _queue.Enqueue((bytes, buffer.WrittenCount));
        if (Interlocked.CompareExchange(ref _writerActive, 1, 0) == 0) _ = DrainAsync();
    }

    // The caller that finds the writer idle writes and flushes (no hop to a writer task); callers arriving meanwhile
    // only queue, and their requests go out with the next flush.
    private async Task DrainAsync()
    {
        while (true)
        {
            try
            {
                while (_queue.TryDequeue(out var m))
                {
                    if (Volatile.Read(ref _closed) is null)
                    {
                        Framing.WriteHeader(_output, m.Length);
                        _output.Write(m.Bytes.AsSpan(0, m.Length));
                    }
                    ArrayPool<byte>.Shared.Return(m.Bytes);
                    if (_output.UnflushedBytes > 64 * 1024) break;
                }
                if (Volatile.Read(ref _closed) is null)
                {
                    var flush = _output.FlushAsync();
                    if (!flush.IsCompletedSuccessfully) await flush.ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Close(new PolymathConnectionException($"sending to the Polymath service failed: {e.Message}", e));
            }
            if (!_queue.IsEmpty) continue;
            Volatile.Write(ref _writerActive, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0) return;
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception reason = new PolymathConnectionException("the Polymath service closed the connection");
        try
        {
            while (true)
            {
                var read = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                while (true)
                {
                    var status = Framing.TryRead(ref buffer, _maxMessageBytes, out var body, out _);
                    if (status == FrameStatus.Incomplete) break;
                    if (status != FrameStatus.Message) throw new PolymathConnectionException($"the service sent a malformed frame ({status})");
                    // Copied: for a single-segment sequence JsonDocument keeps referring to the pipe's buffer, which is reused.
                    Dispatch(JsonDocument.Parse(body.ToArray()));
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted || read.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or JsonException or InvalidOperationException)
        {
            reason = e as PolymathConnectionException ?? new PolymathConnectionException($"the connection to the Polymath service failed: {e.Message}", e);
        }
        Close(reason);
    }

    private void Dispatch(JsonDocument message)
    {
        var root = message.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out long id) && _pending.TryRemove(id, out var pending))
            {
                if (!pending.TrySetResult(message)) message.Dispose();
                return;
            }
            // An error with id null answers no particular request (e.g. a rejected connection): it ends the connection.
            if (idElement.ValueKind == JsonValueKind.Null && root.TryGetProperty("error", out var error))
            {
                string text = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                int code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
                Close(new PolymathServiceException(code, text));
            }
            message.Dispose();
            return;
        }
        using (message)
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
                Notification?.Invoke(this, new ServiceNotification(method.GetString()!, root.TryGetProperty("params", out var p) ? p.Clone() : default));
        }
    }

    private static Exception Closed(Exception reason) => reason is PolymathServiceException s
        ? new PolymathServiceException(s.Code, s.Message)
        : new PolymathConnectionException(reason.Message, reason);

    private void Close(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _closed, reason, null) is not null) return;
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var pending)) pending.TrySetException(Closed(reason));
    }

    /// <summary>Closes the connection; calls still waiting fail with <see cref="PolymathConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(new PolymathConnectionException("the client was disposed"));
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _input.CancelPendingRead();
        try { await _readLoop.ConfigureAwait(false); } catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
        await _input.CompleteAsync().ConfigureAwait(false);
        while (Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0) await Task.Delay(1).ConfigureAwait(false);
        try { await _output.CompleteAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
