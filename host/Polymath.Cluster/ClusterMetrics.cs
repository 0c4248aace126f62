using System.Diagnostics.Metrics;
using Polymath.Service;

namespace Polymath.Cluster;

/// <summary>
/// The cluster's instruments on the service's meter (<see cref="ServiceMetrics.MeterName"/>, <c>Polymath</c>), each
/// tagged <c>silo</c> (the silo's address): <c>polymath.cluster.calls</c> (calls this front end routed, by the silo that
/// answered them), <c>polymath.cluster.retries</c> (attempts that failed on a silo and went to another),
/// <c>polymath.cluster.silo.calls</c> and <c>polymath.cluster.silo.in_flight</c> (every silo's own counters, as last reported).
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    private readonly Meter _meter = new(ServiceMetrics.MeterName, "0.1.0");
    private readonly Counter<long> _routed;
    private readonly Counter<long> _retries;

    public ClusterMetrics(Func<IReadOnlyDictionary<string, Grains.SiloReport>> reports)
    {
        _routed = _meter.CreateCounter<long>("polymath.cluster.calls", "{call}", "Calls this front end routed, by the silo that answered");
        _retries = _meter.CreateCounter<long>("polymath.cluster.retries", "{attempt}", "Attempts that failed on a silo and were tried on another, by the silo that failed");
        _meter.CreateObservableCounter("polymath.cluster.silo.calls", () => Observe(reports(), static r => r.Calls), "{call}", "Calls each silo executed (last report)");
        _meter.CreateObservableUpDownCounter("polymath.cluster.silo.in_flight", () => Observe(reports(), static r => r.InFlight), "{call}", "Calls running or queued on each silo (last report)");
    }

    public void Routed(string silo) => _routed.Add(1, new KeyValuePair<string, object?>("silo", silo));

    public void Retried(string silo) => _retries.Add(1, new KeyValuePair<string, object?>("silo", silo));

    private static IEnumerable<Measurement<long>> Observe(IReadOnlyDictionary<string, Grains.SiloReport> reports, Func<Grains.SiloReport, long> value)
    {
        foreach (var (address, report) in reports) yield return new Measurement<long>(value(report), new KeyValuePair<string, object?>("silo", address));
    }

    public void Dispose() => _meter.Dispose();
}
