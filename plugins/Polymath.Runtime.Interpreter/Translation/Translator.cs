using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// Translates one validated function body into the internal register-style form (see RATIONALE.md).
/// Relies on validation: stack heights are computed without type checks.
/// </summary>
/// <remarks>
/// The loop in <see cref="Run"/> reads each instruction with <see cref="InstructionReader"/> and hands it to a
/// <c>Visit…</c> method of its family: control (Translator.Control.cs), parametric and variable instructions
/// (Translator.Variables.cs), memory (Translator.Memory.cs), constants and numeric instructions
/// (Translator.Numeric.cs), and the <c>0xFC</c> instructions (Translator.Prefixed.cs). The state lives in three
/// collaborators: the <see cref="OperandStack"/> (heights, slots, deferred <c>local.get</c>s), the
/// <see cref="ControlStack"/> (open blocks and their unresolved branches) and the <see cref="CodeBuffer"/> (the
/// code emitted so far, fusion barrier, fuel runs).
/// </remarks>
internal sealed partial class Translator
{
    private readonly Module _module;
    private readonly CodeBuffer _code = new();
    private readonly OperandStack _operands = new();
    private readonly ControlStack _control = new();
    /// <summary>True after <c>unreachable</c>, <c>br</c>, <c>br_table</c> or <c>return</c>: the rest of the block is skipped, not translated.</summary>
    private bool _unreachable;

    /// <summary>Per local: its first frame cell (a v128 local takes two); null when the function has no v128 local (cell = index).</summary>
    private int[]? _localCell;
    /// <summary>Per local: whether it is a v128 (only when <see cref="_localCell"/> is not null).</summary>
    private bool[]? _localV128;

    private Translator(Module module) => _module = module;

    /// <summary>The frame cells values of <paramref name="types"/> take (a v128 two, everything else one).</summary>
    public static int Cells(ValueType[] types)
    {
        int n = types.Length;
        foreach (var t in types) if (t == ValueType.V128) n++;
        return n;
    }

    /// <summary>The first frame cell of local <paramref name="localidx"/>.</summary>
    private int Cell(int localidx) => _localCell is null ? localidx : _localCell[localidx];

    /// <summary>Whether local <paramref name="localidx"/> is a v128.</summary>
    private bool IsV128Local(int localidx) => _localV128 is not null && _localV128[localidx];

    /// <summary>Lays out the locals (parameters first) in frame cells; returns the number of cells.</summary>
    private int LayOutLocals(FuncType type, FunctionBody body)
    {
        bool any = Array.IndexOf(type.Parameters, ValueType.V128) >= 0;
        foreach (var run in body.Locals) any |= run.Type == ValueType.V128;
        int count = type.Parameters.Length + body.LocalCount;
        if (!any) return count;
        _localCell = new int[count];
        _localV128 = new bool[count];
        int local = 0, cell = 0;
        foreach (var t in type.Parameters) Place(t, ref local, ref cell);
        foreach (var run in body.Locals)
            for (uint i = 0; i < run.Count; i++) Place(run.Type, ref local, ref cell);
        return cell;
    }

    private void Place(ValueType t, ref int local, ref int cell)
    {
        _localCell![local] = cell;
        _localV128![local] = t == ValueType.V128;
        local++;
        cell += t == ValueType.V128 ? 2 : 1;
    }

    /// <summary>Translated code may take this many ints per byte of the body (legitimate code needs a few)…</summary>
    private const int CodeIntsPerBodyByte = 32;
    /// <summary>…plus this many…</summary>
    private const int CodeIntsBase = 1 << 20;
    /// <summary>…and never more than this (128 MiB): a few bytes of branches with many-valued labels cannot make gigabytes of moves.</summary>
    private const int CodeIntsCeiling = 1 << 25;

    public static CompiledCode Translate(Module module, uint funcidx)
    {
        var t = new Translator(module);
        return t.Run(funcidx);
    }

    private CompiledCode Run(uint funcidx)
    {
        int defined = (int)(funcidx - (uint)_module.ImportedFunctionCount);
        var type = _module.Types[(int)_module.Functions[defined]];
        var body = _module.Codes[defined];
        _operands.Reset(LayOutLocals(type, body));
        _control.Reset(Cells(type.Results));
        _code.FunctionIndex = funcidx;
        _code.Limit = (int)Math.Min((long)CodeIntsPerBodyByte * body.Code.Length + CodeIntsBase, CodeIntsCeiling);
        _code.StartRun(loop: false);
        var r = new InstructionReader(body.Code.Span, body.CodeOffset);
        while (true)
        {
            Opcode op;
            if (_unreachable) op = SkipUnreachable(ref r);
            else
            {
                op = r.ReadOpcode();
                if (op is not (Opcode.End or Opcode.Else)) _code.RunLength++;
                if (!KeepsDeferredLocals(op)) MaterializeDeferredLocals();
            }
            if (op == Opcode.End && _control.Count == 1)
            {
                if (!_unreachable) EmitReturn();
                _code.CloseRun();
                var (metered, unmetered) = _code.Finish();
                return new CompiledCode
                {
                    Code = metered,
                    FastCode = unmetered,
                    LocalCount = _operands.LocalCount,
                    ParamCount = Cells(type.Parameters),
                    ResultCount = Cells(type.Results),
                    FrameSize = _operands.LocalCount + _operands.MaxHeight + 1,
                };
            }
            Visit(ref r, op, funcidx);
        }
    }

