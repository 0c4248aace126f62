using System.Reflection;
using System.Reflection.Emit;
using Polymath.Sdk;
using Polymath.Wasm;
using Module = Polymath.Wasm.Module;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// Translates one validated function body into CIL (RATIONALE.md). The wasm operand stack is the CIL
/// evaluation stack; wasm locals are CIL arguments and locals; blocks are labels; unreachable code is skipped.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private sealed class Control
    {
        public Opcode Kind;
        public Label Label;
        public Label Else;
        public ValueType[] Params = [];
        public ValueType[] Results = [];
        public int Height;
        public bool Unreachable;
        public bool Dead;
        public bool Targeted;
        public bool HasElse;
        /// <summary>The proven memory extents at entry (blocks and ifs): what still holds at their else and end.</summary>
        public Dictionary<int, long>? Proven;
        public ValueType[] BranchTypes => Kind == Opcode.Loop ? Params : Results;
    }

    private static readonly FieldInfo FS = typeof(Instance).GetField(nameof(Instance.S))!;
    private static readonly FieldInfo FMem = typeof(Instance).GetField(nameof(Instance.Mem))!;
    private static readonly FieldInfo FGlobals = typeof(Instance).GetField(nameof(Instance.Globals))!;
    private static readonly FieldInfo FFuncs = typeof(Instance).GetField(nameof(Instance.Funcs))!;
    private static readonly FieldInfo FBase = typeof(MemoryInstance).GetField(nameof(MemoryInstance.Base))!;
    private static readonly FieldInfo FLength = typeof(MemoryInstance).GetField(nameof(MemoryInstance.Length))!;
    private static readonly FieldInfo FBits = typeof(GlobalInstance).GetField(nameof(GlobalInstance.Bits))!;
    private static readonly FieldInfo FRef = typeof(GlobalInstance).GetField(nameof(GlobalInstance.Ref))!;
    private static readonly FieldInfo FDepth = typeof(StoreState).GetField(nameof(StoreState.Depth))!;
    private static readonly FieldInfo FMaxDepth = typeof(StoreState).GetField(nameof(StoreState.MaxDepth))!;
    private static readonly FieldInfo FFuel = typeof(StoreState).GetField(nameof(StoreState.Fuel))!;
    private static readonly FieldInfo FInterrupted = typeof(StoreState).GetField(nameof(StoreState.Interrupted))!;
    private static readonly MethodInfo MTrap = typeof(Instance).GetMethod(nameof(Instance.Trap))!;
    private static readonly MethodInfo MLimitTrap = typeof(StoreState).GetMethod(nameof(StoreState.LimitTrap))!;
    private static readonly FieldInfo FStackFloor = typeof(StoreState).GetField(nameof(StoreState.StackFloor))!;
    private static readonly MethodInfo MExtendStack = typeof(StoreState).GetMethod(nameof(StoreState.ExtendStack))!;
    private static readonly MethodInfo MPages = typeof(MemoryInstance).GetProperty(nameof(MemoryInstance.Pages))!.GetMethod!;
    private static readonly MethodInfo MI32ToF32 = typeof(BitConverter).GetMethod(nameof(BitConverter.Int32BitsToSingle))!;
    private static readonly MethodInfo MI64ToF64 = typeof(BitConverter).GetMethod(nameof(BitConverter.Int64BitsToDouble))!;
    private static readonly MethodInfo MF32ToI32 = typeof(BitConverter).GetMethod(nameof(BitConverter.SingleToInt32Bits))!;
    private static readonly MethodInfo MF64ToI64 = typeof(BitConverter).GetMethod(nameof(BitConverter.DoubleToInt64Bits))!;

    private readonly CompiledModule _module;
    private readonly Module _def;
    private readonly int _definedIndex;
    private readonly int _funcidx;
    private readonly FuncType _type;
    private readonly IlWriter _il;
    private readonly List<ValueType> _stack = new();
    // Bounds-check elision (RATIONALE.md, "Steady state"): each local's current value has a version (a set or tee makes a
    // new one); _origins says which version pushed each operand (0: not a local.get); _proven maps a version to the end
    // (offset + size) of the furthest access already checked on it, on every path to the current instruction.
    private readonly List<int> _origins = new();
    private readonly int[] _versions;
    private int _lastVersion;
    private Dictionary<int, long> _proven = new();
    private readonly List<Control> _controls = new();
    private readonly ValueType[] _localTypes;
    private readonly LocalBuilder?[] _locals;
    private readonly Dictionary<(int, ValueType, int), LocalBuilder> _temps = new();
    private readonly List<long> _loopCosts = new();
    // Per loop (by ordinal): the locals its body sets or tees, nested loops included (bounds-check elision keeps what was
    // proven before a loop on the other locals: no back-edge can change them).
    private readonly List<HashSet<int>> _loopWrites = new();
    private long _functionCost;
    private int _loopOrdinal;
    private bool _usesMemory;
    private LocalBuilder _s = null!, _depth = null!, _sp = null!;
    private LocalBuilder? _mb, _ml;
    // For the frame estimate (StackBudget): the deepest operand stack, and the operands live across calls summed over
    // call sites (RyuJIT spills each into a temporary of its own).
    private int _maxHeight;
    private long _liveAcrossCalls;
    private int _maxArity;

    private readonly bool _metered;
    private readonly StoreState? _state;
    private readonly Func<int, MethodInfo>? _callTarget;

    /// <summary>Instructions translated between two looks at the calling store's interrupt flag (emission counts against the call's deadline).</summary>
    private const int InterruptPollInterval = 4096;

    // metered: emit the fuel and interrupt checks (the code variant for calls with fuel or a cancellation token).
    // state: the store whose call triggered this emission; its interrupt flag is polled while translating (null: never).
    // callTarget: the method a direct call of a defined function names (null: the module's dynamic method of this variant).
    public FunctionCompiler(CompiledModule module, int definedIndex, IlWriter il, bool metered, StoreState? state = null,
        Func<int, MethodInfo>? callTarget = null)
    {
        _metered = metered;
        _state = state;
        _callTarget = callTarget;
        _module = module;
        _def = module.Definition;
        _definedIndex = definedIndex;
        _funcidx = _def.ImportedFunctionCount + definedIndex;
        _type = _def.Types[(int)_def.Functions[definedIndex]];
        _il = il;
        var body = _def.Codes[definedIndex];
        var types = new List<ValueType>(_type.Parameters);
        foreach (var run in body.Locals)
            for (uint i = 0; i < run.Count; i++) types.Add(run.Type);
        _localTypes = types.ToArray();
        _locals = new LocalBuilder?[_localTypes.Length];
        _versions = new int[_localTypes.Length];
        for (int i = 0; i < _versions.Length; i++) _versions[i] = ++_lastVersion;
    }

    /// <summary>Defined functions this one calls directly (their CIL must exist before this one runs).</summary>
    public HashSet<int> DirectCallees { get; } = new();

    private static Type Clr(ValueType t) => Signature.ClrType(t);

    // ------------------------------------------------------------------ pre-pass: fuel costs and memory use

    private void Measure()
    {
        var body = _def.Codes[_definedIndex];
        var d = new BodyDecoder(body.Code.Span, body.CodeOffset);
        var kinds = new Stack<(bool Loop, int Ordinal)>();
        var counters = new Stack<long>();
        counters.Push(0);
        int ordinal = 0;
        while (!d.AtEnd)
        {
            var ins = d.Next();
            counters.Push(counters.Pop() + 1);
            switch (ins.Op)
            {
                case Opcode.Block: case Opcode.If: kinds.Push((false, -1)); break;
                case Opcode.Loop:
                    _loopCosts.Add(0);
                    _loopWrites.Add(new HashSet<int>());
                    kinds.Push((true, ordinal++));
                    counters.Push(0);
                    break;
                case Opcode.End:
                    if (kinds.Count > 0)
                    {
                        var k = kinds.Pop();
                        if (k.Loop) _loopCosts[k.Ordinal] = System.Math.Max(1, counters.Pop());
                    }
                    break;
                case Opcode.LocalSet: case Opcode.LocalTee:
                    foreach (var k in kinds)
                        if (k.Loop) _loopWrites[k.Ordinal].Add((int)ins.A);
                    break;
                default:
                    if ((ins.Op >= Opcode.I32Load && ins.Op <= Opcode.MemoryGrow) ||
                        (ins.Op == Opcode.Prefix0xFC && ins.Prefixed is PrefixedOpcode.MemoryInit or PrefixedOpcode.MemoryCopy or PrefixedOpcode.MemoryFill) ||
                        (ins.Op == Opcode.Prefix0xFD && Polymath.Runtime.Core.Simd128.IsMemory(ins.Simd)))
                        _usesMemory = true;
                    break;
            }
        }
        _functionCost = System.Math.Max(1, counters.Pop());
        if (_def.ImportedMemoryCount + _def.Memories.Count == 0) _usesMemory = false;
    }

    // ------------------------------------------------------------------ helpers

    private LocalBuilder Temp(int space, ValueType t, int ordinal)
    {
        if (!_temps.TryGetValue((space, t, ordinal), out var l))
        {
            l = _il.DeclareLocal(Clr(t), $"t{space}_{t.ToWat()}_{ordinal}");
            _temps.Add((space, t, ordinal), l);
        }
        return l;
    }

    private LocalBuilder Temp(int space, Type clr, string name)
    {
        var key = (space, (ValueType)0, name.GetHashCode(StringComparison.Ordinal));
        if (!_temps.TryGetValue(key, out var l))
        {
            l = _il.DeclareLocal(clr, name);
            _temps.Add(key, l);
        }
        return l;
    }

    /// <summary>The proven extents of the current values of the locals not in <paramref name="written"/>.</summary>
    private Dictionary<int, long> LoopInvariant(HashSet<int> written)
    {
        var kept = new Dictionary<int, long>();
        if (_proven.Count == 0) return kept;
        for (int i = 0; i < _versions.Length; i++)
            if (!written.Contains(i) && _proven.TryGetValue(_versions[i], out long extent)) kept[_versions[i]] = extent;
        return kept;
    }

    private void Pop(int n = 1) => _stack.RemoveRange(_stack.Count - n, n);
    private void Push(ValueType t)
    {
        _stack.Add(t);
        SetOrigin(_stack.Count - 1, 0);
    }

    private void SetOrigin(int height, int version)
    {
        while (_origins.Count <= height) _origins.Add(0);
        _origins[height] = version;
    }

    /// <summary>The version of the local whose <c>local.get</c> pushed the operand at <paramref name="depth"/> from the top (0: none).</summary>
    private int OriginOf(int depth)
    {
        int h = _stack.Count - 1 - depth;
        return h >= 0 && h < _origins.Count ? _origins[h] : 0;
    }

    /// <summary>Block results or parameters pushed at a label: not any local's value.</summary>
    private void PushTypes(ValueType[] types)
    {
        foreach (var t in types) Push(t);
    }

    private void LdcI4(int v) => _il.Emit(OpCodes.Ldc_I4, v);

    private void Trap(TrapKind kind)
    {
        _il.Emit(OpCodes.Ldarg_0);
        LdcI4((int)kind);
        LdcI4(_funcidx);
        _il.Emit(OpCodes.Call, MTrap);
        _il.Emit(OpCodes.Throw);
    }

    private void LimitTrap()
    {
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldarg_0);
        LdcI4(_funcidx);
        _il.Emit(OpCodes.Call, MLimitTrap);
        _il.Emit(OpCodes.Throw);
    }

    private void Call(Type type, string name) => _il.Emit(OpCodes.Call, type.GetMethod(name)!);
    private void Math(string name) => Call(typeof(Polymath.Runtime.Core.WasmNumerics), name);

    /// <summary>Calls a helper taking (operands…, Instance, funcidx) that may trap.</summary>
    private void TrappingHelper(Type type, string name)
    {
        _il.Emit(OpCodes.Ldarg_0);
        LdcI4(_funcidx);
        Call(type, name);
    }

    private void Charge(long cost)
    {
        if (!_metered) return;
        var ok = _il.DefineLabel();
        var ok2 = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldfld, FFuel);
        _il.Emit(OpCodes.Ldc_I8, cost);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Stfld, FFuel);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldfld, FFuel);
        _il.Emit(OpCodes.Ldc_I8, 0L);
        _il.Emit(OpCodes.Bge, ok);
        LimitTrap();
        _il.Mark(ok);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Volatile);
        _il.Emit(OpCodes.Ldfld, FInterrupted);
        _il.Emit(OpCodes.Brfalse, ok2);
        LimitTrap();
        _il.Mark(ok2);
    }

    private void LoadMemory()
    {
        if (!_usesMemory) return;
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Ldfld, FMem);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Ldfld, FBase);
        _il.Emit(OpCodes.Stloc, _mb!);
        _il.Emit(OpCodes.Ldfld, FLength);
        _il.Emit(OpCodes.Stloc, _ml!);
    }

    private void LoadLocal(int i)
    {
        if (i < _type.Parameters.Length) _il.Emit(OpCodes.Ldarg, (short)(i + 1));
        else _il.Emit(OpCodes.Ldloc, Local(i));
    }

    private void StoreLocal(int i)
    {
        if (i < _type.Parameters.Length) _il.Emit(OpCodes.Starg, (short)(i + 1));
        else _il.Emit(OpCodes.Stloc, Local(i));
    }

    private LocalBuilder Local(int i) => _locals[i] ??= _il.DeclareLocal(Clr(_localTypes[i]), $"local{i}");

    private (ValueType[] Params, ValueType[] Results) BlockSignature(in Instruction ins) => ins.BlockType switch
    {
        -1 => ([], []),
        -2 => ([], [ins.BlockValue]),
        _ => (_def.Types[(int)ins.BlockType].Parameters, _def.Types[(int)ins.BlockType].Results),
    };

    // ------------------------------------------------------------------ the function

    public void Compile()
    {
        Measure();
        _s = _il.DeclareLocal(typeof(StoreState), "s");
        _depth = _il.DeclareLocal(typeof(int), "depth");
        _sp = _il.DeclareLocal(typeof(int), "sp"); // only its address is used: where this frame is on the native stack
        if (_usesMemory)
        {
            _mb = _il.DeclareLocal(typeof(nint), "mb");
            _ml = _il.DeclareLocal(typeof(ulong), "ml");
        }
        _il.Comment($"func[{_funcidx}] {_def.GetFunctionName((uint)_funcidx)} {_type}");
        // Prologue: depth, stack, fuel/interrupt, memory.
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Ldfld, FS);
        _il.Emit(OpCodes.Stloc, _s);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldfld, FDepth);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Stloc, _depth);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Stfld, FDepth);
        var depthOk = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldfld, FMaxDepth);
        _il.Emit(OpCodes.Ble, depthOk);
        Trap(TrapKind.CallStackExhausted);
        _il.Mark(depthOk);
        // The native stack, at every entry: this frame's address against the floor; below it, ask for more or trap.
        var stackOk = _il.DefineLabel();
        StackAddress();
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldfld, FStackFloor);
        _il.Emit(OpCodes.Bge_Un, stackOk);
        _il.Emit(OpCodes.Ldloc, _s);
        StackAddress();
        _il.Emit(OpCodes.Call, MExtendStack);
        _il.Emit(OpCodes.Brtrue, stackOk);
        Trap(TrapKind.CallStackExhausted);
        _il.Mark(stackOk);
        Charge(_functionCost);
        LoadMemory();

        var fn = new Control { Kind = Opcode.Block, Label = _il.DefineLabel(), Results = _type.Results, Height = 0 };
        _controls.Add(fn);
        var body = _def.Codes[_definedIndex];
        var d = new BodyDecoder(body.Code.Span, body.CodeOffset);
        int untilPoll = InterruptPollInterval;
        while (!d.AtEnd)
        {
            var ins = d.Next();
            if (--untilPoll == 0)
            {
                untilPoll = InterruptPollInterval;
                if (_metered && _state is not null && Volatile.Read(ref _state.Interrupted) != 0)
                    throw new WasmTrapException(TrapKind.Interrupted, "interrupted while compiling",
                        [new WasmStackFrame((uint)_funcidx, _def.GetFunctionName((uint)_funcidx))]);
            }
            if (_stack.Count > _maxHeight) _maxHeight = _stack.Count;
            var top = _controls[^1];
            if (top.Unreachable || top.Dead)
            {
                SkipUnreachable(ins, top);
                continue;
            }
            if (_il.Logging) _il.Comment(ins.Op switch { Opcode.Prefix0xFC => ins.Prefixed.ToString(), Opcode.Prefix0xFD => ins.Simd.ToString(), _ => ins.Op.ToString() });
            Translate(ins);
        }
        CheckFrame();
    }

    /// <summary>This frame's place on the native stack: the address of <see cref="_sp"/>, as a native unsigned integer.</summary>
    private void StackAddress()
    {
        _il.Emit(OpCodes.Ldloca, _sp);
        _il.Emit(OpCodes.Conv_U);
    }

    /// <summary>Refuses (a trap naming the function) a frame too large for the entry check to bound (StackBudget).</summary>
    private void CheckFrame()
    {
        // The estimate Compile checked, with the operands live across all call sites (known only now) added.
        long slots = StackBudget.Slots(_localTypes.Length + _type.Results.Length + StackBudget.V128Slots(_type, _def.Codes[_definedIndex].Locals),
            _maxHeight, _maxArity, _liveAcrossCalls);
        long frame = StackBudget.Estimate(slots);
        if (frame > StackBudget.MaxFrameBytes)
            throw new WasmTrapException(TrapKind.CallStackExhausted,
                StackBudget.FrameRefusal(StackBudget.Describe(_def, (uint)_funcidx), frame,
                    $"{_localTypes.Length} parameters and locals, {_maxHeight} operands, calls of up to {_maxArity} arguments, {_liveAcrossCalls} operands live across calls"),
                [new WasmStackFrame((uint)_funcidx, _def.GetFunctionName((uint)_funcidx))]);
    }

    private void SkipUnreachable(in Instruction ins, Control top)
    {
        switch (ins.Op)
        {
            case Opcode.Block: case Opcode.If:
                _controls.Add(new Control { Kind = ins.Op, Dead = true });
                break;
            case Opcode.Loop:
                _loopOrdinal++;
                _controls.Add(new Control { Kind = ins.Op, Dead = true });
                break;
            case Opcode.Else:
                if (!top.Dead) Else(top);
                break;
            case Opcode.End:
                if (top.Dead) _controls.RemoveAt(_controls.Count - 1);
                else End(top);
                break;
        }
    }

    private void Epilogue()
    {
        var results = _type.Results;
        int np = _type.Parameters.Length;
        for (int k = results.Length - 1; k >= 1; k--)
        {
            var t = Temp(0, results[k], k);
            _il.Emit(OpCodes.Stloc, t);
            _il.Emit(OpCodes.Ldarg, (short)(1 + np + k - 1));
            _il.Emit(OpCodes.Ldloc, t);
            _il.Emit(OpCodes.Stobj, Clr(results[k]));
        }
        _il.Emit(OpCodes.Ldloc, _s);
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Stfld, FDepth);
        _il.Emit(OpCodes.Ret);
    }

    /// <summary>
    /// One instruction, handed to its group as the spec groups them; the <see cref="Opcode"/> enum runs through the
    /// groups in that order (control, parametric, variable, table, memory, numeric, reference), then the prefixes.
    /// </summary>
    private void Translate(in Instruction ins)
    {
        switch (ins.Op)
        {
            case <= Opcode.CallIndirect: TranslateControl(ins); return;
            case <= Opcode.SelectT: TranslateParametric(ins); return;
            case <= Opcode.GlobalSet: TranslateVariable(ins); return;
            case <= Opcode.TableSet: TranslateTable(ins); return;
            case <= Opcode.MemoryGrow: TranslateMemory(ins); return;
            case <= Opcode.F64Const: TranslateConstant(ins); return;
            case <= Opcode.I64Extend32S: TranslateNumeric(ins.Op); return;
            case <= Opcode.RefFunc: TranslateReference(ins); return;
            case Opcode.Prefix0xFC: TranslatePrefixed(ins); return;
            case Opcode.Prefix0xFD: TranslateSimd(ins); return;
        }
        throw Unhandled(ins.Op);
    }

    /// <summary>An opcode no group handles (validation admits none).</summary>
    private static InvalidOperationException Unhandled(Opcode op) => new($"the compiler does not handle instruction {op}");
}
