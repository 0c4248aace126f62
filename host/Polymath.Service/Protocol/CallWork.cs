using System.Diagnostics;
using Polymath.Host.Experts;

namespace Polymath.Service.Protocol;

/// <summary>
/// One <c>call</c> request run on a guest thread (<see cref="GuestScheduler"/>); cancellable by <c>$/cancelRequest</c>,
/// its <c>deadline_ms</c> or shutdown, whether it is still waiting or already running. It owns no token source: it runs
/// under the guest thread's <see cref="CallDeadline"/>, and a cancel is aimed at that arming's ticket, so a late cancel
/// can never reach the thread's next call.
/// </summary>
internal sealed class CallWork
{
    public const int CancelledByClient = 1;
    public const int CancelledByShutdown = 2;

    // Bytes a call holds beyond its op and args (the work item, its result, the reply), for the queue limits.
    private const int Overhead = 512;

    private readonly JsonRpcConnection _connection;
    private readonly int _deadlineMs;
    private int _cancelledBy;
    private CallDeadline? _deadline;
    private long _ticket;

    public CallWork(JsonRpcConnection connection, RequestId id, string op, ReadOnlyMemory<byte> args, int deadlineMs, long arrived, BatchReply? batch)
    {
        Batch = batch;
        _connection = connection;
        Id = id;
        Op = op;
        Args = args;
        _deadlineMs = deadlineMs;
        Arrived = arrived;
        Bytes = Overhead + 2L * op.Length + args.Length; // the op is a UTF-16 string
    }

    public RequestId Id { get; }
    /// <summary>The batch this call is a member of, or null.</summary>
    public BatchReply? Batch { get; }
    public string Op { get; }
    /// <summary>The args' UTF-8 JSON text, owned by this call.</summary>
    public ReadOnlyMemory<byte> Args { get; }
    public long Arrived { get; }
    /// <summary>What the call holds in memory while it waits or runs (counted against the queue limits).</summary>
    public long Bytes { get; }
    public ExpertCallResult? Result { get; private set; }
    public (int Code, string Message)? Error { get; private set; }
    public long ExecutionTicks { get; private set; }

    /// <summary>Cancels the call (first reason wins): a waiting call ends as soon as a thread takes it, a running one is interrupted.</summary>
    public void Cancel(int reason)
    {
        Interlocked.CompareExchange(ref _cancelledBy, reason, 0); // a full fence before reading the ticket
        long ticket = Interlocked.Read(ref _ticket);
        if (ticket != 0) Volatile.Read(ref _deadline)?.TryCancel(ticket);
    }

    /// <summary>Runs the call on a guest thread under <paramref name="deadline"/>, then hands it to its connection.</summary>
    public void Execute(CallDeadline deadline)
    {
        try
        {
            long ticket = deadline.Arm(_deadlineMs);
            Volatile.Write(ref _deadline, deadline);
            Interlocked.Exchange(ref _ticket, ticket); // a full fence before reading the cancel flag
            try
            {
                if (Volatile.Read(ref _cancelledBy) != 0) deadline.TryCancel(ticket);
                long start = Stopwatch.GetTimestamp();
                Result = _connection.Execute(Op, Args, _deadlineMs, deadline.Token);
                ExecutionTicks = Stopwatch.GetTimestamp() - start;
            }
            finally
            {
                Interlocked.Exchange(ref _ticket, 0);
                deadline.Disarm();
            }
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
        _connection.Complete(this);
    }
}
