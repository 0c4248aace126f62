using System.Text;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>What went wrong when a guest broke the larql ABI.</summary>
public enum AbiViolation
{
    /// <summary>A required export is missing or has the wrong type.</summary>
    MissingExport,
    /// <summary><c>larql_alloc</c> returned 0.</summary>
    AllocFailed,
    /// <summary>A pointer (or pointer + length) returned by the guest lies outside its memory.</summary>
    WildPointer,
    /// <summary>The result has no NUL terminator before the end of memory.</summary>
    MissingNul,
    /// <summary>The result is larger than the configured maximum.</summary>
    ResultTooLarge,
    /// <summary>The result is not valid UTF-8 JSON of the expected shape.</summary>
    InvalidResult,
}
