using Microsoft.Extensions.Configuration;
using Polymath.Experts;

namespace Polymath.Host.Experts;

/// <summary>
/// Options of the expert host (configuration section <c>Experts</c>): where experts live, which WASI facilities
/// the operator grants, default limits, hot reload.
/// </summary>
public sealed class ExpertHostOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Experts";

    /// <summary>The experts directory (default <c>./experts</c> relative to the working directory).</summary>
    public string Directory { get; set; } = "experts";

    /// <summary>The platform to bind for, as a runtime identifier (null = this process). E.g. <c>linux-arm</c>.</summary>
    public string? Platform { get; set; }

    /// <summary>
    /// WASI grants by expert id; the key <c>*</c> applies to every expert. Values are capability names
    /// (<c>wasi.stdio</c>, <c>wasi.clock</c>, <c>wasi.random</c>). Nothing is granted by default.
    /// </summary>
    public Dictionary<string, List<string>> Grants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default limits.</summary>
    public ExpertLimitDefaults Limits { get; set; } = new();

    /// <summary>Watch the directory and reload changed packages (default true).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Quiet time after the last file event before reloading, in ms (default 300).</summary>
    public int DebounceMs { get; set; } = 300;

    /// <summary>Most idle instances kept per expert (default: 2 × processors).</summary>
    public int MaxIdleInstancesPerExpert { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>The grants for <paramref name="expertId"/>: <c>*</c> plus its own entry.</summary>
    public WasiGrants GrantsFor(string expertId)
    {
        var g = WasiGrants.None;
        foreach (var key in new[] { "*", expertId })
            if (Grants.TryGetValue(key, out var names) && WasiGrantNames.TryParse(names, out var parsed, out _))
                g |= parsed;
        return g;
    }

    /// <summary>Checks the options; throws naming the bad setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("Experts:Directory must not be empty");
        if (Platform is not null) _ = Polymath.Sdk.PlatformInfo.FromRuntimeIdentifier(Platform);
        foreach (var (key, names) in Grants)
            if (!WasiGrantNames.TryParse(names, out _, out var unknown))
                throw new ArgumentException($"Experts:Grants:{key}: '{unknown}' is not a WASI facility (wasi.stdio, wasi.clock, wasi.random)");
        if (DebounceMs < 0) throw new ArgumentException("Experts:DebounceMs must not be negative");
        if (MaxIdleInstancesPerExpert < 0) throw new ArgumentException("Experts:MaxIdleInstancesPerExpert must not be negative");
        if (Limits.MemoryPages is 0 or > 65536) throw new ArgumentException("Experts:Limits:MemoryPages must be 1..65536");
        if (Limits.TimeoutMs <= 0) throw new ArgumentException("Experts:Limits:TimeoutMs must be positive");
        if (Limits.MaxResultBytes <= 1) throw new ArgumentException("Experts:Limits:MaxResultBytes must be at least 2");
    }

    /// <summary>
    /// Reads the options from a configuration section (keys: Directory, Platform, Watch, DebounceMs,
    /// MaxIdleInstancesPerExpert, Grants:&lt;id&gt;:&lt;n&gt;, Limits:MemoryPages|FuelPerCall|TimeoutMs|MaxResultBytes|MaxCallDepth).
    /// Unset keys keep their current values.
    /// </summary>
    /// <exception cref="ArgumentException">A value does not parse; the message names the key.</exception>
    public void Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section["Directory"] is { } dir) Directory = dir;
        if (section["Platform"] is { } platform) Platform = platform;
        if (section["Watch"] is { } watch) Watch = ParseBool(watch, "Watch");
        if (section["DebounceMs"] is { } debounce) DebounceMs = (int)ParseLong(debounce, "DebounceMs");
        if (section["MaxIdleInstancesPerExpert"] is { } idle) MaxIdleInstancesPerExpert = (int)ParseLong(idle, "MaxIdleInstancesPerExpert");
        foreach (var expert in section.GetSection("Grants").GetChildren())
        {
            var names = expert.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
            if (names.Count == 0 && !string.IsNullOrEmpty(expert.Value))
                names = expert.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            Grants[expert.Key] = names;
        }
        var limits = section.GetSection("Limits");
        var l = Limits;
        if (limits["MemoryPages"] is { } mp) l = l with { MemoryPages = (uint)ParseLong(mp, "Limits:MemoryPages") };
        if (limits["FuelPerCall"] is { } fuel) l = l with { FuelPerCall = (ulong)ParseLong(fuel, "Limits:FuelPerCall") };
        if (limits["TimeoutMs"] is { } t) l = l with { TimeoutMs = (int)ParseLong(t, "Limits:TimeoutMs") };
        if (limits["MaxResultBytes"] is { } mr) l = l with { MaxResultBytes = (int)ParseLong(mr, "Limits:MaxResultBytes") };
        if (limits["MaxCallDepth"] is { } depth) l = l with { MaxCallDepth = (int)ParseLong(depth, "Limits:MaxCallDepth") };
        Limits = l;
    }

    private static long ParseLong(string value, string key) =>
        long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long n) && n >= 0
            ? n : throw new ArgumentException($"Experts:{key}: '{value}' is not a non-negative integer");

    private static bool ParseBool(string value, string key) =>
        bool.TryParse(value, out bool b) ? b : throw new ArgumentException($"Experts:{key}: '{value}' is not true or false");
}
