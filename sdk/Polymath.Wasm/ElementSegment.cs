namespace Polymath.Wasm;

/// <summary>An element segment. Function-index lists are decoded as <c>ref.func</c> items.</summary>
public sealed record ElementSegment(SegmentMode Mode, ValueType ElementType, IReadOnlyList<ConstantExpression> Items)
{
    /// <summary>For active segments, the tableidx.</summary>
    public uint TableIndex { get; init; }
    /// <summary>For active segments, the offset expression.</summary>
    public ConstantExpression? Offset { get; init; }
}
