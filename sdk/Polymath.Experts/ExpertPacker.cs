using System.IO.Compression;
using System.Text;
using Polymath.Wasm;

namespace Polymath.Experts;

/// <summary>Packs a package folder: validates the manifest and payloads, computes payload hashes and writes the zip.</summary>
public static class ExpertPacker
{
    /// <summary>
    /// Validates the folder's manifest (hashes may be missing) and its payloads (each a regular file inside the folder;
    /// the wasm payload a valid WebAssembly module), computes every payload's sha256 and writes <c>&lt;id&gt;.expert</c>
    /// (manifest with the hashes + payloads only) to <paramref name="outputPath"/> (a file, or a folder to write it in;
    /// default: the current directory).
    /// The folder's <c>expert.json</c> is left untouched unless <paramref name="writeHashes"/> is true; then only its
    /// hash values change (comments and layout are kept). The output path is checked before anything is written.
    /// Returns the packed manifest and the zip's full path.
    /// </summary>
    /// <exception cref="ExpertPackageException">The manifest or a payload is invalid, or the output path is unusable; the message names file and field.</exception>
    public static (ExpertManifest Manifest, string ZipPath) Pack(string folder, string? outputPath = null, bool writeHashes = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        try { folder = Path.GetFullPath(folder); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
        {
            throw new ExpertPackageException(ExpertManifest.Printable(folder), null, $"is not a usable path: {e.Message}", e);
        }
        try { return PackFolder(folder, outputPath, writeHashes); }
        catch (IOException e) { throw new ExpertPackageException(folder, null, $"cannot be packed: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ExpertPackageException(folder, null, $"cannot be packed: {e.Message}", e); }
    }

    private static (ExpertManifest Manifest, string ZipPath) PackFolder(string folder, string? outputPath, bool writeHashes)
    {
        if (!Directory.Exists(folder)) throw new ExpertPackageException(folder, null, "is not a folder (pack takes a package folder holding expert.json)");
        string manifestPath = Path.Combine(folder, ExpertManifest.FileName);
        string realDir = PackagePaths.RealPath(folder);
        string manifestFile = PackagePaths.ResolveInside(realDir, ExpertManifest.FileName, manifestPath, null, $"{folder} has no {ExpertManifest.FileName}");
        byte[] manifestBytes = ExpertPackageReader.ReadRegularFile(manifestFile, manifestPath, null, ExpertManifest.FileName, ExpertPackageReader.MaxManifestBytes);
        string text = StrictJson.DecodeUtf8(manifestBytes, manifestPath);
        var manifest = ExpertManifest.Parse(text, manifestPath, requireHashes: false);

        string zipPath = OutputPath(outputPath, manifest.Id);

        var payloads = new List<(string Field, PayloadReference Reference, byte[] Bytes)>();
        byte[] Load(PayloadReference p, string field)
        {
            string full = PackagePaths.ResolveInside(realDir, p.Path, manifestPath, field + ".path", $"names '{p.Path}', which does not exist");
            return ExpertPackageReader.ReadRegularFile(full, manifestPath, field + ".path", p.Path, ExpertPackageReader.MaxEntryBytes);
        }
        byte[] wasm = Load(manifest.Wasm, "payloads.wasm");
        try { _ = ModuleReader.ReadAndValidate(wasm); }
        catch (WasmModuleException e)
        {
            throw new ExpertPackageException(manifestPath, "payloads.wasm.path", $"names '{manifest.Wasm.Path}', which is not a valid WebAssembly module ({e.Message})", e);
        }
        payloads.Add(("payloads.wasm", manifest.Wasm, wasm));
        foreach (var (rid, p) in manifest.Native)
            payloads.Add(($"payloads.native.{rid}", p, Load(p, $"payloads.native.{rid}")));

        var hashes = payloads.ToDictionary(p => p.Field, p => ExpertPackageReader.Sha256(p.Bytes), StringComparer.Ordinal);
        string packedText = ManifestHashEditor.WithHashes(text, hashes);
        var packed = ExpertManifest.Parse(packedText, manifestPath);
        foreach (var (field, _, _) in payloads)
        {
            var written = field == "payloads.wasm" ? packed.Wasm : packed.Native[field["payloads.native.".Length..]];
            if (written.Sha256 != hashes[field])
                throw new ExpertPackageException(manifestPath, field + ".sha256", "could not be filled in (the manifest text has an unexpected shape)");
        }

        string temp = $"{zipPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
            {
                Write(zip, ExpertManifest.FileName, Encoding.UTF8.GetBytes(packedText));
                var written = new HashSet<string>(StringComparer.Ordinal) { ExpertManifest.FileName };
                foreach (var (_, p, bytes) in payloads)
                    if (written.Add(p.Path)) Write(zip, p.Path, bytes);
            }
            _ = ExpertPackageReader.ReadZipFile(temp, zipPath); // round-trip check before the zip takes its name
            File.Move(temp, zipPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }

        if (writeHashes && !string.Equals(packedText, text, StringComparison.Ordinal))
        {
            bool bom = manifestBytes.AsSpan().StartsWith("\xEF\xBB\xBF"u8);
            string tempManifest = $"{manifestFile}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(tempManifest, packedText, new UTF8Encoding(encoderShouldEmitUTF8Identifier: bom));
            File.Move(tempManifest, manifestFile, overwrite: true);
        }
        return (packed, zipPath);
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var s = entry.Open();
        s.Write(bytes);
    }

    /// <summary>The full path of the zip to write; checked (a file name ending in .expert or .zip, in an existing folder).</summary>
    private static string OutputPath(string? outputPath, string id)
    {
        string zipPath;
        if (outputPath is null) zipPath = Path.Combine(Environment.CurrentDirectory, id + ".expert");
        else
        {
            try { zipPath = Path.GetFullPath(outputPath); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException)
            {
                throw new ExpertPackageException(ExpertManifest.Printable(outputPath), null, $"is not a usable output path: {e.Message}", e);
            }
        }
        if (Directory.Exists(zipPath)) zipPath = Path.Combine(zipPath, id + ".expert"); // a folder: <id>.expert inside it
        string ext = Path.GetExtension(zipPath);
        if (!ext.Equals(".expert", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".zip", StringComparison.OrdinalIgnoreCase))
            throw new ExpertPackageException(zipPath, null, "must end in .expert or .zip (the names a registry reads as packages)");
        string? parent = Path.GetDirectoryName(zipPath);
        if (parent is null || !Directory.Exists(parent))
            throw new ExpertPackageException(zipPath, null, $"cannot be written: the folder '{parent}' does not exist");
        return zipPath;
    }
}
