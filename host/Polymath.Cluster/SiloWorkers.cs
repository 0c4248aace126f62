using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Polymath.Cluster.Grains;
using Polymath.Host.Experts;
using Polymath.Sdk;

namespace Polymath.Cluster;

/// <summary>
/// A silo's own expert calls: a few dedicated threads that run <see cref="ExpertHost.Call(string, string?, CancellationToken)"/>, so CPU-bound guest code
/// never runs on the Orleans scheduler or the thread pool (the grain only awaits). It also keeps the silo's view of
/// which expert and version serves each op (rebuilt when the host loads or unloads an expert) and its counters.
/// </summary>
public sealed class SiloWorkers : IDisposable
{
    private readonly ExpertHost _host;
    private readonly BlockingCollection<Work> _queue = new(new ConcurrentQueue<Work>());
    private readonly Thread[] _threads;
    private readonly int _attemptTimeoutMs;
    private readonly ILogger _logger;
    private volatile Catalogue? _catalogue;
    private long _generation;
    private long _calls;
    private long _inFlight;

    /// <summary>Starts <paramref name="options"/>.WorkerThreads threads over <paramref name="host"/>.</summary>
    public SiloWorkers(ExpertHost host, PolymathClusterOptions options, ILogger<SiloWorkers> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _attemptTimeoutMs = options.AttemptTimeoutMs;
        _host.ExpertLoaded += (_, _) => Changed();
        _host.ExpertUnloaded += (_, _) => Changed();
        _host.ExpertDegraded += (_, _) => Changed();
        _threads = new Thread[options.WorkerThreads];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"polymath-silo-worker-{i}" };
            _threads[i].Start();
        }
    }

    private void Changed()
    {
        Interlocked.Increment(ref _generation);
        _catalogue = null;
    }

    /// <summary>Calls executed by this silo.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Calls queued or running on this silo.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>The (expert id, version) serving <paramref name="op"/> here, or false.</summary>
    public bool TryRoute(string op, out string expertId, out string version)
    {
        if (Current().Ops.TryGetValue(op, out var route)) { (expertId, version) = route; return true; }
        expertId = version = "";
        return false;
    }

    /// <summary>The experts this silo serves.</summary>
    public SiloExpert[] Experts => Current().Experts;

    /// <summary>Runs <paramref name="call"/> on a worker thread when this silo serves its expert at its version.</summary>
    public Task<ClusterReply> RunAsync(ClusterCall call, string silo)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!Serves(call)) return Task.FromResult(NotHere(call, silo));
        var work = new Work(call, silo, call.Version);
        Interlocked.Increment(ref _inFlight);
        try { _queue.Add(work); }
        catch (InvalidOperationException)
        {
            Interlocked.Decrement(ref _inFlight);
            return Task.FromResult(NotHere(call, silo));
        }
        return work.Task;
    }

    /// <summary>This silo's report (what it serves now, its counters).</summary>
    public SiloReport Report(string silo) => new() { Address = silo, Calls = Calls, InFlight = InFlight, Experts = Experts };

    // The reply carries what this silo serves now, so the front end's next choice does not repeat the stale one.
    private ClusterReply NotHere(ClusterCall call, string silo) => new() { Status = ClusterReplyStatus.NotHere, Silo = silo, Op = call.Op, Report = Report(silo) };

    private bool Serves(ClusterCall call) => TryRoute(call.Op, out string id, out string version) && id == call.ExpertId && version == call.Version;

    private void Run()
    {
        using var deadline = new CallDeadline();
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                int ms = work.Call.DeadlineMs > 0 ? work.Call.DeadlineMs : _attemptTimeoutMs;
                // The version is checked again when the call starts and, if the op table changed meanwhile, when it
                // ends: a reply is attributed to the version that ran it or is NotHere (retried elsewhere; calls are pure).
                long generation = Interlocked.Read(ref _generation);
                if (!Serves(work.Call))
                {
                    work.SetResult(NotHere(work.Call, work.Silo));
                    continue;
                }
                deadline.Arm(ms);
                ExpertCallResult result;
                try { result = _host.Call(work.Call.Op, work.Call.Args, deadline.Token); }
                catch (OperationCanceledException)
                {
                    result = new ExpertCallResult
                    {
                        Outcome = ExpertCallOutcome.LimitExceeded, Op = work.Call.Op, ExpertId = work.Call.ExpertId, Limit = ExpertLimitKind.Timeout,
                        Reason = $"the call ran past its deadline of {ms} ms on silo {work.Silo}",
                    };
                }
                finally { deadline.Disarm(); }
                Interlocked.Increment(ref _calls);
                if (Interlocked.Read(ref _generation) != generation && !Serves(work.Call))
                    work.SetResult(NotHere(work.Call, work.Silo));
                else work.SetResult(ClusterReply.From(result, work.Silo, work.Version));
            }
#pragma warning disable CA1031 // a worker thread must survive anything one call throws; the caller gets the exception
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.WorkerCallFailed(e, work.Call.Op);
                work.SetException(e);
            }
            finally { Interlocked.Decrement(ref _inFlight); }
        }
    }

    private Catalogue Current()
    {
        var c = _catalogue;
        if (c is not null) return c;
        var ops = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var experts = new List<SiloExpert>();
        var infos = _host.Experts;
        foreach (var (op, expertId) in _host.Ops)
        {
            var info = infos.FirstOrDefault(e => e.Id == expertId);
            if (info is not null) ops[op] = (expertId, info.Version);
        }
        foreach (var group in ops.GroupBy(p => p.Value))
            experts.Add(new SiloExpert { Id = group.Key.Item1, Version = group.Key.Item2, Ops = [.. group.Select(p => p.Key).Order(StringComparer.Ordinal)] });
        c = new Catalogue(ops, [.. experts.OrderBy(e => e.Id, StringComparer.Ordinal)]);
        _catalogue = c;
        return c;
    }

    /// <summary>Stops the threads after the queued calls.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private sealed record Catalogue(Dictionary<string, (string Id, string Version)> Ops, SiloExpert[] Experts);

    private sealed class Work(ClusterCall call, string silo, string version) : TaskCompletionSource<ClusterReply>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ClusterCall Call { get; } = call;
        public string Silo { get; } = silo;
        public string Version { get; } = version;
    }
}
