namespace Polymath.Wasm;

/// <summary>A table type: element reference type and limits.</summary>
public sealed record TableType(ValueType ElementType, Limits Limits);
