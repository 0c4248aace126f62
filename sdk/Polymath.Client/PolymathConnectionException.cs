namespace Polymath.Client;

/// <summary>
/// The connection to the service could not be made or closed before the request was answered. A request that fails
/// this way was not answered; whether it ran is unknown only if the service crashed (a draining service answers
/// every request it has read).
/// </summary>
public sealed class PolymathConnectionException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PolymathConnectionException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Creates the exception.</summary>
    public PolymathConnectionException() : this("the connection to the Polymath service is closed") { }

    /// <summary>Creates the exception.</summary>
    public PolymathConnectionException(string message) : this(message, null) { }
}
