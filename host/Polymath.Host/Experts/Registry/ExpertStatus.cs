namespace Polymath.Host.Experts;

/// <summary>Where an expert ended up.</summary>
public enum ExpertStatus
{
    /// <summary>Bound to a runtime with everything it asked for.</summary>
    Bound,
    /// <summary>Bound, but something it prefers or asked for had to give (see <see cref="ExpertBinding.Lost"/>).</summary>
    Degraded,
    /// <summary>Cannot run here (see <see cref="ExpertBinding.Reason"/> and <see cref="ExpertBinding.Fix"/>).</summary>
    Unavailable,
}
