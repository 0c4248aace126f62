using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Host.Experts;

/// <summary>
/// What another user could change on the way to a loaded kernel. A directory is private when no other user can create,
/// rename or replace anything in it: owned by this process's user or root, and writable by neither group nor others. A
/// path is safe when every directory on its real path (symbolic links resolved) is private, except that an ancestor
/// may be world-writable with the sticky bit (like <c>/tmp</c>): there others cannot rename what they do not own, and
/// the next component is checked to be ours or root's. A file is safe when it is a regular file with one link, owned by
/// us or root and writable by nobody else. Linux reads owner and mode with <c>statx</c> (same buffer layout on every
/// architecture); other Unix systems check the mode bits only (no owner), Windows nothing (ACLs).
/// </summary>
internal static class NativeKernelFileChecks
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
    private const uint StatxBasic = 0x7ff;
    private const int StatxSize = 256, NlinkOffset = 16, UidOffset = 20, ModeOffset = 28;
    private const int TypeMask = 0xF000, Directory = 0x4000, Regular = 0x8000, Symlink = 0xA000;
    private const int GroupOrOtherWrite = 0x12, Sticky = 0x200;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int StatxPath(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    private delegate uint GetEuid();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate nint RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    private sealed record Libc(StatxPath Statx, GetEuid Euid, RealPath RealPath);

    private static readonly Lazy<Libc?> C = new(LoadLibc);

    private readonly record struct Stat(int Mode, uint Uid, uint Links)
    {
        public int Type => Mode & TypeMask;
        public string ModeText => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');
    }

    /// <summary>
    /// Creates <paramref name="directory"/> (mode 0700 for what is created) and checks that it and the way to it are
    /// private; returns its real path, the one to use from then on.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">Another user could change what it names (the message says which directory and why).</exception>
    /// <exception cref="IOException">It cannot be created or examined.</exception>
    public static string PrivateDirectory(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(full);
            return full;
        }
        System.IO.Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string real = RealPathOf(full);
        foreach (string d in Ancestry(real))
        {
            bool last = d == real;
            var s = StatOf(d);
            if (s.Type != Directory) throw new UnauthorizedAccessException($"{d} is not a directory");
            CheckOwner(d, s);
            if ((s.Mode & GroupOrOtherWrite) != 0 && (last || (s.Mode & Sticky) == 0))
                throw new UnauthorizedAccessException(
                    $"{d} is writable by other users (mode {s.ModeText}{(last ? "" : ", no sticky bit")}): another user could replace a native kernel between its check and its load; " +
                    "native kernels are loaded only from a directory only this user can write (Experts:NativeKernelDirectory)");
        }
        return real;
    }

    /// <summary>Checks that the open file <paramref name="handle"/> (named <paramref name="path"/>) is a safe regular file and returns its length.</summary>
    /// <exception cref="UnauthorizedAccessException">Another user owns it or could write it, or it has other links.</exception>
    public static long CheckOpenFile(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsWindows() && C.Value is { } c)
        {
            var buffer = new byte[StatxSize];
            bool added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                // statx(fd, "", AT_EMPTY_PATH): the file that is open, whatever its name names now.
                if (c.Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasic, buffer) != 0)
                    throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
            finally { if (added) handle.DangerousRelease(); }
            var s = Parse(buffer);
            if (s.Type != Regular) throw new UnauthorizedAccessException($"{path} is not a regular file");
            CheckOwner(path, s);
            if ((s.Mode & GroupOrOtherWrite) != 0) throw new UnauthorizedAccessException($"{path} is writable by other users (mode {s.ModeText})");
            if (s.Links != 1) throw new UnauthorizedAccessException($"{path} has {s.Links} links (a shadow copy has one)");
        }
        return RandomAccess.GetLength(handle);
    }

    private static void CheckOwner(string path, Stat s)
    {
        if (C.Value is not { } c) return;
        uint me = c.Euid();
        if (s.Uid != 0 && s.Uid != me)
            throw new UnauthorizedAccessException($"{path} is owned by uid {s.Uid}, not by this user ({me}) or root: its owner could replace a native kernel in it");
    }

    private static IEnumerable<string> Ancestry(string real)
    {
        var chain = new List<string>();
        for (string? d = real; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d)) chain.Add(d);
        chain.Reverse();
        return chain;
    }

    private static string RealPathOf(string full)
    {
        if (C.Value is not { } c) return full;
        nint p = c.RealPath(full, 0);
        if (p == 0) throw new IOException($"cannot resolve {full}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try { return Marshal.PtrToStringUTF8(p) ?? full; }
        finally { Marshal.FreeHGlobal(p); } // malloc'd by realpath; FreeHGlobal is free() on Unix
    }

    private static Stat StatOf(string path)
    {
        if (C.Value is { } c)
        {
            var buffer = new byte[StatxSize];
            if (c.Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasic, buffer) != 0)
                throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            var s = Parse(buffer);
            if (s.Type == Symlink) throw new UnauthorizedAccessException($"{path} became a symbolic link while it was checked");
            return s;
        }
        // Other Unix systems: the mode bits only (owner unknown).
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("no Unix modes on Windows");
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null) throw new UnauthorizedAccessException($"{path} is a symbolic link");
        return new Stat(Directory | (int)info.UnixFileMode, 0, 1);
    }

    private static Stat Parse(byte[] b) =>
        new(BitConverter.ToUInt16(b, ModeOffset), BitConverter.ToUInt32(b, UidOffset), BitConverter.ToUInt32(b, NlinkOffset));

    private static Libc? LoadLibc()
    {
        if (!OperatingSystem.IsLinux()) return null;
        foreach (var name in new[] { "libc.so.6", "libc.so", "libc" })
            if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "statx", out var statx)
                && NativeLibrary.TryGetExport(lib, "geteuid", out var euid) && NativeLibrary.TryGetExport(lib, "realpath", out var realpath))
                return new Libc(Marshal.GetDelegateForFunctionPointer<StatxPath>(statx), Marshal.GetDelegateForFunctionPointer<GetEuid>(euid),
                    Marshal.GetDelegateForFunctionPointer<RealPath>(realpath));
        throw new PlatformNotSupportedException("the C library has no statx, geteuid or realpath: native kernel directories cannot be checked");
    }
}
