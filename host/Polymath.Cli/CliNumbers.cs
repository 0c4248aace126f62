using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Polymath.Cli;

/// <summary>
/// Numeric command-line options with a range: a value that is not a whole number in the range is a parse error that
/// names the option, quotes the value and states the range (never a .NET type name). The same ranges apply to
/// <c>--limit NAME=N</c> (<see cref="LimitRange"/>).
/// </summary>
internal static class CliNumbers
{
    /// <summary>Instruction budgets: 1 to 2^64 − 1.</summary>
    public static readonly (ulong Min, ulong Max) Fuel = (1, ulong.MaxValue);

    /// <summary>Linear memory caps in 64 KiB pages: 1 to 65,536 (4 GiB, the wasm32 maximum).</summary>
    public static readonly (ulong Min, ulong Max) MemoryPages = (1, 65536);

    /// <summary>Wall-clock timeouts in milliseconds: 1 to 2^31 − 1 (about 24.8 days).</summary>
    public static readonly (ulong Min, ulong Max) TimeoutMs = (1, int.MaxValue);

    /// <summary>TCP ports: 0 (any free port, as Service:TcpPort) to 65,535.</summary>
    public static readonly (ulong Min, ulong Max) Port = (0, 65535);

    /// <summary>An option taking a whole number in <paramref name="range"/>.</summary>
    public static Option<ulong?> Option(string name, string description, (ulong Min, ulong Max) range) => new(name)
    {
        Description = $"{description} ({Describe(range)})",
        CustomParser = result => Parse(result, name, range),
    };

    /// <summary>The accepted range in words: "a whole number from 1 to 65536".</summary>
    public static string Describe((ulong Min, ulong Max) range) =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number from {range.Min} to {range.Max}");

    /// <summary>Parses <paramref name="text"/> as a whole number in <paramref name="range"/>; null when it is not one.</summary>
    public static ulong? TryParse(string text, (ulong Min, ulong Max) range) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) && n >= range.Min && n <= range.Max ? n : null;

    /// <summary>The range of a <c>--limit</c> name (a key of <c>Experts:Limits</c>), or null for an unknown name.</summary>
    public static (ulong Min, ulong Max)? LimitRange(string name) => name.ToUpperInvariant() switch
    {
        "MEMORYPAGES" => MemoryPages,
        "FUELPERCALL" => Fuel,
        "TIMEOUTMS" => (1, 3_600_000),             // the ranges of ExpertHostOptionsValidator: a range error names the option here
        "MAXRESULTBYTES" => (2, 256 << 20),
        "MAXCALLDEPTH" => (1, 1_000_000),
        "MAXARGSBYTES" => (2, Polymath.Host.Experts.ExpertLimitDefaults.MaxArgsBytesCeiling),
        _ => null,
    };

    private static ulong? Parse(ArgumentResult result, string name, (ulong Min, ulong Max) range)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParse(text, range) is { } n) return n;
        result.AddError($"{name} '{HumanText.Sanitize(text)}': expected {Describe(range)}");
        return null;
    }
}