    /// <summary>Translates one instruction (its opcode read, its immediates not yet).</summary>
    private void Visit(ref InstructionReader r, Opcode op, uint funcidx)
    {
        switch (op)
        {
            case Opcode.Unreachable: VisitUnreachable(); break;
            case Opcode.Nop: break;
            case Opcode.Block: VisitBlock(r.ReadBlockType()); break;
            case Opcode.Loop: VisitLoop(r.ReadBlockType()); break;
            case Opcode.If: VisitIf(r.ReadBlockType()); break;
            case Opcode.Else: VisitElse(); break;
            case Opcode.End: VisitEnd(); break;
            case Opcode.Br: VisitBr((int)r.ReadLabelIndex()); break;
            case Opcode.BrIf: VisitBrIf((int)r.ReadLabelIndex()); break;
            case Opcode.BrTable: VisitBrTable(r.ReadBranchTable()); break;
            case Opcode.Return: VisitReturn(); break;
            case Opcode.Call: VisitCall(r.ReadFunctionIndex()); break;
            case Opcode.CallIndirect:
                r.ReadCallIndirect(out uint typeidx, out uint tableidx);
                VisitCallIndirect(typeidx, tableidx);
                break;
            case Opcode.Drop: VisitDrop(); break;
            case Opcode.Select: VisitSelect(); break;
            case Opcode.SelectT:
                r.ReadSelectTypes();
                VisitSelect();
                break;
            case Opcode.LocalGet: VisitLocalGet((int)r.ReadLocalIndex()); break;
            case Opcode.LocalSet: VisitLocalSet((int)r.ReadLocalIndex()); break;
            case Opcode.LocalTee: VisitLocalTee((int)r.ReadLocalIndex()); break;
            case Opcode.GlobalGet: VisitGlobalGet((int)r.ReadGlobalIndex()); break;
            case Opcode.GlobalSet: VisitGlobalSet((int)r.ReadGlobalIndex()); break;
            case Opcode.TableGet: VisitTableGet((int)r.ReadTableIndex()); break;
            case Opcode.TableSet: VisitTableSet((int)r.ReadTableIndex()); break;
            case >= Opcode.I32Load and <= Opcode.I64Load32U: VisitLoad(op, r.ReadMemArg()); break;
            case >= Opcode.I32Store and <= Opcode.I64Store32: VisitStore(op, r.ReadMemArg()); break;
            case Opcode.MemorySize:
                r.ReadMemoryIndex();
                VisitMemorySize();
                break;
            case Opcode.MemoryGrow:
                r.ReadMemoryIndex();
                VisitMemoryGrow();
                break;
            case Opcode.I32Const: VisitConst32(r.ReadI32()); break;
            case Opcode.I64Const: VisitConst64(r.ReadI64()); break;
            case Opcode.F32Const: VisitConst32((int)r.ReadF32()); break;
            case Opcode.F64Const: VisitConst64((long)r.ReadF64()); break;
            case >= Opcode.I32Eqz and <= Opcode.I64Extend32S: VisitNumeric(op); break;
            case Opcode.RefNull:
                r.ReadReferenceType();
                VisitConst32(0); // the null reference is handle 0
                break;
            case Opcode.RefIsNull: VisitRefIsNull(); break;
            case Opcode.RefFunc: VisitRefFunc((int)r.ReadFunctionIndex()); break;
            case Opcode.Prefix0xFC: VisitPrefixed(ref r, r.ReadPrefixedOpcode()); break;
            case Opcode.Prefix0xFD: VisitSimd(ref r, r.ReadSimdOpcode()); break;
            default:
                throw new WasmModuleException(WasmErrorKind.Invalid, $"unsupported opcode 0x{(byte)op:X2}", r.Offset - 1, funcidx);
        }
    }

