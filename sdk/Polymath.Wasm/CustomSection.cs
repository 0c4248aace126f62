namespace Polymath.Wasm;

/// <summary>A custom section (raw).</summary>
public sealed record CustomSection(string Name, ReadOnlyMemory<byte> Data);
