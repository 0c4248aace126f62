namespace Polymath.Host.Experts;

/// <summary>
/// One op claimed by two experts, as seen from one of them: the other claimant, which of the two serves the op and by
/// which rule (docs/experts.md, "Ops claimed by two packages"). Both experts list the conflict.
/// </summary>
/// <param name="Op">The op name.</param>
/// <param name="OtherId">The id of the other expert that claims the op.</param>
/// <param name="OtherSource">The other expert's package file or folder.</param>
/// <param name="Wins">True when this expert serves the op; false when <paramref name="OtherId"/> does.</param>
/// <param name="Rule">Why the winner wins: <c>callable</c>, <c>signed</c>, <c>tier</c> or <c>path</c>.</param>
/// <param name="Explanation">One line, e.g. <c>op gcd also claimed by evil (evil.wasm); this expert wins because it is signed and evil is not</c>.</param>
public sealed record OpConflict(string Op, string OtherId, string OtherSource, bool Wins, string Rule, string Explanation);
