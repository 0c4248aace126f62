using Microsoft.Extensions.Logging;

namespace Polymath.Mcp;

/// <summary>The MCP server's log messages: constant templates, generated at compile time. Never written to stdout.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Op {Op} of expert {ExpertId} is not offered as an MCP tool: its name is not a valid tool name (1-128 characters from A-Z a-z 0-9 _ - .)")]
    public static partial void OpNameNotAToolName(ILogger logger, string op, string expertId);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "The argument schema of op {Op} (expert {ExpertId}) is not a valid JSON Schema; a schema derived from its arg names is used instead: {Reason}")]
    public static partial void InvalidArgsSchema(ILogger logger, string op, string expertId, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "The manifest of expert {ExpertId} describes op {Op}, which the expert does not advertise")]
    public static partial void ManifestOpNotAdvertised(ILogger logger, string expertId, string op);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "MCP tool list changed: {Added} added, {Removed} removed, {Total} tools")]
    public static partial void ToolsChanged(ILogger logger, int added, int removed, int total);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "MCP server on stdio: {Tools} tools from {Directory}")]
    public static partial void StdioStarted(ILogger logger, int tools, string directory);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "MCP server listening on {Url} (streamable HTTP): {Tools} tools")]
    public static partial void HttpStarted(ILogger logger, string url, int tools);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "MCP server bound to non-loopback address {Address}: reachable from other machines; every request must carry the bearer token from {TokenFile}")]
    public static partial void NonLoopback(ILogger logger, string address, string tokenFile);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Rejected an MCP HTTP request from {Remote}: missing or wrong bearer token")]
    public static partial void Unauthorized(ILogger logger, string remote);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Debug, Message = "Tool {Tool}: {Outcome} ({Reason})")]
    public static partial void ToolCallFailed(ILogger logger, string tool, string outcome, string reason);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Rejected an MCP HTTP request from {Remote} with {Status}: {Reason}")]
    public static partial void HttpRejected(ILogger logger, int status, string reason, string remote);
}
