using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Polymath.Experts;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>
/// Copies a package's native kernel into a host-owned directory before it is loaded, content-addressed by its sha256
/// (<c>&lt;directory&gt;/&lt;sha256&gt;/lib&lt;id&gt;.so</c>). The loaded file is never the package's own, so the package can be
/// replaced or deleted while the kernel serves calls, and a new version lands beside the old one instead of over it.
/// <para>
/// What is loaded is exactly what was verified: the directory and every directory above it must be private
/// (<see cref="NativeKernelFileChecks.PrivateDirectory"/>: no other user can create, rename or replace anything on the
/// way — a directory writable by others is refused), the copy is opened once and its bytes are read and hashed through
/// that open file (owned by this user, one link, writable by nobody else), and the path returned is the real one. So
/// between the check and the load nobody but this user (or root) can change the file. A new copy is written to a
/// temporary name created exclusively (mode 0600) and renamed into place; an existing copy whose bytes do not hash to
/// its name is rewritten with a warning.
/// </para>
/// </summary>
internal static class NativeKernelShadowCopy
{
    /// <summary>The default directory: <c>native</c> beside the default compiled-code cache (e.g. <c>~/.cache/polymath/native</c>).</summary>
    public static string DefaultDirectory =>
        Path.Combine(Path.GetDirectoryName(PolymathHostOptions.DefaultCodeCacheDirectory) ?? PolymathHostOptions.DefaultCodeCacheDirectory, "native");

    /// <summary>Places <paramref name="bytes"/> (whose sha256 is <paramref name="sha256"/>) and returns the real path of the verified copy.</summary>
    /// <exception cref="InvalidDataException">The bytes do not hash to <paramref name="sha256"/>, or the copy written does not read back as them.</exception>
    /// <exception cref="UnauthorizedAccessException">Another user could change the directory, the way to it or the copy (the message says what).</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public static string Place(string directory, string sha256, string fileName, byte[] bytes, ILogger logger)
    {
        string actual = ExpertPackageReader.Sha256(bytes);
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
            throw new InvalidDataException($"the kernel's bytes hash to {actual}, not {sha256}");
        string root = NativeKernelFileChecks.PrivateDirectory(directory);
        string folder = NativeKernelFileChecks.PrivateDirectory(Path.Combine(root, sha256));
        string path = Path.Combine(folder, fileName);
        if (File.Exists(path))
        {
            string? existing = HashOfOpenFile(path, bytes.Length);
            if (string.Equals(existing, sha256, StringComparison.Ordinal)) return path;
            Log.NativeKernelShadowCopyCorrupt(logger, path, existing ?? "a different length");
        }
        string temp = Path.Combine(folder, $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var f = new FileStream(temp, create))
            {
                f.Write(bytes);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        string? written = HashOfOpenFile(path, bytes.Length);
        if (!string.Equals(written, sha256, StringComparison.Ordinal))
            throw new InvalidDataException($"the shadow copy {path} does not read back as the kernel (sha256 {written ?? "of a different length"}, not {sha256})");
        Log.NativeKernelShadowCopied(logger, sha256, path);
        return path;
    }

    // Opens the file once, checks that file (not the name) and hashes its bytes read through the same handle. Null when its
    // length is not the kernel's.
    private static string? HashOfOpenFile(string path, int expectedLength)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = NativeKernelFileChecks.CheckOpenFile(handle, path);
        if (length != expectedLength) return null;
        var content = new byte[length];
        int read = 0;
        while (read < content.Length)
        {
            int n = RandomAccess.Read(handle, content.AsSpan(read), read);
            if (n == 0) return null;
            read += n;
        }
        return Convert.ToHexStringLower(SHA256.HashData(content));
    }
}
