using System.Runtime.CompilerServices;
using Polymath.Runtime.Core;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

/// <summary>One saved caller frame on the interpreter's own frame stack.</summary>
internal struct Frame
{
    public InterpFunction Func;
    public int Pc;
    public int Fp;
}

/// <summary>A function: wasm-defined (with <see cref="Code"/>) or host-defined (with <see cref="Host"/>).</summary>
internal sealed class InterpFunction : IWasmFunction
{
    public InterpFunction(InterpreterStore store, FuncType type, int typeId)
    {
        Store = store;
        Type = type;
        TypeId = typeId;
        Handle = store.RegisterFunction(this);
    }

    public InterpreterStore Store { get; }
    public FuncType Type { get; }
    public int TypeId { get; }
    /// <summary>funcref slot value: index in the store's function list + 1 (0 is null).</summary>
    public int Handle { get; }
    /// <summary>The translated code (null for a host function); setting it also fills the call path's copies below.</summary>
    public CompiledCode? Code
    {
        get => _code;
        init
        {
            _code = value;
            if (value is null) return;
            FastCode = value.FastCode;
            MeteredCode = value.Code;
            FrameSize = value.FrameSize;
            ParamCount = value.ParamCount;
            LocalCount = value.LocalCount;
        }
    }

    private readonly CompiledCode? _code;

    // Copies of Code's fields read by every call and return in the loop: one load each instead of two.
    /// <summary><see cref="CompiledCode.FastCode"/>, or null for a host function.</summary>
    public readonly int[]? FastCode;
    /// <summary><see cref="CompiledCode.Code"/> (with fuel ops), or null for a host function.</summary>
    public readonly int[]? MeteredCode;
    /// <summary><see cref="CompiledCode.FrameSize"/>.</summary>
    public readonly int FrameSize;
    /// <summary><see cref="CompiledCode.ParamCount"/>.</summary>
    public readonly int ParamCount;
    /// <summary><see cref="CompiledCode.LocalCount"/>.</summary>
    public readonly int LocalCount;
    public InterpInstance? Instance { get; set; }
    public HostFunctionCallback? Host { get; init; }
    public uint FuncIndex { get; init; }
    public string? Name { get; init; }
    public ExternKind Kind => ExternKind.Function;

    public void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default) =>
        Store.Invoke(this, arguments, results, options);
}

/// <summary>A linear memory: one flat byte array (the loop reads <see cref="Data"/> directly).</summary>
internal sealed class MemoryInstance : MemoryObject
{
    /// <summary>
    /// Largest page count a .NET byte array can hold: Array.MaxLength / 65536 = 32767 pages (2 GiB - 64 KiB). Memory is
    /// one flat byte[] (see RATIONALE.md), so this is the interpreter's ceiling whatever the module or
    /// <see cref="StoreLimits.MaxMemoryPages"/> allow; growth beyond it returns -1 as the spec permits.
    /// </summary>
    internal static readonly uint ArrayMaxPages = (uint)(Array.MaxLength / MemoryType.PageSize);

    public MemoryInstance(InterpreterStore store, MemoryType type) : base(store, type, store.Limits, ArrayMaxPages)
    {
        Store = store;
        try { Data = Pages == 0 ? [] : new byte[(long)Pages * MemoryType.PageSize]; }
        catch (OutOfMemoryException e) { throw AllocationFailed(e); }
    }

    public InterpreterStore Store { get; }
    public byte[] Data;
    public override Span<byte> Span => Data;

    protected override bool TryResize(ulong oldLength, ulong newLength)
    {
        byte[] data;
        try { data = new byte[newLength]; }
        catch (OutOfMemoryException) { return false; }
        Buffer.BlockCopy(Data, 0, data, 0, Data.Length);
        Data = data;
        return true;
    }
}

/// <summary>A table: elements are reference handles (see RATIONALE.md).</summary>
internal sealed class TableInstance : TableObject<ulong>
{
    public TableInstance(InterpreterStore store, TableType type, ulong initial) : base(store, type, store.Limits, initial) => Store = store;

    public InterpreterStore Store { get; }
    protected override WasmValue ToValue(ulong element) => Store.FromSlot(ElementType, element);
    protected override ulong FromValue(WasmValue value) => Store.ToSlot(ElementType, value);
}

/// <summary>A global: its value as slot bits (references as handles).</summary>
internal sealed class GlobalCell : GlobalObject
{
    public GlobalCell(InterpreterStore store, GlobalType type, ulong bits) : base(store, type)
    {
        Store = store;
        Bits = bits;
    }

    public InterpreterStore Store { get; }
    public ulong Bits;
    /// <summary>A v128 global's high 64 bits (<see cref="Bits"/> holds the low 64); 0 for every other type.</summary>
    public ulong High;

