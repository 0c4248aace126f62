using System.IO.Compression;
using System.Security.Cryptography;

namespace Polymath.Experts;

/// <summary>Reads expert packages in any of their three forms and verifies payload hashes.</summary>
public static class ExpertPackageReader
{
    /// <summary>Largest payload or manifest accepted (guards against zip bombs).</summary>
    public const long MaxEntryBytes = 256L * 1024 * 1024;

    /// <summary>True when <paramref name="path"/> looks like a package (a *.wasm, *.expert or *.zip file, or a folder with expert.json).</summary>
    public static bool IsPackagePath(string path)
    {
        if (Directory.Exists(path)) return File.Exists(Path.Combine(path, ExpertManifest.FileName));
        string ext = Path.GetExtension(path);
        return ext.Equals(".wasm", StringComparison.OrdinalIgnoreCase) || ext.Equals(".expert", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".zip", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Finds the packages under <paramref name="directory"/>, sorted by path: files named *.wasm, *.expert or *.zip,
    /// and folders holding expert.json (whose contents are not scanned further). Folders without a manifest are
    /// searched, up to <paramref name="maxDepth"/> levels. Hidden entries (starting with '.') are skipped.
    /// </summary>
    public static IReadOnlyList<string> Discover(string directory, int maxDepth = 4)
    {
        var found = new List<string>();
        Walk(Path.GetFullPath(directory), 0);
        found.Sort(StringComparer.Ordinal);
        return found;

        void Walk(string dir, int depth)
        {
            IEnumerable<string> entries;
            try { entries = Directory.EnumerateFileSystemEntries(dir).ToList(); }
            catch (IOException) { return; }
            catch (UnauthorizedAccessException) { return; }
            foreach (var e in entries)
            {
                if (Path.GetFileName(e).StartsWith('.')) continue;
                if (Directory.Exists(e))
                {
                    if (File.Exists(Path.Combine(e, ExpertManifest.FileName))) found.Add(e);
                    else if (depth < maxDepth) Walk(e, depth + 1);
                }
                else if (IsPackagePath(e)) found.Add(e);
            }
        }
    }

    /// <summary>Reads a package and verifies it.</summary>
    /// <exception cref="ExpertPackageException">Unreadable, malformed manifest, missing payload or hash mismatch; the message names file and field.</exception>
    public static ExpertPackage Read(string path)
    {
        path = Path.GetFullPath(path);
        try
        {
            if (Directory.Exists(path)) return ReadFolder(path);
            if (!File.Exists(path)) throw new ExpertPackageException(path, null, "does not exist");
            if (Path.GetExtension(path).Equals(".wasm", StringComparison.OrdinalIgnoreCase))
            {
                var bytes = ReadFileBounded(path, path);
                return new ExpertPackage(path, ExpertPackageKind.BareWasm, null, bytes, new Dictionary<string, byte[]>(), Hex(SHA256.HashData(bytes)));
            }
            return ReadZip(path);
        }
        catch (IOException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ExpertPackageException(path, null, $"cannot be read: {e.Message}", e); }
    }

    private static ExpertPackage ReadFolder(string dir)
    {
        string manifestPath = Path.Combine(dir, ExpertManifest.FileName);
        if (!File.Exists(manifestPath)) throw new ExpertPackageException(dir, null, $"has no {ExpertManifest.FileName}");
        var manifestBytes = ReadFileBounded(manifestPath, manifestPath);
        var manifest = ExpertManifest.Parse(System.Text.Encoding.UTF8.GetString(manifestBytes), manifestPath);
        byte[] Load(PayloadReference p, string field)
        {
            string full = Path.GetFullPath(Path.Combine(dir, p.Path));
            if (!File.Exists(full)) throw new ExpertPackageException(manifestPath, field + ".path", $"names '{p.Path}', which does not exist");
            return ReadFileBounded(full, manifestPath);
        }
        return Build(dir, ExpertPackageKind.Folder, manifestPath, manifestBytes, manifest, Load);
    }

    private static ExpertPackage ReadZip(string file)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(file); }
        catch (InvalidDataException e) { throw new ExpertPackageException(file, null, $"is not a readable zip archive (incomplete or corrupt): {e.Message}", e); }
        using (zip)
        {
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
                byName[entry.FullName.Replace('\\', '/').TrimStart('/')] = entry;
            // Accept the manifest at the root or inside one top-level folder (a zipped folder).
            string prefix = "";
            if (!byName.ContainsKey(ExpertManifest.FileName))
            {
                var nested = byName.Keys.Where(k => k.EndsWith("/" + ExpertManifest.FileName, StringComparison.Ordinal) && k.Count(c => c == '/') == 1).ToList();
                if (nested.Count != 1) throw new ExpertPackageException(file, null, $"has no {ExpertManifest.FileName} at its root");
                prefix = nested[0][..^ExpertManifest.FileName.Length];
            }
            string manifestSource = $"{file}!{prefix}{ExpertManifest.FileName}";
            byte[] manifestBytes = ReadEntry(byName[prefix + ExpertManifest.FileName], manifestSource);
            var manifest = ExpertManifest.Parse(System.Text.Encoding.UTF8.GetString(manifestBytes), manifestSource);
            byte[] Load(PayloadReference p, string field)
            {
                if (!byName.TryGetValue(prefix + p.Path, out var entry))
                    throw new ExpertPackageException(manifestSource, field + ".path", $"names '{p.Path}', which is not in the archive");
                return ReadEntry(entry, manifestSource);
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
                $"does not match '{p.Path}': manifest says {p.Sha256}, the file hashes to {actual} (file changed or corrupted; re-run 'polymath pack')");
    }

    private static byte[] ReadFileBounded(string path, string source)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (fs.Length > MaxEntryBytes) throw new ExpertPackageException(source, null, $"'{path}' is larger than {MaxEntryBytes} bytes");
        var bytes = new byte[fs.Length];
        fs.ReadExactly(bytes);
        return bytes;
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string source)
    {
        if (entry.Length > MaxEntryBytes) throw new ExpertPackageException(source, null, $"archive entry '{entry.FullName}' is larger than {MaxEntryBytes} bytes");
        try
        {
            using var s = entry.Open();
            var bytes = new byte[entry.Length];
            s.ReadExactly(bytes);
            return bytes;
        }
        catch (InvalidDataException e) { throw new ExpertPackageException(source, null, $"archive entry '{entry.FullName}' is corrupt: {e.Message}", e); }
        catch (EndOfStreamException e) { throw new ExpertPackageException(source, null, $"archive entry '{entry.FullName}' is truncated", e); }
    }

    internal static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>The lower-case hex sha256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
