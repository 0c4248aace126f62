using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Polymath.Service;

/// <summary>
/// The service's metrics, published through <see cref="System.Diagnostics.Metrics"/> on the meter named
/// <c>Polymath</c> (seen by <c>dotnet-counters</c> and OpenTelemetry) and kept as totals for the <c>stats</c> method:
/// per-op call counts, outcomes by kind, a latency histogram, connections, requests in flight, idle instances, memory.
/// </summary>
public sealed class ServiceMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Polymath";

    /// <summary>The entry that counts calls no expert answered (unknown op, args refused before routing), whatever op they named.</summary>
    public const string UnroutedOp = "(unrouted)";

    // Latency buckets: bucket i holds calls of [2^(i-1), 2^i) microseconds; bucket 0 is < 1 µs; the last is open-ended.
    private const int Buckets = 28;

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, OpCounters> _ops = new(StringComparer.Ordinal);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _connections;
    private long _connectionsTotal;
    private long _inFlight;
    private long _protocolErrors;

    /// <summary>Creates the meter and its instruments; <paramref name="idleInstances"/> reports instances kept warm.</summary>
    public ServiceMetrics(Func<long> idleInstances)
    {
        ArgumentNullException.ThrowIfNull(idleInstances);
        _meter = new Meter(MeterName, "0.1.0");
        _calls = _meter.CreateCounter<long>("polymath.calls", "{call}", "Expert calls by op and outcome");
        _duration = _meter.CreateHistogram<double>("polymath.call.duration", "s", "Time from a call's arrival to its result, by op");
        _meter.CreateObservableUpDownCounter("polymath.connections", () => Volatile.Read(ref _connections), "{connection}", "Open connections");
        _meter.CreateObservableUpDownCounter("polymath.requests.in_flight", () => Volatile.Read(ref _inFlight), "{request}", "Requests being served");
        _meter.CreateObservableGauge("polymath.instances.idle", idleInstances, "{instance}", "Expert instances kept warm");
        _meter.CreateObservableGauge("polymath.memory.managed", () => GC.GetTotalMemory(false), "By", "Managed heap size");
        _meter.CreateObservableGauge("polymath.memory.working_set", () => Environment.WorkingSet, "By", "Process working set");
        IdleInstances = idleInstances;
    }

    private Func<long> IdleInstances { get; }

    /// <summary>Requests being served right now.</summary>
    public long InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Open connections.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Counts a connection opened (+1) or closed (-1).</summary>
    public void ConnectionChanged(int delta)
    {
        Interlocked.Add(ref _connections, delta);
        if (delta > 0) Interlocked.Increment(ref _connectionsTotal);
    }

    /// <summary>Counts a request entering (+1) or leaving (-1) service.</summary>
    public void InFlightChanged(int delta) => Interlocked.Add(ref _inFlight, delta);

    /// <summary>Counts a malformed message (any JSON-RPC error reply caused by the client).</summary>
    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);

    /// <summary>
    /// True when <paramref name="op"/> has run at least 8 times and its recent execution time (a moving average that
    /// excludes queueing) is under 100 µs: the service may run it inline on the connection's read loop.
    /// </summary>
    public bool IsFast(string op) =>
        _ops.TryGetValue(op, out var c) && Volatile.Read(ref c.Executions) >= 8 && Volatile.Read(ref c.AverageExecutionTicks) < _fastTicks;

    private readonly long _fastTicks = Stopwatch.Frequency / 10_000;

    /// <summary>Records a run of <paramref name="op"/> that was interrupted after <paramref name="executionTicks"/> (the inline budget): the op stops counting as fast.</summary>
    public void RecordSlowRun(string op, long executionTicks)
    {
        ArgumentNullException.ThrowIfNull(op);
        var counters = _ops.GetOrAdd(op, static _ => new OpCounters());
        Volatile.Write(ref counters.AverageExecutionTicks, Math.Max(executionTicks, _fastTicks));
    }

    /// <summary>Records one finished call: time since arrival and, when it ran, the time the expert call itself took.</summary>
    public void RecordCall(string op, int outcomeIndex, long elapsedTicks, long executionTicks = 0)
    {
        ArgumentNullException.ThrowIfNull(op);
        var counters = _ops.GetOrAdd(op, static _ => new OpCounters());
        if (executionTicks > 0)
        {
            // A racy moving average (weight 1/8) is enough for a routing hint.
            long average = Volatile.Read(ref counters.AverageExecutionTicks);
            Volatile.Write(ref counters.AverageExecutionTicks, average == 0 ? executionTicks : average + ((executionTicks - average) >> 3));
            Interlocked.Increment(ref counters.Executions);
        }
        Interlocked.Increment(ref counters.Outcomes[outcomeIndex]);
        double micros = elapsedTicks * 1_000_000.0 / Stopwatch.Frequency;
        int bucket = micros < 1 ? 0 : Math.Min(Buckets - 1, 1 + (int)Math.Log2(micros));
        Interlocked.Increment(ref counters.Latency[bucket]);
        if (_calls.Enabled || _duration.Enabled)
        {
            var outcome = new KeyValuePair<string, object?>("outcome", Protocol.CallOutcomes.Names[outcomeIndex]);
            var opTag = new KeyValuePair<string, object?>("op", op);
            _calls.Add(1, opTag, outcome);
            _duration.Record(micros / 1e6, opTag);
        }
    }

    /// <summary>Writes the <c>stats</c> result (docs/protocol.md).</summary>
    public void WriteStats(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var names = Protocol.CallOutcomes.Names;
        w.WriteStartObject();
        w.WriteNumber("uptime_ms", (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds);
        w.WriteNumber("connections", Connections);
        w.WriteNumber("connections_total", Volatile.Read(ref _connectionsTotal));
        w.WriteNumber("in_flight", InFlight);
        w.WriteNumber("protocol_errors", Volatile.Read(ref _protocolErrors));
        w.WriteNumber("instances_idle", IdleInstances());
        w.WriteStartObject("memory");
        w.WriteNumber("managed_bytes", GC.GetTotalMemory(false));
        w.WriteNumber("working_set_bytes", Environment.WorkingSet);
        w.WriteNumber("gc_collections", GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2));
        w.WriteNumber("allocated_bytes", GC.GetTotalAllocatedBytes());
        w.WriteNumber("cpu_time_ms", (long)Environment.CpuUsage.TotalTime.TotalMilliseconds);
        w.WriteEndObject();
        long total = 0;
        var outcomeTotals = new long[names.Count];
        w.WriteStartObject("ops");
        foreach (var (op, c) in _ops.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long calls = 0;
            w.WriteStartObject(op);
            w.WriteStartObject("outcomes");
            for (int i = 0; i < names.Count; i++)
            {
                long n = Volatile.Read(ref c.Outcomes[i]);
                calls += n;
                outcomeTotals[i] += n;
                if (n > 0) w.WriteNumber(names[i], n);
            }
            w.WriteEndObject();
            w.WriteNumber("calls", calls);
            total += calls;
            var latency = new long[Buckets];
            for (int i = 0; i < Buckets; i++) latency[i] = Volatile.Read(ref c.Latency[i]);
            w.WriteNumber("latency_p50_us", Percentile(latency, calls, 0.50));
            w.WriteNumber("latency_p99_us", Percentile(latency, calls, 0.99));
            w.WriteStartObject("latency_us_histogram");
            for (int i = 0; i < Buckets; i++)
                if (latency[i] > 0) w.WriteNumber(i == 0 ? "<1" : $"<{1L << i}", latency[i]);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteNumber("calls", total);
        w.WriteStartObject("outcomes");
        for (int i = 0; i < names.Count; i++) w.WriteNumber(names[i], outcomeTotals[i]);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // The upper bound (µs) of the bucket holding the q-th call: an estimate no finer than a factor of two.
    private static long Percentile(long[] buckets, long count, double q)
    {
        if (count == 0) return 0;
        long rank = (long)Math.Ceiling(q * count), seen = 0;
        for (int i = 0; i < buckets.Length; i++)
        {
            seen += buckets[i];
            if (seen >= rank) return 1L << i;
        }
        return 1L << (buckets.Length - 1);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private sealed class OpCounters
    {
        public readonly long[] Outcomes = new long[Protocol.CallOutcomes.Names.Count];
        public readonly long[] Latency = new long[Buckets];
        public long AverageExecutionTicks;
        public long Executions;
    }
}
