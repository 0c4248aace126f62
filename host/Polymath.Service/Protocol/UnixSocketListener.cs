using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Polymath.Service.Protocol;

/// <summary>
/// Binds a Unix domain socket with mode 0600. A file already at the path is replaced only when it is a socket that
/// nobody answers on (left by a crashed run); a live service or any other kind of file makes the start fail.
/// The socket is bound under a temporary name, restricted to 0600, then renamed into place, so the final path never
/// exists with wider permissions.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class UnixSocketListener
{
    public static Socket Bind(string path, ILogger logger)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(full) || Directory.Exists(full)) RemoveStale(full, logger);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        File.Delete(temporary);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, full, overwrite: true);
            socket.Listen(); // the system maximum backlog (somaxconn)
            return socket;
        }
        catch
        {
            socket.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    private static void RemoveStale(string path, ILogger logger)
    {
        if (Directory.Exists(path)) throw new IOException($"Service:SocketPath: '{path}' is a directory");
        // A regular file opens; a socket does not (ENXIO). Never delete something that is not a socket.
        try
        {
            using (File.OpenHandle(path, FileMode.Open, FileAccess.Read)) { }
            throw new IOException($"Service:SocketPath: '{path}' exists and is not a socket; remove it or choose another path");
        }
        catch (IOException e) when (!e.Message.StartsWith("Service:", StringComparison.Ordinal)) { }
        catch (UnauthorizedAccessException) { }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            throw new IOException($"Service:SocketPath: another service is listening on '{path}'");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            File.Delete(path);
            logger.StaleSocketReplaced(path);
        }
    }

    /// <summary>Removes the socket file on shutdown.</summary>
    public static void Remove(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
