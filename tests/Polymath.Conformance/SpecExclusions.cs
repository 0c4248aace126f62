using System.Text;

namespace Polymath.Conformance;

/// <summary>One line of the exclusion list: a file-name pattern and why it is excluded.</summary>
/// <param name="Pattern">A <c>.wast</c> file name; <c>*</c> matches any run of characters.</param>
/// <param name="Reason">The comment given on the line.</param>
/// <param name="Line">The line number in the list.</param>
public sealed record SpecExclusion(string Pattern, string Reason, int Line)
{
    /// <summary>
    /// When set (<c>pattern unless capability # reason</c>), the entry applies only to runtimes that do not report this
    /// capability; e.g. <c>simd_* unless wasm.simd128</c> runs the SIMD files on runtimes with SIMD.
    /// </summary>
    public string? UnlessCapability { get; init; }

    /// <summary>True when the entry applies to a runtime with <paramref name="capabilities"/>.</summary>
    public bool AppliesTo(IReadOnlyCollection<string> capabilities) =>
        UnlessCapability is null || !capabilities.Contains(UnlessCapability);

    /// <summary>True when <paramref name="fileName"/> (a .wast file name, with or without the extension) matches the pattern.</summary>
    public bool Matches(string fileName)
    {
        var name = Path.GetFileName(fileName);
        var pattern = Pattern;
        if (!pattern.EndsWith(".wast", StringComparison.Ordinal) && !pattern.EndsWith('*')) pattern += ".wast";
        if (!name.EndsWith(".wast", StringComparison.Ordinal)) name += ".wast";
        return Glob(pattern, name);
    }

    private static bool Glob(string pattern, string text)
    {
        // Iterative wildcard match ('*' only): no recursion, linear in practice.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (p < pattern.Length && pattern[p] == text[t]) { p++; t++; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>
/// The list of spec testsuite files not run (see <c>spec-exclusions.txt</c>). Each entry must carry a
/// reason; the committed list is empty (every WebAssembly 2.0 file runs on every runtime; the file's policy text says what may be added).
/// </summary>
public sealed class SpecExclusions
{
    private SpecExclusions(IReadOnlyList<SpecExclusion> entries) => Entries = entries;

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<SpecExclusion> Entries { get; }

    /// <summary>An empty list (runs every file).</summary>
    public static SpecExclusions None { get; } = new([]);

    /// <summary>The committed list, embedded from <c>tests/Polymath.Conformance/spec-exclusions.txt</c>.</summary>
    public static SpecExclusions Committed { get; } = LoadCommitted();

    /// <summary>True when some entry matches <paramref name="fileName"/>.</summary>
    public bool IsExcluded(string fileName) => Entries.Any(e => e.Matches(fileName));

    /// <summary>True when some entry that applies to a runtime with <paramref name="capabilities"/> matches <paramref name="fileName"/>.</summary>
    public bool IsExcludedFor(string fileName, IReadOnlyCollection<string> capabilities) =>
        Entries.Any(e => e.AppliesTo(capabilities) && e.Matches(fileName));

    /// <summary>The entry that matches <paramref name="fileName"/>, or null.</summary>
    public SpecExclusion? Find(string fileName) => Entries.FirstOrDefault(e => e.Matches(fileName));

    /// <summary>
    /// Parses the list format: one pattern per line followed by <c># reason</c>; blank lines and lines
    /// starting with <c>#</c> are ignored. An entry without a reason is an error.
    /// </summary>
    /// <exception cref="FormatException">An entry has no reason, or a pattern has a path separator or whitespace inside.</exception>
    public static SpecExclusions Parse(string text, string sourceName = "spec-exclusions.txt")
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<SpecExclusion>();
        using var reader = new StringReader(text);
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            int hash = trimmed.IndexOf('#');
            if (hash < 0)
                throw new FormatException($"{sourceName}:{lineNumber}: entry '{trimmed}' has no '# reason' comment; every exclusion must say why.");
            var pattern = trimmed[..hash].Trim();
            var reason = trimmed[(hash + 1)..].Trim();
            if (pattern.Length == 0 || reason.Length == 0)
                throw new FormatException($"{sourceName}:{lineNumber}: expected '<pattern>  # <reason>', got '{trimmed}'.");
            string? unless = null;
            var words = pattern.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 3 && words[1] == "unless")
            {
                pattern = words[0];
                unless = words[2];
            }
            if (pattern.Any(char.IsWhiteSpace) || pattern.Contains('/') || pattern.Contains('\\'))
                throw new FormatException($"{sourceName}:{lineNumber}: pattern '{pattern}' must be a bare .wast file name (no spaces or folders), optionally followed by 'unless <capability>'.");
            entries.Add(new SpecExclusion(pattern, reason, lineNumber) { UnlessCapability = unless });
        }
        return new SpecExclusions(entries);
    }

    private static SpecExclusions LoadCommitted()
    {
        const string name = "Polymath.Conformance.spec-exclusions.txt";
        using var stream = typeof(SpecExclusions).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from {typeof(SpecExclusions).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    }
}
