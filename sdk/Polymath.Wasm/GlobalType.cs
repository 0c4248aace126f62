namespace Polymath.Wasm;

/// <summary>A global type: value type and mutability.</summary>
public sealed record GlobalType(ValueType ValueType, bool Mutable);
