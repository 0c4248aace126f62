using System.Runtime.InteropServices;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// State shared by every instance of one store, read and written by generated code: call depth, fuel,
/// the interrupt flag and the instance that is calling a host function.
/// </summary>
internal sealed class StoreState
{
    public int Depth;
    public int MaxDepth;
    public long Fuel = long.MaxValue;
    public int Interrupted;
    public Instance? Caller;
    /// <summary>True while a metered call (fuel or a cancellation token) runs: nested calls stay metered.</summary>
    public bool Metered;
    /// <summary>
    /// The lowest stack address generated code may reach without asking (<see cref="ExtendStack"/>): every function entry
    /// compares the address of a local with it. <see cref="nuint.MaxValue"/> (ask at the first entry) at every
    /// <c>Invoke</c>, since each may run on another thread.
    /// </summary>
    public nuint StackFloor = nuint.MaxValue;

    /// <summary>
    /// Called by a function entry whose stack address <paramref name="sp"/> is below <see cref="StackFloor"/>: when the
    /// runtime guarantees <see cref="StackBudget.Guarantee"/> more bytes here, lowers the floor by <see cref="StackBudget.Step"/>
    /// below <paramref name="sp"/> and returns true; otherwise false (the caller traps with <c>CallStackExhausted</c>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public bool ExtendStack(nuint sp)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack()) return false;
        StackFloor = sp - (nuint)StackBudget.Step;
        return true;
    }

    /// <summary>The trap for a failed fuel or interrupt check at a loop header or function entry.</summary>
    public Exception LimitTrap(Instance ctx, int funcidx) =>
        Volatile.Read(ref Interrupted) != 0
            ? ctx.Trap((int)TrapKind.Interrupted, funcidx)
            : ctx.Trap((int)TrapKind.OutOfFuel, funcidx);
}

/// <summary>A function: wasm-defined (<see cref="Instance"/> set) or host-defined (<see cref="Host"/> set).</summary>
internal sealed class WasmFunc : IWasmFunction
{
    public WasmFunc(CompilerStore store, FuncType type, Signature signature)
    {
        Store = store;
        Type = type;
        Signature = signature;
        TypeId = signature.TypeId;
    }

    public CompilerStore Store { get; }
    public FuncType Type { get; }
    public Signature Signature { get; }
    /// <summary>Engine-wide id of <see cref="Type"/> (equal types, equal ids): call_indirect compares it.</summary>
    public readonly int TypeId;
    /// <summary>The typed delegates (closed over the instance or the host binding), per code variant (0 unmetered, 1 metered); created on first use.</summary>
    public Delegate? Typed;
    public Delegate? TypedMetered;
    public Instance? Instance { get; init; }
    public int DefinedIndex { get; init; } = -1;
    public uint FuncIndex { get; init; }
    public HostBinding? Host { get; init; }
    public ExternKind Kind => ExternKind.Function;

    /// <summary>The typed delegate of a code variant, compiling the function (and everything it calls directly) on first use.</summary>
    public Delegate GetTyped(bool metered) => (metered ? TypedMetered : Typed) ?? EnsureTyped(metered);

    private Delegate EnsureTyped(bool metered)
    {
        if (Host is not null)
            return Typed = TypedMetered = Signature.HostAdapter.CreateDelegate(Signature.DelegateType, Host);
        var module = Instance!.Module;
        var method = module.EnsureCompiled(DefinedIndex, metered, Instance.S);
        var d = method.CreateDelegate(Signature.DelegateType, Instance);
        if (metered) TypedMetered = d;
        else Typed = d;
        return d;
    }

    public void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default) =>
        Store.Invoke(this, arguments, results, options);
}

/// <summary>A host function's callback and the store it belongs to; the target of a host adapter delegate.</summary>
internal sealed class HostBinding
{
    private readonly CompilerStore _store;
    private readonly FuncType _type;
    private readonly HostFunctionCallback _callback;

    public HostBinding(CompilerStore store, FuncType type, HostFunctionCallback callback)
    {
        _store = store;
        _type = type;
        _callback = callback;
    }

