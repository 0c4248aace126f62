using System.Runtime.InteropServices;
using Polymath.Runtime.Core;
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
        var state = _store.State;
        IHostCallContext context = (IHostCallContext?)state.Caller ?? _store.NoCaller;
        state.Caller = null;
        try
        {
            HostCalls.Run(_callback, context, _type, buffer, static _ => null, 0);
        }
        finally
        {
            _store.ReturnHostBuffer();
        }
        for (int i = 0, np = _type.Parameters.Length, nr = _type.Results.Length; i < nr; i++)
        {
            // A funcref result of another store or runtime is adopted: generated code holds only this store's functions.
            if (buffer[np + i] is { Type: ValueType.FuncRef, Reference: IWasmFunction f } && (f is not WasmFunc own || own.Store != _store))
                buffer[np + i] = WasmValue.FuncRef(_store.Adopt(f));
        }
    }
}

/// <summary>A linear memory in native memory: generated code reads <see cref="Base"/> and <see cref="Length"/>.</summary>
internal sealed unsafe class MemoryInstance : MemoryObject
{
    /// <summary>Largest page count a span can cover (int.MaxValue bytes).</summary>
    internal const uint SpanMaxPages = 32767;

    public nint Base;
    public ulong Length;

    public MemoryInstance(CompilerStore store, MemoryType type) : base(store, type, store.Limits, SpanMaxPages)
    {
        Store = store;
        Length = (ulong)Pages * MemoryType.PageSize;
        try { Base = (nint)NativeMemory.AllocZeroed((nuint)Math.Max(Length, 8)); }
        catch (OutOfMemoryException e) { throw AllocationFailed(e); }
        if (Length > 0) GC.AddMemoryPressure((long)Length);
    }

    ~MemoryInstance()
    {
        NativeMemory.Free((void*)Base);
        if (Length > 0) GC.RemoveMemoryPressure((long)Length);
    }

    public CompilerStore Store { get; }
    public override Span<byte> Span => new((void*)Base, (int)Length);

    protected override bool TryResize(ulong oldLength, ulong newLength)
    {
        void* p;
        try { p = NativeMemory.Realloc((void*)Base, (nuint)newLength); }
        catch (OutOfMemoryException) { return false; }
        new Span<byte>((byte*)p + oldLength, (int)(newLength - oldLength)).Clear();
        GC.AddMemoryPressure((long)(newLength - oldLength));
        Base = (nint)p;
        Length = newLength;
        GC.KeepAlive(this);
        return true;
    }
}

/// <summary>A table: elements are <see cref="WasmFunc"/> (funcref) or any host object (externref); null is the null reference.</summary>
internal sealed class TableInstance : TableObject<object?>
{
    public TableInstance(CompilerStore store, TableType type, object? initial) : base(store, type, store.Limits, initial) => Store = store;

    public CompilerStore Store { get; }
    protected override WasmValue ToValue(object? element) => Store.ToValue(ElementType, element);
    protected override object? FromValue(WasmValue value) => Store.ToReference(ElementType, value);
}

/// <summary>A global: numbers as bits in <see cref="Bits"/>, references in <see cref="Ref"/>.</summary>
internal sealed class GlobalInstance : GlobalObject
{
    public long Bits;
    public long High; // a v128 global's high 64 bits (Bits holds the low 64)
    public object? Ref;

    public GlobalInstance(CompilerStore store, GlobalType type) : base(store, type) => Store = store;

    public CompilerStore Store { get; }

    protected override WasmValue Read() =>
        Type.ValueType.IsReference() ? Store.ToValue(Type.ValueType, Ref)
        : Type.ValueType == ValueType.V128 ? WasmValue.V128((ulong)Bits, (ulong)High)
        : WasmValue.FromBits(Type.ValueType, (ulong)Bits);

    protected override void Write(WasmValue value)
    {
        if (Type.ValueType.IsReference()) Ref = Store.ToReference(Type.ValueType, value);
        else (Bits, High) = ((long)value.Bits, (long)value.HighBits);
    }
}
