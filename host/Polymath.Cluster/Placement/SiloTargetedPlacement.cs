using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Polymath.Cluster.Placement;

/// <summary>
/// Places a grain on the silo its string key names (<see cref="SiloAddress.ToParsableString"/>), and nowhere else: the
/// front end chooses the silo (load, version), Orleans only carries the call. A key naming a silo that is not an active
/// member fails the call with <see cref="SiloUnavailableException"/>, which the front end retries elsewhere.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloTargetedPlacement : PlacementStrategy
{
    internal static readonly SiloTargetedPlacement Instance = new();
}

/// <summary>Marks a grain class for <see cref="SiloTargetedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloTargetedPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SiloTargetedPlacementAttribute() : base(SiloTargetedPlacement.Instance) { }
}

internal sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString();
        SiloAddress silo;
        try { silo = SiloAddress.FromParsableString(key); }
        catch (FormatException) { throw new SiloUnavailableException($"'{key}' is not a silo address"); }
        foreach (var s in context.GetCompatibleSilos(target))
            if (s.Equals(silo)) return Task.FromResult(s);
        throw new SiloUnavailableException($"silo {key} is not an active member of the cluster");
    }
}
