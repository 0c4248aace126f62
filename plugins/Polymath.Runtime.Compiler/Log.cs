using Microsoft.Extensions.Logging;

namespace Polymath.Runtime.Compiler;

/// <summary>The compiler runtime's log messages (the code cache's own are <c>CodeCache</c>'s, shared with Wasmtime).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Compiler code cache: module not cached, its functions are compiled on first call: {Reason}")]
    public static partial void NotCacheable(ILogger logger, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Compiler code cache: {Functions} functions compiled to an assembly of {Bytes} bytes in {Milliseconds:F1} ms")]
    public static partial void Built(ILogger logger, int functions, int bytes, double milliseconds);
}
