using System.Diagnostics;
using Polymath.Host.Experts;

namespace Polymath.Service.Protocol;

/// <summary>One <c>call</c> request, run as a thread-pool work item; cancellable by <c>$/cancelRequest</c>, its deadline or shutdown.</summary>
internal sealed class CallWork : IThreadPoolWorkItem
{
    public const int CancelledByClient = 1;
    public const int CancelledByShutdown = 2;

    private readonly JsonRpcConnection _connection;
    private readonly CancellationTokenSource? _cancel;
    private readonly int _deadlineMs;
    private int _cancelledBy;

    // cancellable: false for a call run inline on the read loop: no $/cancelRequest can be read while it runs, so
    // without a deadline it needs no CancellationTokenSource (one allocation less on the fast path).
    public CallWork(JsonRpcConnection connection, RequestId id, string op, string? args, int deadlineMs, long arrived, BatchReply? batch, bool cancellable = true)
    {
        Batch = batch;
        if (cancellable || deadlineMs > 0) _cancel = new CancellationTokenSource();
        _connection = connection;
        Id = id;
        Op = op;
        Args = args;
        _deadlineMs = deadlineMs;
        Arrived = arrived;
    }

    public RequestId Id { get; }
    /// <summary>The batch this call is a member of, or null.</summary>
    public BatchReply? Batch { get; }
    public string Op { get; }
    public string? Args { get; }
    public long Arrived { get; }
    public ExpertCallResult? Result { get; private set; }
    public (int Code, string Message)? Error { get; private set; }
    public long ExecutionTicks { get; private set; }

    /// <summary>Cancels the call (first reason wins).</summary>
    public void Cancel(int reason)
    {
        Interlocked.CompareExchange(ref _cancelledBy, reason, 0);
        try { _cancel?.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Execute()
    {
        try
        {
            if (_deadlineMs > 0) _cancel!.CancelAfter(_deadlineMs);
            long start = Stopwatch.GetTimestamp();
            Result = _connection.Execute(Op, Args, _cancel?.Token ?? CancellationToken.None);
            ExecutionTicks = Stopwatch.GetTimestamp() - start;
        }
        catch (OperationCanceledException)
        {
            Error = Volatile.Read(ref _cancelledBy) switch
            {
                CancelledByClient => (RpcErrorCodes.RequestCancelled, "the request was cancelled ($/cancelRequest)"),
                CancelledByShutdown => (RpcErrorCodes.RequestCancelled, "the request was cancelled: the service is shutting down"),
                _ => null,
            };
            if (Error is null)
                Result = CallOutcomes.DeadlineExceeded(Op, _deadlineMs, (ulong)Stopwatch.GetElapsedTime(Arrived).Ticks * 100);
        }
        catch (Exception e)
        {
            _connection.Logger.CallFailed(e, LogText.Printable(Op));
            Error = (RpcErrorCodes.InternalError, $"internal error: {e.Message}");
        }
        finally
        {
            _cancel?.Dispose();
        }
        _connection.Complete(this);
    }
}
