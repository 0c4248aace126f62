namespace Polymath.Sdk;

/// <summary>The JSON spelling of every <see cref="ExpertCallOutcome"/>: the one name table, both ways.</summary>
public static class ExpertCallOutcomes
{
    private static readonly string[] s_names = ["result", "declined", "unknown_op", "unavailable", "limit_exceeded", "trapped", "invalid_args"];

    /// <summary>Every outcome's name, indexed by the outcome's value.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(s_names);

    /// <summary>The JSON spelling of <paramref name="outcome"/>: result, declined, unknown_op, unavailable, limit_exceeded, trapped or invalid_args.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outcome"/> is not a defined outcome.</exception>
    public static string Name(ExpertCallOutcome outcome) =>
        (uint)outcome < (uint)s_names.Length ? s_names[(int)outcome] : throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a defined call outcome");

    /// <summary>Reads an outcome's JSON spelling (exact, case-sensitive); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out ExpertCallOutcome outcome)
    {
        for (int i = 0; i < s_names.Length; i++)
            if (name.SequenceEqual(s_names[i])) { outcome = (ExpertCallOutcome)i; return true; }
        outcome = default;
        return false;
    }
}