    protected override WasmValue Read() =>
        Type.ValueType == ValueType.V128 ? WasmValue.V128(Bits, High) : Store.FromSlot(Type.ValueType, Bits);

    protected override void Write(WasmValue value)
    {
        Bits = Store.ToSlot(Type.ValueType, value);
        if (Type.ValueType == ValueType.V128) High = value.HighBits;
    }
}

/// <summary>An instance: the module's index spaces resolved to store objects.</summary>
internal sealed class InterpInstance : IWasmInstance, IHostCallContext
{
    public InterpInstance(InterpreterModule module, InterpreterStore store)
    {
        Module = module;
        ModuleDef = module;
        Store = store;
    }

    public IWasmModule Module { get; }
    public InterpreterModule ModuleDef { get; }
    public InterpreterStore Store { get; }
    public InterpFunction[] Functions = [];
    public GlobalCell[] Globals = [];
    public TableInstance[] Tables = [];
    public MemoryInstance? Memory;
    /// <summary>Element segments as handles; empty once dropped.</summary>
    public ulong[][] Elements = [];
    /// <summary>Data segments; empty once dropped.</summary>
    public ReadOnlyMemory<byte>[] Datas = [];
    public int[] TypeIds = [];
    public IReadOnlyDictionary<string, IWasmExtern> Exports { get; set; } = new Dictionary<string, IWasmExtern>();

    // IHostCallContext (this instance as the caller of a host function)
    IWasmMemory? IHostCallContext.GetMemory(string name) => Exports.TryGetValue(name, out var e) ? e as IWasmMemory : null;
    public CancellationToken CancellationToken => Store.CurrentToken;
}

/// <summary>The interpreter's store: value stack, frame stack, handles and all runtime objects.</summary>
internal sealed partial class InterpreterStore : IWasmStore
{
    private readonly InterpreterEngine _engine;
    private readonly List<InterpFunction> _functions = new();
    private readonly List<object> _externs = new();
    private readonly Dictionary<object, int> _externIds = new();
    private readonly HostBuffers _hostBuffers = new();
    private readonly NoCallerContext _noCaller;

    /// <summary>The value stack's size when idle: a call that grew it beyond <see cref="RetainedStackSlots"/> leaves it this small again.</summary>
    private const int InitialStackSlots = 1 << 14;
    /// <summary>The largest value stack (512 KiB) an idle store keeps; see <see cref="ShrinkAfterCall"/>.</summary>
    private const int RetainedStackSlots = 1 << 16;
    private const int InitialFrames = 256;
    /// <summary>The largest frame stack an idle store keeps.</summary>
    private const int RetainedFrames = 4096;

    /// <summary>The value stack; never longer than the cap (a cap below the initial size makes it that small).</summary>
    internal ulong[] Stack;
    internal Frame[] Frames = new Frame[InitialFrames];
    internal int FrameCount;
    internal int StackTop;
    internal long FuelLeft;
    internal CancellationToken CurrentToken;
    private int _execDepth;

    public InterpreterStore(InterpreterEngine engine, StoreLimits limits)
    {
        _engine = engine;
        Limits = limits;
        _noCaller = new NoCallerContext(() => CurrentToken);
        // The value-stack cap in slots: StoreLimits.MaxValueStackBytes, never above what one array holds.
        _maxStackSlots = (int)Math.Clamp(limits.MaxValueStackBytes / sizeof(ulong), 0, Array.MaxLength);
        Stack = new ulong[Math.Min(InitialStackSlots, _maxStackSlots)];
    }

    /// <summary>The value stack never grows beyond this many slots (see RATIONALE.md, "The value stack").</summary>
    private readonly int _maxStackSlots;

    public StoreLimits Limits { get; }
    public ulong LastCallFuelConsumed { get; private set; }

    internal InterpFunction GetFunctionByHandle(ulong handle) => _functions[(int)handle - 1];

    internal int RegisterFunction(InterpFunction f)
    {
        _functions.Add(f);
        return _functions.Count;
    }

    /// <summary>Converts an API value to slot bits (references become handles).</summary>
    internal ulong ToSlot(ValueType type, WasmValue value)
    {
        switch (type)
        {
            case ValueType.FuncRef:
                if (value.Reference is null) return 0;
                if (value.Reference is InterpFunction f && f.Store == this) return (ulong)f.Handle;
                if (value.Reference is IWasmFunction foreign) return (ulong)WrapForeign(foreign).Handle;
                throw new ArgumentException("a funcref value must hold an IWasmFunction");
            case ValueType.ExternRef:
            {
                var o = value.Reference;
                if (o is null) return 0;
                if (!_externIds.TryGetValue(o, out int id))
                {
                    _externs.Add(o);
                    id = _externs.Count;
                    _externIds.Add(o, id);
                }
                return (ulong)id;
            }
            case ValueType.I32:
            case ValueType.F32:
                return (uint)value.Bits;
            default:
                return value.Bits;
        }
    }

