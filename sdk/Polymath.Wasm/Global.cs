namespace Polymath.Wasm;

/// <summary>A global defined by the module.</summary>
public sealed record Global(GlobalType Type, ConstantExpression Init);