    /// <summary>Skips unreachable code up to the <c>end</c> or <c>else</c> closing the current block; returns that opcode.</summary>
    private static Opcode SkipUnreachable(ref InstructionReader r)
    {
        int depth = 0;
        while (true)
        {
            var op = r.ReadOpcode();
            switch (op)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If:
                    r.ReadBlockType();
                    depth++;
                    break;
                case Opcode.End:
                    if (depth == 0) return op;
                    depth--;
                    break;
                case Opcode.Else:
                    if (depth == 0) return op;
                    break;
                default:
                    r.SkipImmediates(op);
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ operands

    /// <summary>Pops the top operand and returns the slot to read it from: the local a deferred <c>local.get</c> stands
    /// for, or the source of a <see cref="Op.Copy"/> into it emitted just before (the copy is then deleted).</summary>
    private int Pop()
    {
        int slot = _operands.Pop(out int local);
        if (local != OperandStack.NotDeferred) return local;
        if (_code.LastIs(Op.Copy, out int s) && _code[s + 1] == slot)
        {
            int source = _code[s + 2];
            _code.RemoveLast();
            return source;
        }
        return slot;
    }

    private int Push() => _operands.Push();

    /// <summary>
    /// Pops the v128 on top (two entries) and returns the first of the two consecutive slots to read it from: the
    /// local's cells when both halves are a deferred <c>local.get</c> of one v128 local, else its own slots (a pair
    /// that is neither is copied into its slots first, so the two halves are always adjacent).
    /// </summary>
    private int PopV128()
    {
        int high = _operands.Pop(out int highLocal);
        int low = _operands.Pop(out int lowLocal);
        if (lowLocal != OperandStack.NotDeferred && highLocal == lowLocal + 1) return lowLocal;
        for (int half = 0; half < 2; half++)
        {
            int local = half == 0 ? lowLocal : highLocal;
            if (local == OperandStack.NotDeferred) continue;
            _code.Begin(Op.Copy);
            _code.Add(half == 0 ? low : high); _code.Add(local);
        }
        return low;
    }

    /// <summary>
    /// Whether the operand <paramref name="depth"/> entries below the top (0 = top) is in its own slot (not a deferred
    /// local) and was written by the last op emitted after the fusion barrier, whose start is <paramref name="start"/>.
    /// Every fusion starts from this: that op can then be merged into its consumer.
    /// </summary>
    private bool FromLastOp(int depth, out int start)
    {
        start = _code.LastStart;
        return _operands.DeferredLocalOf(depth) == OperandStack.NotDeferred && start > _code.FusionBarrier
            && _code[start + 1] == _operands.SlotAt(_operands.Height - 1 - depth);
    }

    /// <summary>Emits the copies for deferred <c>local.get</c> entries: all of them, or only those standing for <paramref name="local"/>.</summary>
    private void MaterializeDeferredLocals(int local = OperandStack.NotDeferred)
    {
        for (int i = 0; i < _operands.Height; i++)
        {
            int deferred = _operands.DeferredLocalAt(i);
            if (deferred == OperandStack.NotDeferred || (local != OperandStack.NotDeferred && deferred != local)) continue;
            _operands.ClearDeferred(i);
            _code.Begin(Op.Copy);
            _code.Add(_operands.SlotAt(i));
            _code.Add(deferred);
        }
    }

    /// <summary>Instructions that read their operands through <see cref="Pop"/> and never need stack entries in real slots.</summary>
    private static bool KeepsDeferredLocals(Opcode op) =>
        op is Opcode.Nop or Opcode.Drop or Opcode.Select or Opcode.SelectT or (>= Opcode.LocalGet and <= Opcode.TableSet)
            or (>= Opcode.I32Load and <= Opcode.MemorySize) or (>= Opcode.I32Const and <= Opcode.I64Extend32S)
            or Opcode.RefNull or Opcode.RefIsNull or Opcode.RefFunc or Opcode.Prefix0xFD;

    /// <summary>Whether internal op <paramref name="op"/> writes its first operand, a destination slot (so a following
    /// <c>local.set</c> can redirect it).</summary>
    private static bool HasDestination(int op) =>
        op is >= (int)Opcode.I32Load and <= (int)Opcode.I64Load32U or >= (int)Opcode.I32Eqz and <= (int)Opcode.I64Extend32S
        or >= (int)Op.I32TruncSatF32S and <= (int)Op.I64AndImm
        or (int)Op.Copy or (int)Op.Const32 or (int)Op.Const64 or (int)Op.GlobalGet or (int)Op.Select
        or (int)Op.MemorySize or (int)Op.MemoryGrow or (int)Op.TableGet or (int)Op.TableSize or (int)Op.TableGrow
        or (int)Op.RefFunc or (int)Op.I32AddImm or (int)Op.I64AddImm
        or >= (int)Op.I32RotlImm and <= (int)Op.I64RotrImm
        or >= (int)Op.LoadAddImm and <= (int)Op.LoadAddImm + (Opcode.I64Load32U - Opcode.I32Load)
        or >= (int)Op.F64AddLoad and <= (int)Op.I32AddLoad8U
        or >= (int)Op.ShiftFused and <= (int)Op.ShiftFused + 15 or (int)Op.I32Add3;
}
