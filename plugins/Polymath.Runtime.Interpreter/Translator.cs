using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>A defined function translated to the internal form.</summary>
internal sealed class CompiledCode
{
    /// <summary>The code with fuel ops (metered calls and calls that can be cancelled: the fuel ops at loop headers poll the token).</summary>
    public required int[] Code { get; init; }
    /// <summary>The same code without fuel ops, for calls with neither a fuel budget nor a cancellable token.</summary>
    public required int[] FastCode { get; init; }
    /// <summary>Parameters + declared locals (slots 0..LocalCount-1 of the frame).</summary>
    public required int LocalCount { get; init; }
    public required int ParamCount { get; init; }
    public required int ResultCount { get; init; }
    /// <summary>Slots the frame needs: locals plus the deepest operand stack.</summary>
    public required int FrameSize { get; init; }
}

/// <summary>
/// Translates one validated function body into the internal register-style form (see RATIONALE.md).
/// Relies on validation: stack heights are computed without type checks.
/// </summary>
internal sealed class Translator
{
    private const byte KindBlock = 0, KindLoop = 1, KindIf = 2, KindFunc = 3;

    private struct Ctrl
    {
        public byte Kind;
        public int Height;
        public int Params;
        public int Results;
        public int LoopPos;
        public List<int>? Fixups;
        public int ElseFixup;
    }

    private readonly Module _module;
    private readonly List<int> _code = new(256);
    private readonly List<int> _starts = new(128);
    /// <summary>Code positions holding a branch target, and the start of the op each belongs to: targets are
    /// written as absolute positions while translating and made relative to their op at the end.</summary>
    private readonly List<int> _targetPos = new(32), _targetOp = new(32);
    private Ctrl[] _ctrls = new Ctrl[16];
    private int _nctrl;
    private int _numLocals;
    private int _h;
    private int _maxH;
    private int _lastLabelPos = -1;
    private int _runPos = -1;
    private int _runCount;
    private bool _dead;
    /// <summary>Per operand-stack entry: the local it lazily stands for (local.get not yet copied), or -1.</summary>
    private int[] _lazy = new int[64];

    private Translator(Module module) => _module = module;

    public static CompiledCode Translate(Module module, uint funcidx)
    {
        var t = new Translator(module);
        return t.Run(funcidx);
    }

    private int Slot(int height) => _numLocals + height;

    private void Begin(Op op)
    {
        _starts.Add(_code.Count);
        _code.Add((int)op);
    }

    private int LastStart => _starts.Count > 0 ? _starts[^1] : -1;

    private bool LastIs(Op op, out int start)
    {
        start = LastStart;
        return start > _lastLabelPos && _code[start] == (int)op;
    }

    /// <summary>
    /// Whether the operand <paramref name="depth"/> entries below the top (0 = top) is in its own slot (not a lazy
    /// local) and was written by the last op emitted after the last label, whose start is <paramref name="start"/>.
    /// Every fusion starts from this: that op can then be merged into its consumer.
    /// </summary>
    private bool FromLastOp(int depth, out int start)
    {
        start = LastStart;
        return _lazy[_h - 1 - depth] < 0 && start > _lastLabelPos && _code[start + 1] == Slot(_h - 1 - depth);
    }

    private void RemoveLast()
    {
        int s = _starts[^1];
        _code.RemoveRange(s, _code.Count - s);
        _starts.RemoveAt(_starts.Count - 1);
    }

    /// <summary>Pops the top operand; if it was just copied from a local, reads the local directly.</summary>
    private int Pop()
    {
        _h--;
        int lz = _lazy[_h];
        if (lz >= 0) { _lazy[_h] = -1; return lz; }
        int slot = Slot(_h);
        if (LastIs(Op.Copy, out int s) && _code[s + 1] == slot)
        {
            int src = _code[s + 2];
            RemoveLast();
            return src;
        }
        return slot;
    }

    /// <summary>Pops a constant operand written just before (i32.const for i32 ops; an i64.const fitting in 32 bits for i64 ops).</summary>
    private bool TryPopConst(bool is64, out int value)
    {
        if (FromLastOp(0, out int s))
        {
            if (!is64 && _code[s] == (int)Op.Const32)
            {
                value = _code[s + 2];
                RemoveLast();
                _h--;
                return true;
            }
            if (is64 && _code[s] == (int)Op.Const64 && _code[s + 3] == (_code[s + 2] >> 31))
            {
                value = _code[s + 2];
                RemoveLast();
                _h--;
                return true;
            }
        }
        value = 0;
        return false;
    }

    private int Push()
    {
        int slot = Slot(_h);
        if (_h >= _lazy.Length) Array.Resize(ref _lazy, _lazy.Length * 2);
        _lazy[_h] = -1;
        _h++;
        if (_h > _maxH) _maxH = _h;
        return slot;
    }

    /// <summary>Emits the copies for lazy local.get entries (all of them, or only those naming <paramref name="local"/>).</summary>
    private void Materialize(int local = -1)
    {
        for (int i = 0; i < _h; i++)
        {
            int lz = _lazy[i];
            if (lz < 0 || (local >= 0 && lz != local)) continue;
            _lazy[i] = -1;
            Begin(Op.Copy);
            _code.Add(Slot(i));
            _code.Add(lz);
        }
    }

