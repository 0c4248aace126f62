using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>Control instructions: blocks, branches, calls, and the compare-and-branch fusions.</summary>
internal sealed partial class Translator
{
    private void VisitUnreachable()
    {
        _code.Begin(Op.Unreachable);
        _unreachable = true;
    }

    /// <summary>The single-result block types, one array per value type (no allocation per block).</summary>
    private static readonly ValueType[][] SingleResults = new ValueType[256][];

    /// <summary>The parameter and result types of <paramref name="blockType"/>.</summary>
    private (ValueType[] Params, ValueType[] Results) Signature(BlockType blockType)
    {
        switch (blockType.Kind)
        {
            case BlockTypeKind.Value:
            {
                ref var single = ref SingleResults[(byte)blockType.Result];
                return ([], single ??= [blockType.Result]);
            }
            case BlockTypeKind.TypeIndex:
            {
                var type = _module.Types[(int)blockType.TypeIndex];
                return (type.Parameters, type.Results);
            }
            default:
                return ([], []);
        }
    }

    /// <summary>Opens a block of <paramref name="kind"/> whose parameters are on top of the stack (heights in cells).</summary>
    private void PushBlock(BlockKind kind, BlockType blockType)
    {
        var (parameters, results) = Signature(blockType);
        int paramCells = Cells(parameters);
        _control.Push(kind, _operands.Height - paramCells, paramCells, Cells(results));
        _control.Innermost.ParamTypes = parameters;
        _control.Innermost.ResultTypes = results;
    }

    private void VisitBlock(BlockType blockType) => PushBlock(BlockKind.Block, blockType);

    private void VisitLoop(BlockType blockType)
    {
        PushBlock(BlockKind.Loop, blockType);
        _code.StartRun(loop: true);
        _control.Innermost.LoopStart = _code.RunStart;
    }

    private void VisitIf(BlockType blockType)
    {
        EmitTest(negate: true);
        int elseFixup = _code.AddUnresolvedTarget();
        PushBlock(BlockKind.If, blockType);
        _control.Innermost.ElseFixup = elseFixup;
        _code.StartRun(loop: false);
    }

    private void VisitElse()
    {
        ref ControlFrame frame = ref _control.Innermost;
        if (!_unreachable)
        {
            _code.Begin(Op.Br);
            AddBranchTarget(ref frame);
        }
        _code.CloseRun();
        _code.StartRun(loop: false);
        _code[frame.ElseFixup] = _code.RunStart;
        frame.ElseFixup = ControlFrame.NoElseFixup;
        _operands.SetHeight(frame.BaseHeight, frame.ParamTypes);
        _unreachable = false;
    }

    /// <summary>The <c>end</c> of a block, loop or if (the function's own end is handled by <see cref="Run"/>).</summary>
    private void VisitEnd()
    {
        var frame = _control.Pop();
        bool hasLabel = frame.BranchFixups is { Count: > 0 } || frame.ElseFixup != ControlFrame.NoElseFixup;
        bool reachable = !_unreachable || hasLabel;
        _operands.SetHeight(frame.BaseHeight, frame.ResultTypes);
        if (hasLabel)
        {
            if (_unreachable) _code.CloseRun();
            _code.StartRun(loop: false);
            if (frame.BranchFixups != null) foreach (int f in frame.BranchFixups) _code[f] = _code.RunStart;
            if (frame.ElseFixup != ControlFrame.NoElseFixup) _code[frame.ElseFixup] = _code.RunStart;
        }
        _unreachable = !reachable;
    }

    private void VisitBr(int labelidx)
    {
        EmitBranch(labelidx);
        _unreachable = true;
        _code.CloseRun();
    }

    private void VisitBrIf(int labelidx)
    {
        ref ControlFrame frame = ref _control.Label(labelidx);
        // the height after popping the condition decides the moves
        bool moves = NeedsMoves(frame, _operands.Height - 1);
        if (!moves)
        {
            EmitTest(negate: false);
            AddBranchTarget(ref frame);
        }
        else
        {
            // BrIfNot skip; moves; Br label; skip:
            EmitTest(negate: true);
            int skip = _code.AddUnresolvedTarget();
            EmitBranch(labelidx);
            _code.CloseRun();
            _code.StartRun(loop: false);
            _code[skip] = _code.RunStart;
            return;
        }
        _code.CloseRun();
        _code.StartRun(loop: false);
    }

    private void VisitBrTable(BranchTable table)
    {
        int index = Pop();
        _code.Begin(Op.BrTable);
        _code.Add(index);
        _code.Add(table.Count + 1);
        int first = _code.Count;
        for (int i = 0; i <= table.Count; i++) _code.AddUnresolvedTarget();
        int entry = first;
        Dictionary<int, int>? stubs = null;
        foreach (uint labelidx in table) ResolveBranchTableEntry(entry++, (int)labelidx, ref stubs);
        ResolveBranchTableEntry(entry, (int)table.Default, ref stubs);
        _unreachable = true;
        _code.CloseRun();
    }

