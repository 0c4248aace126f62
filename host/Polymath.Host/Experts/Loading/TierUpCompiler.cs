using Microsoft.Extensions.Logging;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// Runs the background compiles of tier-up: at most <see cref="MaxConcurrency"/> at a time (a compile keeps a core busy
/// for up to seconds), each on a thread-pool thread. <see cref="Dispose"/> cancels the compiles that have not started and
/// waits for the running ones (a native compiler cannot be stopped midway, and its engine must outlive it).
/// </summary>
internal sealed class TierUpCompiler : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _tasks = [];
    private bool _disposed;

    public TierUpCompiler(ILogger logger, int maxConcurrency = 0)
    {
        _logger = logger;
        MaxConcurrency = maxConcurrency > 0 ? maxConcurrency : Math.Clamp(Environment.ProcessorCount / 2, 1, 4);
        _slots = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);
    }

    /// <summary>Most compiles that run at once: half the processors, at least 1, at most 4.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Compiles queued or running.</summary>
    public int Pending
    {
        get { lock (_lock) return _tasks.Count; }
    }

    /// <summary>
    /// Queues <paramref name="work"/>; it gets a token cancelled when the compiler is disposed. Returns false (and runs
    /// nothing) once disposal has begun. <paramref name="work"/> handles its own failures; anything it lets escape is logged.
    /// </summary>
    public bool Schedule(string expertId, Action<CancellationToken> work)
    {
        var token = _stopping.Token;
        lock (_lock)
        {
            if (_disposed) return false;
            Task task = null!;
            task = Task.Run(async () =>
            {
                try
                {
                    await _slots.WaitAsync(token).ConfigureAwait(false);
                    try
                    {
                        token.ThrowIfCancellationRequested();
                        work(token);
                    }
                    finally { _slots.Release(); }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested) { Log.TierUpCancelled(_logger, expertId); }
                catch (Exception e) { Log.TierUpCrashed(_logger, e, expertId); }
                finally
                {
                    // The task removes itself; Schedule holds the lock until the task is assigned and added.
                    lock (_lock) _tasks.Remove(task);
                }
            }, CancellationToken.None);
            _tasks.Add(task);
        }
        return true;
    }

    /// <summary>Completes when no compile is queued or running (including compiles queued meanwhile).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task[] tasks;
            lock (_lock) tasks = [.. _tasks];
            if (tasks.Length == 0) return;
            await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels queued compiles and waits for running ones to finish.</summary>
    public void Dispose()
    {
        Task[] tasks;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            tasks = [.. _tasks];
        }
        _stopping.Cancel();
        try { Task.WaitAll(tasks); }
        catch (AggregateException) { } // every failure was logged by the task itself
        _stopping.Dispose();
    }
}
