namespace Polymath.Host.Catalog;

/// <summary>No runtime that can serve the request is available.</summary>
public sealed class RuntimeNotAvailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuntimeNotAvailableException(string message) : base(message) { }
}
