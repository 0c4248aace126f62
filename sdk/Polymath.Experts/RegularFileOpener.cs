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
internal static partial class RegularFileOpener
{
    private static readonly int Flags = ComputeFlags();
    private static bool _libcMissing;

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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>Opens <paramref name="path"/> for reading; the stream is unbuffered.</summary>
    /// <exception cref="IOException">The open failed, or what was opened is not a regular file.</exception>
    public static FileStream OpenRead(string path)
    {
        FileStream stream;
        if (Flags >= 0 && !Volatile.Read(ref _libcMissing))
        {
            int fd;
            try { fd = Open(path, Flags); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                Volatile.Write(ref _libcMissing, true);
                return OpenRead(path);
            }
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
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
