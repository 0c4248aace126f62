using Polymath.Host.Catalog;

namespace Polymath.Host.Experts;

/// <summary>The binding decision for one expert, with its explanation.</summary>
/// <param name="Status">Bound, degraded or unavailable.</param>
/// <param name="Runtime">The chosen runtime (null when unavailable).</param>
/// <param name="Reason">One line saying why: the choice, what was lost, or why nothing can run it.</param>
/// <param name="Lost">For degraded: each thing lost, with why.</param>
/// <param name="Fix">For unavailable: what would make it run (null when nothing is known).</param>
public sealed record ExpertBinding(ExpertStatus Status, RuntimeReport? Runtime, string Reason, IReadOnlyList<string> Lost, string? Fix)
{
    /// <summary>The chosen runtime's id, or null.</summary>
    public string? RuntimeId => Runtime?.Id;
}
