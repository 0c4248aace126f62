namespace Polymath.Wasm;

/// <summary>The three encodings of a <c>blocktype</c> (spec 5.4.1).</summary>
public enum BlockTypeKind : byte
{
    /// <summary><c>0x40</c>: the block takes and returns nothing, [] → [].</summary>
    Empty,
    /// <summary>A single <c>valtype</c>: the block returns one value, [] → [t].</summary>
    Value,
    /// <summary>An <c>s33</c> type index: the block has the parameters and results of that function type.</summary>
    TypeIndex,
}
