using System.Text;
using Microsoft.Extensions.Logging;
using Polymath.Experts;
using Polymath.Host.Logging;

namespace Polymath.Host.Experts;

/// <summary>Routes granted guest stdout/stderr to a logger, one log entry per write (trailing newline trimmed).</summary>
public sealed class LoggerWasiSink(ILogger logger) : IWasiOutputSink
{
    /// <inheritdoc />
    public void Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        string text = Encoding.UTF8.GetString(data).TrimEnd('\n', '\r');
        if (fd == 2) Log.GuestStderr(logger, text);
        else Log.GuestStdout(logger, text);
    }
}
