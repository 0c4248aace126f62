namespace Polymath.Wasm;

/// <summary>Whether a module failed to decode (malformed) or to validate (invalid).</summary>
public enum WasmErrorKind
{
    /// <summary>The binary does not follow the binary format (assert_malformed).</summary>
    Malformed,
    /// <summary>The module decodes but breaks a validation rule (assert_invalid).</summary>
    Invalid,
}
