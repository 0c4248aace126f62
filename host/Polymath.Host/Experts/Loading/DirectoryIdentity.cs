using System.Runtime.InteropServices;

namespace Polymath.Host.Experts;

/// <summary>
/// Which directory a path names right now: on Linux its device and inode (<c>statx</c>, whose buffer layout is the same on
/// every architecture), elsewhere its creation time. Two values differ when the directory was deleted and recreated or
/// another one was renamed into its place, which a FileSystemWatcher on the old directory never reports.
/// </summary>
internal readonly record struct DirectoryIdentity(bool Exists, ulong Device, ulong Inode, long CreationTicks)
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256, InoOffset = 32, DevMajorOffset = 136, DevMinorOffset = 140;

    private delegate int StatxFunction(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    private static readonly Lazy<StatxFunction?> Statx = new(LoadStatx);

    /// <summary>The identity of <paramref name="path"/> now (never throws).</summary>
    public static DirectoryIdentity Of(string path)
    {
        try
        {
            if (!Directory.Exists(path)) return default;
            if (Statx.Value is { } statx)
            {
                var buffer = new byte[StatxSize];
                if (statx(AtFdCwd, path, 0, StatxIno, buffer) == 0)
                {
                    ulong device = ((ulong)BitConverter.ToUInt32(buffer, DevMajorOffset) << 32) | BitConverter.ToUInt32(buffer, DevMinorOffset);
                    return new DirectoryIdentity(true, device, BitConverter.ToUInt64(buffer, InoOffset), 0);
                }
            }
            return new DirectoryIdentity(true, 0, 0, Directory.GetCreationTimeUtc(path).Ticks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new DirectoryIdentity(Directory.Exists(path), 0, 0, 0);
        }
    }

    private static StatxFunction? LoadStatx()
    {
        if (!OperatingSystem.IsLinux()) return null;
        foreach (var name in new[] { "libc.so.6", "libc.so", "libc" })
            if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "statx", out var fn))
                return Marshal.GetDelegateForFunctionPointer<StatxFunction>(fn);
        return null;
    }
}
