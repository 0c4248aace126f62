using Polymath.Experts;
using Polymath.Sdk;

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

/// <summary>The binding decision for one expert, with its explanation.</summary>
/// <param name="Status">Bound, degraded or unavailable.</param>
/// <param name="Runtime">The chosen runtime (null when unavailable).</param>
/// <param name="Reason">One line saying why: the choice, what was lost, or why nothing can run it.</param>
/// <param name="Lost">For degraded: each thing lost, with why.</param>
/// <param name="Fix">For unavailable: what would make it run (null when nothing is known).</param>
public sealed record ExpertBinding(ExpertStatus Status, ExpertRuntime? Runtime, string Reason, IReadOnlyList<string> Lost, string? Fix)
{
    /// <summary>The chosen runtime's id, or null.</summary>
    public string? RuntimeId => Runtime?.Id;
}

/// <summary>What the binder needs to know about an expert.</summary>
/// <param name="ExpertId">Id (for messages).</param>
/// <param name="Requires">Capabilities from the manifest's <c>requires</c>.</param>
/// <param name="Prefers">Capabilities from the manifest's <c>prefers</c>.</param>
/// <param name="FeatureCapabilities">Capabilities the module needs for the features it uses (<see cref="Capabilities.ForFeatures"/>).</param>
/// <param name="AskedGrants">WASI facilities the manifest asks for.</param>
/// <param name="OperatorGrants">WASI facilities the operator granted.</param>
/// <param name="Limits">The limits in force (manifest over host defaults).</param>
public sealed record BindingRequest(string ExpertId, IReadOnlyList<string> Requires, IReadOnlyList<string> Prefers,
    IReadOnlyList<string> FeatureCapabilities, WasiGrants AskedGrants, WasiGrants OperatorGrants, EffectiveLimits Limits);

/// <summary>
/// Chooses a runtime for an expert: <c>requires</c> (manifest + the module's features) must be met by the
/// runtime's capabilities on this platform; WASI requirements must be granted by the operator (the host provides
/// WASI to every runtime); then <c>prefers</c> ranks the candidates, then plugin priority, then plugins.json order.
/// Every outcome carries an explanation.
/// </summary>
public static class ExpertBinder
{
    private static bool IsWasi(string capability) => capability.StartsWith("wasi.", StringComparison.Ordinal);

