using Microsoft.Extensions.Configuration;
using Polymath.Experts;
using Polymath.Host.Experts;

namespace Polymath.Cli;

/// <summary>
/// The command-line options that add to the configured expert options rather than replace a key: <c>--grant</c> adds
/// to <c>Experts:Grants</c>, <c>--limit</c> sets <c>Experts:Limits</c> keys after checking each against its range.
/// The configuration itself is built by <see cref="CliComposition"/>.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>
    /// Checks the command-line options and returns what they do to the options: <c>--dir</c> and <c>--limit</c> replace
    /// the configured value; <c>--grant</c> adds to the configured grants (<c>--dir</c> is also a command-line layer of
    /// <see cref="CliComposition"/>, so it is named in errors about <c>Experts:Directory</c>).
    /// </summary>
    /// <exception cref="CliUsageException">An option is malformed (the message quotes it).</exception>
    public static Action<ExpertHostOptions> Apply(string? directory, IReadOnlyList<string> grants, IReadOnlyList<string> limits)
    {
        var added = new List<(string Id, string[] Names)>();
        foreach (var grant in grants)
        {
            // --grant wasi.stdio (every expert) or --grant ID=wasi.stdio,wasi.clock
            int eq = grant.IndexOf('=', StringComparison.Ordinal);
            string id = eq < 0 ? "*" : grant[..eq].Trim();
            var names = (eq < 0 ? grant : grant[(eq + 1)..]).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (id.Length == 0 || names.Length == 0)
                throw new CliUsageException($"--grant '{HumanText.Sanitize(grant)}': expected FACILITY[,FACILITY] or EXPERT_ID=FACILITY[,FACILITY]");
            if (!WasiGrantNames.TryParse(names, out _, out var unknown))
                throw new CliUsageException($"--grant '{HumanText.Sanitize(grant)}': '{HumanText.Sanitize(unknown)}' is not a WASI facility (wasi.stdio, wasi.clock, wasi.random)");
            added.Add((id, names));
        }
        var set = new List<Action<ExpertLimitDefaults>>();
        foreach (var limit in limits)
        {
            // --limit TimeoutMs=500 (a key of Experts:Limits)
            int eq = limit.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? limit.Trim() : limit[..eq].Trim();
            if (CliNumbers.LimitRange(key) is not { } range)
                throw new CliUsageException($"--limit '{HumanText.Sanitize(limit)}': expected NAME=N with NAME one of MemoryPages, FuelPerCall, TimeoutMs, MaxResultBytes, MaxArgsBytes, MaxCallDepth");
            if ((eq < 0 ? null : CliNumbers.TryParse(limit[(eq + 1)..], range)) is not { } n)
                throw new CliUsageException($"--limit '{HumanText.Sanitize(limit)}': {key} must be {CliNumbers.Describe(range)}");
            set.Add(key.ToUpperInvariant() switch
            {
                "MEMORYPAGES" => l => l.MemoryPages = (uint)n,
                "FUELPERCALL" => l => l.FuelPerCall = n,
                "TIMEOUTMS" => l => l.TimeoutMs = (int)n,
                "MAXRESULTBYTES" => l => l.MaxResultBytes = (int)n,
                "MAXARGSBYTES" => l => l.MaxArgsBytes = (int)n,
                _ => l => l.MaxCallDepth = (int)n,
            });
        }
        return o =>
        {
            if (directory is not null) o.Directory = directory;
            foreach (var (id, names) in added)
            {
                if (!o.Grants.TryGetValue(id, out var list)) o.Grants[id] = list = [];
                list.AddRange(names.Where(n => !list.Contains(n, StringComparer.Ordinal)));
            }
            if (set.Count > 0)
            {
                var limits = o.Limits with { };
                foreach (var a in set) a(limits);
                o.Limits = limits;
            }
        };
    }
}
