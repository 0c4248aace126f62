namespace Polymath.Sdk;

/// <summary>Instantiation failed because an import is missing or has the wrong type (assert_unlinkable).</summary>
public sealed class WasmLinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WasmLinkException(string message) : base(message) { }
}