    /// <summary>Converts slot bits back to an API value.</summary>
    internal WasmValue FromSlot(ValueType type, ulong bits) => type switch
    {
        ValueType.FuncRef => WasmValue.FuncRef(bits == 0 ? null : _functions[(int)bits - 1]),
        ValueType.ExternRef => WasmValue.ExternRef(bits == 0 ? null : _externs[(int)bits - 1]),
        _ => WasmValue.FromBits(type, bits),
    };

    internal InterpFunction WrapForeign(IWasmFunction foreign) =>
        new(this, foreign.Type, _engine.GetTypeId(foreign.Type))
        {
            Host = (ctx, args, results) => foreign.Invoke(args, results, new CallOptions { CancellationToken = ctx.CancellationToken }),
        };

    public IWasmFunction CreateHostFunction(FuncType type, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        return new InterpFunction(this, type, _engine.GetTypeId(type)) { Host = callback };
    }

    public IWasmMemory CreateMemory(MemoryType type) => new MemoryInstance(this, type);

    public IWasmTable CreateTable(TableType type, WasmValue initial) => new TableInstance(this, type, ToSlot(type.ElementType, initial));

    public IWasmGlobal CreateGlobal(GlobalType type, WasmValue value)
    {
        var g = new GlobalCell(this, type, 0);
        g.SetValue(value);
        return g;
    }

    public void Dispose() { }

    // ---------------------------------------------------------------- calls

    /// <summary>
    /// Makes slots below <paramref name="needed"/> exist: doubles the value stack (in 64-bit arithmetic, clamped
    /// to the cap, so the size never overflows). False, with the stack unchanged, when <paramref name="needed"/>
    /// exceeds <see cref="StoreLimits.MaxValueStackBytes"/> or the runtime cannot allocate the larger array:
    /// the caller traps with <see cref="TrapKind.CallStackExhausted"/>; an <see cref="OutOfMemoryException"/> never escapes.
    /// </summary>
    private bool TryEnsureStack(long needed)
    {
        if (needed <= Stack.Length) return true;
        if (needed > _maxStackSlots) return false;
        long size = Math.Clamp(Math.Max(needed, 2L * Stack.Length), needed, _maxStackSlots);
        try { Array.Resize(ref Stack, (int)size); }
        catch (OutOfMemoryException) { return false; }
        return true;
    }

    /// <summary>
    /// Makes room for <paramref name="needed"/> saved frames. The frame stack counts against the same byte cap
    /// (a call that passes no arguments from a frame with no locals does not move the value stack, so only
    /// <see cref="StoreLimits.MaxCallDepth"/> and this bound its frames); false when the cap or the allocator refuses.
    /// </summary>
    internal bool TryEnsureFrames(int needed)
    {
        if (needed <= Frames.Length) return true;
        long cap = Math.Min(Limits.MaxValueStackBytes / Unsafe.SizeOf<Frame>(), Array.MaxLength);
        if (needed > cap) return false;
        long size = Math.Clamp(2L * Frames.Length, needed, cap);
        try { Array.Resize(ref Frames, (int)size); }
        catch (OutOfMemoryException) { return false; }
        return true;
    }

    /// <summary>
    /// Grows the value stack so that slots below <paramref name="needed"/> exist; returns the (possibly new) array,
    /// or null when the cap (or the allocator) refuses: the interpreter then traps with <see cref="TrapKind.CallStackExhausted"/>.
    /// </summary>
    internal ulong[]? GrowStack(long needed) => TryEnsureStack(needed) ? Stack : null;

    /// <summary>
    /// After the outermost call: a value or frame stack that a deep call grew beyond a modest size is dropped for
    /// a small one, so an idle (pooled) store does not keep what one hostile or unusually deep call needed.
    /// </summary>
    private void ShrinkAfterCall()
    {
        if (Stack.Length > RetainedStackSlots) Stack = new ulong[Math.Min(InitialStackSlots, _maxStackSlots)];
        if (Frames.Length > RetainedFrames) Frames = new Frame[InitialFrames];
    }

