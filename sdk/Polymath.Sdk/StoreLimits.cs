namespace Polymath.Sdk;

/// <summary>Limits that apply to everything in one store.</summary>
public sealed record StoreLimits
{
    /// <summary>Default limits: 256 pages (16 MiB) per memory, 10,000 table elements, call depth 10,000.</summary>
    public static StoreLimits Default { get; } = new();

    /// <summary>Cap on any memory's size in pages; growth beyond it fails as the spec allows (memory.grow returns -1).</summary>
    public uint MaxMemoryPages { get; init; } = 256;

    /// <summary>Cap on any table's size in elements; growth beyond it fails (table.grow returns -1).</summary>
    public uint MaxTableElements { get; init; } = 10_000;

    /// <summary>Maximum wasm call depth; deeper calls trap with <see cref="TrapKind.CallStackExhausted"/>.</summary>
    public int MaxCallDepth { get; init; } = 10_000;

    /// <summary>
    /// Cap on the bytes a runtime may use for the wasm value stack (locals and operands of all active frames);
    /// a call that would need more traps with <see cref="TrapKind.CallStackExhausted"/>. It bounds deep recursion
    /// of functions with many locals, which <see cref="MaxCallDepth"/> alone does not. Default 64 MiB.
    /// Runtimes whose stack is not theirs to size (a JIT on the native stack) may ignore it.
    /// </summary>
    public long MaxValueStackBytes { get; init; } = 64L << 20;
}
