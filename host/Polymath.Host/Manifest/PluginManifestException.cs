namespace Polymath.Host.Manifest;

/// <summary>
/// plugins.json could not be read or is malformed. The message names the file and, where it applies,
/// the entry (index and id) and the field (a JSON path such as <c>platforms.architectures[1]</c>).
/// </summary>
public sealed class PluginManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The manifest file.</param>
    /// <param name="entryIndex">Index of the offending entry in <c>plugins</c>, if the problem is inside one.</param>
    /// <param name="entryId">Id of that entry, when it has a readable one.</param>
    /// <param name="field">The offending field: a path from the root (no entry) or from the entry.</param>
    /// <param name="problem">What is wrong, in one line.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public PluginManifestException(string filePath, int? entryIndex, string? entryId, string? field, string problem, Exception? inner = null)
        : base(Format(filePath, entryIndex, entryId, field, problem), inner)
    {
        FilePath = filePath;
        EntryIndex = entryIndex;
        EntryId = entryId;
        Field = field;
        Problem = problem;
    }

    /// <summary>The manifest file.</summary>
    public string FilePath { get; }

    /// <summary>Index of the offending entry in <c>plugins</c>; null when the problem is outside the entries.</summary>
    public int? EntryIndex { get; }

    /// <summary>Id of the offending entry, when readable.</summary>
    public string? EntryId { get; }

    /// <summary>The offending field, relative to the entry when <see cref="EntryIndex"/> is set, else from the root.</summary>
    public string? Field { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    private static string Format(string filePath, int? entryIndex, string? entryId, string? field, string problem)
    {
        var where = filePath;
        if (entryIndex is { } i)
            where += entryId is null ? $": plugins[{i}]" : $": plugins[{i}] (id '{entryId}')";
        if (field is not null)
            where += $": field '{field}'";
        return $"{where}: {problem}";
    }
}
