using System.Text;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Experts;

/// <summary>The guest broke the larql ABI. The instance must be discarded.</summary>
public sealed class ExpertAbiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExpertAbiException(AbiViolation violation, string message, Exception? inner = null) : base(message, inner) => Violation = violation;

    /// <summary>Which rule was broken.</summary>
    public AbiViolation Violation { get; }
}
