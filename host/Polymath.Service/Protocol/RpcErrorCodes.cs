namespace Polymath.Service.Protocol;

/// <summary>JSON-RPC 2.0 error codes the service sends (docs/protocol.md).</summary>
public static class RpcErrorCodes
{
    /// <summary>Invalid JSON, a malformed header section or a truncated message (JSON-RPC "Parse error").</summary>
    public const int ParseError = -32700;
    /// <summary>Not a valid request object, or a message larger than the maximum (JSON-RPC "Invalid Request").</summary>
    public const int InvalidRequest = -32600;
    /// <summary>No such method (JSON-RPC "Method not found").</summary>
    public const int MethodNotFound = -32601;
    /// <summary>Missing or wrongly typed params (JSON-RPC "Invalid params").</summary>
    public const int InvalidParams = -32602;
    /// <summary>An unexpected server failure (JSON-RPC "Internal error").</summary>
    public const int InternalError = -32603;
    /// <summary>The request was cancelled by <c>$/cancelRequest</c> or by shutdown (LSP "RequestCancelled").</summary>
    public const int RequestCancelled = -32800;
    /// <summary>The service has reached its maximum number of connections.</summary>
    public const int TooManyConnections = -32000;
    /// <summary>This connection must authenticate first (<c>auth</c>), or the token is wrong.</summary>
    public const int Unauthorized = -32001;
    /// <summary>The service is shutting down and accepts no new calls.</summary>
    public const int ShuttingDown = -32002;
    /// <summary>The service is busy: its queue of calls waiting for a guest thread is full (Service:MaxQueuedCalls, Service:MaxQueuedBytes).</summary>
    public const int Busy = -32003;
}
