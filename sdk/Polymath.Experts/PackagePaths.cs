namespace Polymath.Experts;

/// <summary>
/// Where a package's files really are: symbolic links resolved component by component (as the operating system
/// would), so that a payload path that leaves its package through a link is caught before anything is opened.
/// </summary>
internal static class PackagePaths
{
    /// <summary>The most links followed while resolving one path (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>
    /// The absolute path <paramref name="path"/> leads to with every symbolic link along it resolved. Components that
    /// do not exist are kept as written.
    /// </summary>
    /// <exception cref="IOException">A link loop (more than 40 links).</exception>
    public static string RealPath(string path)
    {
        path = Path.GetFullPath(path);
        string current = Path.GetPathRoot(path)!;
        var pending = new Stack<string>();
        Push(pending, path[current.Length..]);
        int links = 0;
        while (pending.Count > 0)
        {
            string segment = pending.Pop();
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Join(current, segment);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"too many levels of symbolic links resolving '{path}'");
            if (Path.IsPathRooted(target))
            {
                string full = Path.GetFullPath(target);
                current = Path.GetPathRoot(full)!;
                Push(pending, full[current.Length..]);
            }
            else Push(pending, target);
        }
        return current;
    }

    private static void Push(Stack<string> pending, string relative)
    {
        var segments = relative.Split(Separators);
        for (int i = segments.Length - 1; i >= 0; i--) pending.Push(segments[i]);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies below it (both real paths).</summary>
    public static bool IsInside(string path, string root)
    {
        string r = Path.TrimEndingDirectorySeparator(root);
        return path.Length > r.Length && path.StartsWith(r, StringComparison.Ordinal) && Separators.Contains(path[r.Length]);
    }

    /// <summary>
    /// Resolves <paramref name="relative"/> (a checked payload path, '/' separators) inside the package folder
    /// <paramref name="realRoot"/> (already a real path) and returns the real path of what it names.
    /// </summary>
    /// <exception cref="ExpertPackageException">It leads outside the package, or nothing is there.</exception>
    public static string ResolveInside(string realRoot, string relative, string source, string? field, string missing)
    {
        string real;
        try { real = RealPath(Path.Join(realRoot, relative)); }
        catch (IOException e) { throw new ExpertPackageException(source, field, $"'{relative}' cannot be resolved: {e.Message}", e); }
        if (!IsInside(real, realRoot))
            throw new ExpertPackageException(source, field,
                $"'{relative}' leads outside the package through a symbolic link; package files must stay inside the package folder");
        if (!File.Exists(real) && !Directory.Exists(real))
            throw new ExpertPackageException(source, field, missing);
        return real;
    }
}