    /// <summary>A buffer for one call's arguments then results (one per host nesting level).</summary>
    public WasmValue[] Rent() => _store.RentHostBuffer(_type.Parameters.Length + _type.Results.Length);

    /// <summary>Calls the callback over <paramref name="buffer"/> and checks its results.</summary>
    public void Call(WasmValue[] buffer)
    {
        int np = _type.Parameters.Length, nr = _type.Results.Length;
        for (int i = 0; i < nr; i++) buffer[np + i] = WasmValue.Default(_type.Results[i]);
        var state = _store.State;
        IHostCallContext context = (IHostCallContext?)state.Caller ?? _store.NoCaller;
        state.Caller = null;
        try
        {
            _callback(context, new ReadOnlySpan<WasmValue>(buffer, 0, np), new Span<WasmValue>(buffer, np, nr));
        }
        // A filter, not catch-and-rethrow: a trap from deep host re-entry must pass every level in one dispatch (a catch
        // block that rethrows runs on top of the stack and starts a new dispatch there, per level, until the stack overflows).
        catch (Exception e) when (e is not WasmTrapException and not OutOfMemoryException)
        {
            throw new WasmTrapException(TrapKind.HostError, $"host function failed: {e.Message}", null, e);
        }
        finally
        {
            _store.ReturnHostBuffer();
        }
        for (int i = 0; i < nr; i++)
        {
            var v = buffer[np + i];
            if (v.Type != _type.Results[i])
                throw new WasmTrapException(TrapKind.HostError, $"host function returned {v.Type.ToWat()} for result {i}, expected {_type.Results[i].ToWat()}");
            if (v.Type == ValueType.FuncRef && v.Reference is not null && v.Reference is not WasmFunc { } f)
                buffer[np + i] = WasmValue.FuncRef(_store.Adopt((IWasmFunction)v.Reference));
            else if (v.Type == ValueType.FuncRef && v.Reference is WasmFunc g && g.Store != _store)
                buffer[np + i] = WasmValue.FuncRef(_store.Adopt(g));
        }
    }
}

/// <summary>A linear memory in native memory: generated code reads <see cref="Base"/> and <see cref="Length"/>.</summary>
internal sealed unsafe class MemoryInstance : IWasmMemory
{
    /// <summary>Largest page count a span can cover (int.MaxValue bytes).</summary>
    internal const uint SpanMaxPages = 32767;

    public nint Base;
    public ulong Length;

    public MemoryInstance(CompilerStore store, MemoryType type)
    {
        Store = store;
        Max = type.Limits.Max;
        uint cap = Math.Min(store.Limits.MaxMemoryPages, SpanMaxPages);
        if (type.Limits.Min > cap)
            throw new WasmLinkException($"memory minimum of {type.Limits.Min} pages exceeds this store's cap of {cap} pages (StoreLimits.MaxMemoryPages = {store.Limits.MaxMemoryPages})");
        Pages = type.Limits.Min;
        Length = (ulong)Pages * MemoryType.PageSize;
        Base = (nint)NativeMemory.AllocZeroed((nuint)Math.Max(Length, 8));
        if (Length > 0) GC.AddMemoryPressure((long)Length);
    }

    ~MemoryInstance()
    {
        NativeMemory.Free((void*)Base);
        if (Length > 0) GC.RemoveMemoryPressure((long)Length);
    }

    public CompilerStore Store { get; }
    public uint Pages { get; private set; }
    public uint? Max { get; }
    public ExternKind Kind => ExternKind.Memory;
    public MemoryType Type => new(new Limits(Pages, Max));
    public Span<byte> Span => new((void*)Base, (int)Length);

