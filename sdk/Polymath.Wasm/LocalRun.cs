namespace Polymath.Wasm;

/// <summary>A run of locals of one type in a function body (the binary format's compressed form).</summary>
public readonly record struct LocalRun(uint Count, ValueType Type);
