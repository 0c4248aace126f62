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
                    ? $"unknown configuration section in '{token}': expected one of {string.Join(", ", Sections)} (--Section:Key=value){NearestName.Suggest(section, Sections)}"
                    : $"unknown option '{token}'{NearestName.Suggest(token, options)}; configuration overrides are written --Section:Key=value");
            if (equals < 0)
            {
                // --Section:Key VALUE: the value is the next token, which must exist and not be another option.
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new CliUsageException($"'{token}' has no value: write {token}=VALUE");
                i++;
            }
        }
    }

    /// <summary>The pairs of checked <paramref name="tokens"/> as configuration keys and values.</summary>
    public static Dictionary<string, string?> Parse(IReadOnlyList<string> tokens)
    {
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < tokens.Count; i++)
        {
            string key = tokens[i][2..];
            int equals = key.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) pairs[key] = tokens[++i];
            else pairs[key[..equals]] = key[(equals + 1)..];
        }
        return pairs;
    }
}
