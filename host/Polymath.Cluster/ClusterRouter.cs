using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Polymath.Cluster.Grains;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Polymath.Service;

namespace Polymath.Cluster;

/// <summary>One routed call's answer: the host's result and which silo and expert version produced it.</summary>
public readonly record struct RoutedResult(ExpertCallResult Result, string? Silo, string? Version, int Attempts);

/// <summary>
/// The front end's way into the cluster, one per silo (JSON-RPC uses it through <see cref="IExpertCallDispatcher"/>).
/// It keeps a view of every active silo — the experts and versions it serves and its load, refreshed every
/// <see cref="PolymathClusterOptions.RefreshMs"/> — and sends each call to the local silo while it has fewer than
/// <see cref="PolymathClusterOptions.LocalConcurrency"/> calls running, else to the least loaded silo that serves the
/// call's (expert id, version). A silo that fails or dies mid-call is excluded and the call is tried again on another,
/// at most <see cref="PolymathClusterOptions.MaxAttempts"/> times within the call's original deadline: calls are pure
/// (same op and args give the same result), so running one twice cannot be observed.
/// </summary>
public sealed class ClusterRouter : IExpertCallDispatcher, IClusterStatus, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly SiloWorkers _local;
    private readonly PolymathClusterOptions _options;
    private readonly ILogger _logger;
    private readonly SiloAddress _self;
    private readonly string _selfKey;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, StrongBox> _outstanding = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SiloReport> _lastReports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IExpertSiloGrain> _siloGrains = new(StringComparer.Ordinal);
    private readonly ClusterMetrics _metrics;
    private readonly string _clusterId;
    private volatile IReadOnlyDictionary<string, SiloReport> _view = new Dictionary<string, SiloReport>();
    private Task? _refreshLoop;

    /// <summary>Creates the router of this silo.</summary>
    public ClusterRouter(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails silo, SiloWorkers local,
        PolymathClusterOptions options, IOptions<ClusterOptions> cluster, ILogger<ClusterRouter> logger)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(cluster);
        _clusterId = cluster.Value.ClusterId;
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _membership = membership ?? throw new ArgumentNullException(nameof(membership));
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _self = silo.SiloAddress;
        _selfKey = _self.ToParsableString();
        _metrics = new ClusterMetrics(() => _view);
    }

    /// <summary>This silo's address.</summary>
    public string Silo => _selfKey;

    /// <summary>The last view of the cluster: every active silo that answered, by address.</summary>
    public IReadOnlyDictionary<string, SiloReport> View => _view;

    /// <summary>Completes when this silo is an active member and has a first view of the cluster.</summary>
    public Task Ready => _ready.Task;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ClusterRouter), ServiceLifecycleStage.Active, async ct =>
        {
            await RefreshAsync().ConfigureAwait(false);
            _refreshLoop = RefreshLoopAsync();
            _ready.TrySetResult();
        }, async ct =>
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            if (_refreshLoop is { } loop) await loop.ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    public async ValueTask<ExpertCallResult> CallAsync(string op, ReadOnlyMemory<byte> argsUtf8, int deadlineMs, CancellationToken cancellationToken) =>
        (await RouteAsync(op, argsUtf8.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(argsUtf8.Span), deadlineMs, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>False: calls go to silos (the service awaits them off its read loop).</summary>
    public bool RunsInProcess => false;

    /// <summary>Routes one call into the cluster (see the class); never throws but for <paramref name="cancellationToken"/>.</summary>
    public async Task<RoutedResult> RouteAsync(string op, string? argsJson, int deadlineMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(op);
        long start = Stopwatch.GetTimestamp();
        int budgetMs = deadlineMs > 0 ? deadlineMs : _options.AttemptTimeoutMs;
        if (!_ready.Task.IsCompleted)
        {
            try { await _ready.Task.WaitAsync(TimeSpan.FromMilliseconds(budgetMs), cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { return new(Unavailable(op, null, "this silo has not joined the cluster yet"), null, null, 0); }
        }
        List<string>? excluded = null;
        string? expertId = null, version = null, lastProblem = null;
        int attempt = 0, notHere = 0;
        while (attempt < _options.MaxAttempts)
        {
            int remaining = budgetMs - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (remaining <= 0) break;
            if (!TryChoose(op, ref expertId, ref version, excluded, out string? target))
            {
                if (expertId is null && excluded is null)
                    return new(new ExpertCallResult { Outcome = ExpertCallOutcome.UnknownOp, Op = op, Reason = $"no silo in the cluster advertises op '{op}'" }, null, null, attempt);
                break;
            }
            attempt++;
            var outstanding = _outstanding.GetOrAdd(target!, static _ => new StrongBox());
            Interlocked.Increment(ref outstanding.Value);
            try
            {
                var call = new ClusterCall { Op = op, Args = argsJson, ExpertId = expertId!, Version = version!, DeadlineMs = remaining };
                // The local silo is called directly: a grain call to oneself would only add Orleans' scheduling.
                var pending = target == _selfKey ? _local.RunAsync(call, _selfKey) : Grain(target!).CallAsync(call);
                var reply = await pending.WaitAsync(TimeSpan.FromMilliseconds(remaining), cancellationToken).ConfigureAwait(false);
                if (reply.Status == ClusterReplyStatus.Ran)
                {
                    _metrics.Routed(reply.Silo);
                    return new(reply.ToResult(), reply.Silo, reply.Version, attempt);
                }
                lastProblem = $"silo {target} no longer serves {expertId} {version}";
                // A stale view (a rolling update is under way): nothing ran, so this is not a failed attempt. The
                // reply's report corrects the view and the call is chosen again, at most 2 × MaxAttempts times.
                if (reply.Report is { } report && ++notHere <= 2 * _options.MaxAttempts)
                {
                    Learn(report);
                    attempt--;
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
            catch (TimeoutException) when (Stopwatch.GetElapsedTime(start).TotalMilliseconds >= budgetMs)
            {
                return new(new ExpertCallResult
                {
                    Outcome = ExpertCallOutcome.LimitExceeded, Op = op, ExpertId = expertId, Limit = ExpertLimitKind.Timeout,
                    Reason = $"no silo answered within the deadline of {budgetMs} ms",
                }, target, version, attempt);
            }
#pragma warning disable CA1031 // any failure of a peer (dead, unreachable, rejected) is retried elsewhere: calls are pure
            catch (Exception e)
#pragma warning restore CA1031
            {
                lastProblem = $"silo {target} failed: {e.GetType().Name}: {e.Message}";
                _logger.SiloCallFailed(op, target!, attempt, e.GetType().Name, e.Message);
                _metrics.Retried(target!);
            }
            finally { Interlocked.Decrement(ref outstanding.Value); }
            (excluded ??= []).Add(target!);
        }
        return new(Unavailable(op, expertId, lastProblem ?? "no live silo could answer"), null, version, attempt);
    }

    // One grain reference per silo, made once: GetGrain parses the key and builds a reference on every call.
    private IExpertSiloGrain Grain(string silo) => _siloGrains.GetOrAdd(silo, static (key, grains) => grains.GetGrain<IExpertSiloGrain>(key), _grains);

    // Copy-on-write: the view is read without locks by every call.
    private void Learn(SiloReport report)
    {
        var view = new Dictionary<string, SiloReport>(_view, StringComparer.Ordinal) { [report.Address] = report };
        _lastReports[report.Address] = report;
        _view = view;
    }

    private static ExpertCallResult Unavailable(string op, string? expertId, string why) =>
        new() { Outcome = ExpertCallOutcome.Unavailable, Op = op, ExpertId = expertId, Reason = $"the cluster could not answer op '{op}': {why}" };

    // The local silo while it is not busy, else the least loaded active silo serving (expertId, version); the first choice
    // pins the routing key for every retry. When no silo serves the pinned version any more, the key is chosen again: the
    // call has produced nothing yet, so it is still answered by exactly one version.
    private bool TryChoose(string op, ref string? expertId, ref string? version, List<string>? excluded, out string? target)
    {
        var members = _membership.CurrentSnapshot.Members;
        var view = _view;
        for (int pass = 0; pass < 2; pass++)
        {
            if (pass == 1)
            {
                if (expertId is null) break;
                expertId = version = null;
            }
            if (_local.InFlight < _options.LocalConcurrency && excluded?.Contains(_selfKey) != true
                && _local.TryRoute(op, out string localId, out string localVersion) && (expertId is null || (localId == expertId && localVersion == version)))
            {
                (expertId, version, target) = (localId, localVersion, _selfKey);
                return true;
            }
            SiloExpert? chosen = null;
            string? best = null;
            long bestLoad = long.MaxValue;
            foreach (var (address, report) in view)
            {
                if (excluded?.Contains(address) == true || !IsActive(members, address)) continue;
                var served = Serves(report, op);
                if (served is null || (expertId is not null && (served.Id != expertId || served.Version != version))) continue;
                long load = (address == _selfKey ? _local.InFlight : report.InFlight) + (_outstanding.TryGetValue(address, out var o) ? Volatile.Read(ref o.Value) : 0);
                if (load < bestLoad || (load == bestLoad && address == _selfKey)) (bestLoad, best, chosen) = (load, address, served);
            }
            if (best is not null)
            {
                (expertId, version, target) = (chosen!.Id, chosen.Version, best);
                return true;
            }
        }
        target = null;
        return false;
    }

    private bool IsActive(System.Collections.Immutable.ImmutableDictionary<SiloAddress, ClusterMember> members, string address)
    {
        foreach (var (silo, member) in members)
            if (member.Status == SiloStatus.Active && silo.ToParsableString() == address) return true;
        return false;
    }

    private static SiloExpert? Serves(SiloReport report, string op)
    {
        foreach (var e in report.Experts)
            if (Array.BinarySearch(e.Ops, op, StringComparer.Ordinal) >= 0) return e;
        return null;
    }

    /// <summary>Asks every active silo for its report now (also done every <see cref="PolymathClusterOptions.RefreshMs"/>).</summary>
    public async Task RefreshAsync()
    {
        var active = _membership.CurrentSnapshot.Members.Where(m => m.Value.Status == SiloStatus.Active).Select(m => m.Key.ToParsableString()).ToList();
        var view = new Dictionary<string, SiloReport>(StringComparer.Ordinal)
        {
            [_selfKey] = new SiloReport { Address = _selfKey, Calls = _local.Calls, InFlight = _local.InFlight, Experts = _local.Experts },
        };
        var asks = active.Where(a => a != _selfKey).Select(async a =>
        {
            try { return await Grain(a).ReportAsync().WaitAsync(TimeSpan.FromMilliseconds(Math.Max(500, _options.RefreshMs * 2))).ConfigureAwait(false); }
#pragma warning disable CA1031 // a silo that does not answer is left out of this view; the next refresh asks again
            catch (Exception) { return null; }
#pragma warning restore CA1031
        }).ToList();
        foreach (var silo in _siloGrains.Keys)
            if (!active.Contains(silo)) _siloGrains.TryRemove(silo, out _);
        foreach (var report in await Task.WhenAll(asks).ConfigureAwait(false))
            if (report is not null) view[report.Address] = report;
        foreach (var (address, report) in view) _lastReports[address] = report;
        _view = view;
    }

    /// <summary>
    /// Writes <see cref="IClusterStatus"/>'s object: this cluster's id and membership, this silo, and every silo the
    /// membership knows (<c>status</c> is Orleans' <see cref="SiloStatus"/> name: Active, Joining, ShuttingDown, Dead, …)
    /// with the counters and experts of its last report (zero and none for a silo that never answered).
    /// </summary>
    public void WriteCluster(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("id"u8, _clusterId);
        writer.WriteString("membership"u8, _options.Membership);
        writer.WriteString("silo"u8, _selfKey);
        writer.WriteStartArray("silos"u8);
        foreach (var member in _membership.CurrentSnapshot.Members.Values.OrderBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal))
        {
            string address = member.SiloAddress.ToParsableString();
            var report = address == _selfKey
                ? new SiloReport { Address = _selfKey, Calls = _local.Calls, InFlight = _local.InFlight, Experts = _local.Experts }
                : _lastReports.GetValueOrDefault(address);
            writer.WriteStartObject();
            writer.WriteString("address"u8, address);
            writer.WriteString("name"u8, member.Name);
            writer.WriteString("status"u8, member.Status.ToString());
            writer.WriteNumber("calls"u8, report?.Calls ?? 0);
            writer.WriteNumber("inFlight"u8, member.Status == SiloStatus.Active ? report?.InFlight ?? 0 : 0);
            writer.WriteStartArray("experts"u8);
            foreach (var e in report?.Experts ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, e.Id);
                writer.WriteString("version"u8, e.Version);
                writer.WriteNumber("ops"u8, e.Ops.Length);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.RefreshMs));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try { await RefreshAsync().ConfigureAwait(false); }
#pragma warning disable CA1031 // the loop must outlive one failed refresh
                catch (Exception e) { _logger.RefreshFailed(e); }
#pragma warning restore CA1031
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Dispose();
        _metrics.Dispose();
    }

    private sealed class StrongBox { public long Value; }
}
