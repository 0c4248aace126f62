using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Sdk.Caching;

/// <summary>
/// Owner and mode of files and directories, which .NET does not expose: <c>statx</c> on Linux (one struct layout on
/// every architecture), <c>stat</c>/<c>fstat</c> on macOS. An open handle is examined with the call on its descriptor, so
/// what is checked is what is read. Windows: not supported (<see cref="IsSupported"/> false; per-user ACLs guard
/// LocalApplicationData there).
/// </summary>
public static partial class FileOwner
{
    /// <summary>Whether owner and mode can be read on this OS.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>The effective user id of this process.</summary>
    public static uint CurrentUser { get; } = IsSupported ? geteuid() : 0;

    /// <summary>S_IFMT and the file types we check for.</summary>
    private const uint TypeMask = 0xF000, Directory = 0x4000, Regular = 0x8000;

    /// <summary>Owner and mode of <paramref name="path"/> (symbolic links followed), or null with the OS error.</summary>
    internal static (uint Uid, uint Mode)? OfPath(string path, out int errno) => Stat(-100 /* AT_FDCWD */, path, 0, out errno);

    /// <summary>Owner and mode of the file open as <paramref name="handle"/>, or null with the OS error.</summary>
    internal static (uint Uid, uint Mode)? OfHandle(SafeFileHandle handle, out int errno)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Stat((int)handle.DangerousGetHandle(), "", 0x1000 /* AT_EMPTY_PATH */, out errno);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Null when a directory owned by this user that no group or other user may write; else what is wrong.</summary>
    public static string? CheckPrivateDirectory(string path)
    {
        if (OfPath(path, out int errno) is not var (uid, mode)) return $"cannot stat it (errno {errno})";
        if ((mode & TypeMask) != Directory) return "not a directory";
        return CheckOwnerAndMode(uid, mode, 0x12 /* g+w, o+w */);
    }

    /// <summary>Null when a regular file owned by this user without the <paramref name="forbidden"/> mode bits; else what is wrong.</summary>
    public static string? CheckPrivateFile(SafeFileHandle handle, uint forbidden)
    {
        if (OfHandle(handle, out int errno) is not var (uid, mode)) return $"cannot stat it (errno {errno})";
        if ((mode & TypeMask) != Regular) return "not a regular file";
        return CheckOwnerAndMode(uid, mode, forbidden);
    }

    private static string? CheckOwnerAndMode(uint uid, uint mode, uint forbidden)
    {
        if (uid != CurrentUser) return $"owned by uid {uid}, not by this user (uid {CurrentUser})";
        if ((mode & forbidden) != 0) return $"mode {Convert.ToString(mode & 0xFFF, 8)} lets other users {((mode & forbidden & 0x12) != 0 ? "write" : "read")} it";
        return null;
    }

    private static unsafe (uint Uid, uint Mode)? Stat(int dirfd, string path, int flags, out int errno)
    {
        errno = 0;
        if (OperatingSystem.IsLinux())
        {
            // struct statx: stx_mask u32 @0, stx_uid u32 @20, stx_mode u16 @28; 256 bytes.
            byte* buf = stackalloc byte[256];
            const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8;
            if (statx(dirfd, path, flags, StatxType | StatxMode | StatxUid, buf) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            uint mask = *(uint*)buf;
            if ((mask & (StatxType | StatxMode | StatxUid)) != (StatxType | StatxMode | StatxUid)) { errno = -1; return null; }
            return (*(uint*)(buf + 20), *(ushort*)(buf + 28));
        }
        if (OperatingSystem.IsMacOS())
        {
            // struct stat (64-bit inodes): st_mode u16 @4, st_uid u32 @16; 144 bytes.
            byte* buf = stackalloc byte[256];
            int rc = path.Length == 0 ? MacFStat(dirfd, buf) : MacStat(path, buf);
            if (rc != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            return (*(uint*)(buf + 16), *(ushort*)(buf + 4));
        }
        errno = -1;
        return null;
    }

    private static unsafe int MacStat(string path, byte* buf) =>
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? stat_inode64(path, buf) : stat(path, buf);

    private static unsafe int MacFStat(int fd, byte* buf) =>
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? fstat_inode64(fd, buf) : fstat(fd, buf);

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "stat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat_inode64(string path, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int fstat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static unsafe partial int fstat_inode64(int fd, byte* buffer);
}