    private bool AnyLazy(int local)
    {
        for (int i = 0; i < _h; i++) if (_lazy[i] == local) return true;
        return false;
    }

    /// <summary>Instructions that read their operands through Pop and never need stack entries in real slots.</summary>
    private static bool KeepsLazy(byte op) =>
        op is 0x01 or 0x1A or 0x1B or 0x1C or (>= 0x20 and <= 0x26) or (>= 0x28 and <= 0x3F) or (>= 0x41 and <= 0xC4)
        or 0xD0 or 0xD1 or 0xD2;

    private static bool HasDst(int op) =>
        op is >= 0x28 and <= 0x35 or >= 0x45 and <= 0xC4 or >= (int)Op.I32TruncSatF32S and <= (int)Op.I64AndImm
        or (int)Op.Copy or (int)Op.Const32 or (int)Op.Const64 or (int)Op.GlobalGet or (int)Op.Select
        or (int)Op.MemorySize or (int)Op.MemoryGrow or (int)Op.TableGet or (int)Op.TableSize or (int)Op.TableGrow
        or (int)Op.RefFunc or (int)Op.I32AddImm or (int)Op.I64AddImm
        or >= (int)Op.I32RotlImm and <= (int)Op.I64RotrImm
        or >= (int)Op.LoadAddImm and <= (int)Op.LoadAddImm + 0x0D
        or >= (int)Op.F64AddLoad and <= (int)Op.I32XorLoad
        or >= (int)Op.ShiftFused and <= (int)Op.ShiftFused + 15;

    private void StartRun(bool loop)
    {
        if (!loop && _runPos >= 0 && _runCount == 0 && _runPos == LastStart && _code[_runPos] == (int)Op.Fuel)
        {
            _lastLabelPos = _runPos;
            return;
        }
        CloseRun();
        _runPos = _code.Count;
        Begin(loop ? Op.FuelLoop : Op.Fuel);
        _code.Add(0);
        _runCount = 0;
        _lastLabelPos = _runPos;
    }

    private void CloseRun()
    {
        if (_runPos >= 0) _code[_runPos + 1] = _runCount;
        _runPos = -1;
    }

    private void PushCtrl(byte kind, int pars, int results)
    {
        if (_nctrl == _ctrls.Length) Array.Resize(ref _ctrls, _nctrl * 2);
        _ctrls[_nctrl++] = new Ctrl { Kind = kind, Height = _h - pars, Params = pars, Results = results, ElseFixup = -1 };
    }

