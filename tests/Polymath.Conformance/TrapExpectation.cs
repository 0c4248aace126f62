using Polymath.Sdk;

namespace Polymath.Conformance;

/// <summary>
/// Maps the spec testsuite's trap texts ("out of bounds memory access", "uninitialized element 2", …) to
/// <see cref="TrapKind"/>s, using <see cref="WasmTrapException.DefaultMessage"/> as the vocabulary: a text
/// expects the kind whose default message is a prefix of it. The runner compares kinds, never message texts,
/// so a runtime may word its messages freely.
/// </summary>
public static class TrapExpectation
{
    /// <summary>The spec's trap kinds (host limits such as fuel or interruption are never what a script expects).</summary>
    public static IReadOnlyList<TrapKind> SpecKinds { get; } =
    [
        TrapKind.Unreachable, TrapKind.MemoryOutOfBounds, TrapKind.TableOutOfBounds, TrapKind.IntegerOverflow,
        TrapKind.IntegerDivideByZero, TrapKind.InvalidConversionToInteger, TrapKind.IndirectCallTypeMismatch,
        TrapKind.UndefinedElement, TrapKind.UninitializedElement, TrapKind.CallStackExhausted,
    ];

    /// <summary>
    /// The kind a trap text names, or null when no kind's default message is a prefix of it (then any spec
    /// trap is accepted). The longest matching message wins.
    /// </summary>
    public static TrapKind? KindOf(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        TrapKind? best = null;
        int bestLength = -1;
        foreach (var kind in SpecKinds)
        {
            var message = WasmTrapException.DefaultMessage(kind);
            if (text.StartsWith(message, StringComparison.Ordinal) && message.Length > bestLength)
            {
                best = kind;
                bestLength = message.Length;
            }
        }
        return best;
    }

    /// <summary>
    /// True when a trap of <paramref name="actual"/> kind satisfies an assertion expecting <paramref name="text"/>.
    /// Exact kind, with one tolerance: "undefined element" (a <c>call_indirect</c> index outside the table) is
    /// also satisfied by <see cref="TrapKind.TableOutOfBounds"/>, since both describe the same out-of-table
    /// access. Unknown texts accept any spec trap kind.
    /// </summary>
    public static bool IsSatisfiedBy(string? text, TrapKind actual)
    {
        var expected = KindOf(text);
        if (expected is null) return SpecKinds.Contains(actual);
        if (expected == actual) return true;
        return expected == TrapKind.UndefinedElement && actual == TrapKind.TableOutOfBounds;
    }
}
