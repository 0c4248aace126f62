using System.Diagnostics;

namespace Polymath.Host.Experts;

/// <summary>
/// The one thread that enforces every <see cref="CallDeadline"/>. It is a dedicated background thread, not a timer, so
/// deadlines fire even when guests hold every thread-pool thread. It sleeps until the earliest pending deadline (or a
/// second, for the sweep of dead threads' deadlines), cancels what has passed, and sleeps again. An arming wakes it only
/// when its deadline is earlier than the one the thread sleeps towards: a steady stream of calls with the same timeout
/// costs one comparison per call, no signal, no allocation, and no wake-up per millisecond.
/// </summary>
internal static class CallWatchdog
{
    private const long None = long.MaxValue;

    private static readonly object Gate = new();
    private static readonly AutoResetEvent Wake = new(false);
    private static readonly Stack<CallDeadline> Spares = new();
    private static CallDeadline[] s_deadlines = [];
    private static long s_nextDue = None;
    private static Thread? s_thread;

    /// <summary>Deadlines being watched (for tests and diagnostics).</summary>
    internal static int Count => Volatile.Read(ref s_deadlines).Length;

    internal static void Register(CallDeadline deadline)
    {
        lock (Gate)
        {
            s_deadlines = [.. s_deadlines, deadline];
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "polymath-deadlines" };
                s_thread.Start();
            }
        }
    }

    internal static void Unregister(CallDeadline deadline)
    {
        lock (Gate) s_deadlines = Array.FindAll(s_deadlines, d => d != deadline);
    }

    internal static CallDeadline RentSpare()
    {
        lock (Gate) if (Spares.TryPop(out var d)) return d;
        return new CallDeadline();
    }

    internal static void ReturnSpare(CallDeadline deadline)
    {
        lock (Gate)
        {
            if (Spares.Count < 64) { Spares.Push(deadline); return; }
        }
        deadline.Dispose();
    }

    /// <summary>Called after an arming with a real deadline (after a full fence): wakes the thread if it sleeps past <paramref name="due"/>.</summary>
    internal static void Armed(long due)
    {
        if (due < Volatile.Read(ref s_nextDue)) Wake.Set();
    }

    private static void Run()
    {
        long sweepEvery = Stopwatch.Frequency, lastSweep = Stopwatch.GetTimestamp();
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            long due = Scan(now);
            // Publish what the thread sleeps towards, then look again: an arming either reads this value (and signals
            // when it is earlier) or wrote its deadline before the second look, which sees it.
            Interlocked.Exchange(ref s_nextDue, due);
            long again = Scan(Stopwatch.GetTimestamp());
            if (again < due) Interlocked.Exchange(ref s_nextDue, due = again);
            if (now - lastSweep > sweepEvery)
            {
                lastSweep = now;
                SweepDeadThreads();
            }
            long wait = Math.Min(due == None ? sweepEvery : due - Stopwatch.GetTimestamp(), sweepEvery);
            if (wait > 0) Wake.WaitOne((int)Math.Max(1, (wait * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency));
        }
    }

    // Cancels what has passed; returns the earliest deadline still pending (None when there is none).
    private static long Scan(long now)
    {
        long earliest = None;
        foreach (var d in Volatile.Read(ref s_deadlines))
        {
            long due = d.Check(now);
            if (due < earliest) earliest = due;
        }
        return earliest;
    }

    // A thread's own deadline stays registered after the thread ends (nobody can reach its slot any more): drop those.
    private static void SweepDeadThreads()
    {
        foreach (var d in Volatile.Read(ref s_deadlines))
            if (d.Owner is { IsAlive: false }) d.Dispose();
    }
}
