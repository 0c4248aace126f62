namespace Polymath.Wasm;

/// <summary>One export: name, kind and index in that kind's index space.</summary>
public sealed record Export(string Name, ExternKind Kind, uint Index);
