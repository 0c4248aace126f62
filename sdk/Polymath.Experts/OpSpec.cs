using System.Text.Json;

namespace Polymath.Experts;

/// <summary>One op an expert handles: its name and the arg keys it reads (larql OpSpec).</summary>
/// <param name="Name">The op name.</param>
/// <param name="Args">The arg keys (optional keys included); empty for old-style metadata.</param>
public sealed record OpSpec(string Name, IReadOnlyList<string> Args);
