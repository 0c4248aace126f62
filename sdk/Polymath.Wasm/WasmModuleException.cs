namespace Polymath.Wasm;

/// <summary>
/// The only exception the reader and validator throw for bad input. Carries the spec's kind,
/// the byte offset in the binary and, inside code, the function index.
/// </summary>
public sealed class WasmModuleException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WasmModuleException(WasmErrorKind kind, string message, long offset = -1, uint? functionIndex = null)
        : base(Format(kind, message, offset, functionIndex))
    {
        Kind = kind;
        Reason = message;
        Offset = offset;
        FunctionIndex = functionIndex;
    }

    /// <summary>Malformed or invalid.</summary>
    public WasmErrorKind Kind { get; }

    /// <summary>The reason without position (e.g. "type mismatch").</summary>
    public string Reason { get; }

    /// <summary>Byte offset in the module binary, or -1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>The funcidx being decoded or validated, if the error is inside a function.</summary>
    public uint? FunctionIndex { get; }

    private static string Format(WasmErrorKind kind, string message, long offset, uint? functionIndex)
    {
        var where = functionIndex is { } f ? $" in function {f}" : "";
        var at = offset >= 0 ? $" at byte 0x{offset:X}" : "";
        return $"{(kind == WasmErrorKind.Malformed ? "malformed" : "invalid")} module: {message}{where}{at}";
    }
}
