using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Sdk;

namespace Polymath.Host.Experts;

/// <summary>
/// Binds an expert to a runtime, in two independent parts. <see cref="ChooseRuntime"/> looks at runtimes only: the
/// runtime capabilities required (manifest + the module's features) must be provided on this platform, then
/// <c>prefers</c> ranks the candidates, then priority, then plugins.json order. <see cref="ApplyGrants"/> looks at the
/// operator's grants only: the host provides WASI to every runtime, so a required WASI facility that is not granted
/// makes the expert unavailable and an asked-for one that is not granted degrades it. Every outcome carries an
/// explanation.
/// </summary>
public static class ExpertBinder
{
    /// <summary>The whole decision: <see cref="ChooseRuntime"/> then <see cref="ApplyGrants"/>.</summary>
    public static ExpertBinding Bind(BindingRequest request, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform) =>
        ApplyGrants(ChooseRuntime(request, runtimes, platform), request);

    /// <summary>Chooses the runtime from capabilities, priority and order; WASI grants are not consulted.</summary>
    public static ExpertBinding ChooseRuntime(BindingRequest request, IReadOnlyList<RuntimeReport> runtimes, PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(runtimes);
        ArgumentNullException.ThrowIfNull(platform);
        string rid = platform.RuntimeIdentifier;
        var required = request.RuntimeRequires;

        var candidates = new List<RuntimeReport>();
        var rejected = new List<string>();
        foreach (var rt in runtimes)
        {
            if (!rt.IsAvailable) { rejected.Add($"{rt.Id} unavailable on {rid} ({Why(rt)})"); continue; }
            var missing = required.Where(c => !rt.Has(c)).ToList();
            if (missing.Count > 0) { rejected.Add($"{rt.Id} lacks {string.Join(", ", missing)}"); continue; }
            candidates.Add(rt);
        }
        if (candidates.Count == 0)
        {
            string why = runtimes.Count == 0 ? $"no runtime plugin is configured for {rid}" : string.Join("; ", rejected);
            return new ExpertBinding(ExpertStatus.Unavailable, null,
                $"no runtime can run it on {rid}: {why}", [],
                required.Count == 0
                    ? "enable a runtime plugin that is available on this platform (plugins.json)"
                    : $"enable a runtime plugin that provides {string.Join(", ", required)} on {rid} (plugins.json)");
        }

        var prefers = request.RuntimePrefers;
        var chosen = candidates
            .OrderByDescending(rt => prefers.Count(rt.Has))
            .ThenByDescending(rt => rt.Priority)
            .ThenBy(rt => rt.Order)
            .First();

        var lost = new List<string>();
        foreach (var cap in prefers.Where(c => !chosen.Has(c)))
        {
            var providers = runtimes.Where(rt => rt.Has(cap) || KnownProvider(rt, cap)).ToList();
            string why;
            if (providers.Count == 0) why = $"no configured runtime provides it on {rid}";
            else
                why = string.Join("; ", providers.Select(p => !p.IsAvailable
                    ? $"{p.Name} unavailable on {rid} ({Why(p)})"
                    : $"{p.Name} provides it but lacks {string.Join(", ", required.Where(c => !p.Has(c)))}"));
            lost.Add($"prefers {cap}; {why}; running on {chosen.Name}");
        }
        if (request.Limits.FuelPerCall is not null && !chosen.Has(Capabilities.LimitsFuel))
            lost.Add($"fuel limit ({request.Limits.FuelPerCall}) not enforced: {chosen.Id} lacks {Capabilities.LimitsFuel}");
        if (!chosen.Has(Capabilities.LimitsTimeout))
            lost.Add($"timeout ({request.Limits.TimeoutMs} ms) not enforced: {chosen.Id} lacks {Capabilities.LimitsTimeout}");
        if (!chosen.Has(Capabilities.LimitsMemory))
            lost.Add($"memory cap ({request.Limits.MemoryPages} pages) not enforced: {chosen.Id} lacks {Capabilities.LimitsMemory}");

        string tier = (chosen.Tier ?? RuntimeTier.Interpreter).ToString().ToLowerInvariant();
        string choice = $"{chosen.Id} ({tier}), chosen from {candidates.Count} capable runtime{(candidates.Count == 1 ? "" : "s")} on {rid}";
        return lost.Count == 0
            ? new ExpertBinding(ExpertStatus.Bound, chosen, $"bound to {choice}", [], null)
            : new ExpertBinding(ExpertStatus.Degraded, chosen, string.Join("; ", lost), lost, null);
    }

    /// <summary>
    /// Applies the operator's grants (<see cref="BindingRequest.OperatorGrants"/>) to a runtime choice: a required WASI
    /// facility not granted makes it unavailable; a preferred or asked-for one not granted is lost (degraded).
    /// </summary>
    public static ExpertBinding ApplyGrants(ExpertBinding binding, BindingRequest request)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(request);
        var missing = request.RequiredGrants & ~request.OperatorGrants;
        if (missing != WasiGrants.None)
        {
            string cap = missing.ToNames()[0];
            return new ExpertBinding(ExpertStatus.Unavailable, null,
                $"requires {cap}, which the operator has not granted to '{request.ExpertId}'", [],
                $"grant {cap} to '{request.ExpertId}' in the host configuration (Experts:Grants:{request.ExpertId})");
        }
        if (binding.Status == ExpertStatus.Unavailable) return binding;

        var lost = new List<string>(binding.Lost);
        foreach (var cap in (request.PreferredGrants & ~request.OperatorGrants).ToNames())
            lost.Add($"prefers {cap}, not granted by the operator");
        foreach (var cap in (request.AskedGrants & ~request.OperatorGrants).ToNames())
            lost.Add($"asks for {cap}, not granted by the operator: {WasiEffect(cap)}");
        return lost.Count == binding.Lost.Count
            ? binding
            : new ExpertBinding(ExpertStatus.Degraded, binding.Runtime, string.Join("; ", lost), lost, null);
    }

    private static string Why(RuntimeReport rt) => rt.Status is RuntimeStatus.Unavailable or RuntimeStatus.Available ? rt.Reason : $"{rt.StatusName}: {rt.Reason}";

    // A runtime that is unavailable reports no capabilities; its tier still says what it would have provided.
    private static bool KnownProvider(RuntimeReport rt, string cap) => cap switch
    {
        Capabilities.ExecJit => rt.Tier == RuntimeTier.Jit,
        Capabilities.ExecCompiler => rt.Tier == RuntimeTier.Compiler,
        Capabilities.ExecInterpreter => rt.Tier == RuntimeTier.Interpreter,
        Capabilities.ExecNative => rt.Tier == RuntimeTier.Native,
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
