using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Experts;

/// <summary>
/// Opens a package file for reading without ever blocking on a special file. The reader checks first, without
/// opening, that the path is a regular file; on Linux, macOS and FreeBSD the open itself then also passes
/// <c>O_NONBLOCK</c> (a FIFO swapped in after the check opens at once instead of waiting for a writer) and, where
/// the flag's value is known, <c>O_NOFOLLOW</c> (a link swapped in is refused). The handle is then checked again:
/// seekable and non-empty, which a FIFO, socket or device is not. Elsewhere (Windows has no FIFOs in the file
/// system) it is an ordinary <see cref="FileStream"/>.
/// </summary>
internal static class RegularFileOpener
{
    private static readonly int Flags = ComputeFlags();

    private static int ComputeFlags()
    {
        if (OperatingSystem.IsLinux())
        {
            int noFollow = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 or Architecture.X86 or Architecture.RiscV64 or Architecture.LoongArch64 => 0x20000,
                Architecture.Arm or Architecture.Arm64 => 0x8000,
                _ => 0,
            };
            return 0x800 /* O_NONBLOCK */ | 0x80000 /* O_CLOEXEC */ | noFollow;
        }
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsMacCatalyst()) return 0x4 | 0x1000000 | 0x100;
        if (OperatingSystem.IsFreeBSD()) return 0x4 | 0x100000 | 0x100;
        return -1;
    }

    // "libc" alone would resolve through the development symlink libc.so (a linker script where libc6-dev is installed,
    // absent on a runtime-only machine): load the real C library by name and call its open(2) through a pointer.
    private static readonly unsafe delegate* unmanaged<byte*, int, int> OpenFunction = FindOpen();

    private static unsafe delegate* unmanaged<byte*, int, int> FindOpen()
    {
        string[] candidates = OperatingSystem.IsLinux()
            ? ["libc.so.6", $"libc.musl-{RuntimeInformation.ProcessArchitecture switch { Architecture.X64 => "x86_64", Architecture.Arm64 => "aarch64", Architecture.Arm => "armv7", Architecture.X86 => "x86", _ => "unknown" }}.so.1"]
            : ["/usr/lib/libSystem.B.dylib", "libc.so.7", "libc.dylib"];
        foreach (string candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var library) && NativeLibrary.TryGetExport(library, "open", out var open))
                return (delegate* unmanaged<byte*, int, int>)open;
        return null;
    }

    private static unsafe int Open(string path, int flags, out int errno)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(path);
        byte[] bytes = new byte[length + 1]; // NUL-terminated; a path with a NUL of its own was refused by the reader
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
        {
            Marshal.SetLastSystemError(0);
            int fd = OpenFunction(p, flags);
            errno = Marshal.GetLastSystemError();
            return fd;
        }
    }

    /// <summary>True when open(2) was found in the C library (always on Linux, macOS and FreeBSD): opens never block.</summary>
    internal static unsafe bool HasOpen() => OpenFunction != null;

    /// <summary>Opens <paramref name="path"/> for reading; the stream is unbuffered.</summary>
    /// <exception cref="IOException">The open failed, or what was opened is not a regular file.</exception>
    public static FileStream OpenRead(string path)
    {
        FileStream stream;
        if (Flags >= 0 && HasOpen())
        {
            int fd = Open(path, Flags, out int errno);
            if (fd < 0) throw new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
        }
        else stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            if (!stream.CanSeek || stream.Length == 0)
                throw new IOException($"'{path}' is empty or not a regular file (a FIFO, socket or device); only regular files are read");
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
