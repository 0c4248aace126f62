using Orleans.Concurrency;
using Polymath.Cluster.Placement;

namespace Polymath.Cluster.Grains;

/// <summary>
/// <see cref="IExpertSiloGrain"/>: placed on the silo its key names, reentrant; it hands each call to the silo's
/// <see cref="SiloWorkers"/> and awaits it, so the Orleans scheduler only ever sees an await.
/// </summary>
[SiloTargetedPlacement, Reentrant]
internal sealed class ExpertSiloGrain(SiloWorkers workers, ILocalSiloDetails silo) : Grain, IExpertSiloGrain
{
    private readonly string _silo = silo.SiloAddress.ToParsableString();

    public Task<ClusterReply> CallAsync(ClusterCall call) => workers.RunAsync(call, _silo);

    public Task<SiloReport> ReportAsync() => Task.FromResult(workers.Report(_silo));
}
