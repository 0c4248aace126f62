namespace Polymath.Wasm;

/// <summary>Segment mode (active, passive, declarative).</summary>
public enum SegmentMode : byte
{
    /// <summary>Copied into a table/memory at instantiation.</summary>
    Active,
    /// <summary>Available to <c>table.init</c>/<c>memory.init</c>.</summary>
    Passive,
    /// <summary>Element segments only: declares functions for <c>ref.func</c>; dropped at instantiation.</summary>
    Declarative,
}
