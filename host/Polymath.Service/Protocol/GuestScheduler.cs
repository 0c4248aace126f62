using Polymath.Host.Experts;

namespace Polymath.Service.Protocol;

/// <summary>
/// The service's guest threads: a fixed set of dedicated threads (<see cref="ServiceOptions.GuestThreads"/>) that run
/// every <c>call</c> not run inline, so guests never occupy thread-pool threads and the read loops, <c>health</c>,
/// replies and timers always have threads. Connections with waiting calls take turns (round robin, one call each), so
/// one client's burst delays another client's call by at most one call per thread. Waiting calls are bounded over all
/// connections (<see cref="ServiceOptions.MaxQueuedCalls"/>, <see cref="ServiceOptions.MaxQueuedBytes"/>): past either,
/// <see cref="TryEnqueue"/> refuses and the call is answered at once. Each thread has its own <see cref="CallDeadline"/>
/// for <c>deadline_ms</c> and <c>$/cancelRequest</c>, enforced by the host's watchdog thread.
/// </summary>
internal sealed class GuestScheduler : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<GuestQueue> _ready = new();
    private readonly Thread[] _threads;
    private readonly int _maxQueued;
    private readonly long _maxBytes;
    private int _queued;
    private int _running;
    private long _bytes;
    private bool _stopping;

    public GuestScheduler(int threads, int maxQueuedCalls, long maxQueuedBytes)
    {
        _maxQueued = maxQueuedCalls;
        _maxBytes = maxQueuedBytes;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            // The same stack as a thread-pool thread's would be too small for deep guests on some engines: give them room.
            _threads[i] = new Thread(Run, 16 << 20) { IsBackground = true, Name = $"polymath-guest-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Guest threads.</summary>
    public int Threads => _threads.Length;

    /// <summary>Calls waiting for a thread.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Calls running on a thread.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Bytes of the calls waiting or running.</summary>
    public long QueuedBytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues <paramref name="work"/> on its connection's <paramref name="queue"/>; false (nothing queued) when a service-wide limit is reached or the scheduler stopped.</summary>
    public bool TryEnqueue(GuestQueue queue, CallWork work, out string? refusal)
    {
        lock (_gate)
        {
            refusal = _stopping ? "the service is shutting down"
                : _queued >= _maxQueued ? $"the service is busy: {_queued} calls are waiting for a guest thread (Service:MaxQueuedCalls)"
                : _bytes > 0 && _bytes + work.Bytes > _maxBytes ? $"the service is busy: {_bytes} bytes of calls are waiting or running (Service:MaxQueuedBytes)"
                : null;
            if (refusal is not null) return false;
            _queued++;
            _bytes += work.Bytes;
            queue.Items.Enqueue(work);
            if (!queue.Scheduled)
            {
                queue.Scheduled = true;
                _ready.Enqueue(queue);
            }
            Monitor.Pulse(_gate);
            return true;
        }
    }

    private void Run()
    {
        using var deadline = new CallDeadline();
        while (true)
        {
            CallWork work;
            lock (_gate)
            {
                while (_ready.Count == 0)
                {
                    if (_stopping) return;
                    Monitor.Wait(_gate);
                }
                var queue = _ready.Dequeue();
                work = queue.Items.Dequeue();
                if (queue.Items.Count > 0) _ready.Enqueue(queue); // its next call waits for the other connections' turns
                else queue.Scheduled = false;
                _queued--;
                _running++;
            }
            try { work.Execute(deadline); }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    _bytes -= work.Bytes;
                }
            }
        }
    }

    /// <summary>Lets the threads finish what is queued, then end (waits up to <paramref name="timeoutMs"/>).</summary>
    public void Stop(int timeoutMs)
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        var until = Environment.TickCount64 + timeoutMs;
        foreach (var t in _threads) t.Join((int)Math.Max(0, until - Environment.TickCount64));
    }

    public void Dispose() => Stop(0);
}

/// <summary>One connection's calls waiting for a guest thread (guarded by the scheduler's lock).</summary>
internal sealed class GuestQueue
{
    internal readonly Queue<CallWork> Items = new();
    internal bool Scheduled;
}
