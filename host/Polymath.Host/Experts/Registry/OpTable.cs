using System.Text;
using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// An immutable snapshot of what is loaded: the experts, the packages that failed, and the routing of each op to the
/// expert that serves it with its UTF-8 name (encoded once here, not per call). When two experts claim an op the
/// winner is the first by (callable before unavailable, signed before unsigned, lower tier, package path); both sides
/// record the conflict. An expert whose metadata could not be read (no usable runtime) routes the ops its manifest
/// names, so calls to them say why it is unavailable. The registry swaps whole tables atomically.
/// </summary>
internal sealed class OpTable
{
    /// <summary>Where one op goes.</summary>
    public sealed record Route(LoadedExpert Expert, byte[] OpUtf8);

    public static readonly OpTable Empty = new([], [], new Dictionary<string, Route>(StringComparer.Ordinal),
        new Dictionary<LoadedExpert, List<string>>(), new Dictionary<LoadedExpert, List<OpConflict>>());

    private readonly Dictionary<LoadedExpert, List<string>> _shadowed;
    private readonly Dictionary<LoadedExpert, List<OpConflict>> _conflicts;

    private OpTable(IReadOnlyList<LoadedExpert> experts, IReadOnlyList<LoadFailure> failures, Dictionary<string, Route> ops,
        Dictionary<LoadedExpert, List<string>> shadowed, Dictionary<LoadedExpert, List<OpConflict>> conflicts)
    {
        Experts = experts;
        Failures = failures;
        Ops = ops;
        _shadowed = shadowed;
        _conflicts = conflicts;
        Unreadable = experts.Where(e => e.Metadata is null).ToList();
    }

    public IReadOnlyList<LoadedExpert> Experts { get; }
    public IReadOnlyList<LoadFailure> Failures { get; }
    public IReadOnlyDictionary<string, Route> Ops { get; }

    /// <summary>Experts whose ops are unknown because their metadata could not be read (no usable runtime).</summary>
    public IReadOnlyList<LoadedExpert> Unreadable { get; }

    /// <summary>The ops <paramref name="expert"/> advertises that another expert serves.</summary>
    public IReadOnlyList<string> ShadowedOps(LoadedExpert expert) => _shadowed.TryGetValue(expert, out var list) ? list : [];

    /// <summary>The op conflicts <paramref name="expert"/> is part of, won or lost.</summary>
    public IReadOnlyList<OpConflict> Conflicts(LoadedExpert expert) => _conflicts.TryGetValue(expert, out var list) ? list : [];

    /// <summary>True for a package whose manifest carries the sha256 of every payload (the reader verified them).</summary>
    public static bool IsSigned(ExpertPackage package) =>
        package.Manifest is { } m && IsHash(m.Wasm.Sha256) && m.Native.Values.All(p => IsHash(p.Sha256));

    private static bool IsHash(string? s) => s is { Length: 64 } && s.All(char.IsAsciiHexDigitLower);

    /// <summary>The tier the expert declares (manifest, else metadata); null when neither could be read.</summary>
    public static byte? DeclaredTier(LoadedExpert e) => e.Package.Manifest?.Tier ?? e.Metadata?.Tier;

    /// <summary>The ops an expert claims: its metadata's, or, when that could not be read, the ones its manifest names.</summary>
    public static IReadOnlyList<OpSpec> ClaimedOps(LoadedExpert e) =>
        e.Metadata?.Ops ?? e.Package.Manifest?.Ops.Keys.Order(StringComparer.Ordinal).Select(n => new OpSpec(n, [])).ToList() ?? [];

    /// <summary>Precedence: callable, signed, lower tier, then package path (ordinal).</summary>
    public static int Compare(LoadedExpert a, LoadedExpert b)
    {
        int c = b.IsCallable.CompareTo(a.IsCallable);
        if (c == 0) c = IsSigned(b.Package).CompareTo(IsSigned(a.Package));
        if (c == 0) c = (DeclaredTier(a) ?? 256).CompareTo(DeclaredTier(b) ?? 256);
        if (c == 0) c = string.CompareOrdinal(a.Package.Source, b.Package.Source);
        return c;
    }

    public static OpTable Build(IEnumerable<LoadedExpert> experts, IReadOnlyList<LoadFailure> failures)
    {
        var ordered = experts.ToList();
        ordered.Sort(Compare);
        var ops = new Dictionary<string, Route>(StringComparer.Ordinal);
        var shadowed = new Dictionary<LoadedExpert, List<string>>();
        var conflicts = new Dictionary<LoadedExpert, List<OpConflict>>();
        foreach (var e in ordered)
            foreach (var op in ClaimedOps(e))
            {
                if (ops.TryAdd(op.Name, new Route(e, Encoding.UTF8.GetBytes(op.Name)))) continue;
                var winner = ops[op.Name].Expert;
                if (ReferenceEquals(winner, e)) continue; // the same op listed twice in one metadata
                Add(shadowed, e, op.Name);
                var (rule, why) = Why(winner, e);
                Add(conflicts, winner, new OpConflict(op.Name, e.Id, e.Package.Source, true, rule,
                    $"op {op.Name} also claimed by {e.Id} ({e.Package.Source}); {winner.Id} wins because {why}"));
                Add(conflicts, e, new OpConflict(op.Name, winner.Id, winner.Package.Source, false, rule,
                    $"op {op.Name} also claimed by {winner.Id} ({winner.Package.Source}); {winner.Id} wins because {why}"));
            }
        return new OpTable(ordered, failures, ops, shadowed, conflicts);
    }

    private static void Add<T>(Dictionary<LoadedExpert, List<T>> map, LoadedExpert e, T item)
    {
        if (!map.TryGetValue(e, out var list)) map[e] = list = [];
        list.Add(item);
    }

    /// <summary>The rule that put <paramref name="winner"/> before <paramref name="loser"/>, and one phrase saying it.</summary>
    public static (string Rule, string Why) Why(LoadedExpert winner, LoadedExpert loser)
    {
        if (winner.IsCallable != loser.IsCallable) return ("callable", $"{loser.Id} is unavailable here");
        if (IsSigned(winner.Package) != IsSigned(loser.Package)) return ("signed", $"it is signed (every payload hashed in its manifest) and {loser.Id} is not");
        byte? wt = DeclaredTier(winner), lt = DeclaredTier(loser);
        if (wt != lt) return ("tier", $"its tier {wt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} is lower than {lt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}");
        return ("path", "its package path sorts first");
    }

    /// <summary>Every expert and every failed package, sorted by tier (unknown last), id, source.</summary>
    public IReadOnlyList<ExpertInfo> ToInfos()
    {
        var list = Experts.Select(ToInfo).ToList();
        list.AddRange(Failures.Select(f => f.ToInfo()));
        return list.OrderBy(e => e.Tier ?? 256).ThenBy(e => e.Id, StringComparer.Ordinal).ThenBy(e => e.Source, StringComparer.Ordinal).ToList();
    }

    /// <summary>What the listing shows for <paramref name="e"/> in this table.</summary>
    public ExpertInfo ToInfo(LoadedExpert e)
    {
        var info = e.ToInfo(ShadowedOps(e)) with { Tier = DeclaredTier(e), Conflicts = Conflicts(e), Signed = IsSigned(e.Package) };
        return e.Metadata is null ? info with { Ops = ClaimedOps(e) } : info;
    }
}
