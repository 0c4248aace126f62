using System.Runtime.CompilerServices;
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
    public CompiledCode? Code { get; init; }
    public InterpInstance? Instance { get; set; }
    public HostFunctionCallback? Host { get; init; }
    public uint FuncIndex { get; init; }
    public string? Name { get; init; }
    public ExternKind Kind => ExternKind.Function;

    public void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default) =>
        Store.Invoke(this, arguments, results, options);
}

/// <summary>A linear memory: one flat byte array.</summary>
internal sealed class MemoryInstance : IWasmMemory
{
    /// <summary>
    /// Largest page count a .NET byte array can hold: Array.MaxLength / 65536 = 32767 pages (2 GiB - 64 KiB). Memory is
    /// one flat byte[] (see RATIONALE.md), so this is the interpreter's ceiling whatever the module or
    /// <see cref="StoreLimits.MaxMemoryPages"/> allow; growth beyond it returns -1 as the spec permits.
    /// </summary>
    internal static readonly uint ArrayMaxPages = (uint)(Array.MaxLength / MemoryType.PageSize);

    public MemoryInstance(InterpreterStore store, MemoryType type)
    {
        Store = store;
        Max = type.Limits.Max;
        uint cap = Math.Min(store.Limits.MaxMemoryPages, ArrayMaxPages);
        if (type.Limits.Min > cap)
            throw new WasmLinkException($"memory minimum of {type.Limits.Min} pages exceeds this store's cap of {cap} pages (StoreLimits.MaxMemoryPages = {store.Limits.MaxMemoryPages})");
        Pages = type.Limits.Min;
        try { Data = Pages == 0 ? [] : new byte[(long)Pages * MemoryType.PageSize]; }
        catch (OutOfMemoryException e)
        {
            throw new WasmLinkException($"memory minimum of {type.Limits.Min} pages could not be allocated: {e.Message}");
        }
    }

    public InterpreterStore Store { get; }
    public byte[] Data;
    public uint Pages { get; private set; }
    public uint? Max { get; }
    public ExternKind Kind => ExternKind.Memory;
    public MemoryType Type => new(new Limits(Pages, Max));
    public Span<byte> Span => Data;

    public int Grow(uint deltaPages)
    {
        uint old = Pages;
        if (deltaPages == 0) return (int)old;
        ulong target = (ulong)old + deltaPages;
        ulong limit = Math.Min(Math.Min(Max ?? MemoryType.MaxPages, MemoryType.MaxPages), Math.Min(Store.Limits.MaxMemoryPages, ArrayMaxPages));
        if (target > limit) return -1;
        byte[] data;
        try { data = new byte[(long)target * MemoryType.PageSize]; }
        catch (OutOfMemoryException) { return -1; }
        Buffer.BlockCopy(Data, 0, data, 0, Data.Length);
        Data = data;
        Pages = (uint)target;
        return (int)old;
    }
}

/// <summary>A table: elements are reference handles (see RATIONALE.md).</summary>
internal sealed class TableInstance : IWasmTable
{
    public TableInstance(InterpreterStore store, TableType type, ulong initial)
    {
        Store = store;
        ElementType = type.ElementType;
        Max = type.Limits.Max;
        uint cap = Math.Min(store.Limits.MaxTableElements, ArrayMaxElements);
        if (type.Limits.Min > cap)
            throw new WasmLinkException($"table minimum of {type.Limits.Min} elements exceeds this store's cap of {cap} (StoreLimits.MaxTableElements = {store.Limits.MaxTableElements}; one array holds at most {ArrayMaxElements})");
        try { Elements = new ulong[type.Limits.Min]; }
        catch (OutOfMemoryException e)
        {
            throw new WasmLinkException($"table minimum of {type.Limits.Min} elements could not be allocated: {e.Message}");
        }
        if (initial != 0) Array.Fill(Elements, initial);
    }

    /// <summary>Largest element count one .NET array holds: the table's ceiling whatever the limits say.</summary>
    internal static readonly uint ArrayMaxElements = (uint)Array.MaxLength;

    public InterpreterStore Store { get; }
    public ulong[] Elements;
    public ValueType ElementType { get; }
    public uint? Max { get; }
    public uint Size => (uint)Elements.Length;
    public ExternKind Kind => ExternKind.Table;
    public TableType Type => new(ElementType, new Limits(Size, Max));

