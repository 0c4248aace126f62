namespace Polymath.Tests;

/// <summary>Paths in the repository the tests run from. One file, linked into the test projects that need the repository root (tests/Shared/).</summary>
internal static class Repository
{
    /// <summary>
    /// The folder holding Polymath.slnx, found upwards from the test output; when the build output lives outside the
    /// tree (<c>--artifacts-path</c>), upwards from this source file's location at build time.
    /// </summary>
    public static string Root { get; } = Find();

    /// <summary>The repository's experts/ directory (the catalogue).</summary>
    public static string ExpertsDirectory => Path.Combine(Root, "experts");

    private static string Find()
    {
        string source = Path.GetDirectoryName(ThisFile()) ?? "";
        foreach (string start in new[] { AppContext.BaseDirectory, source })
            for (var d = start.Length == 0 ? null : new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Polymath.slnx"))) return d.FullName;
        throw new InvalidOperationException($"Polymath.slnx not found above {AppContext.BaseDirectory} or {source}");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
