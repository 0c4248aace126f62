using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// The wasm operand stack while a function is translated. Validated code has a known height at every
/// instruction, so each entry has a fixed frame slot (<see cref="SlotAt"/>: the locals come first). An entry
/// may also be a <em>deferred local</em>: a <c>local.get x</c> that emitted nothing and stands for local x
/// until its consumer reads slot x directly, or until it must be copied into its own slot
/// (see the interpreter's RATIONALE.md, "Fusion").
/// A v128 value is two entries, its low and its high half, in two consecutive slots (RATIONALE.md, "SIMD"): heights,
/// block arities and branch moves count 64-bit cells, and only the instructions that take a v128 know the pairs
/// (<see cref="IsV128Top"/>).
/// </summary>
internal sealed class OperandStack
{
    /// <summary>The mark of an entry that is in its own slot (not a deferred local).</summary>
    public const int NotDeferred = -1;

    /// <summary>Per entry: the local it stands for, or <see cref="NotDeferred"/>.</summary>
    private int[] _deferredLocal = new int[64];

    /// <summary>Per entry: true for the high half of a v128 (the entry below it is the low half).</summary>
    private bool[] _v128High = new bool[64];

    /// <summary>Parameters plus declared locals: the first operand slot.</summary>
    public int LocalCount { get; private set; }

    /// <summary>The number of entries.</summary>
    public int Height { get; private set; }

    /// <summary>The greatest height reached (the frame needs <see cref="LocalCount"/> + this many slots).</summary>
    public int MaxHeight { get; private set; }

    /// <summary>Empties the stack for a function with <paramref name="localCount"/> locals.</summary>
    public void Reset(int localCount)
    {
        LocalCount = localCount;
        Height = 0;
        MaxHeight = 0;
    }

    /// <summary>The frame slot of the entry at <paramref name="height"/> (0 = bottom).</summary>
    public int SlotAt(int height) => LocalCount + height;

    /// <summary>Pushes an entry in its own slot; returns the slot.</summary>
    public int Push()
    {
        int slot = SlotAt(Height);
        if (Height >= _deferredLocal.Length)
        {
            Array.Resize(ref _deferredLocal, _deferredLocal.Length * 2);
            Array.Resize(ref _v128High, _deferredLocal.Length);
        }
        _deferredLocal[Height] = NotDeferred;
        _v128High[Height] = false;
        Height++;
        if (Height > MaxHeight) MaxHeight = Height;
        return slot;
    }

    /// <summary>Pushes a deferred <c>local.get</c> of <paramref name="local"/>.</summary>
    public void PushDeferred(int local)
    {
        Push();
        _deferredLocal[Height - 1] = local;
    }

    /// <summary>Pushes a v128 in its own two slots; returns the first (low half).</summary>
    public int PushV128()
    {
        int slot = Push();
        Push();
        _v128High[Height - 1] = true;
        return slot;
    }

    /// <summary>Pushes a deferred <c>local.get</c> of the v128 local in cells <paramref name="cell"/>, <paramref name="cell"/> + 1.</summary>
    public void PushDeferredV128(int cell)
    {
        PushV128();
        _deferredLocal[Height - 2] = cell;
        _deferredLocal[Height - 1] = cell + 1;
    }

    /// <summary>Whether the top two entries are a v128 (its high half on top).</summary>
    public bool IsV128Top => Height > 0 && _v128High[Height - 1];

    /// <summary>Pops the top entry: returns its slot, and in <paramref name="deferredLocal"/> the local it stood for (or <see cref="NotDeferred"/>).</summary>
    public int Pop(out int deferredLocal)
    {
        Height--;
        deferredLocal = _deferredLocal[Height];
        if (deferredLocal != NotDeferred) _deferredLocal[Height] = NotDeferred;
        return SlotAt(Height);
    }

    /// <summary>Removes the top entry (its slot is simply no longer used).</summary>
    public void Drop()
    {
        Height--;
        _deferredLocal[Height] = NotDeferred;
    }

    /// <summary>Removes the top <paramref name="count"/> entries, which are in their own slots (their op was just removed or fused).</summary>
    public void Discard(int count) => Height -= count;

    /// <summary>
    /// Sets the height to <paramref name="height"/> after the entries from <paramref name="from"/> up were replaced by
    /// values written into their slots (block results, call results, else parameters): those are not deferred.
    /// </summary>
    public void SetHeight(int from, int height)
    {
        Height = height;
        if (Height > MaxHeight) MaxHeight = Height;
        if (Height > _deferredLocal.Length)
        {
            Array.Resize(ref _deferredLocal, Math.Max(Height, _deferredLocal.Length * 2));
            Array.Resize(ref _v128High, _deferredLocal.Length);
        }
        for (int i = from; i < Height; i++)
        {
            _deferredLocal[i] = NotDeferred;
            _v128High[i] = false;
        }
    }

    /// <summary>
    /// <see cref="SetHeight(int, int)"/> for values of <paramref name="types"/> from <paramref name="from"/> up (each v128
    /// two entries); returns the new height.
    /// </summary>
    public int SetHeight(int from, ValueType[] types)
    {
        SetHeight(from, from + Translator.Cells(types));
        int h = from;
        foreach (var t in types)
        {
            if (t == ValueType.V128) _v128High[++h] = true;
            h++;
        }
        return Height;
    }

    /// <summary>The local the entry <paramref name="depth"/> below the top stands for (0 = top), or <see cref="NotDeferred"/>.</summary>
    public int DeferredLocalOf(int depth) => _deferredLocal[Height - 1 - depth];

    /// <summary>Marks the top entry as standing for <paramref name="local"/> (after <c>local.tee</c> wrote it).</summary>
    public void DeferTop(int local) => _deferredLocal[Height - 1] = local;

    /// <summary>The local the entry at <paramref name="height"/> stands for, or <see cref="NotDeferred"/>.</summary>
    public int DeferredLocalAt(int height) => _deferredLocal[height];

    /// <summary>Marks the entry at <paramref name="height"/> as being in its own slot.</summary>
    public void ClearDeferred(int height) => _deferredLocal[height] = NotDeferred;

    /// <summary>True when some entry is a deferred read of <paramref name="local"/>.</summary>
    public bool Defers(int local)
    {
        for (int i = 0; i < Height; i++) if (_deferredLocal[i] == local) return true;
        return false;
    }
}
