namespace Polymath.Tests;

/// <summary>Paths in the repository the tests run from. One file, linked into the test projects that need the repository root (tests/Shared/).</summary>
internal static class Repository
{
    /// <summary>The folder holding Polymath.slnx, found upwards from the test output.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Polymath.slnx"))) return d.FullName;
        throw new InvalidOperationException($"Polymath.slnx not found above {AppContext.BaseDirectory}");
    }
}
