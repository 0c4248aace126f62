using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// The internal code of one function as it is emitted: ops (an <see cref="Op"/> then its operands, one int each),
/// where each op starts, which operands are branch targets, the fusion barrier and the fuel runs. Fusion only
/// looks at the op emitted last, and never at one before <see cref="FusionBarrier"/> (a label: code there can be
/// entered by a branch). <see cref="Finish"/> produces the two final variants, with and without fuel ops.
/// </summary>
internal sealed class CodeBuffer
{
    /// <summary>The mark of "no position" (no label bound yet, no open fuel run).</summary>
    public const int None = -1;

    private readonly List<int> _code = new(256);
    /// <summary>The position of each op's first int, in order.</summary>
    private readonly List<int> _opStarts = new(128);
    /// <summary>Code positions holding a branch target, and the start of the op each belongs to: targets are
    /// written as absolute positions while translating and made relative to their op at the end.</summary>
    private readonly List<int> _targetPositions = new(32), _targetOps = new(32);

    /// <summary>
    /// The most ints this function's code may take (see <see cref="Translator"/>: proportional to the body's size,
    /// with an absolute ceiling); emitting more throws a <see cref="WasmModuleException"/> instead of exhausting memory.
    /// </summary>
    public int Limit { get; set; } = int.MaxValue;

    /// <summary>The funcidx being translated, named by the error when <see cref="Limit"/> is exceeded.</summary>
    public uint FunctionIndex { get; set; }

    /// <summary>The number of ints emitted: the position of the next one.</summary>
    public int Count => _code.Count;

    /// <summary>The int at <paramref name="position"/>.</summary>
    public int this[int position]
    {
        get => _code[position];
        set => _code[position] = value;
    }

    /// <summary>The position of the last label bound: fusion never merges an op into one that starts at or before it.</summary>
    public int FusionBarrier { get; set; } = None;

    /// <summary>The position of the open fuel run's <see cref="Op.Fuel"/>/<see cref="Op.FuelLoop"/> op, or <see cref="None"/>.</summary>
    public int RunStart { get; private set; } = None;

    /// <summary>The number of wasm instructions in the open fuel run so far.</summary>
    public int RunLength { get; set; }

    /// <summary>The start of the op emitted last, or <see cref="None"/>.</summary>
    public int LastStart => _opStarts.Count > 0 ? _opStarts[^1] : None;

    /// <summary>Starts an op.</summary>
    public void Begin(Op op)
    {
        _opStarts.Add(_code.Count);
        Append((int)op);
    }

    /// <summary>Appends an operand of the current op.</summary>
    public void Add(int operand) => Append(operand);

    private void Append(int value)
    {
        if (_code.Count >= Limit)
            throw new WasmModuleException(WasmErrorKind.Invalid,
                $"function too large for the interpreter: its translated code would exceed {Limit} ints (an implementation limit proportional to the body's size)",
                functionIndex: FunctionIndex);
        _code.Add(value);
    }

    /// <summary>Whether the op emitted last is <paramref name="op"/> and may be fused (it starts after the barrier).</summary>
    public bool LastIs(Op op, out int start)
    {
        start = LastStart;
        return start > FusionBarrier && _code[start] == (int)op;
    }

    /// <summary>Deletes the op emitted last (it was fused into the next one).</summary>
    public void RemoveLast()
    {
        int s = _opStarts[^1];
        _code.RemoveRange(s, _code.Count - s);
        _opStarts.RemoveAt(_opStarts.Count - 1);
    }

    /// <summary>Records that the int at <paramref name="position"/> is a branch target of the op that starts at <paramref name="opStart"/>.</summary>
    public void MarkTarget(int position, int opStart)
    {
        _targetPositions.Add(position);
        _targetOps.Add(opStart);
    }

