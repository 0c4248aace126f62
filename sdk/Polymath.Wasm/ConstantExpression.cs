namespace Polymath.Wasm;

/// <summary>A decoded constant expression (global initialisers, segment offsets, element items).</summary>
/// <param name="Kind">Which instruction.</param>
/// <param name="Type">The value type it produces (for <c>global.get</c>, filled in by the reader from the global's type).</param>
/// <param name="Bits">For <see cref="ConstantKind.Const"/>: the value's bit pattern (i32 sign-extended is not applied: low 32 bits hold it).</param>
/// <param name="Index">For <see cref="ConstantKind.RefFunc"/> the funcidx; for <see cref="ConstantKind.GlobalGet"/> the globalidx.</param>
public readonly record struct ConstantExpression(ConstantKind Kind, ValueType Type, ulong Bits, uint Index)
{
    /// <summary>For a <c>v128.const</c> (<see cref="ValueType.V128"/>): the high 64 bits (<see cref="Bits"/> holds the low 64).</summary>
    public ulong HighBits { get; init; }
}
