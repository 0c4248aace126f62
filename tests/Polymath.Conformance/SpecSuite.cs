namespace Polymath.Conformance;

/// <summary>
/// Thrown when the conformance run cannot start: the testsuite or <c>wast2json</c> is missing, or a
/// conversion failed. The message says what is missing and how to get it. Never swallowed: a missing
/// tool is a failure, not a skip.
/// </summary>
public sealed class SpecSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SpecSetupException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The WebAssembly spec testsuite on disk: where it is, which <c>.wast</c> files it holds and which of
/// them the committed exclusion list removes.
/// </summary>
public sealed class SpecSuite
{
    /// <summary>Environment variable naming the testsuite folder (overrides the search).</summary>
    public const string SuiteVariable = "POLYMATH_WASM_TESTSUITE";

    private SpecSuite(string directory, SpecExclusions exclusions)
    {
        Directory = directory;
        Exclusions = exclusions;
    }

    /// <summary>The folder holding the <c>.wast</c> files.</summary>
    public string Directory { get; }

    /// <summary>The exclusion list applied by <see cref="IncludedFiles"/>.</summary>
    public SpecExclusions Exclusions { get; }

    /// <summary>
    /// Finds the suite: <see cref="SuiteVariable"/> when set, else <c>&lt;repo root&gt;/../shared/wasm-testsuite</c>
    /// where the repo root is searched upwards from the application's base directory, from the current directory and
    /// from this project's source folder at build time (<see cref="BuildSourceDirectory"/>). Uses the committed exclusion list.
    /// </summary>
    /// <exception cref="SpecSetupException">The suite cannot be found or holds no .wast file.</exception>
    public static SpecSuite Locate() => Open(FindDirectory(), SpecExclusions.Committed);

    /// <summary>Opens the suite in <paramref name="directory"/> with the given exclusions.</summary>
    /// <exception cref="SpecSetupException">The folder does not exist or holds no .wast file.</exception>
    public static SpecSuite Open(string directory, SpecExclusions exclusions)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(exclusions);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new SpecSetupException($"The WebAssembly spec testsuite folder '{full}' does not exist. {HowToProvide}");
        if (System.IO.Directory.GetFiles(full, "*.wast").Length == 0)
            throw new SpecSetupException($"The WebAssembly spec testsuite folder '{full}' holds no .wast file. {HowToProvide}");
        return new SpecSuite(full, exclusions);
    }

    private const string HowToProvide =
        "Put the official WebAssembly 2.0 testsuite's .wast files in ../shared/wasm-testsuite beside the repository " +
        "clone, or set " + SuiteVariable + " to their folder.";

    /// <summary>Every <c>.wast</c> file name in the suite, sorted ordinally.</summary>
    public IReadOnlyList<string> AllFiles =>
        System.IO.Directory.GetFiles(Directory, "*.wast")
            .Select(p => Path.GetFileName(p))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The <c>.wast</c> file names the exclusion list does not remove, sorted ordinally.</summary>
    public IReadOnlyList<string> IncludedFiles => AllFiles.Where(f => !Exclusions.IsExcluded(f)).ToList();

    /// <summary>The <c>.wast</c> file names the exclusion list removes, sorted ordinally.</summary>
    public IReadOnlyList<string> ExcludedFiles => AllFiles.Where(Exclusions.IsExcluded).ToList();

    /// <summary>The <c>.wast</c> file names run on a runtime with <paramref name="capabilities"/> (entries with <c>unless</c> honoured).</summary>
    public IReadOnlyList<string> IncludedFilesFor(IReadOnlyCollection<string> capabilities) =>
        AllFiles.Where(f => !Exclusions.IsExcludedFor(f, capabilities)).ToList();

    /// <summary>The <c>.wast</c> file names not run on a runtime with <paramref name="capabilities"/>.</summary>
    public IReadOnlyList<string> ExcludedFilesFor(IReadOnlyCollection<string> capabilities) =>
        AllFiles.Where(f => Exclusions.IsExcludedFor(f, capabilities)).ToList();

    /// <summary>The full path of suite file <paramref name="fileName"/>.</summary>
    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Resolves the suite folder (see <see cref="Locate"/>) without opening it.</summary>
    /// <exception cref="SpecSetupException">Neither the variable nor a repository root was found.</exception>
    public static string FindDirectory()
    {
        var fromVariable = Environment.GetEnvironmentVariable(SuiteVariable);
        if (!string.IsNullOrWhiteSpace(fromVariable)) return Path.GetFullPath(fromVariable);

        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory(), BuildSourceDirectory })
        {
            if (string.IsNullOrEmpty(start)) continue;
            var root = FindRepositoryRoot(start);
            if (root is not null) return Path.GetFullPath(Path.Combine(root, "..", "shared", "wasm-testsuite"));
        }
        throw new SpecSetupException(
            $"Cannot find the WebAssembly spec testsuite: {SuiteVariable} is not set and no repository root " +
            $"(a folder with plugins.json, README.md or Directory.Build.props and a .git or sdk folder) lies above " +
            $"'{AppContext.BaseDirectory}', '{System.IO.Directory.GetCurrentDirectory()}' or '{BuildSourceDirectory}'. {HowToProvide}");
    }

    /// <summary>The folder of this project's sources when it was built (recorded in the assembly), or null.</summary>
    public static string? BuildSourceDirectory { get; } =
        typeof(SpecSuite).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Polymath.Conformance.SourceDirectory")?.Value;

    /// <summary>
    /// The nearest folder at or above <paramref name="start"/> that looks like the repository root: it has
    /// <c>plugins.json</c>, <c>README.md</c> or <c>Directory.Build.props</c>, and a <c>.git</c> or <c>sdk</c> folder.
    /// </summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            bool marker = File.Exists(Path.Combine(dir.FullName, "plugins.json"))
                || File.Exists(Path.Combine(dir.FullName, "README.md"))
                || File.Exists(Path.Combine(dir.FullName, "Directory.Build.props"));
            bool repo = System.IO.Directory.Exists(Path.Combine(dir.FullName, ".git"))
                || File.Exists(Path.Combine(dir.FullName, ".git")) // worktrees and submodules
                || System.IO.Directory.Exists(Path.Combine(dir.FullName, "sdk"));
            if (marker && repo) return dir.FullName;
        }
        return null;
    }
}