    /// <summary>Decides the binding.</summary>
    public static ExpertBinding Bind(BindingRequest request, IReadOnlyList<ExpertRuntime> runtimes, PlatformInfo platform)
    {
        string rid = platform.RuntimeIdentifier;
        var required = request.Requires.Concat(request.FeatureCapabilities).Distinct(StringComparer.Ordinal).ToList();

        // WASI requirements are met by operator grants, not by runtimes.
        foreach (var cap in required.Where(IsWasi))
        {
            if (!WasiGrantNames.TryParse([cap], out var g, out _) || !request.OperatorGrants.HasFlag(g))
                return new ExpertBinding(ExpertStatus.Unavailable, null,
                    $"requires {cap}, which the operator has not granted to '{request.ExpertId}'", [],
                    $"grant {cap} to '{request.ExpertId}' in the host configuration (Experts:Grants:{request.ExpertId})");
        }
        var runtimeRequired = required.Where(c => !IsWasi(c)).ToList();

        var candidates = new List<ExpertRuntime>();
        var rejected = new List<string>();
        foreach (var rt in runtimes)
        {
            if (!rt.IsAvailable) { rejected.Add($"{rt.Id} unavailable on {rid} ({rt.Probe.Reason})"); continue; }
            var missing = runtimeRequired.Where(c => !rt.Has(c)).ToList();
            if (missing.Count > 0) { rejected.Add($"{rt.Id} lacks {string.Join(", ", missing)}"); continue; }
            candidates.Add(rt);
        }
        if (candidates.Count == 0)
        {
            string why = runtimes.Count == 0 ? $"no runtime plugin is configured for {rid}" : string.Join("; ", rejected);
            return new ExpertBinding(ExpertStatus.Unavailable, null,
                $"no runtime can run it on {rid}: {why}", [],
                runtimeRequired.Count == 0
                    ? "enable a runtime plugin that is available on this platform (plugins.json)"
                    : $"enable a runtime plugin that provides {string.Join(", ", runtimeRequired)} on {rid} (plugins.json)");
        }

        var runtimePrefers = request.Prefers.Where(c => !IsWasi(c)).ToList();
        var chosen = candidates
            .OrderByDescending(rt => runtimePrefers.Count(rt.Has))
            .ThenByDescending(rt => rt.Priority)
            .ThenBy(rt => rt.Order)
            .First();

        var lost = new List<string>();
        foreach (var cap in runtimePrefers.Where(c => !chosen.Has(c)))
        {
            var providers = runtimes.Where(rt => rt.Probe.Capabilities.Contains(cap) || KnownProvider(rt, cap)).ToList();
            string why;
            if (providers.Count == 0) why = $"no configured runtime provides it on {rid}";
            else
                why = string.Join("; ", providers.Select(p => !p.IsAvailable
                    ? $"{p.Descriptor.Name} unavailable on {rid} ({p.Probe.Reason})"
                    : $"{p.Descriptor.Name} provides it but lacks {string.Join(", ", runtimeRequired.Where(c => !p.Has(c)))}"));
            lost.Add($"prefers {cap}; {why}; running on {chosen.Descriptor.Name}");
        }
        foreach (var cap in request.Prefers.Where(IsWasi))
            if (WasiGrantNames.TryParse([cap], out var g, out _) && !request.OperatorGrants.HasFlag(g))
                lost.Add($"prefers {cap}, not granted by the operator");
        var notGranted = request.AskedGrants & ~request.OperatorGrants;
        foreach (var cap in notGranted.ToNames())
            lost.Add($"asks for {cap}, not granted by the operator: {WasiEffect(cap)}");
        if (request.Limits.FuelPerCall is not null && !chosen.Has(Capabilities.LimitsFuel))
            lost.Add($"fuel limit ({request.Limits.FuelPerCall}) not enforced: {chosen.Id} lacks {Capabilities.LimitsFuel}");
        if (!chosen.Has(Capabilities.LimitsTimeout))
            lost.Add($"timeout ({request.Limits.TimeoutMs} ms) not enforced: {chosen.Id} lacks {Capabilities.LimitsTimeout}");
        if (!chosen.Has(Capabilities.LimitsMemory))
            lost.Add($"memory cap ({request.Limits.MemoryPages} pages) not enforced: {chosen.Id} lacks {Capabilities.LimitsMemory}");

        string choice = $"{chosen.Id} ({chosen.Descriptor.Tier.ToString().ToLowerInvariant()}), chosen from {candidates.Count} capable runtime{(candidates.Count == 1 ? "" : "s")} on {rid}";
        return lost.Count == 0
            ? new ExpertBinding(ExpertStatus.Bound, chosen, $"bound to {choice}", [], null)
            : new ExpertBinding(ExpertStatus.Degraded, chosen, string.Join("; ", lost), lost, null);
    }

    // A runtime that is unavailable reports no capabilities; its tier still says what it would have provided.
    private static bool KnownProvider(ExpertRuntime rt, string cap) => cap switch
    {
        Capabilities.ExecJit => rt.Descriptor.Tier == RuntimeTier.Jit,
        Capabilities.ExecCompiler => rt.Descriptor.Tier == RuntimeTier.Compiler,
        Capabilities.ExecInterpreter => rt.Descriptor.Tier == RuntimeTier.Interpreter,
        Capabilities.ExecNative => rt.Descriptor.Tier == RuntimeTier.Native,
        _ => false,
    };

    private static string WasiEffect(string cap) => cap switch
    {
        Capabilities.WasiStdio => "its output is dropped (fd_write answers BADF)",
        Capabilities.WasiClock => "clock calls answer NOTCAPABLE",
        Capabilities.WasiRandom => "random_get answers NOTCAPABLE",
        _ => "the call answers an error",
    };
}