    private (int Params, int Results) BlockType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x40) { r.ReadByte(); return (0, 0); }
        if (b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F) { r.ReadByte(); return (0, 1); }
        long idx = r.ReadVarS33();
        var ft = _module.Types[(int)idx];
        return (ft.Parameters.Length, ft.Results.Length);
    }

    /// <summary>Records that the next code int is a branch target of the op that starts at <paramref name="opStart"/>.</summary>
    private void MarkTarget(int pos, int opStart)
    {
        _targetPos.Add(pos);
        _targetOp.Add(opStart);
    }

    private void AddTarget(ref Ctrl c)
    {
        MarkTarget(_code.Count, LastStart);
        if (c.Kind == KindLoop) _code.Add(c.LoopPos);
        else
        {
            (c.Fixups ??= []).Add(_code.Count);
            _code.Add(-1);
        }
    }

    private void EmitMoves(int arity, int targetHeight)
    {
        int src = _h - arity;
        if (src == targetHeight) return;
        for (int i = 0; i < arity; i++)
        {
            Begin(Op.Copy);
            _code.Add(Slot(targetHeight + i));
            _code.Add(Slot(src + i));
        }
    }

    private bool NeedsMoves(in Ctrl c)
    {
        if (c.Kind == KindFunc) return true;
        int arity = c.Kind == KindLoop ? c.Params : c.Results;
        return _h - arity != c.Height && arity > 0;
    }

    private void EmitReturn()
    {
        int n = _ctrls[0].Results;
        Begin(Op.Return);
        _code.Add(Slot(_h - n));
        _code.Add(n);
    }

    /// <summary>Unconditional branch to label depth (moves, then jump; or return).</summary>
    private void EmitBranch(int depth)
    {
        ref Ctrl c = ref _ctrls[_nctrl - 1 - depth];
        if (c.Kind == KindFunc) { EmitReturn(); return; }
        int arity = c.Kind == KindLoop ? c.Params : c.Results;
        EmitMoves(arity, c.Height);
        Begin(Op.Br);
        AddTarget(ref c);
    }

    private static Op BrCmpFor(int cmp) => cmp switch
    {
        0x46 => Op.BrI32Eq, 0x47 => Op.BrI32Ne, 0x48 => Op.BrI32LtS, 0x49 => Op.BrI32LtU,
        0x4A => Op.BrI32GtS, 0x4B => Op.BrI32GtU, 0x4C => Op.BrI32LeS, 0x4D => Op.BrI32LeU, 0x4E => Op.BrI32GeS,
        0x4F => Op.BrI32GeU,
        _ => 0,
    };

    /// <summary>The i32 comparison that is true exactly when <paramref name="cmp"/> is false.</summary>
    private static int InvertI32Compare(int cmp) => cmp switch
    {
        0x46 => 0x47, 0x47 => 0x46, 0x48 => 0x4E, 0x4E => 0x48, 0x49 => 0x4F, 0x4F => 0x49,
        0x4A => 0x4C, 0x4C => 0x4A, 0x4B => 0x4D, 0x4D => 0x4B,
        _ => throw new ArgumentOutOfRangeException(nameof(cmp)),
    };

    /// <summary>The fused binary op taking its right operand from a load (<see cref="Op.F64AddLoad"/>…), or 0.</summary>
    private static Op BinLoadFor(int op, int load) => (op, load is >= (int)Op.LoadAddImm and <= (int)Op.LoadAddImm + 0x0D ? load - (int)Op.LoadAddImm + 0x28 : load) switch
    {
        (0xA0, 0x2B) => Op.F64AddLoad, (0xA1, 0x2B) => Op.F64SubLoad, (0xA2, 0x2B) => Op.F64MulLoad, (0xA3, 0x2B) => Op.F64DivLoad,
        (0x6A, 0x28) => Op.I32AddLoad, (0x6B, 0x28) => Op.I32SubLoad, (0x6C, 0x28) => Op.I32MulLoad,
        (0x71, 0x28) => Op.I32AndLoad, (0x72, 0x28) => Op.I32OrLoad, (0x73, 0x28) => Op.I32XorLoad,
        _ => 0,
    };

    /// <summary>
    /// <c>i32.store</c>/<c>f64.store</c> of a <see cref="Op.F64AddLoad"/>-family result to the address it loaded from,
    /// that address being a local not changed since (a lazy <c>local.get</c>): one read-modify-write op.
    /// </summary>
    private bool TryEmitToMem(int store, int offset)
    {
        if (_h < 2 || !FromLastOp(0, out int s) || !OpInfo.IsBinLoad(_code[s])) return false;
        int op = _code[s];
        bool f64 = op <= (int)Op.F64DivLoad;
        if (store != (f64 ? 0x39 : 0x36)) return false;
        int a = _code[s + 2], addr = _code[s + 3], k = _code[s + 4], off = _code[s + 5];
        if (k != 0 || off != offset || _lazy[_h - 2] != addr) return false;
        RemoveLast();
        _h -= 2;
        _lazy[_h] = -1;
        _lazy[_h + 1] = -1;
        int ms = LastStart;
        if (op == (int)Op.F64AddLoad && a >= _numLocals && ms > _lastLabelPos && _code[ms] == (int)Op.F64MulLoad && _code[ms + 1] == a)
        {
            // the added value is a product with a loaded operand computed just before: mem[Y] += x * mem[X]
            _code[ms] = (int)Op.F64MulAddToMem;
            for (int i = 1; i < 5; i++) _code[ms + i] = _code[ms + i + 1];
            _code[ms + 5] = addr;
            _code.Add(off);
            return true;
        }
        Begin(Op.ToMem + (op - (int)Op.F64AddLoad));
        _code.Add(a); _code.Add(addr); _code.Add(off);
        return true;
    }

    /// <summary>A binary op whose right operand was loaded just before: one op reads memory and computes.</summary>
    private bool TryEmitBinLoad(int op)
    {
        if (!FromLastOp(0, out int s)) return false;
        Op fused = BinLoadFor(op, _code[s]);
        if (fused == 0) return false;
        bool added = _code[s] >= (int)Op.LoadAddImm;
        int addr = _code[s + 2], k = added ? _code[s + 3] : 0, offset = _code[s + (added ? 4 : 3)];
        RemoveLast();
        _h--;
        int a = Pop();
        int d = Push();
        Begin(fused);
        _code.Add(d); _code.Add(a); _code.Add(addr); _code.Add(k); _code.Add(offset);
        return true;
    }

    /// <summary>
    /// i32 add/and/or/xor of a value shifted or rotated by a constant just before (either operand, as they commute):
    /// one <see cref="Op.ShiftFused"/> op.
    /// </summary>
    private bool TryEmitShiftFused(int op)
    {
        int bi = op switch { 0x6A => 0, 0x71 => 1, 0x72 => 2, 0x73 => 3, _ => -1 };
        if (bi < 0) return false;
        int s = LastStart;
        if (s <= _lastLabelPos) return false;
        int si = _code[s] switch
        {
            (int)Op.I32RotlImm => 0, (int)Op.I32RotrImm => 1, (int)Op.I32ShlImm => 2, (int)Op.I32ShrUImm => 3, _ => -1,
        };
        if (si < 0) return false;
        int other;
        if (FromLastOp(0, out _))
        {
            // right operand shifted: a OP (b SHIFT k)
            int b = _code[s + 2], k = _code[s + 3];
            RemoveLast();
            _h--;
            other = Pop();
            EmitShiftFused(bi, si, other, b, k);
            return true;
        }
        if (_lazy[_h - 1] >= 0 && FromLastOp(1, out _))
        {
            // left operand shifted, right one a local: commute
            other = Pop();
            int b = _code[s + 2], k = _code[s + 3];
            RemoveLast();
            _h--;
            EmitShiftFused(bi, si, other, b, k);
            return true;
        }
        return false;
    }

    private void EmitShiftFused(int bi, int si, int a, int b, int k)
    {
        int d = Push();
        Begin(Op.ShiftFused + 4 * bi + si);
        _code.Add(d); _code.Add(a); _code.Add(b); _code.Add(k);
    }

    /// <summary>
    /// Pops a memory address. If it was computed just before by <c>I32AddImm t a k</c> into an operand slot,
    /// removes that op and returns <c>a</c> with <paramref name="k"/> (the load/store then adds k itself, wrapping).
    /// </summary>
    private int PopAddress(out bool added, out int k)
    {
        if (FromLastOp(0, out int s) && _code[s] == (int)Op.I32AddImm)
        {
            int a = _code[s + 2];
            k = _code[s + 3];
            RemoveLast();
            _h--;
            added = true;
            return a;
        }
        added = false;
        k = 0;
        return Pop();
    }

    private static Op BrCmpImmFor(int cmp) => cmp switch
    {
        0x46 => Op.BrI32EqImm, 0x47 => Op.BrI32NeImm, 0x48 => Op.BrI32LtSImm, 0x49 => Op.BrI32LtUImm,
        0x4A => Op.BrI32GtSImm, 0x4B => Op.BrI32GtUImm, 0x4C => Op.BrI32LeSImm, 0x4D => Op.BrI32LeUImm,
        0x4E => Op.BrI32GeSImm, 0x4F => Op.BrI32GeUImm,
        _ => 0,
    };

    private static Op ImmFor(int op) => op switch
    {
        0x6A => Op.I32AddImm, 0x6B => Op.I32SubImm, 0x6C => Op.I32MulImm, 0x71 => Op.I32AndImm,
        0x72 => Op.I32OrImm, 0x73 => Op.I32XorImm, 0x74 => Op.I32ShlImm, 0x75 => Op.I32ShrSImm, 0x76 => Op.I32ShrUImm,
        0x77 => Op.I32RotlImm, 0x78 => Op.I32RotrImm,
        0x7C => Op.I64AddImm, 0x7D => Op.I64SubImm, 0x7E => Op.I64MulImm, 0x83 => Op.I64AndImm, 0x84 => Op.I64OrImm,
        0x85 => Op.I64XorImm, 0x86 => Op.I64ShlImm, 0x87 => Op.I64ShrSImm, 0x88 => Op.I64ShrUImm,
        0x89 => Op.I64RotlImm, 0x8A => Op.I64RotrImm,
        _ => 0,
    };

    private CompiledCode Run(uint funcidx)
    {
        int defined = (int)(funcidx - (uint)_module.ImportedFunctionCount);
        var type = _module.Types[(int)_module.Functions[defined]];
        var body = _module.Codes[defined];
        _numLocals = type.Parameters.Length + body.LocalCount;
        _nctrl = 0;
        _ctrls[_nctrl++] = new Ctrl { Kind = KindFunc, Height = 0, Params = 0, Results = type.Results.Length, ElseFixup = -1 };
        StartRun(false);
        var r = new WasmReader(body.Code.Span, body.CodeOffset);
        while (true)
        {
            byte op;
            if (_dead) op = SkipDead(ref r);
            else
            {
                op = r.ReadByte();
                if (op != 0x0B && op != 0x05) _runCount++;
                if (!KeepsLazy(op)) Materialize();
            }
            switch (op)
            {
                case 0x00: Begin(Op.Unreachable); _dead = true; break;
                case 0x01: break;
                case 0x02:
                {
                    var (p, res) = BlockType(ref r);
                    PushCtrl(KindBlock, p, res);
                    break;
                }
                case 0x03:
                {
                    var (p, res) = BlockType(ref r);
                    PushCtrl(KindLoop, p, res);
                    StartRun(true);
                    _ctrls[_nctrl - 1].LoopPos = _runPos;
                    break;
                }
                case 0x04:
                {
                    var (p, res) = BlockType(ref r);
                    EmitTest(negate: true);
                    int fix = _code.Count;
                    MarkTarget(fix, LastStart);
                    _code.Add(-1);
                    PushCtrl(KindIf, p, res);
                    _ctrls[_nctrl - 1].ElseFixup = fix;
                    StartRun(false);
                    break;
                }
                case 0x05:
                {
                    ref Ctrl c = ref _ctrls[_nctrl - 1];
                    if (!_dead)
                    {
                        Begin(Op.Br);
                        AddTarget(ref c);
                    }
                    CloseRun();
                    StartRun(false);
                    _code[c.ElseFixup] = _runPos;
                    c.ElseFixup = -1;
                    _h = c.Height + c.Params;
                    for (int i = c.Height; i < _h; i++) _lazy[i] = -1;
                    _dead = false;
                    break;
                }
                case 0x0B:
                {
                    var c = _ctrls[--_nctrl];
                    if (c.Kind == KindFunc)
                    {
                        if (!_dead) EmitReturn();
                        CloseRun();
                        var code = _code.ToArray();
                        var isTarget = new bool[code.Length + 1];
                        foreach (int p in _targetPos) isTarget[code[p]] = true;
                        return new CompiledCode
                        {
                            Code = Finish(code, isTarget, metered: true),
                            FastCode = Finish(code, isTarget, metered: false),
                            LocalCount = _numLocals,
                            ParamCount = type.Parameters.Length,
                            ResultCount = type.Results.Length,
                            FrameSize = _numLocals + _maxH + 1,
                        };
                    }
                    bool hasLabel = (c.Fixups is { Count: > 0 }) || c.ElseFixup >= 0;
                    bool reachable = !_dead || hasLabel;
                    _h = c.Height + c.Results;
                    if (_h > _maxH) _maxH = _h;
                    if (_h > _lazy.Length) Array.Resize(ref _lazy, Math.Max(_h, _lazy.Length * 2));
                    for (int i = c.Height; i < _h; i++) _lazy[i] = -1;
                    if (hasLabel)
                    {
                        if (_dead) CloseRun();
                        StartRun(false);
                        if (c.Fixups != null) foreach (int f in c.Fixups) _code[f] = _runPos;
                        if (c.ElseFixup >= 0) _code[c.ElseFixup] = _runPos;
                    }
                    _dead = !reachable;
                    break;
                }
                case 0x0C:
                {
                    int depth = (int)r.ReadVarU32();
                    EmitBranch(depth);
                    _dead = true;
                    CloseRun();
                    break;
                }
                case 0x0D:
                {
                    int depth = (int)r.ReadVarU32();
                    ref Ctrl c = ref _ctrls[_nctrl - 1 - depth];
                    bool moves;
                    {
                        // height after popping the condition decides the moves
                        _h--;
                        moves = NeedsMoves(c);
                        _h++;
                    }
                    if (!moves)
                    {
                        EmitTest(negate: false);
                        AddTarget(ref c);
                    }
                    else
                    {
                        EmitTest(negate: true);
                        int fix = _code.Count;
                        MarkTarget(fix, LastStart);
                        _code.Add(-1);
                        EmitBranch(depth);
                        CloseRun();
                        StartRun(false);
                        _code[fix] = _runPos;
                        break;
                    }
                    CloseRun();
                    StartRun(false);
                    break;
                }
                case 0x0E:
                {
                    int n = (int)r.ReadVarU32();
                    var depths = new int[n + 1];
                    for (int i = 0; i <= n; i++) depths[i] = (int)r.ReadVarU32();
                    int idx = Pop();
                    Begin(Op.BrTable);
                    _code.Add(idx);
                    _code.Add(n + 1);
                    int tbl = _code.Count;
                    for (int i = 0; i <= n; i++)
                    {
                        MarkTarget(_code.Count, LastStart);
                        _code.Add(-1);
                    }
                    for (int i = 0; i <= n; i++)
                    {
                        ref Ctrl c = ref _ctrls[_nctrl - 1 - depths[i]];
                        if (!NeedsMoves(c))
                        {
                            if (c.Kind == KindLoop) _code[tbl + i] = c.LoopPos;
                            else (c.Fixups ??= []).Add(tbl + i);
                        }
                        else
                        {
                            _lastLabelPos = _code.Count;
                            _code[tbl + i] = _code.Count;
                            EmitBranch(depths[i]);
                        }
                    }
                    _dead = true;
                    CloseRun();
                    break;
                }
                case 0x0F:
                    EmitReturn();
                    _dead = true;
                    CloseRun();
                    break;
                case 0x10:
                {
                    uint f = r.ReadVarU32();
                    var ft = _module.GetFunctionType(f);
                    int b = _h - ft.Parameters.Length;
                    Begin(Op.Call);
                    _code.Add((int)f);
                    _code.Add(Slot(b));
                    _h = b + ft.Results.Length;
                    if (_h > _maxH) _maxH = _h;
                    if (_h > _lazy.Length) Array.Resize(ref _lazy, Math.Max(_h, _lazy.Length * 2));
                    for (int i = b; i < _h; i++) _lazy[i] = -1;
                    break;
                }
                case 0x11:
                {
                    uint ti = r.ReadVarU32();
                    uint table = r.ReadVarU32();
                    var ft = _module.Types[(int)ti];
                    int idx = Pop();
                    int b = _h - ft.Parameters.Length;
                    Begin(Op.CallIndirect);
                    _code.Add((int)table);
                    _code.Add((int)ti);
                    _code.Add(Slot(b));
                    _code.Add(idx);
                    _h = b + ft.Results.Length;
                    if (_h > _maxH) _maxH = _h;
                    if (_h > _lazy.Length) Array.Resize(ref _lazy, Math.Max(_h, _lazy.Length * 2));
                    for (int i = b; i < _h; i++) _lazy[i] = -1;
                    break;
                }
                case 0x1A: _h--; _lazy[_h] = -1; break;
                case 0x1B:
                case 0x1C:
                {
                    if (op == 0x1C) { int n = (int)r.ReadVarU32(); for (int i = 0; i < n; i++) r.ReadByte(); }
                    int cond = Pop();
                    int b = Pop();
                    int a = Pop();
                    int d = Push();
                    Begin(Op.Select);
                    _code.Add(d); _code.Add(a); _code.Add(b); _code.Add(cond);
                    break;
                }
                case 0x20:
                {
                    int x = (int)r.ReadVarU32();
                    Push();
                    _lazy[_h - 1] = x;
                    break;
                }
                case 0x21:
                {
                    int x = (int)r.ReadVarU32();
                    if (FromLastOp(0, out int s) && HasDst(_code[s]) && !AnyLazy(x))
                    {
                        _code[s + 1] = x;
                        _h--;
                    }
                    else
                    {
                        int src = Pop();
                        Materialize(x);
                        if (src != x)
                        {
                            Begin(Op.Copy);
                            _code.Add(x); _code.Add(src);
                        }
                    }
                    break;
                }
                case 0x22:
                {
                    int x = (int)r.ReadVarU32();
                    if (FromLastOp(0, out int s) && HasDst(_code[s]) && !AnyLazy(x))
                    {
                        _code[s + 1] = x;
                    }
                    else
                    {
                        int src = Pop();
                        Push();
                        Materialize(x);
                        if (src != x)
                        {
                            Begin(Op.Copy);
                            _code.Add(x); _code.Add(src);
                        }
                    }
                    _lazy[_h - 1] = x;
                    break;
                }
                case 0x23:
                {
                    int g = (int)r.ReadVarU32();
                    int d = Push();
                    Begin(Op.GlobalGet);
                    _code.Add(d); _code.Add(g);
                    break;
                }
                case 0x24:
                {
                    int g = (int)r.ReadVarU32();
                    int src = Pop();
                    Begin(Op.GlobalSet);
                    _code.Add(g); _code.Add(src);
                    break;
                }
                case 0x25:
                {
                    int t = (int)r.ReadVarU32();
                    int i = Pop();
                    int d = Push();
                    Begin(Op.TableGet);
                    _code.Add(d); _code.Add(t); _code.Add(i);
                    break;
                }
                case 0x26:
                {
                    int t = (int)r.ReadVarU32();
                    int v = Pop();
                    int i = Pop();
                    Begin(Op.TableSet);
                    _code.Add(t); _code.Add(i); _code.Add(v);
                    break;
                }
                case >= 0x28 and <= 0x35:
                {
                    r.ReadVarU32();
                    uint offset = r.ReadVarU32();
                    int a = PopAddress(out bool added, out int k);
                    int d = Push();
                    if (added)
                    {
                        Begin(Op.LoadAddImm + (op - 0x28));
                        _code.Add(d); _code.Add(a); _code.Add(k); _code.Add((int)offset);
                    }
                    else
                    {
                        Begin((Op)op);
                        _code.Add(d); _code.Add(a); _code.Add((int)offset);
                    }
                    break;
                }
                case >= 0x36 and <= 0x3E:
                {
                    r.ReadVarU32();
                    uint offset = r.ReadVarU32();
                    if (TryEmitToMem(op, (int)offset)) break;
                    int v = Pop();
                    int a = PopAddress(out bool added, out int k);
                    if (added)
                    {
                        Begin(Op.LoadAddImm + (op - 0x28));
                        _code.Add(a); _code.Add(k); _code.Add(v); _code.Add((int)offset);
                    }
                    else
                    {
                        Begin((Op)op);
                        _code.Add(a); _code.Add(v); _code.Add((int)offset);
                    }
                    break;
                }
                case 0x3F:
                {
                    r.ReadByte();
                    int d = Push();
                    Begin(Op.MemorySize);
                    _code.Add(d);
                    break;
                }
                case 0x40:
                {
                    r.ReadByte();
                    int a = Pop();
                    int d = Push();
                    Begin(Op.MemoryGrow);
                    _code.Add(d); _code.Add(a);
                    break;
                }
                case 0x41:
                {
                    int v = r.ReadVarS32();
                    int d = Push();
                    Begin(Op.Const32);
                    _code.Add(d); _code.Add(v);
                    break;
                }
                case 0x42:
                {
                    long v = r.ReadVarS64();
                    int d = Push();
                    Begin(Op.Const64);
                    _code.Add(d); _code.Add((int)v); _code.Add((int)(v >> 32));
                    break;
                }
                case 0x43:
                {
                    uint v = r.ReadF32Bits();
                    int d = Push();
                    Begin(Op.Const32);
                    _code.Add(d); _code.Add((int)v);
                    break;
                }
                case 0x44:
                {
                    ulong v = r.ReadF64Bits();
                    int d = Push();
                    Begin(Op.Const64);
                    _code.Add(d); _code.Add((int)v); _code.Add((int)(v >> 32));
                    break;
                }
                case >= 0x45 and <= 0xC4:
                {
                    if (op == 0x45 && FromLastOp(0, out int cmp) && _code[cmp] is >= 0x46 and <= 0x4F)
                    {
                        // i32.eqz of an i32 comparison: the inverted comparison (the result stays in the same slot)
                        _code[cmp] = InvertI32Compare(_code[cmp]);
                    }
                    else if (OpInfo.IsUnaryNumeric(op))
                    {
                        int a = Pop();
                        int d = Push();
                        Begin((Op)op);
                        _code.Add(d); _code.Add(a);
                    }
                    else
                    {
                        Op imm = ImmFor(op);
                        if (imm != 0 && TryPopConst(op >= 0x7C, out int k))
                        {
                            int a = Pop();
                            int d = Push();
                            Begin(imm);
                            _code.Add(d); _code.Add(a); _code.Add(k);
                        }
                        else if (!TryEmitBinLoad(op) && !TryEmitShiftFused(op))
                        {
                            int b = Pop();
                            int a = Pop();
                            int d = Push();
                            Begin((Op)op);
                            _code.Add(d); _code.Add(a); _code.Add(b);
                        }
                    }
                    break;
                }
                case 0xD0:
                {
                    r.ReadByte();
                    int d = Push();
                    Begin(Op.Const32);
                    _code.Add(d); _code.Add(0);
                    break;
                }
                case 0xD1:
                {
                    int a = Pop();
                    int d = Push();
                    Begin((Op)0x50);
                    _code.Add(d); _code.Add(a);
                    break;
                }
                case 0xD2:
                {
                    int f = (int)r.ReadVarU32();
                    int d = Push();
                    Begin(Op.RefFunc);
                    _code.Add(d); _code.Add(f);
                    break;
                }
                case 0xFC:
                    TranslatePrefixed(ref r, r.ReadVarU32());
                    break;
                default:
                    throw new WasmModuleException(WasmErrorKind.Invalid,
                        op == 0xFD ? "SIMD instructions are not supported by the interpreter runtime" : $"unsupported opcode 0x{op:X2}",
                        r.Offset - 1, funcidx);
            }
        }
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
        if (fresh && _code[s] is >= 0x46 and <= 0x4F)
        {
            int cmp = negate ? InvertI32Compare(_code[s]) : _code[s];
            int a = _code[s + 2], b = _code[s + 3];
            RemoveLast();
            _h--;
            if (TryFoldConstOperand(b, out int k))
            {
                a = TryFoldLocalOperand(a);
                if (cmp == 0x47 && LastIs(Op.I32AddImm, out int ai) && _code[ai + 1] == a)
                {
                    // i += k; if (i != n) continue: one op
                    _code[ai] = (int)Op.I32AddImmBrNeImm;
                    _code.Add(k);
                    return;
                }
                Begin(BrCmpImmFor(cmp));
                _code.Add(a); _code.Add(k);
            }
            else
            {
                Begin(BrCmpFor(cmp));
                _code.Add(a); _code.Add(b);
            }
            return;
        }
        if (fresh && _code[s] == 0x45)
        {
            int a = _code[s + 2];
            RemoveLast();
            _h--;
            Begin(negate ? Op.BrIf : Op.BrI32Eqz);
            _code.Add(a);
            return;
        }
        int cond = Pop();
        if (!negate && LastIs(Op.I32AddImm, out int add) && _code[add + 1] == cond)
        {
            _code[add] = (int)Op.I32AddImmBrNz;
            return;
        }
        Begin(negate ? Op.BrIfNot : Op.BrIf);
        _code.Add(cond);
    }

    /// <summary>
    /// The final code: targets made relative to their op, consecutive copies merged into <see cref="Op.Copies"/>,
    /// and, when not <paramref name="metered"/>, the fuel ops left out.
    /// </summary>
    private int[] Finish(int[] code, bool[] isTarget, bool metered)
    {
        var map = new int[code.Length + 1];
        var output = new List<int>(code.Length);
        int n = _starts.Count;
        for (int i = 0; i < n; i++)
        {
            int s = _starts[i];
            int e = i + 1 < n ? _starts[i + 1] : code.Length;
            map[s] = output.Count;
            int op = code[s];
            if (!metered && op is (int)Op.Fuel or (int)Op.FuelLoop) continue;
            if (op == (int)Op.Copy && i + 1 < n && code[_starts[i + 1]] == (int)Op.Copy && !isTarget[_starts[i + 1]])
            {
                int countPos = output.Count + 1;
                output.Add((int)Op.Copies);
                output.Add(0);
                int count = 0;
                while (true)
                {
                    int cs = _starts[i];
                    map[cs] = countPos - 1;
                    output.Add(code[cs + 1]);
                    output.Add(code[cs + 2]);
                    count++;
                    if (i + 1 < n && code[_starts[i + 1]] == (int)Op.Copy && !isTarget[_starts[i + 1]]) i++;
                    else break;
                }
                output[countPos] = count;
                continue;
            }
            for (int j = s; j < e; j++) output.Add(code[j]);
        }
        map[code.Length] = output.Count;
        var result = output.ToArray();
        for (int i = 0; i < _targetPos.Count; i++)
        {
            int p = _targetPos[i], s = _targetOp[i];
            int ns = map[s];
            result[ns + (p - s)] = map[code[p]] - ns;
        }
        return result;
    }

    /// <summary>If <paramref name="slot"/> is an operand slot written just before (now last) by a copy from a local, removes the copy and returns the local.</summary>
    private int TryFoldLocalOperand(int slot)
    {
        if (slot >= _numLocals && LastIs(Op.Copy, out int s) && _code[s + 1] == slot && _code[s + 2] < _numLocals)
        {
            int src = _code[s + 2];
            RemoveLast();
            return src;
        }
        return slot;
    }

    /// <summary>If <paramref name="slot"/> is an operand slot written by a Const32 just before (now last), removes it.</summary>
    private bool TryFoldConstOperand(int slot, out int value)
    {
        if (slot >= _numLocals && LastIs(Op.Const32, out int s) && _code[s + 1] == slot)
        {
            value = _code[s + 2];
            RemoveLast();
            return true;
        }
        value = 0;
        return false;
    }

    private void TranslatePrefixed(ref WasmReader r, uint sub)
    {
        switch (sub)
        {
            case <= 7:
            {
                int a = Pop();
                int d = Push();
                Begin((Op)((int)Op.I32TruncSatF32S + (int)sub));
                _code.Add(d); _code.Add(a);
                break;
            }
            case 8:
            {
                int seg = (int)r.ReadVarU32();
                r.ReadByte();
                int n = Pop(), s = Pop(), d = Pop();
                Begin(Op.MemoryInit);
                _code.Add(seg); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case 9:
                Begin(Op.DataDrop);
                _code.Add((int)r.ReadVarU32());
                break;
            case 10:
            {
                r.ReadByte(); r.ReadByte();
                int n = Pop(), s = Pop(), d = Pop();
                Begin(Op.MemoryCopy);
                _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case 11:
            {
                r.ReadByte();
                int n = Pop(), v = Pop(), d = Pop();
                Begin(Op.MemoryFill);
                _code.Add(d); _code.Add(v); _code.Add(n);
                break;
            }
            case 12:
            {
                int seg = (int)r.ReadVarU32();
                int table = (int)r.ReadVarU32();
                int n = Pop(), s = Pop(), d = Pop();
                Begin(Op.TableInit);
                _code.Add(table); _code.Add(seg); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case 13:
                Begin(Op.ElemDrop);
                _code.Add((int)r.ReadVarU32());
                break;
            case 14:
            {
                int dt = (int)r.ReadVarU32();
                int st = (int)r.ReadVarU32();
                int n = Pop(), s = Pop(), d = Pop();
                Begin(Op.TableCopy);
                _code.Add(dt); _code.Add(st); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case 15:
            {
                int t = (int)r.ReadVarU32();
                int n = Pop(), init = Pop();
                int d = Push();
                Begin(Op.TableGrow);
                _code.Add(d); _code.Add(t); _code.Add(init); _code.Add(n);
                break;
            }
            case 16:
            {
                int t = (int)r.ReadVarU32();
                int d = Push();
                Begin(Op.TableSize);
                _code.Add(d); _code.Add(t);
                break;
            }
            case 17:
            {
                int t = (int)r.ReadVarU32();
                int n = Pop(), v = Pop(), i = Pop();
                Begin(Op.TableFill);
                _code.Add(t); _code.Add(i); _code.Add(v); _code.Add(n);
                break;
            }
            default:
                throw new WasmModuleException(WasmErrorKind.Invalid, $"unsupported instruction 0xFC {sub}", r.Offset);
        }
    }

    /// <summary>Skips unreachable code up to the <c>end</c> or <c>else</c> closing the current block; returns that byte.</summary>
    private static byte SkipDead(ref WasmReader r)
    {
        int depth = 0;
        while (true)
        {
            byte op = r.ReadByte();
            switch (op)
            {
                case 0x02: case 0x03: case 0x04:
                {
                    byte b = r.PeekByte();
                    if (b == 0x40 || b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F) r.ReadByte();
                    else r.ReadVarS33();
                    depth++;
                    break;
                }
                case 0x0B:
                    if (depth == 0) return op;
                    depth--;
                    break;
                case 0x05:
                    if (depth == 0) return op;
                    break;
                default:
                    SkipImmediates(ref r, op);
                    break;
            }
        }
    }

    private static void SkipImmediates(ref WasmReader r, byte op)
    {
        switch (op)
        {
            case 0x0C: case 0x0D: case 0x10: case 0xD2:
            case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
                r.ReadVarU32();
                return;
            case 0x0E:
            {
                uint n = r.ReadVarU32();
                for (uint i = 0; i <= n; i++) r.ReadVarU32();
                return;
            }
            case 0x11: r.ReadVarU32(); r.ReadVarU32(); return;
            case 0x1C:
            {
                uint n = r.ReadVarU32();
                for (uint i = 0; i < n; i++) r.ReadByte();
                return;
            }
            case >= 0x28 and <= 0x3E: r.ReadVarU32(); r.ReadVarU32(); return;
            case 0x3F: case 0x40: case 0xD0: r.ReadByte(); return;
            case 0x41: r.ReadVarS32(); return;
            case 0x42: r.ReadVarS64(); return;
            case 0x43: r.ReadF32Bits(); return;
            case 0x44: r.ReadF64Bits(); return;
            case 0xFC:
            {
                uint sub = r.ReadVarU32();
                switch (sub)
                {
                    case 8: r.ReadVarU32(); r.ReadByte(); break;
                    case 9: case 13: case 15: case 16: case 17: r.ReadVarU32(); break;
                    case 10: r.ReadByte(); r.ReadByte(); break;
                    case 11: r.ReadByte(); break;
                    case 12: case 14: r.ReadVarU32(); r.ReadVarU32(); break;
                }
                return;
            }
            case 0xFD:
                throw new WasmModuleException(WasmErrorKind.Invalid, "SIMD instructions are not supported by the interpreter runtime", r.Offset - 1);
            default:
                return;
        }
    }
}
