using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// Copies a package's native kernel into a host-owned directory before it is loaded, content-addressed by its sha256
/// (<c>&lt;directory&gt;/&lt;sha256&gt;/lib&lt;id&gt;.so</c>). The loaded file is never the package's own, so the package can be
/// replaced or deleted while the kernel serves calls, and a new version lands beside the old one instead of over it.
/// The copy is written to a temporary name and renamed into place (atomic); an existing copy is used only when its
/// bytes still hash to the name, otherwise it is rewritten with a warning.
/// </summary>
internal static class NativeKernelShadowCopy
{
    /// <summary>The default directory: <c>native</c> beside the default compiled-code cache (e.g. <c>~/.cache/polymath/native</c>).</summary>
    public static string DefaultDirectory =>
        Path.Combine(Path.GetDirectoryName(PolymathHostOptions.DefaultCodeCacheDirectory) ?? PolymathHostOptions.DefaultCodeCacheDirectory, "native");

    /// <summary>Places <paramref name="bytes"/> (whose sha256 is <paramref name="sha256"/>) and returns the full path of the copy.</summary>
    /// <exception cref="InvalidDataException">The bytes do not hash to <paramref name="sha256"/>.</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public static string Place(string directory, string sha256, string fileName, byte[] bytes, ILogger logger)
    {
        string actual = ExpertPackageReader.Sha256(bytes);
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
            throw new InvalidDataException($"the kernel's bytes hash to {actual}, not {sha256}");
        string folder = Path.Combine(Path.GetFullPath(directory), sha256);
        string path = Path.Combine(folder, fileName);
        if (File.Exists(path))
        {
            string existing = ExpertPackageReader.Sha256(File.ReadAllBytes(path));
            if (string.Equals(existing, sha256, StringComparison.Ordinal)) return path;
            Log.NativeKernelShadowCopyCorrupt(logger, path, existing);
        }
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        Log.NativeKernelShadowCopied(logger, sha256, path);
        return path;
    }
}
