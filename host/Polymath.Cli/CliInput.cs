using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Cli;

/// <summary>
/// Reads what a command line points at — <c>@FILE</c> and <c>-</c> (standard input) for call args, <c>--token-file</c>,
/// <c>run</c>'s and <c>inspect</c>'s module — with a cap on the size and, for files, regular files only: a FIFO, socket
/// or terminal is refused without blocking (it is opened non-blocking and checked before anything is read), a
/// directory is refused by name. Text must be valid UTF-8 (a leading BOM is dropped). Every failure is a
/// <see cref="CliUsageException"/> whose message names the file and says what is wrong.
/// </summary>
internal static class CliInput
{
    /// <summary>The largest call args accepted from <c>@FILE</c> or standard input: 16 MiB.</summary>
    public const int MaxArgsBytes = 16 << 20;

    /// <summary>The largest token file: 64 KiB.</summary>
    public const int MaxTokenBytes = 64 << 10;

    /// <summary>The largest module <c>run</c> and <c>inspect</c> read: 256 MiB.</summary>
    public const int MaxModuleBytes = 256 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The ARGS_JSON of <c>polymath call</c>: inline JSON, <c>-</c> for standard input, or <c>@FILE</c> for a file's content.
    /// </summary>
    /// <exception cref="CliUsageException">The file or standard input cannot be read, is too large or is not UTF-8.</exception>
    public static string? ReadArgs(string? argument, Func<Stream> stdin)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        if (argument == "-")
        {
            using var input = stdin();
            return Decode(ReadBounded(input, MaxArgsBytes, "standard input (args)"), "standard input (args)");
        }
        if (argument is { Length: > 1 } && argument[0] == '@')
            return ReadText(argument[1..], "the args file", MaxArgsBytes, "; give a regular file, or - for standard input");
        return argument;
    }

    /// <summary>A regular file's text (strict UTF-8), at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="CliUsageException">It cannot be read, is not a regular file, is too large or is not UTF-8.</exception>
    public static string ReadText(string path, string what, int maxBytes, string hint = "")
    {
        var bytes = ReadFile(path, what, maxBytes, hint);
        return Decode(bytes, $"{what} {HumanText.Sanitize(path)}");
    }

    /// <summary>A regular file's bytes, at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="CliUsageException">It cannot be read, is not a regular file or is too large.</exception>
    public static byte[] ReadFile(string path, string what, int maxBytes, string hint = "")
    {
        ArgumentNullException.ThrowIfNull(path);
        string shown = $"{what} {HumanText.Sanitize(path)}";
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
            throw new CliUsageException($"{shown}: not a valid path");
        if (Directory.Exists(path))
            throw new CliUsageException($"{shown} is a directory, not a file");
        try
        {
            using var stream = OpenRegularFile(path, shown, hint);
            return ReadBounded(stream, maxBytes, shown);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"cannot read {shown}: {HumanText.Sanitize(e.Message)}");
        }
    }

    /// <summary>
    /// Checks, without blocking, that <paramref name="path"/> is not a directory, FIFO, socket or terminal before another
    /// component opens it (plugins.json, a configuration file); a missing file is left for that component to report.
    /// </summary>
    /// <exception cref="CliUsageException">It exists and is not a regular file.</exception>
    public static void EnsureRegularFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        string shown = $"{what} {HumanText.Sanitize(path)}";
        if (path.Contains('\0', StringComparison.Ordinal)) throw new CliUsageException($"{shown}: not a valid path");
        if (Directory.Exists(path)) throw new CliUsageException($"{shown} is a directory, not a file");
        if (!File.Exists(path)) return;
        try { OpenRegularFile(path, shown, "").Dispose(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read {shown}: {HumanText.Sanitize(e.Message)}");
        }
    }

    private static FileStream OpenRegularFile(string path, string shown, string hint)
    {
        if (OperatingSystem.IsWindows())
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        // Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK makes the open return at once, and a
        // FIFO, socket or terminal then shows itself by not being seekable.
        if (!LibcResolverSet) throw new InvalidOperationException("the libc resolver was not installed");
        int flags = OperatingSystem.IsLinux() ? LinuxNonBlock | LinuxCloseOnExec : BsdNonBlock | BsdCloseOnExec;
        int fd = Open(path, flags);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new FileNotFoundException(Marshal.GetPInvokeErrorMessage(errno)),
                13 => new UnauthorizedAccessException(Marshal.GetPInvokeErrorMessage(errno)),
                _ => new IOException(Marshal.GetPInvokeErrorMessage(errno)),
            };
        }
        var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new CliUsageException($"{shown} is not a regular file (a FIFO, socket or terminal){hint}");
        }
        return stream;
    }

    private static byte[] ReadBounded(Stream stream, int maxBytes, string shown)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new CliUsageException($"{shown} is larger than the {Size(maxBytes)} this command reads");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string Decode(byte[] bytes, string shown)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        try { return StrictUtf8.GetString(span); }
        catch (DecoderFallbackException e)
        {
            string at = e.Index >= 0 ? $" (byte {e.Index + bytes.Length - span.Length})" : "";
            throw new CliUsageException($"{shown} is not valid UTF-8{at}");
        }
    }

    private static string Size(int bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    private const int LinuxNonBlock = 0x800, LinuxCloseOnExec = 0x80000;
    private const int BsdNonBlock = 0x4, BsdCloseOnExec = 0x1000000;

    // "libc" alone resolves through the development symlink libc.so (a linker script where libc6-dev is installed, absent
    // on a runtime-only machine): name the real C library first.
    private static readonly bool LibcResolverSet = SetLibcResolver();

    private static bool SetLibcResolver()
    {
        NativeLibrary.SetDllImportResolver(typeof(CliInput).Assembly, (name, _, _) =>
        {
            if (name != "libc") return IntPtr.Zero;
            string[] candidates = OperatingSystem.IsLinux()
                ? ["libc.so.6", $"libc.musl-{RuntimeInformation.ProcessArchitecture switch { Architecture.X64 => "x86_64", Architecture.Arm64 => "aarch64", Architecture.Arm => "armv7", Architecture.X86 => "x86", _ => "unknown" }}.so.1"]
                : ["/usr/lib/libSystem.B.dylib", "libc.dylib"];
            foreach (var candidate in candidates)
                if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
            return IntPtr.Zero;
        });
        return true;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