    /// <summary>
    /// Points a <c>br_table</c> entry at its label, or at a stub of moves then a branch when the label needs them.
    /// Entries for the same label share one stub (<paramref name="stubs"/>: labelidx → stub position; the operand
    /// stack is the same for every entry), so N entries to a many-valued label cost N ints, not N stubs.
    /// </summary>
    private void ResolveBranchTableEntry(int position, int labelidx, ref Dictionary<int, int>? stubs)
    {
        ref ControlFrame frame = ref _control.Label(labelidx);
        if (!NeedsMoves(frame, _operands.Height))
        {
            if (frame.Kind == BlockKind.Loop) _code[position] = frame.LoopStart;
            else (frame.BranchFixups ??= []).Add(position);
        }
        else if (stubs is not null && stubs.TryGetValue(labelidx, out int stub))
        {
            _code[position] = stub;
        }
        else
        {
            _code.FusionBarrier = _code.Count;
            _code[position] = _code.Count;
            (stubs ??= new()).Add(labelidx, _code.Count);
            EmitBranch(labelidx);
        }
    }

    private void VisitReturn()
    {
        EmitReturn();
        _unreachable = true;
        _code.CloseRun();
    }

    private void VisitCall(uint funcidx)
    {
        var type = _module.GetFunctionType(funcidx);
        int argumentsBase = _operands.Height - Cells(type.Parameters);
        _code.Begin(Op.Call);
        _code.Add((int)funcidx);
        _code.Add(_operands.SlotAt(argumentsBase));
        _operands.SetHeight(argumentsBase, type.Results);
    }

    private void VisitCallIndirect(uint typeidx, uint tableidx)
    {
        var type = _module.Types[(int)typeidx];
        int index = Pop();
        int argumentsBase = _operands.Height - Cells(type.Parameters);
        _code.Begin(Op.CallIndirect);
        _code.Add((int)tableidx);
        _code.Add((int)typeidx);
        _code.Add(_operands.SlotAt(argumentsBase));
        _code.Add(index);
        _operands.SetHeight(argumentsBase, type.Results);
    }

    // ------------------------------------------------------------------ branches

    /// <summary>Appends the target of a branch to <paramref name="frame"/>'s label to the op just begun.</summary>
    private void AddBranchTarget(ref ControlFrame frame)
    {
        _code.MarkTarget(_code.Count, _code.LastStart);
        if (frame.Kind == BlockKind.Loop) _code.Add(frame.LoopStart);
        else
        {
            (frame.BranchFixups ??= []).Add(_code.Count);
            _code.Add(CodeBuffer.None);
        }
    }

    /// <summary>Copies the top <paramref name="arity"/> operands down to <paramref name="targetHeight"/> (a label's slots).</summary>
    private void EmitMoves(int arity, int targetHeight)
    {
        int source = _operands.Height - arity;
        if (source == targetHeight) return;
        for (int i = 0; i < arity; i++)
        {
            _code.Begin(Op.Copy);
            _code.Add(_operands.SlotAt(targetHeight + i));
            _code.Add(_operands.SlotAt(source + i));
        }
    }

    /// <summary>Whether a branch to <paramref name="frame"/> at operand height <paramref name="height"/> must move values
    /// first (always for the function label: the branch becomes a <see cref="Op.Return"/>).</summary>
    private static bool NeedsMoves(in ControlFrame frame, int height)
    {
        if (frame.Kind == BlockKind.Function) return true;
        int arity = frame.BranchArity;
        return height - arity != frame.BaseHeight && arity > 0;
    }

    private void EmitReturn()
    {
        int n = _control.Function.ResultCount;
        _code.Begin(Op.Return);
        _code.Add(_operands.SlotAt(_operands.Height - n));
        _code.Add(n);
    }

    /// <summary>Unconditional branch to a label (moves, then jump; or return).</summary>
    private void EmitBranch(int labelidx)
    {
        ref ControlFrame frame = ref _control.Label(labelidx);
        if (frame.Kind == BlockKind.Function)
        {
            EmitReturn();
            return;
        }
        EmitMoves(frame.BranchArity, frame.BaseHeight);
        _code.Begin(Op.Br);
        AddBranchTarget(ref frame);
    }