    public WasmValue Get(uint index)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        return Store.FromSlot(ElementType, Elements[index]);
    }

    public void Set(uint index, WasmValue value)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        Elements[index] = Store.ToSlot(ElementType, value);
    }

    public int Grow(uint delta, WasmValue initial) => GrowRaw(delta, Store.ToSlot(ElementType, initial));

    public int GrowRaw(uint delta, ulong init)
    {
        uint old = Size;
        ulong target = (ulong)old + delta;
        ulong limit = Math.Min(Math.Min(Max ?? uint.MaxValue, Store.Limits.MaxTableElements), ArrayMaxElements);
        if (target > limit) return -1;
        if (delta == 0) return (int)old;
        ulong[] e;
        try { e = new ulong[target]; }
        catch (OutOfMemoryException) { return -1; }
        Array.Copy(Elements, e, Elements.Length);
        if (init != 0) Array.Fill(e, init, (int)old, (int)delta);
        Elements = e;
        return (int)old;
    }
}

/// <summary>A global: its value as slot bits (references as handles).</summary>
internal sealed class GlobalCell : IWasmGlobal
{
    public GlobalCell(InterpreterStore store, GlobalType type, ulong bits)
    {
        Store = store;
        Type = type;
        Bits = bits;
    }

    public InterpreterStore Store { get; }
    public ulong Bits;
    public GlobalType Type { get; }
    public ExternKind Kind => ExternKind.Global;

    public WasmValue Value
    {
        get => Store.FromSlot(Type.ValueType, Bits);
        set
        {
            if (!Type.Mutable) throw new InvalidOperationException("the global is immutable");
            if (value.Type != Type.ValueType) throw new ArgumentException($"expected a {Type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
            Bits = Store.ToSlot(Type.ValueType, value);
        }
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

/// <summary>The context given to host functions invoked directly from .NET (no calling instance).</summary>
internal sealed class NoCallerContext : IHostCallContext
{
    private readonly InterpreterStore _store;
    public NoCallerContext(InterpreterStore store) => _store = store;
    public IWasmMemory? GetMemory(string name = "memory") => null;
    public CancellationToken CancellationToken => _store.CurrentToken;
}

/// <summary>The interpreter's store: value stack, frame stack, handles and all runtime objects.</summary>
internal sealed partial class InterpreterStore : IWasmStore
{
    private readonly InterpreterEngine _engine;
    private readonly List<InterpFunction> _functions = new();
    private readonly List<object> _externs = new();
    private readonly Dictionary<object, int> _externIds = new();
    private readonly List<WasmValue[]> _hostBuffers = new();
    private readonly NoCallerContext _noCaller;
    private int _hostDepth;

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
        _noCaller = new NoCallerContext(this);
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

    private InterpFunction WrapForeign(IWasmFunction foreign) =>
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
        if (value.Type != type.ValueType) throw new ArgumentException($"expected a {type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
        return new GlobalCell(this, type, ToSlot(type.ValueType, value));
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
        if (args.Length != type.Parameters.Length)
            throw new ArgumentException($"expected {type.Parameters.Length} arguments, got {args.Length}", nameof(args));
        if (results.Length < type.Results.Length)
            throw new ArgumentException($"the results span needs room for {type.Results.Length} values", nameof(results));
        for (int i = 0; i < args.Length; i++)
            if (args[i].Type != type.Parameters[i])
                throw new ArgumentException($"argument {i}: expected {type.Parameters[i].ToWat()}, got {args[i].Type.ToWat()}", nameof(args));

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
        for (int i = 0; i < args.Length; i++) stack[fp + i] = ToSlot(type.Parameters[i], args[i]);

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
            for (int i = 0; i < type.Results.Length; i++) results[i] = FromSlot(type.Results[i], stack[fp + i]);
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
        if (_hostDepth == _hostBuffers.Count) _hostBuffers.Add(new WasmValue[Math.Max(8, np + nr)]);
        var buf = _hostBuffers[_hostDepth];
        if (buf.Length < np + nr) _hostBuffers[_hostDepth] = buf = new WasmValue[np + nr];
        var stack = Stack;
        for (int i = 0; i < np; i++) buf[i] = FromSlot(type.Parameters[i], stack[argSlot + i]);
        for (int i = 0; i < nr; i++) buf[np + i] = WasmValue.Default(type.Results[i]);
        _hostDepth++;
        try
        {
            callee.Host!(caller, new ReadOnlySpan<WasmValue>(buf, 0, np), new Span<WasmValue>(buf, np, nr));
        }
        catch (WasmTrapException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new WasmTrapException(TrapKind.HostError, $"host function failed: {e.Message}", BuildStack(null, FrameCount), e);
        }
        finally
        {
            _hostDepth--;
        }
        stack = Stack;
        for (int i = 0; i < nr; i++)
        {
            var v = buf[np + i];
            if (v.Type != type.Results[i])
                throw new WasmTrapException(TrapKind.HostError, $"host function returned {v.Type.ToWat()} for result {i}, expected {type.Results[i].ToWat()}", BuildStack(null, FrameCount));
            stack[argSlot + i] = ToSlot(type.Results[i], v);
        }
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
