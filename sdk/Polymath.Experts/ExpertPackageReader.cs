using System.IO.Compression;
using System.Security.Cryptography;

namespace Polymath.Experts;

/// <summary>
/// Reads expert packages in any of their three forms and verifies payload hashes. Every failure is an
/// <see cref="ExpertPackageException"/> naming the file and, when there is one, the manifest field; reading never
/// blocks on a special file, never follows a payload path out of its package, and never reads more than a cap.
/// </summary>
public static class ExpertPackageReader
{
    /// <summary>Largest payload accepted (guards against zip bombs).</summary>
    public const long MaxEntryBytes = 256L * 1024 * 1024;

    /// <summary>Largest <c>expert.json</c> accepted, in a folder or a zip.</summary>
    internal const int MaxManifestBytes = 1024 * 1024;

    /// <summary>Most entries a package zip may hold.</summary>
    internal const int MaxZipEntries = 4096;

    /// <summary>True when <paramref name="path"/> looks like a package (a *.wasm, *.expert or *.zip file, or a folder with expert.json).</summary>
    public static bool IsPackagePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return File.Exists(Path.Combine(path, ExpertManifest.FileName));
        string ext = Path.GetExtension(path);
        return ext.Equals(".wasm", StringComparison.OrdinalIgnoreCase) || ext.Equals(".expert", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".zip", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Finds the packages under <paramref name="directory"/>, sorted by path: files named *.wasm, *.expert or *.zip,
    /// and folders holding expert.json (whose contents are not scanned further). Folders without a manifest are
    /// searched, up to <paramref name="maxDepth"/> levels. Hidden entries (starting with '.') are skipped. Never throws
    /// for an unreadable folder or an odd name: such entries are skipped (files are listed and fail when read).
    /// </summary>
    public static IReadOnlyList<string> Discover(string directory, int maxDepth = 4)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var found = new List<string>();
        string root;
        try { root = Path.GetFullPath(directory); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException or System.Security.SecurityException) { return found; }
        Walk(root, 0);
        found.Sort(StringComparer.Ordinal);
        return found;

        void Walk(string dir, int depth)
        {
            List<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException) { return; }
            foreach (var e in entries)
            {
                try
                {
                    if (Path.GetFileName(e).StartsWith('.')) continue;
                    if (Directory.Exists(e))
                    {
                        if (File.Exists(Path.Combine(e, ExpertManifest.FileName))) found.Add(e);
                        else if (depth < maxDepth) Walk(e, depth + 1);
                    }
                    else if (IsPackagePath(e)) found.Add(e);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException) { }
            }
        }
    }

    /// <summary>Reads a package and verifies it.</summary>
    /// <exception cref="ExpertPackageException">
    /// Unreadable, not a regular file (a FIFO, socket or device), malformed manifest, a payload path that leaves the
    /// package (by '..' or a symbolic link), missing payload, an entry over its cap, or a hash mismatch; the message
    /// names file and field.
    /// </exception>
    public static ExpertPackage Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try { path = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            throw new ExpertPackageException(ExpertManifest.Printable(path), null, $"is not a usable path: {e.Message}", e);
        }
        try
        {
            if (Directory.Exists(path)) return ReadFolder(path);
            string real = RegularFile(path, path, null, null, MaxEntryBytes);
            if (Path.GetExtension(path).Equals(".wasm", StringComparison.OrdinalIgnoreCase))
            {
                var bytes = ReadFileBounded(real, path, null, MaxEntryBytes);
                return new ExpertPackage(path, ExpertPackageKind.BareWasm, null, bytes, new Dictionary<string, byte[]>(), Hex(SHA256.HashData(bytes)));
            }
            return ReadZip(path, real);
        }
        catch (IOException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
        catch (ArgumentException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
        catch (NotSupportedException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
    }

    /// <summary>Reads the zip at <paramref name="real"/> as if it were <paramref name="shownAs"/> (the packer's round trip).</summary>
    internal static ExpertPackage ReadZipFile(string real, string shownAs)
    {
        try
        {
            RegularFile(real, shownAs, null, null, MaxEntryBytes);
            return ReadZip(shownAs, real);
        }
        catch (IOException e) { throw new ExpertPackageException(shownAs, null, $"cannot be read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ExpertPackageException(shownAs, null, $"cannot be read: {e.Message}", e); }
    }

    /// <summary>Reads a file after checking, without opening it, that it is a regular file within the cap.</summary>
    internal static byte[] ReadRegularFile(string path, string source, string? field, string? shown, long max) =>
        ReadFileBounded(RegularFile(path, source, field, shown, max), source, field, max);

    private static ExpertPackage ReadFolder(string dir)
    {
        string manifestPath = Path.Combine(dir, ExpertManifest.FileName);
        string realDir = PackagePaths.RealPath(dir);
        string manifestFile = PackagePaths.ResolveInside(realDir, ExpertManifest.FileName, manifestPath, null,
            "has no " + ExpertManifest.FileName);
        RegularFile(manifestFile, manifestPath, null, ExpertManifest.FileName, MaxManifestBytes);
        var manifestBytes = ReadFileBounded(manifestFile, manifestPath, null, MaxManifestBytes);
        var manifest = ExpertManifest.Parse(StrictJson.DecodeUtf8(manifestBytes, manifestPath), manifestPath);
        byte[] Load(PayloadReference p, string field)
        {
            string full = PackagePaths.ResolveInside(realDir, p.Path, manifestPath, field + ".path", $"names '{p.Path}', which does not exist");
            RegularFile(full, manifestPath, field + ".path", p.Path, MaxEntryBytes);
            return ReadFileBounded(full, manifestPath, field + ".path", MaxEntryBytes);
        }
        return Build(dir, ExpertPackageKind.Folder, manifestPath, manifestBytes, manifest, Load);
    }

    private static ExpertPackage ReadZip(string file, string real)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(real); }
        catch (InvalidDataException e) { throw new ExpertPackageException(file, null, $"is not a readable zip archive (incomplete or corrupt): {e.Message}", e); }
        using (zip)
        {
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            try
            {
                foreach (var entry in zip.Entries)
                {
                    if (byName.Count >= MaxZipEntries)
                        throw new ExpertPackageException(file, null, $"holds more than {MaxZipEntries} entries; a package holds a manifest and its payloads");
                    string name = entry.FullName.Replace('\\', '/').TrimStart('/');
                    if (!byName.TryAdd(name, entry))
                        throw new ExpertPackageException(file, null, $"holds two entries named '{name}'; which one is meant would be a guess");
                }
            }
            catch (InvalidDataException e) { throw new ExpertPackageException(file, null, $"is not a readable zip archive (incomplete or corrupt): {e.Message}", e); }
            // Accept the manifest at the root or inside one top-level folder (a zipped folder).
            string prefix = "";
            if (!byName.ContainsKey(ExpertManifest.FileName))
            {
                var nested = byName.Keys.Where(k => k.EndsWith("/" + ExpertManifest.FileName, StringComparison.Ordinal) && k.Count(c => c == '/') == 1).ToList();
                if (nested.Count != 1) throw new ExpertPackageException(file, null, $"has no {ExpertManifest.FileName} at its root");
                prefix = nested[0][..^ExpertManifest.FileName.Length];
            }
            string manifestSource = $"{file}!{prefix}{ExpertManifest.FileName}";
            byte[] manifestBytes = ReadEntry(byName[prefix + ExpertManifest.FileName], manifestSource, null, MaxManifestBytes);
            var manifest = ExpertManifest.Parse(StrictJson.DecodeUtf8(manifestBytes, manifestSource), manifestSource);
            byte[] Load(PayloadReference p, string field)
            {
                if (!byName.TryGetValue(prefix + p.Path, out var entry))
                    throw new ExpertPackageException(manifestSource, field + ".path", $"names '{p.Path}', which is not in the archive");
                return ReadEntry(entry, manifestSource, field + ".path", MaxEntryBytes);
            }
            return Build(file, ExpertPackageKind.Zip, manifestSource, manifestBytes, manifest, Load);
        }
    }

    private static ExpertPackage Build(string source, ExpertPackageKind kind, string manifestSource, byte[] manifestBytes,
        ExpertManifest manifest, Func<PayloadReference, string, byte[]> load)
    {
        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        fingerprint.AppendData(manifestBytes);
        byte[] wasm = load(manifest.Wasm, "payloads.wasm");
        Verify(wasm, manifest.Wasm, manifestSource, "payloads.wasm");
        fingerprint.AppendData(wasm);
        var native = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (rid, p) in manifest.Native)
        {
            var bytes = load(p, $"payloads.native.{rid}");
            Verify(bytes, p, manifestSource, $"payloads.native.{rid}");
            fingerprint.AppendData(bytes);
            native[rid] = bytes;
        }
        return new ExpertPackage(source, kind, manifest, wasm, native, Hex(fingerprint.GetHashAndReset()));
    }

    private static void Verify(byte[] bytes, PayloadReference p, string manifestSource, string field)
    {
        string actual = Hex(SHA256.HashData(bytes));
        if (!string.Equals(actual, p.Sha256, StringComparison.Ordinal))
            throw new ExpertPackageException(manifestSource, field + ".sha256",
                $"does not match '{p.Path}': the payload is not the one its publisher signed (manifest {p.Sha256}, payload {actual}); "
                + "it was changed or corrupted after packing. Restore the package from its publisher; re-pack it only if you are its author");
    }

    /// <summary>
    /// Checks, without opening it, that <paramref name="path"/> is a regular file of at most <paramref name="max"/>
    /// bytes, and returns the path to open. A FIFO, socket or device reports a length of 0 (and opening a FIFO would
    /// block), so an empty entry is refused along with them: no package file is legitimately empty.
    /// </summary>
    private static string RegularFile(string path, string source, string? field, string? shown, long max)
    {
        string what = shown is null ? "" : $"'{shown}' ";
        if (Directory.Exists(path)) throw new ExpertPackageException(source, field, $"{what}is a directory, not a file");
        var info = new FileInfo(path);
        if (!info.Exists) throw new ExpertPackageException(source, field, shown is null ? "does not exist" : $"names '{shown}', which does not exist");
        if (info.LinkTarget is not null)
        {
            // A top-level package may be a link the operator placed; what it leads to must still be a regular file.
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) throw new ExpertPackageException(source, field, $"{what}is a symbolic link to nothing");
            if (target is DirectoryInfo || Directory.Exists(target.FullName)) throw new ExpertPackageException(source, field, $"{what}is a directory, not a file");
            info = new FileInfo(target.FullName);
            path = info.FullName;
        }
        if (info.Length == 0)
            throw new ExpertPackageException(source, field, $"{what}is empty or not a regular file (a FIFO, socket or device); only regular files are read");
        if (info.Length > max) throw new ExpertPackageException(source, field, $"{what}is larger than the cap of {max} bytes");
        return path;
    }

    private static byte[] ReadFileBounded(string path, string source, string? field, long max)
    {
        using var fs = RegularFileOpener.OpenRead(path);
        long length = fs.Length;
        if (length > max) throw new ExpertPackageException(source, field, $"'{Path.GetFileName(path)}' is larger than the cap of {max} bytes");
        var bytes = new byte[length];
        fs.ReadExactly(bytes);
        return bytes;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string source, string? field, long max)
    {
        string name = ExpertManifest.Printable(entry.FullName);
        // The declared size is checked first and the read is bounded by it: a header that lies about the size yields
        // a short read or surplus bytes, both refused, never an unbounded inflate.
        if (entry.Length > max) throw new ExpertPackageException(source, field, $"archive entry '{name}' declares {entry.Length} bytes, over the cap of {max}");
        if (entry.Length < 0) throw new ExpertPackageException(source, field, $"archive entry '{name}' declares a negative size");
        try
        {
            using var s = entry.Open();
            var bytes = new byte[entry.Length];
            s.ReadExactly(bytes);
            Span<byte> probe = stackalloc byte[1];
            if (s.Read(probe) != 0)
                throw new ExpertPackageException(source, field, $"archive entry '{name}' holds more bytes than its header declares ({entry.Length})");
            return bytes;
        }
        catch (InvalidDataException e) { throw new ExpertPackageException(source, field, $"archive entry '{name}' is corrupt: {e.Message}", e); }
        catch (EndOfStreamException e) { throw new ExpertPackageException(source, field, $"archive entry '{name}' is truncated", e); }
    }

    internal static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>The lower-case hex sha256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
