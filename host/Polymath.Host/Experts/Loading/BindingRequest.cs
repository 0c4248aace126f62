using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>What the binder needs to know about an expert.</summary>
/// <param name="ExpertId">Id (for messages and the operator's grants).</param>
/// <param name="Requires">Capabilities from the manifest's <c>requires</c>.</param>
/// <param name="Prefers">Capabilities from the manifest's <c>prefers</c>.</param>
/// <param name="FeatureCapabilities">Capabilities the module needs for the features it uses (<see cref="Polymath.Sdk.Capabilities.ForFeatures"/>).</param>
/// <param name="AskedGrants">WASI facilities the manifest asks for.</param>
/// <param name="OperatorGrants">WASI facilities the operator granted.</param>
/// <param name="Limits">The limits in force (manifest over host defaults).</param>
public sealed record BindingRequest(string ExpertId, IReadOnlyList<string> Requires, IReadOnlyList<string> Prefers,
    IReadOnlyList<string> FeatureCapabilities, WasiGrants AskedGrants, WasiGrants OperatorGrants, EffectiveLimits Limits)
{
    /// <summary>
    /// The required capabilities a runtime must provide: <see cref="Requires"/> and <see cref="FeatureCapabilities"/>,
    /// without the WASI facilities (those are the host's to grant, see <see cref="RequiredGrants"/>).
    /// </summary>
    public IReadOnlyList<string> RuntimeRequires => Split(Requires.Concat(FeatureCapabilities), out _);

    /// <summary>The WASI facilities the expert cannot run without (named in <see cref="Requires"/>).</summary>
    public WasiGrants RequiredGrants
    {
        get { Split(Requires.Concat(FeatureCapabilities), out var grants); return grants; }
    }

    /// <summary>The preferred capabilities that rank runtimes (without WASI facilities).</summary>
    public IReadOnlyList<string> RuntimePrefers => Split(Prefers, out _);

    /// <summary>The WASI facilities named in <see cref="Prefers"/>.</summary>
    public WasiGrants PreferredGrants
    {
        get { Split(Prefers, out var grants); return grants; }
    }

    // A capability is a grant exactly when it names a WASI facility the host can grant; everything else is a runtime's.
    private static List<string> Split(IEnumerable<string> capabilities, out WasiGrants grants)
    {
        grants = WasiGrants.None;
        var runtime = new List<string>();
        foreach (var capability in capabilities)
        {
            if (WasiGrantNames.TryParse([capability], out var grant, out _)) grants |= grant;
            else if (!runtime.Contains(capability, StringComparer.Ordinal)) runtime.Add(capability);
        }
        return runtime;
    }
}
