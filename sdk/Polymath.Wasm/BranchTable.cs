namespace Polymath.Wasm;

/// <summary>
/// The immediates of <c>br_table l* l_N</c>, read without allocating: the label count, the default label,
/// and an enumerator that decodes the other labels from the code on demand (read by
/// <see cref="InstructionReader.ReadBranchTable"/>). Enumerate with <c>foreach (uint labelidx in table)</c>.
/// </summary>
public readonly ref struct BranchTable
{
    private readonly ReadOnlySpan<byte> _targets;
    private readonly int _baseOffset;

    internal BranchTable(ReadOnlySpan<byte> targets, int baseOffset, int count, uint defaultLabel)
    {
        _targets = targets;
        _baseOffset = baseOffset;
        Count = count;
        Default = defaultLabel;
    }

    /// <summary>The number of labels in the table, the default label not included.</summary>
    public int Count { get; }

    /// <summary>The default <c>labelidx</c> l_N, taken when the operand is not below <see cref="Count"/>.</summary>
    public uint Default { get; }

    /// <summary>Enumerates the <see cref="Count"/> labels of the table (not the default), in order.</summary>
    public Enumerator GetEnumerator() => new(new WasmReader(_targets, _baseOffset), Count);

    /// <summary>Decodes the labels of a <see cref="BranchTable"/> one by one.</summary>
    public ref struct Enumerator
    {
        private WasmReader _reader;
        private int _left;

        internal Enumerator(WasmReader reader, int count)
        {
            _reader = reader;
            _left = count;
            Current = 0;
        }

        /// <summary>The current <c>labelidx</c>.</summary>
        public uint Current { get; private set; }

        /// <summary>Moves to the next label; false after the last.</summary>
        public bool MoveNext()
        {
            if (_left == 0) return false;
            _left--;
            Current = _reader.ReadVarU32();
            return true;
        }
    }
}
