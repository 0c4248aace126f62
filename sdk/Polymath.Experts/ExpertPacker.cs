using System.IO.Compression;
using System.Security.Cryptography;

namespace Polymath.Experts;

/// <summary>Packs a package folder: validates the manifest, fills in payload hashes and writes the zip.</summary>
public static class ExpertPacker
{
    /// <summary>
    /// Validates the folder's manifest (hashes may be missing), computes every payload's sha256, rewrites
    /// <c>expert.json</c> with them, and writes <c>&lt;id&gt;.expert</c> (manifest + payloads only) to
    /// <paramref name="outputPath"/> (default: beside the folder). Returns the written manifest and zip path.
    /// </summary>
    /// <exception cref="ExpertPackageException">The manifest is invalid or a payload is missing.</exception>
    public static (ExpertManifest Manifest, string ZipPath) Pack(string folder, string? outputPath = null)
    {
        folder = Path.GetFullPath(folder);
        string manifestPath = Path.Combine(folder, ExpertManifest.FileName);
        if (!File.Exists(manifestPath)) throw new ExpertPackageException(folder, null, $"has no {ExpertManifest.FileName}");
        var manifest = ExpertManifest.Parse(File.ReadAllText(manifestPath), manifestPath, requireHashes: false);
        PayloadReference Hash(PayloadReference p, string field)
        {
            string full = Path.Combine(folder, p.Path);
            if (!File.Exists(full)) throw new ExpertPackageException(manifestPath, field + ".path", $"names '{p.Path}', which does not exist");
            return p with { Sha256 = ExpertPackageReader.Sha256(File.ReadAllBytes(full)) };
        }
        manifest = manifest with
        {
            Wasm = Hash(manifest.Wasm, "payloads.wasm"),
            Native = manifest.Native.ToDictionary(k => k.Key, k => Hash(k.Value, $"payloads.native.{k.Key}"), StringComparer.Ordinal),
        };
        File.WriteAllText(manifestPath, manifest.ToJson());
        string zipPath = Path.GetFullPath(outputPath ?? Path.Combine(Path.GetDirectoryName(folder)!, manifest.Id + ".expert"));
        string temp = zipPath + ".tmp";
        using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
        {
            zip.CreateEntryFromFile(manifestPath, ExpertManifest.FileName);
            zip.CreateEntryFromFile(Path.Combine(folder, manifest.Wasm.Path), manifest.Wasm.Path);
            foreach (var p in manifest.Native.Values) zip.CreateEntryFromFile(Path.Combine(folder, p.Path), p.Path);
        }
        File.Move(temp, zipPath, overwrite: true);
        _ = ExpertPackageReader.Read(zipPath); // round-trip check
        return (manifest, zipPath);
    }
}
