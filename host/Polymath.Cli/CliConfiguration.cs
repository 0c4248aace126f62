using Microsoft.Extensions.Configuration;
using Polymath.Experts;
using Polymath.Host.Experts;

namespace Polymath.Cli;

/// <summary>
/// The configuration every <c>polymath</c> command reads — the same keys as every other host (<c>Experts:…</c>,
/// <c>Polymath:…</c>). Precedence, lowest first:
/// <list type="number">
/// <item>built-in defaults;</item>
/// <item><c>appsettings.json</c> beside the <c>polymath</c> binary;</item>
/// <item><c>appsettings.json</c> in the current directory;</item>
/// <item>environment variables prefixed <c>POLYMATH_</c>, with <c>__</c> for the section separator
/// (<c>POLYMATH_Experts__Directory</c>, <c>POLYMATH_Experts__Grants__echo__0=wasi.stdio</c>, <c>POLYMATH_Polymath__Platform</c>);
/// the older single variables <c>POLYMATH_PLATFORM</c>, <c>POLYMATH_PLUGINS</c>, <c>POLYMATH_NO_DYNAMIC_CODE</c> keep their meaning;</item>
/// <item>command-line options (<c>--dir</c>, <c>--limit</c>, <c>--platform</c>, <c>--plugins</c> replace; <c>--grant</c> adds).</item>
/// </list>
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The settings file name looked for beside the binary and in the current directory.</summary>
    public const string FileName = "appsettings.json";

    /// <summary>The environment variable prefix.</summary>
    public const string EnvironmentPrefix = "POLYMATH_";

    /// <summary>Builds the configuration: the settings files, then the environment (command-line options apply on top, see <see cref="Apply"/>).</summary>
    /// <exception cref="CliUsageException">A settings file is not valid JSON.</exception>
    public static IConfigurationRoot Build()
    {
        string besideBinary = Path.Combine(AppContext.BaseDirectory, FileName);
        CliInput.EnsureRegularFile(besideBinary, "the settings file");
        var builder = new ConfigurationBuilder().AddJsonFile(besideBinary, optional: true, reloadOnChange: false);
        string local = Path.GetFullPath(FileName);
        CliInput.EnsureRegularFile(local, "the settings file");
        if (!string.Equals(local, besideBinary, StringComparison.Ordinal))
            builder.AddJsonFile(local, optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        try { return builder.Build(); }
        catch (InvalidDataException e) { throw new CliUsageException($"cannot read {FileName}: {HumanText.Sanitize(e.Message)}"); }
        catch (FormatException e) { throw new CliUsageException($"cannot read {FileName}: {HumanText.Sanitize(e.Message)}"); }
    }

    /// <summary>
    /// Checks the command-line options and returns what they do to the options: <c>--dir</c> and <c>--limit</c> replace
    /// the configured value; <c>--grant</c> adds to the configured grants.
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
