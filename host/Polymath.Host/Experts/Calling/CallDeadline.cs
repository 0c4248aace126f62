using System.Diagnostics;

namespace Polymath.Host.Experts;

/// <summary>
/// A reusable deadline for guest calls, enforced by one watchdog thread of its own (<see cref="CallWatchdog"/>): when an
/// armed deadline passes, the watchdog cancels <see cref="Token"/>, and the engines interrupt the guest (they poll the
/// token, or register on it). Nothing here needs a free thread-pool thread, so guests that occupy every pool thread still
/// end on time. Arming and disarming allocate nothing (two interlocked writes); a new token source is made only after one
/// was cancelled. One call at a time per instance; <see cref="TryCancel"/> may be called from any thread.
/// </summary>
public sealed class CallDeadline : IDisposable
{
    // _state: Idle (0), Fired (-1), a deadline in Stopwatch ticks, or NoDeadline + a generation (armed, never expires).
    // Each arming writes a value no other arming wrote, so a cancel aimed at one arming (TryCancel, the watchdog) is a
    // compare-exchange against that value and can never hit a later call.
    private const long Idle = 0;
    private const long Fired = -1;
    private const long NoDeadline = long.MaxValue / 2;

    private CancellationTokenSource _source = new();
    private long _state;
    private long _generation;
    private bool _dirty;

    /// <summary>Creates a deadline and registers it with the watchdog (until <see cref="Dispose"/>).</summary>
    public CallDeadline() => CallWatchdog.Register(this);

    /// <summary>The thread whose per-thread slot holds this deadline (null for others): the watchdog drops it once the thread has ended.</summary>
    internal Thread? Owner { get; private set; }

    /// <summary>Stops watching this deadline (an armed one is no longer enforced).</summary>
    public void Dispose()
    {
        CallWatchdog.Unregister(this);
        _source.Dispose();
    }

    /// <summary>The token of the current arming.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>
    /// Arms the deadline <paramref name="timeoutMs"/> milliseconds from now (≤ 0: no deadline, only <see cref="TryCancel"/>)
    /// and returns the arming's ticket, for <see cref="TryCancel"/>. <see cref="Token"/> is the arming's token.
    /// </summary>
    public long Arm(int timeoutMs) => Arm(timeoutMs, timeoutMs > 0 ? Stopwatch.GetTimestamp() : 0);

    /// <summary>As <see cref="Arm(int)"/>, from <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp the caller already took).</summary>
    internal long Arm(int timeoutMs, long now)
    {
        if (_dirty || _source.IsCancellationRequested)
        {
            _source.Dispose();
            _source = new CancellationTokenSource();
            _dirty = false;
        }
        long generation = ++_generation;
        long ticket = timeoutMs > 0
            ? now + (long)(timeoutMs * (Stopwatch.Frequency / 1000.0))
            : NoDeadline + generation;
        if (ticket is Idle or Fired) ticket = 1;
        Interlocked.Exchange(ref _state, ticket); // a full fence: the watchdog's next due time is read after it
        if (ticket < NoDeadline) CallWatchdog.Armed(ticket);
        return ticket;
    }

    /// <summary>Ends the current arming; true when it had been cancelled (deadline passed or <see cref="TryCancel"/>).</summary>
    public bool Disarm()
    {
        bool fired = Interlocked.Exchange(ref _state, Idle) == Fired || _source.IsCancellationRequested;
        if (fired) _dirty = true; // its source is (or is about to be) cancelled: the next arming takes a new one
        return fired;
    }

    /// <summary>Cancels the arming <paramref name="ticket"/> if it is still the current one; false otherwise.</summary>
    public bool TryCancel(long ticket)
    {
        if (ticket is Idle or Fired) return false;
        var source = Volatile.Read(ref _source); // read before the exchange: a later arming replaces it only after changing _state
        if (Interlocked.CompareExchange(ref _state, Fired, ticket) != ticket) return false;
        try { source.Cancel(); }
        catch (ObjectDisposedException) { }
        catch (AggregateException) { } // a registered callback threw: the guest is interrupted anyway
        return true;
    }

    /// <summary>Cancels whatever arming is current (for a registration that is disposed before <see cref="Disarm"/>).</summary>
    public void CancelCurrent() => TryCancel(Volatile.Read(ref _state));

    /// <summary>The watchdog's check: cancels the arming when its deadline is at or before <paramref name="now"/>; returns the deadline still pending (long.MaxValue for none).</summary>
    internal long Check(long now)
    {
        long state = Volatile.Read(ref _state);
        if (state is Idle or Fired || state >= NoDeadline) return long.MaxValue;
        if (state > now) return state;
        TryCancel(state);
        return long.MaxValue;
    }

    /// <summary>
    /// The deadline of calls on the current thread (the host's per-call timeout): one per thread, taken out while in use
    /// so a nested call on the same thread gets its own.
    /// </summary>
    [ThreadStatic] private static CallDeadline? t_current;

    internal static CallDeadline RentForThread()
    {
        var d = t_current;
        t_current = null;
        return d ?? CallWatchdog.RentSpare();
    }

    internal static void ReturnForThread(CallDeadline deadline)
    {
        if (t_current is null)
        {
            deadline.Owner = Thread.CurrentThread;
            t_current = deadline;
        }
        else
        {
            deadline.Owner = null;
            CallWatchdog.ReturnSpare(deadline);
        }
    }
}
