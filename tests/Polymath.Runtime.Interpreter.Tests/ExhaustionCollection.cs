namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// The hostile-module tests allocate tens to hundreds of MB and time cancellation: they run alone, not beside
/// tests that measure allocation or time (e.g. the steady-state no-allocation check).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExhaustionCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "exhaustion";
}
