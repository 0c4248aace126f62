namespace Polymath.Wasm;

/// <summary>
/// The <c>blocktype</c> immediate of <c>block</c>, <c>loop</c> and <c>if</c>: empty, one result type, or a
/// type index (read by <see cref="InstructionReader.ReadBlockType"/>).
/// </summary>
public readonly struct BlockType : IEquatable<BlockType>
{
    private BlockType(BlockTypeKind kind, ValueType result, uint typeIndex)
    {
        Kind = kind;
        Result = result;
        TypeIndex = typeIndex;
    }

    /// <summary>The block type [] → [].</summary>
    public static BlockType Empty => default;

    /// <summary>The block type [] → [<paramref name="result"/>].</summary>
    public static BlockType FromValueType(ValueType result) => new(BlockTypeKind.Value, result, 0);

    /// <summary>The block type of function type <paramref name="typeidx"/>.</summary>
    public static BlockType FromTypeIndex(uint typeidx) => new(BlockTypeKind.TypeIndex, 0, typeidx);

    /// <summary>Which encoding this is.</summary>
    public BlockTypeKind Kind { get; }

    /// <summary>The result type when <see cref="Kind"/> is <see cref="BlockTypeKind.Value"/>; otherwise 0.</summary>
    public ValueType Result { get; }

    /// <summary>The <c>typeidx</c> when <see cref="Kind"/> is <see cref="BlockTypeKind.TypeIndex"/> (not yet checked against the module); otherwise 0.</summary>
    public uint TypeIndex { get; }

    /// <summary>The number of parameters and results, looking type indices up in <paramref name="types"/> (which must contain <see cref="TypeIndex"/>).</summary>
    public (int Params, int Results) Arity(IReadOnlyList<FuncType> types) => Kind switch
    {
        BlockTypeKind.Empty => (0, 0),
        BlockTypeKind.Value => (0, 1),
        _ => (types[(int)TypeIndex].Parameters.Length, types[(int)TypeIndex].Results.Length),
    };

    /// <inheritdoc />
    public bool Equals(BlockType other) => Kind == other.Kind && Result == other.Result && TypeIndex == other.TypeIndex;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BlockType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Result, TypeIndex);

    /// <summary>Equality.</summary>
    public static bool operator ==(BlockType left, BlockType right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BlockType left, BlockType right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        BlockTypeKind.Empty => "[]",
        BlockTypeKind.Value => $"[{Result.ToWat()}]",
        _ => $"type {TypeIndex}",
    };
}