    internal void Invoke(InterpFunction f, ReadOnlySpan<WasmValue> args, Span<WasmValue> results, CallOptions options)
    {
        var type = f.Type;
        WasmCallCheck.Arguments(type, args, results);

        if (f.Host != null)
        {
            var savedToken = CurrentToken;
            CurrentToken = options.CancellationToken;
            try { f.Host(_noCaller, args, results); }
            finally { CurrentToken = savedToken; }
            return;
        }

        var code = f.Code!;
        int fp = StackTop;
        if (!TryEnsureStack((long)fp + code.FrameSize))
        {
            var e = new WasmTrapException(TrapKind.CallStackExhausted,
                $"call stack exhausted: the value stack would exceed {Limits.MaxValueStackBytes} bytes (StoreLimits.MaxValueStackBytes)", BuildStack(f, FrameCount));
            if (_execDepth == 0) ShrinkAfterCall();
            throw e;
        }
        var stack = Stack;
        for (int i = 0, c = fp; i < args.Length; i++) c = Put(stack, c, type.Parameters[i], args[i]);

        int savedTop = StackTop, savedFrames = FrameCount;
        var savedTokenOuter = CurrentToken;
        long budget = options.Fuel is ulong fuel ? (long)Math.Min(fuel, (ulong)long.MaxValue) : long.MaxValue;
        FuelLeft = budget;
        CurrentToken = options.CancellationToken;
        _execDepth++;
        try
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new WasmTrapException(TrapKind.CallStackExhausted, "call stack exhausted (host re-entry nesting)", BuildStack(f, FrameCount));
            Interpreter.Run(this, f, fp, metered: options.Fuel is not null || options.CancellationToken.CanBeCanceled);
            stack = Stack;
            for (int i = 0, c = fp; i < type.Results.Length; i++) results[i] = Take(stack, ref c, type.Results[i]);
        }
        finally
        {
            _execDepth--;
            StackTop = savedTop;
            FrameCount = savedFrames;
            CurrentToken = savedTokenOuter;
            LastCallFuelConsumed = options.Fuel is null ? 0 : (ulong)(budget - Math.Max(FuelLeft, 0));
            if (_execDepth == 0) ShrinkAfterCall();
        }
    }

    /// <summary>Calls a host function from wasm: arguments at <paramref name="argSlot"/>, results written back there.</summary>
    internal void CallHost(InterpFunction callee, int argSlot, InterpInstance caller)
    {
        var type = callee.Type;
        int np = type.Parameters.Length, nr = type.Results.Length;
        var buf = _hostBuffers.Rent(np + nr);
        try
        {
            var stack = Stack;
            for (int i = 0, c = argSlot; i < np; i++) buf[i] = Take(stack, ref c, type.Parameters[i]);
            HostCalls.Run(callee.Host!, caller, type, buf, static store => store.BuildStack(null, store.FrameCount), this);
        }
        finally
        {
            _hostBuffers.Return();
        }
        var results = Stack;
        for (int i = 0, c = argSlot; i < nr; i++) c = Put(results, c, type.Results[i], buf[np + i]);
    }

    /// <summary>Writes <paramref name="value"/> of <paramref name="type"/> to frame cell <paramref name="cell"/> (a v128 to two cells, low half first); returns the next cell.</summary>
    private int Put(ulong[] stack, int cell, ValueType type, in WasmValue value)
    {
        if (type == ValueType.V128)
        {
            stack[cell] = value.Bits;
            stack[cell + 1] = value.HighBits;
            return cell + 2;
        }
        stack[cell] = ToSlot(type, value);
        return cell + 1;
    }

    /// <summary>Reads a value of <paramref name="type"/> from frame cell <paramref name="cell"/> (a v128 from two) and advances it.</summary>
    private WasmValue Take(ulong[] stack, ref int cell, ValueType type)
    {
        if (type == ValueType.V128)
        {
            var v = WasmValue.V128(stack[cell], stack[cell + 1]);
            cell += 2;
            return v;
        }
        return FromSlot(type, stack[cell++]);
    }

    /// <summary>The wasm stack, innermost first: <paramref name="current"/> then saved frames below <paramref name="frameCount"/>.</summary>
    internal IReadOnlyList<WasmStackFrame> BuildStack(InterpFunction? current, int frameCount)
    {
        var list = new List<WasmStackFrame>();
        if (current != null) list.Add(Describe(current));
        for (int i = Math.Min(frameCount, Frames.Length) - 1; i >= 0 && list.Count < 64; i--)
            if (Frames[i].Func != null) list.Add(Describe(Frames[i].Func));
        return list;
    }

    private static WasmStackFrame Describe(InterpFunction f) =>
        new(f.FuncIndex, f.Instance?.ModuleDef.Definition.GetFunctionName(f.FuncIndex) ?? f.Name);

    internal WasmTrapException Trap(TrapKind kind, InterpFunction current, int frameCount, string? message = null) =>
        new(kind, message, BuildStack(current, frameCount));
}