    /// <summary>Appends a branch target operand of the op emitted last, to be resolved later (see <see cref="MarkTarget"/>); returns its position.</summary>
    public int AddUnresolvedTarget()
    {
        int position = _code.Count;
        MarkTarget(position, LastStart);
        Append(None);
        return position;
    }

    /// <summary>
    /// Starts a fuel run (at a label; for a loop header, one that polls cancellation) and sets the fusion barrier there.
    /// An empty run just opened at the same place is reused.
    /// </summary>
    public void StartRun(bool loop)
    {
        if (!loop && RunStart >= 0 && RunLength == 0 && RunStart == LastStart && _code[RunStart] == (int)Op.Fuel)
        {
            FusionBarrier = RunStart;
            return;
        }
        CloseRun();
        RunStart = _code.Count;
        Begin(loop ? Op.FuelLoop : Op.Fuel);
        Append(0);
        RunLength = 0;
        FusionBarrier = RunStart;
    }

    /// <summary>Ends the open fuel run: its op charges the instructions counted.</summary>
    public void CloseRun()
    {
        if (RunStart >= 0) _code[RunStart + 1] = RunLength;
        RunStart = None;
    }

    /// <summary>The final code: <c>Metered</c> with the fuel ops, <c>Unmetered</c> without them.</summary>
    public (int[] Metered, int[] Unmetered) Finish()
    {
        var code = _code.ToArray();
        var isTarget = new bool[code.Length + 1];
        foreach (int p in _targetPositions) isTarget[code[p]] = true;
        return (FinishVariant(code, isTarget, metered: true), FinishVariant(code, isTarget, metered: false));
    }

    /// <summary>
    /// Targets made relative to their op, consecutive copies merged into <see cref="Op.Copies"/>, consecutive
    /// <c>i32.add</c>s into <see cref="Op.I32AddPair"/>,
    /// and, when not <paramref name="metered"/>, the fuel ops left out.
    /// </summary>
    private int[] FinishVariant(int[] code, bool[] isTarget, bool metered)
    {
        var map = new int[code.Length + 1];
        var output = new List<int>(code.Length);
        int n = _opStarts.Count;
        for (int i = 0; i < n; i++)
        {
            int s = _opStarts[i];
            int e = i + 1 < n ? _opStarts[i + 1] : code.Length;
            map[s] = output.Count;
            int op = code[s];
            if (!metered && op is (int)Op.Fuel or (int)Op.FuelLoop) continue;
            if (op == (int)Op.Copy && i + 1 < n && code[_opStarts[i + 1]] == (int)Op.Copy && !isTarget[_opStarts[i + 1]])
            {
                int countPos = output.Count + 1;
                output.Add((int)Op.Copies);
                output.Add(0);
                int count = 0;
                while (true)
                {
                    int cs = _opStarts[i];
                    map[cs] = countPos - 1;
                    output.Add(code[cs + 1]);
                    output.Add(code[cs + 2]);
                    count++;
                    if (i + 1 < n && code[_opStarts[i + 1]] == (int)Op.Copy && !isTarget[_opStarts[i + 1]]) i++;
                    else break;
                }
                output[countPos] = count;
                continue;
            }
            if (op == (int)Opcode.I32Add && i + 1 < n && code[_opStarts[i + 1]] == (int)Opcode.I32Add && !isTarget[_opStarts[i + 1]])
            {
                int second = _opStarts[++i];
                map[second] = map[s];
                output.Add((int)Op.I32AddPair);
                for (int j = 1; j <= 3; j++) output.Add(code[s + j]);
                for (int j = 1; j <= 3; j++) output.Add(code[second + j]);
                continue;
            }
            for (int j = s; j < e; j++) output.Add(code[j]);
        }
        map[code.Length] = output.Count;
        var result = output.ToArray();
        for (int i = 0; i < _targetPositions.Count; i++)
        {
            int p = _targetPositions[i], s = _targetOps[i];
            int ns = map[s];
            result[ns + (p - s)] = map[code[p]] - ns;
        }
        return result;
    }
}
