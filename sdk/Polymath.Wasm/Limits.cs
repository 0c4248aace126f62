namespace Polymath.Wasm;

/// <summary>Limits of a memory (in 64 KiB pages) or table (in elements).</summary>
/// <param name="Min">The initial size.</param>
/// <param name="Max">The optional maximum size.</param>
public readonly record struct Limits(uint Min, uint? Max)
{
    /// <summary>Import subtyping: these limits (of the provided extern) match the <paramref name="required"/> ones.</summary>
    public bool Matches(Limits required) =>
        Min >= required.Min && (required.Max is null || (Max is not null && Max.Value <= required.Max.Value));
}
