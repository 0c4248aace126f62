using System.Runtime.InteropServices;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Polymath.Protocol;

namespace Polymath.Service.Protocol;

/// <summary>
/// One client connection: a read loop that frames and parses requests (on a <see cref="PipeReader"/>), calls run as
/// thread-pool work items and finish in any order, and one write loop that frames replies onto a <see cref="PipeWriter"/>
/// and flushes once per batch. A request holds one of <see cref="ServiceOptions.MaxInFlightPerConnection"/> slots from
/// the moment it is read until its reply has been flushed to the socket; with no slot free the read loop stops
/// reading, so a client that floods or stops reading is held back by TCP/socket flow control instead of buffering.
/// </summary>
internal sealed class JsonRpcConnection
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private const int MaxQueuedNotifications = 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private readonly JsonRpcServer _server;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly ConcurrentQueue<Outgoing> _queue = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _maxSlots;
    private readonly ConcurrentDictionary<RequestId, CallWork> _calls = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly ILogger _logger;
    private int _queuedNotifications;
    private string? _lastOp;
    private bool _authenticated;
    private volatile bool _draining;
    private volatile bool _closeAfterReplies;
    private volatile bool _broken;
    private volatile bool _completed;
    private volatile bool _finished;
    private int _writerActive;
    private string _closeReason = "closed by the client";
    private long _lastActivity = Environment.TickCount64;
    private readonly long _opened = Environment.TickCount64;
    private readonly ListenerState _listener;
    private readonly GuestQueue _guestQueue = new();
    private CallDeadline? _inlineDeadline;
    private long _queuedBytes;
    private int _pending = 1;

    public JsonRpcConnection(JsonRpcServer server, Socket socket, int id, ListenerState listener)
    {
        _server = server;
        _socket = socket;
        Id = id;
        _logger = server.Logger;
        _listener = listener;
        _authenticated = !listener.RequiresToken;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        _maxSlots = server.Options.MaxInFlightPerConnection;
        _slots = new SemaphoreSlim(_maxSlots, _maxSlots);
    }

    /// <summary>The connection number (for logs).</summary>
    public int Id { get; }

    /// <summary>Requests read and not yet answered on the wire.</summary>
    public int InFlight => _maxSlots - _slots.CurrentCount;

    /// <summary>Milliseconds since the last byte arrived.</summary>
    public long IdleMs => Environment.TickCount64 - Volatile.Read(ref _lastActivity);

    /// <summary>True until the connection has sent a complete request (and authenticated, where its listener requires it).</summary>
    public bool IsPending => Volatile.Read(ref _pending) != 0;

    /// <summary>Milliseconds since the connection was accepted.</summary>
    public long AgeMs => Environment.TickCount64 - _opened;

    /// <summary>The listener the connection came from.</summary>
    public ListenerState Listener => _listener;

    // The connection has shown it speaks the protocol (and holds the token, where required): it stops counting as pending.
    private void EndHandshake()
    {
        if (Interlocked.Exchange(ref _pending, 0) != 0) Interlocked.Decrement(ref _listener.Pending);
    }

    /// <summary>Serves the connection until the client closes it, a protocol error closes it, or the service drains it.</summary>
    public async Task RunAsync()
    {
        bool crashed = false;
        try { await ReadLoopAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { _closeReason = $"read failed: {e.Message}"; }
        catch (Exception e)
        {
            // A bug: the failed message may hold slots nobody will release; cancel what runs and do not wait long.
            _logger.ConnectionFailed(e, Id);
            _closeReason = "internal error";
            crashed = true;
            foreach (var call in _calls.Values) call.Cancel(CallWork.CancelledByShutdown);
        }

        EndHandshake();
        // Answer everything that was read before closing (bounded by the drain timeout).
        if (crashed)
        {
            if (!await WaitForRepliesAsync(2000).ConfigureAwait(false))
            {
                _logger.RepliesAbandoned(Id, InFlight);
                _socket.Dispose();
            }
        }
        else if (!await WaitForRepliesAsync(_server.Options.DrainTimeoutMs).ConfigureAwait(false))
        {
            _logger.DrainTimeout(Id);
            foreach (var call in _calls.Values) call.Cancel(CallWork.CancelledByShutdown);
            if (!await WaitForRepliesAsync(2000).ConfigureAwait(false)) _socket.Dispose(); // the client does not read: abort
            // Cancelled guests end within a watchdog period; a reply that cannot be written is dropped once the writer
            // fails. Never wait without bound: a connection that cannot finish must not hold its place (or the shutdown).
            if (!await WaitForRepliesAsync(5000).ConfigureAwait(false)) _logger.RepliesAbandoned(Id, InFlight);
        }
        // Take the writer for good: replies are all flushed (no slot is held), later notifications are dropped.
        for (int i = 0; Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0; i++)
        {
            if (i == 2000) _socket.Dispose(); // a flush still blocked after 2 s: the client does not read
            await Task.Delay(1).ConfigureAwait(false);
        }
        _completed = true;
        if (!_broken)
        {
            try { await _output.CompleteAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _finished = true;
        await _input.CompleteAsync().ConfigureAwait(false);
        _stream.Dispose();
        _inlineDeadline?.Dispose();
        _logger.ConnectionClosed(Id, _closeReason);
    }

    /// <summary>Stops reading new requests; what was read is still answered.</summary>
    public void BeginDrain()
    {
        _draining = true;
        _closeReason = "service stopping";
        _closing.Cancel();
        if (!_finished) _input.CancelPendingRead();
    }

    /// <summary>Closes an idle connection (nothing in flight).</summary>
    public void CloseIdle(int idleMs)
    {
        if (_finished || _closeAfterReplies) return;
        _logger.IdleClose(Id, idleMs);
        _closeReason = "idle timeout";
        _closeAfterReplies = true;
        _input.CancelPendingRead();
    }

    /// <summary>Closes a connection that has not sent a complete request (or authenticated) in time, telling it why.</summary>
    public void CloseHandshake(int timeoutMs)
    {
        if (_finished || _closeAfterReplies || !IsPending) return;
        _logger.HandshakeTimeout(Id, timeoutMs);
        // The error reply needs a slot like any other; with none free the connection is only closed.
        if (_slots.Wait(0))
        {
            _server.Metrics.InFlightChanged(1);
            Fail(RpcErrorCodes.InvalidRequest, $"no complete request within {timeoutMs} ms of connecting (Service:HandshakeTimeoutMs)");
        }
        _closeReason = "handshake timeout";
        _closeAfterReplies = true;
        _input.CancelPendingRead();
    }

    /// <summary>Queues a notification; dropped (and logged) when the client has not read the last 1024.</summary>
    public void Notify(string method, Action<Utf8JsonWriter> writeParams)
    {
        if (_broken || _draining) return;
        if (Interlocked.Increment(ref _queuedNotifications) > MaxQueuedNotifications)
        {
            Interlocked.Decrement(ref _queuedNotifications);
            _logger.NotificationDropped(Id);
            return;
        }
        var w = StartMessage();
        w.WriteString("method"u8, method);
        w.WritePropertyName("params"u8);
        writeParams(w);
        Enqueue(w, slots: 0, notification: true);
    }

    private async Task<bool> WaitForRepliesAsync(int timeoutMs)
    {
        var deadline = timeoutMs == Timeout.Infinite ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (InFlight > 0)
        {
            if (Environment.TickCount64 >= deadline) return false;
            await Task.Delay(5).ConfigureAwait(false);
        }
        return true;
    }

    private async Task ReadLoopAsync()
    {
        long maxMessage = _server.Options.MaxMessageBytes;
        while (!_closeAfterReplies && !_draining)
        {
            var read = await _input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            if (read.IsCanceled) { _input.AdvanceTo(buffer.Start); break; }
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            try
            {
                while (!_closeAfterReplies)
                {
                    var status = Framing.TryRead(ref buffer, maxMessage, out var body, out long declared);
                    if (status == FrameStatus.Incomplete) break;
                    if (!await WaitForQueuedBytesAsync().ConfigureAwait(false)) return;
                    if (!await AcquireSlotAsync().ConfigureAwait(false)) return;
                    switch (status)
                    {
                        case FrameStatus.Message:
                            var rest = buffer;
                            bool last = Framing.TryRead(ref rest, maxMessage, out _, out _) == FrameStatus.Incomplete;
                            long arrived = Stopwatch.GetTimestamp();
                            if (_authenticated) EndHandshake(); // a whole frame: the client speaks the protocol
                            if (Parse(body) is not { } document) break;
                            using (document)
                            {
                                // A batch holds one slot per member (the frame's own slot is the first).
                                var root = document.RootElement;
                                int members = root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : 1;
                                for (int acquired = 1; acquired < members && members <= _maxSlots; acquired++)
                                    if (!await AcquireSlotAsync().ConfigureAwait(false)) { ReleaseSlot(acquired); return; }
                                HandleMessage(root, arrived, last);
                            }
                            break;
                        case FrameStatus.BadHeader:
                            Fail(RpcErrorCodes.ParseError, "malformed header section: expected 'Content-Length: N' lines ending with an empty line");
                            break;
                        default:
                            Fail(RpcErrorCodes.InvalidRequest, $"message of {declared} bytes exceeds the maximum of {maxMessage} bytes (Service:MaxMessageBytes)");
                            break;
                    }
                }
            }
            finally { _input.AdvanceTo(buffer.Start, buffer.End); }
            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty && !_closeAfterReplies && await AcquireSlotAsync().ConfigureAwait(false))
                    Fail(RpcErrorCodes.ParseError, $"truncated message: the input ended inside a message ({buffer.Length} bytes unread)");
                break;
            }
        }
    }

    // Back-pressure on bytes: while this connection's calls hold Service:MaxQueuedBytesPerConnection, read no further.
    private async ValueTask<bool> WaitForQueuedBytesAsync()
    {
        long limit = _server.Options.MaxQueuedBytesPerConnection;
        if (Interlocked.Read(ref _queuedBytes) < limit) return true;
        while (Interlocked.Read(ref _queuedBytes) >= limit)
        {
            if (_closing.IsCancellationRequested || _closeAfterReplies) return false;
            try { await Task.Delay(1, _closing.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return false; }
        }
        return true;
    }

    private async ValueTask<bool> AcquireSlotAsync()
    {
        if (_slots.Wait(0)) { _server.Metrics.InFlightChanged(1); return true; }
        try { await _slots.WaitAsync(_closing.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
        _server.Metrics.InFlightChanged(1);
        return true;
    }

    // Replies with an error (id null: the request could not be read) and closes the connection afterwards.
    private void Fail(int code, string message)
    {
        _closeReason = message;
        _closeAfterReplies = true;
        _logger.ProtocolViolation(Id, message);
        ReplyError(RequestId.Null, code, message, null);
    }

    // The message's JSON, or null after replying "Parse error" (the frame's slot goes with that reply).
    private JsonDocument? Parse(ReadOnlySequence<byte> body)
    {
        try { return JsonDocument.Parse(body, DocumentOptions); }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            ReplyError(RequestId.Null, RpcErrorCodes.ParseError, $"invalid JSON: {e.Message}", null);
            return null;
        }
    }

    // last: no further complete request is buffered, so a fast call may run right here without delaying another.
    private void HandleMessage(JsonElement root, long arrived, bool last)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            HandleRequest(root, arrived, last, null);
            return;
        }
        // A batch (JSON-RPC 2.0, section 6): one array of replies, none for notifications; the read loop holds a slot
        // per member, so a batch counts against Service:MaxInFlightPerConnection like that many requests.
        int members = root.GetArrayLength();
        if (members == 0) { ReplyError(RequestId.Null, RpcErrorCodes.InvalidRequest, "empty batch: a batch must hold at least one request", null); return; }
        if (members > _maxSlots)
        {
            ReplyError(RequestId.Null, RpcErrorCodes.InvalidRequest, $"a batch of {members} requests exceeds the {_maxSlots} a connection may have in flight (Service:MaxInFlightPerConnection)", null);
            return;
        }
        var batch = new BatchReply(members);
        int index = 0;
        foreach (var element in root.EnumerateArray())
            HandleRequest(element, arrived, last && ++index == members, batch);
    }

    // Every string a request's handling reads goes through Text: a string with invalid UTF-8 or an escaped lone surrogate
    // cannot become a .NET string (System.Text.Json throws), and is answered as an invalid request naming the field.
    private sealed class BadTextException(string field) : Exception($"{field} is not valid text (invalid UTF-8 or a lone surrogate)");

    private static string Text(JsonElement e, string field)
    {
        try { return e.GetString()!; }
        catch (InvalidOperationException) { throw new BadTextException(field); }
    }

    private static bool ReadId(JsonElement e, out RequestId id, string field = "id")
    {
        try { return RequestId.TryRead(e, out id); }
        catch (InvalidOperationException) { throw new BadTextException(field); }
    }

    private void HandleRequest(JsonElement root, long arrived, bool last, BatchReply? batch)
    {
        var id = RequestId.Null;
        try { HandleRequest(root, arrived, last, batch, ref id); }
        catch (BadTextException e)
        {
            _logger.BadText(Id, e.Message);
            ReplyError(id, RpcErrorCodes.InvalidRequest, e.Message, batch);
        }
        catch (InvalidOperationException)
        {
            // Elsewhere in the request (a property name, say): System.Text.Json cannot compare or read it.
            const string Message = "the request holds text that is not valid (invalid UTF-8 or a lone surrogate)";
            _logger.BadText(Id, Message);
            ReplyError(id, RpcErrorCodes.InvalidRequest, Message, batch);
        }
    }

    private void HandleRequest(JsonElement root, long arrived, bool last, BatchReply? batch, ref RequestId id)
    {
        if (root.ValueKind != JsonValueKind.Object) { ReplyError(RequestId.Null, RpcErrorCodes.InvalidRequest, "a request must be a JSON object", batch); return; }
        bool isRequest = root.TryGetProperty("id"u8, out var idElement);
        if (isRequest && !ReadId(idElement, out id)) { ReplyError(RequestId.Null, RpcErrorCodes.InvalidRequest, "id must be an integer, a string or null", batch); return; }
        if (!root.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        { ReplyError(id, RpcErrorCodes.InvalidRequest, "jsonrpc must be \"2.0\"", batch); return; }
        if (!root.TryGetProperty("method"u8, out var method) || method.ValueKind != JsonValueKind.String)
        { ReplyError(id, RpcErrorCodes.InvalidRequest, "method must be a string", batch); return; }
        // The method is only compared (no string made per request); text that is not valid matches no method and is read
        // (and refused, naming the field) only in the unknown-method branch.
        bool hasParams = root.TryGetProperty("params"u8, out var parameters);
        if (hasParams && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        { ReplyError(id, RpcErrorCodes.InvalidRequest, "params must be an object or an array", batch); return; }
        if (!hasParams || parameters.ValueKind != JsonValueKind.Object) parameters = default;

        if (!_authenticated && !method.ValueEquals("auth"u8))
        {
            _closeAfterReplies = true;
            _closeReason = "not authenticated";
            ReplyError(id, RpcErrorCodes.Unauthorized, "this listener requires a token: send 'auth' {\"token\": ...} first", batch);
            return;
        }
        if (!isRequest)
        {
            if (method.ValueEquals("$/cancelRequest"u8) && parameters.ValueKind == JsonValueKind.Object &&
                parameters.TryGetProperty("id"u8, out var target) && ReadId(target, out var targetId, "params.id") &&
                _calls.TryGetValue(targetId, out var call))
                call.Cancel(CallWork.CancelledByClient);
            // Notifications get no reply; unknown ones are ignored (JSON-RPC 2.0, LSP "$/" rule).
            if (batch is null) ReleaseSlot();
            else if (batch.Skip()) FinishBatch(batch);
            return;
        }

        if (method.ValueEquals("call"u8)) StartCall(id, parameters, arrived, last, batch);
        else if (method.ValueEquals("health"u8)) Reply(id, _server.WriteHealth, batch);
        else if (method.ValueEquals("stats"u8)) Reply(id, _server.Metrics.WriteStats, batch);
        else if (method.ValueEquals("experts.list"u8)) Reply(id, _server.WriteExperts, batch);
        else if (method.ValueEquals("experts.describe"u8)) Describe(id, parameters, batch);
        else if (method.ValueEquals("auth"u8)) Authenticate(id, parameters, batch);
        else
        {
            string name = Text(method, "method");
            _logger.UnknownMethod(Id, id.ToString(), LogText.Printable(name));
            ReplyError(id, RpcErrorCodes.MethodNotFound, $"unknown method '{name}' (methods: call, experts.list, experts.describe, health, stats, auth)", batch);
        }
    }

    private void StartCall(RequestId id, JsonElement p, long arrived, bool last, BatchReply? batch)
    {
        if (p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("op"u8, out var opElement) || opElement.ValueKind != JsonValueKind.String)
        { ReplyError(id, RpcErrorCodes.InvalidParams, "call needs params {\"op\": string, \"args\"?: object, \"args_text\"?: string, \"deadline_ms\"?: integer}", batch); return; }
        int deadline = 0;
        if (p.TryGetProperty("deadline_ms"u8, out var d) && d.ValueKind != JsonValueKind.Null && (!d.TryGetInt32(out deadline) || deadline <= 0))
        { ReplyError(id, RpcErrorCodes.InvalidParams, "deadline_ms must be a positive integer (milliseconds)", batch); return; }
        if (_draining) { ReplyError(id, RpcErrorCodes.ShuttingDown, "the service is shutting down", batch); return; }
        // A client usually calls the same op again: reuse its string (read only by this loop).
        string op = _lastOp is { } previous && opElement.ValueEquals(previous) ? previous : _lastOp = Text(opElement, "params.op");
        // args: the request's own UTF-8 bytes of the value, handed through as they are (parsed once, with the request;
        // only their UTF-8 is checked, which the parse does not do). args_text: a JSON text in a string, parsed here once.
        ReadOnlySpan<byte> args = "{}"u8;
        byte[]? owned = null;
        if (p.TryGetProperty("args"u8, out var a) && a.ValueKind != JsonValueKind.Null)
        {
            if (!CallArgs.TryFromValue(a, out args, out string? bad))
            {
                _logger.BadText(Id, bad!);
                ReplyError(id, RpcErrorCodes.InvalidParams, bad!, batch);
                return;
            }
        }
        else if (p.TryGetProperty("args_text"u8, out var text) && text.ValueKind == JsonValueKind.String)
        {
            owned = CallArgs.FromText(Text(text, "params.args_text"), op, out var invalid);
            if (invalid is not null) { ReplyResult(id, op, arrived, 0, invalid, batch); return; }
            args = owned;
        }
        var dispatcher = _server.Dispatcher;
        if (!dispatcher.RunsInProcess) { _ = CallRemoteAsync(dispatcher, id, op, owned ?? args.ToArray(), deadline, arrived, batch); return; }
        // A call whose op has been fast (typically a few µs) runs inline when nothing else waits in the buffer: no
        // thread hop, but within Service:InlineBudgetMs; past it the call moves to a guest thread. Anything else — slow
        // ops, ops not seen yet, pipelined bursts — runs on the guest threads, so replies come back in any order and a
        // slow call never holds up the connection.
        int budget = _server.Options.InlineBudgetMs;
        if (budget > 0 && last && _server.Metrics.IsFast(op))
        {
            if (RunInline(id, op, owned ?? Stage(args), deadline, budget, arrived, batch)) return;
            if (deadline > 0) deadline = Math.Max(1, deadline - budget);
        }
        Queue(new CallWork(this, id, op, owned ?? args.ToArray(), deadline, arrived, batch));
    }

    // The args of an inline call, copied into this connection's buffer (read loop only; the request's buffer is a span):
    // no allocation per call. Args larger than 64 KiB get their own array, so a connection does not keep a large buffer.
    private byte[] _inlineArgs = new byte[512];

    private ReadOnlyMemory<byte> Stage(ReadOnlySpan<byte> args)
    {
        if (args.Length > _inlineArgs.Length)
        {
            if (args.Length > 64 * 1024) return args.ToArray();
            _inlineArgs = new byte[Math.Max(args.Length, 2 * _inlineArgs.Length)];
        }
        args.CopyTo(_inlineArgs);
        return _inlineArgs.AsMemory(0, args.Length);
    }

    private void Queue(CallWork work)
    {
        Interlocked.Add(ref _queuedBytes, work.Bytes);
        _calls.TryAdd(work.Id, work);
        if (_server.Guests.TryEnqueue(_guestQueue, work, out string? refusal)) return;
        _calls.TryRemove(new KeyValuePair<RequestId, CallWork>(work.Id, work));
        Interlocked.Add(ref _queuedBytes, -work.Bytes);
        _logger.CallRefused(Id, refusal!);
        ReplyError(work.Id, _draining ? RpcErrorCodes.ShuttingDown : RpcErrorCodes.Busy, refusal!, work.Batch);
    }

    private void Describe(RequestId id, JsonElement p, BatchReply? batch)
    {
        if (p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("id"u8, out var e) || e.ValueKind != JsonValueKind.String)
        { ReplyError(id, RpcErrorCodes.InvalidParams, "experts.describe needs params {\"id\": string}", batch); return; }
        string expertId = Text(e, "params.id");
        var expert = _server.Host.Experts.FirstOrDefault(x => x.Id == expertId);
        if (expert is null) { ReplyError(id, RpcErrorCodes.InvalidParams, $"no expert with id '{expertId}'", batch); return; }
        Reply(id, w => ExpertJson.WriteExpert(w, expert), batch);
    }

    private void Authenticate(RequestId id, JsonElement p, BatchReply? batch)
    {
        if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("token"u8, out var t) && t.ValueKind == JsonValueKind.String && _server.CheckToken(Text(t, "params.token")))
        {
            _authenticated = true;
            EndHandshake();
            Reply(id, w => { w.WriteStartObject(); w.WriteBoolean("authenticated"u8, true); w.WriteEndObject(); }, batch);
            return;
        }
        _closeAfterReplies = true;
        _closeReason = "wrong token";
        ReplyError(id, RpcErrorCodes.Unauthorized, "wrong token", batch);
    }

    /// <summary>Runs on a thread-pool thread: the call itself, then its reply.</summary>
    internal void Complete(CallWork work)
    {
        _calls.TryRemove(new KeyValuePair<RequestId, CallWork>(work.Id, work));
        Interlocked.Add(ref _queuedBytes, -work.Bytes);
        if (work.Error is { } error) ReplyError(work.Id, error.Code, error.Message, work.Batch);
        else ReplyResult(work.Id, work.Op, work.Arrived, work.ExecutionTicks, work.Result!, work.Batch);
    }

    // A fast call on the read loop, under the connection's inline deadline: min(budget, deadline_ms). False when the budget
    // passed first: the call was interrupted (experts are deterministic, so running it again is safe) and the caller
    // queues it for a guest thread, where $/cancelRequest can reach it; the op no longer counts as fast.
    private bool RunInline(RequestId id, string op, ReadOnlyMemory<byte> args, int deadlineMs, int budgetMs, long arrived, BatchReply? batch)
    {
        var limit = _inlineDeadline ??= new CallDeadline();
        bool deadlineFirst = deadlineMs > 0 && deadlineMs <= budgetMs;
        limit.Arm(deadlineFirst ? deadlineMs : budgetMs);
        ExpertCallResult result;
        long start = Stopwatch.GetTimestamp();
        try { result = Execute(op, args, deadlineMs, limit.Token); }
        catch (OperationCanceledException)
        {
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (!deadlineFirst)
            {
                _server.Metrics.RecordSlowRun(op, elapsed);
                _logger.InlineBudgetExceeded(Id, LogText.Printable(op), budgetMs);
                return false;
            }
            result = CallOutcomes.DeadlineExceeded(op, deadlineMs, (ulong)Stopwatch.GetElapsedTime(arrived).Ticks * 100);
        }
        catch (Exception e)
        {
            _logger.CallFailed(e, LogText.Printable(op));
            ReplyError(id, RpcErrorCodes.InternalError, $"internal error: {e.Message}", batch);
            return true;
        }
        finally { limit.Disarm(); }
        ReplyResult(id, op, arrived, Stopwatch.GetTimestamp() - start, result, batch);
        return true;
    }

    private void ReplyResult(RequestId id, string op, long arrived, long executionTicks, ExpertCallResult result, BatchReply? batch)
    {
        // Per-op figures only for ops that reached an expert: op names a client makes up (unknown_op, args refused before
        // routing) share one entry, so they cannot grow the stats and the meter's tag set without bound.
        bool unrouted = result.Outcome == ExpertCallOutcome.UnknownOp || (result.Outcome == ExpertCallOutcome.InvalidArgs && result.ExpertId is null);
        _server.Metrics.RecordCall(unrouted ? ServiceMetrics.UnroutedOp : op, CallOutcomes.Index(result), Stopwatch.GetTimestamp() - arrived, executionTicks);
        var w = StartMessage();
        id.Write(w);
        w.WritePropertyName("result"u8);
        ExpertJson.WriteCallResult(w, result);
        Respond(w, batch);
    }

    /// <summary>
    /// An in-process call through the dispatcher on this thread (inline or a guest thread), under <paramref name="token"/>,
    /// which carries the deadline. Such a dispatcher completes synchronously; one that does not is waited for here.
    /// </summary>
    internal ExpertCallResult Execute(string op, ReadOnlyMemory<byte> args, int deadlineMs, CancellationToken token)
    {
        var call = _server.Dispatcher.CallAsync(op, args, deadlineMs, token);
        return call.IsCompletedSuccessfully ? call.Result : call.AsTask().GetAwaiter().GetResult();
    }

    // A dispatcher that runs calls elsewhere (the cluster): the call is awaited off the read loop and answered like a local one.
    private async Task CallRemoteAsync(IExpertCallDispatcher remote, RequestId id, string op, byte[] args, int deadlineMs, long arrived, BatchReply? batch)
    {
        long start = Stopwatch.GetTimestamp();
        ExpertCallResult result;
        try { result = await remote.CallAsync(op, args, deadlineMs, _server.Stopping).ConfigureAwait(false); }
        catch (OperationCanceledException) { ReplyError(id, RpcErrorCodes.ShuttingDown, "the service is shutting down", batch); return; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.CallFailed(e, LogText.Printable(op));
            ReplyError(id, RpcErrorCodes.InternalError, $"internal error: {e.Message}", batch);
            return;
        }
        ReplyResult(id, op, arrived, Stopwatch.GetTimestamp() - start, result, batch);
    }

    internal ILogger Logger => _logger;

    private void Reply(RequestId id, Action<Utf8JsonWriter> writeResult, BatchReply? batch)
    {
        var w = StartMessage();
        id.Write(w);
        w.WritePropertyName("result"u8);
        writeResult(w);
        Respond(w, batch);
    }

    private void ReplyError(RequestId id, int code, string message, BatchReply? batch)
    {
        if (code is not (RpcErrorCodes.RequestCancelled or RpcErrorCodes.ShuttingDown)) _server.Metrics.ProtocolError();
        var w = StartMessage();
        id.Write(w);
        w.WriteStartObject("error"u8);
        w.WriteNumber("code"u8, code);
        w.WriteString("message"u8, message);
        w.WriteEndObject();
        Respond(w, batch);
    }

    // A reply to a single request goes out on its own (releasing its slot once flushed); a batch member's reply is
    // added to its batch, and the last member's sends the whole array.
    private void Respond(Utf8JsonWriter w, BatchReply? batch)
    {
        if (batch is null)
        {
            Enqueue(w, slots: 1);
            return;
        }
        w.WriteEndObject();
        w.Flush();
        if (batch.Add(t_buffer!.WrittenSpan)) FinishBatch(batch);
    }

    private void FinishBatch(BatchReply batch)
    {
        if (batch.HasReplies) EnqueueBytes(batch.Body, batch.Count, notification: false);
        else ReleaseSlot(batch.Count);
    }

    private static Utf8JsonWriter StartMessage()
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Capacity > 1 << 20) t_buffer = buffer = new ArrayBufferWriter<byte>(1024);
        else buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        w.Reset(buffer);
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        return w;
    }

    private void Enqueue(Utf8JsonWriter w, int slots, bool notification = false)
    {
        w.WriteEndObject();
        w.Flush();
        EnqueueBytes(t_buffer!.WrittenSpan, slots, notification);
    }

    private void EnqueueBytes(ReadOnlySpan<byte> message, int slots, bool notification)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(bytes);
        _queue.Enqueue(new Outgoing(bytes, message.Length, slots, notification));
        if (Interlocked.CompareExchange(ref _writerActive, 1, 0) == 0) _ = DrainAsync();
    }

    private void ReleaseSlot(int n = 1)
    {
        _slots.Release(n);
        _server.Metrics.InFlightChanged(-n);
    }

    // Whoever finds the writer idle writes: the thread that finished a call flushes its own reply (and anything queued
    // meanwhile) with no hop to a writer task. A flush that cannot complete (the client does not read) awaits, holding
    // the writer; the slots of the replies in it are released only after the flush.
    private async Task DrainAsync()
    {
        while (true)
        {
            int slots = 0;
            while (_queue.TryDequeue(out var o))
            {
                if (!_broken && !_completed)
                {
                    Framing.WriteHeader(_output, o.Length);
                    _output.Write(o.Bytes.AsSpan(0, o.Length));
                }
                ArrayPool<byte>.Shared.Return(o.Bytes);
                slots += o.Slots;
                if (o.Notification) Interlocked.Decrement(ref _queuedNotifications);
                if (_output.UnflushedBytes > 64 * 1024) break;
            }
            if (!_broken && !_completed)
            {
                try
                {
                    var flush = _output.FlushAsync();
                    if (!flush.IsCompletedSuccessfully) await flush.ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
                {
                    _broken = true;
                    _closeReason = $"write failed: {e.Message}";
                    _closeAfterReplies = true;
                    _input.CancelPendingRead();
                    foreach (var call in _calls.Values) call.Cancel(CallWork.CancelledByClient);
                }
            }
            if (slots > 0) ReleaseSlot(slots);
            if (!_queue.IsEmpty) continue;
            Volatile.Write(ref _writerActive, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0) return;
        }
    }

    private readonly record struct Outgoing(byte[] Bytes, int Length, int Slots, bool Notification);
}
