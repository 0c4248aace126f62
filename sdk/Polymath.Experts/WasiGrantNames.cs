namespace Polymath.Experts;

/// <summary>Conversions between <see cref="WasiGrants"/> and capability names.</summary>
public static class WasiGrantNames
{
    /// <summary>The capability names of the set flags.</summary>
    public static IReadOnlyList<string> ToNames(this WasiGrants grants)
    {
        var list = new List<string>(3);
        if (grants.HasFlag(WasiGrants.Stdio)) list.Add(Polymath.Sdk.Capabilities.WasiStdio);
        if (grants.HasFlag(WasiGrants.Clock)) list.Add(Polymath.Sdk.Capabilities.WasiClock);
        if (grants.HasFlag(WasiGrants.Random)) list.Add(Polymath.Sdk.Capabilities.WasiRandom);
        return list;
    }

    /// <summary>Combines capability names into flags; false when one is not a WASI facility.</summary>
    public static bool TryParse(IEnumerable<string> names, out WasiGrants grants, out string? unknown)
    {
        grants = WasiGrants.None;
        unknown = null;
        foreach (var n in names)
        {
            if (!WasiGrantsParser.TryParse(n, out var g)) { unknown = n; return false; }
            grants |= g;
        }
        return true;
    }
}

internal static class WasiGrantsParser
{
    public static bool TryParse(string name, out WasiGrants grant)
    {
        grant = name switch
        {
            Polymath.Sdk.Capabilities.WasiStdio => WasiGrants.Stdio,
            Polymath.Sdk.Capabilities.WasiClock => WasiGrants.Clock,
            Polymath.Sdk.Capabilities.WasiRandom => WasiGrants.Random,
            _ => WasiGrants.None,
        };
        return grant != WasiGrants.None;
    }
}
