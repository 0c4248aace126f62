namespace Polymath.Wasm;

/// <summary>A data segment.</summary>
public sealed record DataSegment(SegmentMode Mode, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>For active segments, the memidx.</summary>
    public uint MemoryIndex { get; init; }
    /// <summary>For active segments, the offset expression.</summary>
    public ConstantExpression? Offset { get; init; }
}