    public int Grow(uint deltaPages)
    {
        uint old = Pages;
        if (deltaPages == 0) return (int)old;
        ulong target = (ulong)old + deltaPages;
        ulong limit = Math.Min(Math.Min(Max ?? MemoryType.MaxPages, MemoryType.MaxPages), Math.Min(Store.Limits.MaxMemoryPages, SpanMaxPages));
        if (target > limit) return -1;
        ulong newLength = target * MemoryType.PageSize;
        void* p;
        try { p = NativeMemory.Realloc((void*)Base, (nuint)newLength); }
        catch (OutOfMemoryException) { return -1; }
        new Span<byte>((byte*)p + Length, (int)(newLength - Length)).Clear();
        GC.AddMemoryPressure((long)(newLength - Length));
        Base = (nint)p;
        Length = newLength;
        Pages = (uint)target;
        GC.KeepAlive(this);
        return (int)old;
    }
}

/// <summary>A table: elements are <see cref="WasmFunc"/> (funcref) or any host object (externref); null is the null reference.</summary>
internal sealed class TableInstance : IWasmTable
{
    public object?[] Elements;

    public TableInstance(CompilerStore store, TableType type, object? initial)
    {
        Store = store;
        ElementType = type.ElementType;
        Max = type.Limits.Max;
        if (type.Limits.Min > store.Limits.MaxTableElements)
            throw new WasmLinkException($"table minimum of {type.Limits.Min} elements exceeds this store's cap of {store.Limits.MaxTableElements} (StoreLimits.MaxTableElements)");
        Elements = new object?[type.Limits.Min];
        if (initial is not null) Array.Fill(Elements, initial);
    }

    public CompilerStore Store { get; }
    public ValueType ElementType { get; }
    public uint? Max { get; }
    public uint Size => (uint)Elements.Length;
    public ExternKind Kind => ExternKind.Table;
    public TableType Type => new(ElementType, new Limits(Size, Max));

    public WasmValue Get(uint index)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        return Store.ToValue(ElementType, Elements[index]);
    }

    public void Set(uint index, WasmValue value)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        Elements[index] = Store.ToReference(ElementType, value);
    }

    public int Grow(uint delta, WasmValue initial) => GrowRaw(delta, Store.ToReference(ElementType, initial));

    public int GrowRaw(uint delta, object? init)
    {
        uint old = Size;
        ulong target = (ulong)old + delta;
        ulong limit = Math.Min(Max ?? uint.MaxValue, Store.Limits.MaxTableElements);
        if (target > limit) return -1;
        if (delta == 0) return (int)old;
        var e = new object?[target];
        Array.Copy(Elements, e, Elements.Length);
        if (init is not null) Array.Fill(e, init, (int)old, (int)delta);
        Elements = e;
        return (int)old;
    }
}

/// <summary>A global: numbers as bits in <see cref="Bits"/>, references in <see cref="Ref"/>.</summary>
internal sealed class GlobalInstance : IWasmGlobal
{
    public long Bits;
    public long High; // a v128 global's high 64 bits (Bits holds the low 64)
    public object? Ref;

    public GlobalInstance(CompilerStore store, GlobalType type)
    {
        Store = store;
        Type = type;
    }

    public CompilerStore Store { get; }
    public GlobalType Type { get; }
    public ExternKind Kind => ExternKind.Global;

    public WasmValue Value
    {
        get => Type.ValueType.IsReference() ? Store.ToValue(Type.ValueType, Ref) : Type.ValueType == ValueType.V128 ? WasmValue.V128((ulong)Bits, (ulong)High) : WasmValue.FromBits(Type.ValueType, (ulong)Bits);
        set
        {
            if (!Type.Mutable) throw new InvalidOperationException("the global is immutable");
            SetValue(value);
        }
    }

    internal void SetValue(WasmValue value)
    {
        if (value.Type != Type.ValueType) throw new ArgumentException($"expected a {Type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
        if (Type.ValueType.IsReference()) Ref = Store.ToReference(Type.ValueType, value);
        else (Bits, High) = ((long)value.Bits, (long)value.HighBits);
    }
}

/// <summary>The context given to host functions invoked directly from .NET (no calling instance).</summary>
internal sealed class NoCallerContext : IHostCallContext
{
    private readonly CompilerStore _store;
    public NoCallerContext(CompilerStore store) => _store = store;
    public IWasmMemory? GetMemory(string name = "memory") => null;
    public CancellationToken CancellationToken => _store.CurrentToken;
}
