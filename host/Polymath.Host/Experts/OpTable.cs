using System.Text;

namespace Polymath.Host.Experts;

/// <summary>
/// An immutable snapshot of what is loaded: the experts (tier order, then source), the packages that failed, and the
/// routing of each op to the expert that serves it with its UTF-8 name (encoded once here, not per call). Lower tiers
/// shadow higher ones; callable experts claim ops before unavailable ones, so an unavailable expert never hides a
/// working one. The registry swaps whole tables atomically.
/// </summary>
internal sealed class OpTable
{
    /// <summary>Where one op goes.</summary>
    public sealed record Route(LoadedExpert Expert, byte[] OpUtf8);

    public static readonly OpTable Empty = new([], [], new Dictionary<string, Route>(StringComparer.Ordinal), new Dictionary<LoadedExpert, List<string>>());

    private OpTable(IReadOnlyList<LoadedExpert> experts, IReadOnlyList<LoadFailure> failures,
        Dictionary<string, Route> ops, Dictionary<LoadedExpert, List<string>> shadowed)
    {
        Experts = experts; Failures = failures; Ops = ops; Shadowed = shadowed;
    }

    public IReadOnlyList<LoadedExpert> Experts { get; }
    public IReadOnlyList<LoadFailure> Failures { get; }
    public IReadOnlyDictionary<string, Route> Ops { get; }
    private Dictionary<LoadedExpert, List<string>> Shadowed { get; }

    /// <summary>The ops <paramref name="expert"/> advertises that another expert serves.</summary>
    public IReadOnlyList<string> ShadowedOps(LoadedExpert expert) => Shadowed.TryGetValue(expert, out var list) ? list : [];

    public static OpTable Build(IEnumerable<LoadedExpert> experts, IReadOnlyList<LoadFailure> failures)
    {
        var ordered = experts.OrderBy(e => e.Tier).ThenBy(e => e.Package.Source, StringComparer.Ordinal).ToList();
        var ops = new Dictionary<string, Route>(StringComparer.Ordinal);
        var shadowed = new Dictionary<LoadedExpert, List<string>>();
        foreach (var pass in new[] { true, false })
            foreach (var e in ordered.Where(x => x.IsCallable == pass))
                foreach (var op in e.Metadata?.Ops ?? [])
                {
                    if (ops.TryAdd(op.Name, new Route(e, Encoding.UTF8.GetBytes(op.Name)))) continue;
                    if (!shadowed.TryGetValue(e, out var list)) shadowed[e] = list = [];
                    list.Add(op.Name);
                }
        return new OpTable(ordered, failures, ops, shadowed);
    }

    /// <summary>Every expert and every failed package, sorted by tier, id, source.</summary>
    public IReadOnlyList<ExpertInfo> ToInfos()
    {
        var list = Experts.Select(e => e.ToInfo(ShadowedOps(e))).ToList();
        list.AddRange(Failures.Select(f => f.ToInfo()));
        return list.OrderBy(e => e.Tier).ThenBy(e => e.Id, StringComparer.Ordinal).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
    }
}
