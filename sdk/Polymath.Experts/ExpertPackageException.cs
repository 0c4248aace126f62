using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polymath.Experts;

/// <summary>A package could not be read: the message names the file and, when known, the field.</summary>
public sealed class ExpertPackageException : Exception
{
    /// <summary>Creates the exception. Control characters in the message (from a file name, say) are shown as <c>\uXXXX</c>.</summary>
    public ExpertPackageException(string source, string? field, string message, Exception? inner = null)
        : base(ExpertManifest.Printable(field is null ? $"{source}: {message}" : $"{source}: field '{field}' {message}"), inner)
    {
        Source = source;
        Field = field;
        Reason = message;
    }

    /// <summary>The file or package the error is in.</summary>
    public new string Source { get; }

    /// <summary>The manifest field (JSON path such as <c>payloads.wasm.sha256</c>), when the error is about one.</summary>
    public string? Field { get; }

    /// <summary>The reason without the location.</summary>
    public string Reason { get; }
}
