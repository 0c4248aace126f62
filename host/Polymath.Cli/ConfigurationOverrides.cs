namespace Polymath.Cli;

/// <summary>
/// The <c>--Section:Key=value</c> pairs <c>polymath serve</c> takes after its own options. Anything else on its command
/// line is a mistake — a misspelt option (<c>--sokcet</c>) used to be taken as a configuration key nobody reads, and the
/// service started as if nothing were said — so it is refused, naming the token and the nearest known option.
/// </summary>
internal static class ConfigurationOverrides
{
    /// <summary>The configuration sections a service reads.</summary>
    public static readonly string[] Sections = ["Service", "Experts", "Polymath", "Serilog", "OpenTelemetry", "Cluster"];

    /// <summary>Throws <see cref="CliUsageException"/> for the first token that is not a known section's key.</summary>
    /// <param name="tokens">The tokens the command's own options did not match.</param>
    /// <param name="options">The command's own option names (with their dashes), for the suggestion.</param>
    public static void Check(IReadOnlyList<string> tokens, IReadOnlyCollection<string> options)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            string key = token.StartsWith("--", StringComparison.Ordinal) ? token[2..] : token;
            int equals = key.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? key : key[..equals];
            int colon = name.IndexOf(':', StringComparison.Ordinal);
            string section = colon < 0 ? name : name[..colon];
            bool known = token.StartsWith("--", StringComparison.Ordinal) && colon > 0 && colon < name.Length - 1
                && Sections.Contains(section, StringComparer.OrdinalIgnoreCase);
            if (!known)
                throw new CliUsageException(colon > 0 && token.StartsWith("--", StringComparison.Ordinal)
                    ? $"unknown configuration section in '{token}': expected one of {string.Join(", ", Sections)} (--Section:Key=value){Nearest(section, Sections, "")}"
                    : $"unknown option '{token}'{Nearest(token, options, "")}; configuration overrides are written --Section:Key=value");
            if (equals < 0)
            {
                // --Section:Key VALUE: the value is the next token, which must exist and not be another option.
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new CliUsageException($"'{token}' has no value: write {token}=VALUE");
                i++;
            }
        }
    }

    private static string Nearest(string word, IEnumerable<string> candidates, string prefix)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Distance(word.ToLowerInvariant(), (prefix + c).ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (prefix + c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, word.Length / 3) ? $"; did you mean '{best}'?" : "";
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
