using System.Diagnostics;

namespace Polymath.Host.Experts;

/// <summary>
/// The one thread that enforces every <see cref="CallDeadline"/>. It is a dedicated background thread, not a timer, so
/// deadlines fire even when guests hold every thread-pool thread. While calls are being armed it looks at every deadline
/// each <see cref="PeriodMs"/> ms (the precision of a timeout) and cancels those that have passed; when nothing has been
/// armed for <see cref="ParkAfterMs"/> ms it parks, and the next arming wakes it (the only arming that signals). A steady
/// stream of calls therefore costs no signal and no allocation per call.
/// </summary>
internal static class CallWatchdog
{
    /// <summary>Milliseconds between looks while calls are being armed.</summary>
    public const int PeriodMs = 1;

    /// <summary>Milliseconds without an arming or a pending deadline after which the thread parks.</summary>
    public const int ParkAfterMs = 200;

    private static readonly object Gate = new();
    private static readonly AutoResetEvent Wake = new(false);
    private static readonly Stack<CallDeadline> Spares = new();
    private static CallDeadline[] s_deadlines = [];
    private static int s_parked;
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

    /// <summary>Called after an arming with a real deadline (after a full fence): wakes the thread if it is parked.</summary>
    internal static void Armed()
    {
        if (Volatile.Read(ref s_parked) != 0 && Interlocked.Exchange(ref s_parked, 0) != 0) Wake.Set();
    }

    private static void Run()
    {
        long lastSweep = Stopwatch.GetTimestamp(), lastActive = lastSweep;
        long parkAfter = Stopwatch.Frequency * ParkAfterMs / 1000;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (Scan(now)) lastActive = now;
            if (now - lastSweep > Stopwatch.Frequency)
            {
                lastSweep = now;
                SweepDeadThreads();
            }
            if (now - lastActive < parkAfter)
            {
                Thread.Sleep(PeriodMs);
                continue;
            }
            // Park: announce it, then look once more. An arming that raced with the first look either happened before
            // this second look (seen) or reads the parked flag after its own fence and wakes the thread.
            Interlocked.Exchange(ref s_parked, 1);
            if (Scan(Stopwatch.GetTimestamp()))
            {
                Interlocked.Exchange(ref s_parked, 0);
                lastActive = Stopwatch.GetTimestamp();
                continue;
            }
            Wake.WaitOne(1000); // at least once a second, for the sweep
            Interlocked.Exchange(ref s_parked, 0);
            lastActive = Stopwatch.GetTimestamp();
        }
    }

    // Cancels what has passed; true when some deadline is pending or something was armed since the last look.
    private static bool Scan(long now)
    {
        bool active = false;
        foreach (var d in Volatile.Read(ref s_deadlines))
        {
            if (d.Check(now)) active = true;
            long armings = d.Armings;
            if (armings != d.SeenArmings)
            {
                d.SeenArmings = armings;
                active = true;
            }
        }
        return active;
    }

    // A thread's own deadline stays registered after the thread ends (nobody can reach its slot any more): drop those.
    private static void SweepDeadThreads()
    {
        foreach (var d in Volatile.Read(ref s_deadlines))
            if (d.Owner is { IsAlive: false }) d.Dispose();
    }
}
