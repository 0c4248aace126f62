namespace Polymath.Client;

/// <summary>The service answered a request with a JSON-RPC error (docs/protocol.md lists the codes).</summary>
public sealed class PolymathServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolymathServiceException(int code, string message) : base($"{message} (JSON-RPC error {code})") => Code = code;

    /// <summary>Creates the exception without a code.</summary>
    public PolymathServiceException() : this(0, "service error") { }

    /// <summary>Creates the exception without a code.</summary>
    public PolymathServiceException(string message) : this(0, message) { }

    /// <summary>Creates the exception without a code.</summary>
    public PolymathServiceException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The JSON-RPC error code (e.g. -32602 invalid params, -32800 cancelled).</summary>
    public int Code { get; }
}