    /// <summary>
    /// Pops the i32 condition on top of the stack and emits a conditional branch on it, without its target
    /// (the caller appends the target, always the op's last operand). Branches when the condition is true,
    /// or false when <paramref name="negate"/>. Fuses a comparison (with a constant operand or not), an
    /// <c>i32.eqz</c>, or an <c>I32AddImm</c> that computed the condition (loop counters) into the branch.
    /// </summary>
    private void EmitTest(bool negate)
    {
        bool fresh = FromLastOp(0, out int s);
        if (fresh && IsI32Compare(_code[s]))
        {
            var compare = (Opcode)_code[s];
            if (negate) compare = InvertI32Compare(compare);
            int a = _code[s + 2], b = _code[s + 3];
            _code.RemoveLast();
            _operands.Discard(1);
            if (TryFoldConstOperand(b, out int k))
            {
                a = TryFoldLocalOperand(a);
                if (_code.LastIs(Op.I32AddImm, out int add) && _code[add + 1] == a)
                {
                    // i += k; if (i CMP n) continue: one op (AddImmBrImm, e.g. I32AddImmBrNeImm)
                    _code[add] = (int)Op.AddImmBrImm + (CompareBranchWithImmediate(compare) - Op.BrI32LtSImm);
                    _code.Add(k);
                    return;
                }
                _code.Begin(CompareBranchWithImmediate(compare));
                _code.Add(a); _code.Add(k);
            }
            else
            {
                _code.Begin(CompareBranch(compare));
                _code.Add(a); _code.Add(b);
            }
            return;
        }
        if (fresh && _code[s] == (int)Opcode.I32Eqz)
        {
            int a = _code[s + 2];
            _code.RemoveLast();
            _operands.Discard(1);
            _code.Begin(negate ? Op.BrIf : Op.BrI32Eqz);
            _code.Add(a);
            return;
        }
        int condition = Pop();
        if (!negate && _code.LastIs(Op.I32AddImm, out int addImm) && _code[addImm + 1] == condition)
        {
            _code[addImm] = (int)Op.I32AddImmBrNz;
            return;
        }
        _code.Begin(negate ? Op.BrIfNot : Op.BrIf);
        _code.Add(condition);
    }

    /// <summary>If <paramref name="slot"/> is an operand slot written just before (now last) by a copy from a local, removes the copy and returns the local.</summary>
    private int TryFoldLocalOperand(int slot)
    {
        if (slot >= _operands.LocalCount && _code.LastIs(Op.Copy, out int s) && _code[s + 1] == slot && _code[s + 2] < _operands.LocalCount)
        {
            int source = _code[s + 2];
            _code.RemoveLast();
            return source;
        }
        return slot;
    }

    /// <summary>If <paramref name="slot"/> is an operand slot written by a Const32 just before (now last), removes it.</summary>
    private bool TryFoldConstOperand(int slot, out int value)
    {
        if (slot >= _operands.LocalCount && _code.LastIs(Op.Const32, out int s) && _code[s + 1] == slot)
        {
            value = _code[s + 2];
            _code.RemoveLast();
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>The ten i32 comparisons (<c>i32.eq</c> … <c>i32.ge_u</c>), as internal ops.</summary>
    private static bool IsI32Compare(int op) => op is >= (int)Opcode.I32Eq and <= (int)Opcode.I32GeU;

    private static Op CompareBranch(Opcode compare) => compare switch
    {
        Opcode.I32Eq => Op.BrI32Eq, Opcode.I32Ne => Op.BrI32Ne, Opcode.I32LtS => Op.BrI32LtS, Opcode.I32LtU => Op.BrI32LtU,
        Opcode.I32GtS => Op.BrI32GtS, Opcode.I32GtU => Op.BrI32GtU, Opcode.I32LeS => Op.BrI32LeS, Opcode.I32LeU => Op.BrI32LeU,
        Opcode.I32GeS => Op.BrI32GeS, Opcode.I32GeU => Op.BrI32GeU,
        _ => throw new ArgumentOutOfRangeException(nameof(compare)),
    };

    private static Op CompareBranchWithImmediate(Opcode compare) => compare switch
    {
        Opcode.I32Eq => Op.BrI32EqImm, Opcode.I32Ne => Op.BrI32NeImm, Opcode.I32LtS => Op.BrI32LtSImm, Opcode.I32LtU => Op.BrI32LtUImm,
        Opcode.I32GtS => Op.BrI32GtSImm, Opcode.I32GtU => Op.BrI32GtUImm, Opcode.I32LeS => Op.BrI32LeSImm, Opcode.I32LeU => Op.BrI32LeUImm,
        Opcode.I32GeS => Op.BrI32GeSImm, Opcode.I32GeU => Op.BrI32GeUImm,
        _ => throw new ArgumentOutOfRangeException(nameof(compare)),
    };

    /// <summary>The i32 comparison that is true exactly when <paramref name="compare"/> is false.</summary>
    private static Opcode InvertI32Compare(Opcode compare) => compare switch
    {
        Opcode.I32Eq => Opcode.I32Ne, Opcode.I32Ne => Opcode.I32Eq,
        Opcode.I32LtS => Opcode.I32GeS, Opcode.I32GeS => Opcode.I32LtS, Opcode.I32LtU => Opcode.I32GeU, Opcode.I32GeU => Opcode.I32LtU,
        Opcode.I32GtS => Opcode.I32LeS, Opcode.I32LeS => Opcode.I32GtS, Opcode.I32GtU => Opcode.I32LeU, Opcode.I32LeU => Opcode.I32GtU,
        _ => throw new ArgumentOutOfRangeException(nameof(compare)),
    };
}
