using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Core;

/// <summary>
/// A linear memory's page count and limit logic (spec <c>mem_alloc</c>/<c>mem_grow</c>, capped by
/// <see cref="StoreLimits.MaxMemoryPages"/> and by the tier's own ceiling). The bytes live in the derived class, in the
/// fields its hot code reads directly (no virtual call on loads and stores).
/// </summary>
internal abstract class MemoryObject : IWasmMemory
{
    private readonly StoreLimits _limits;
    private readonly uint _ceiling;

    /// <summary>Checks the minimum against the caps; the derived class then allocates <see cref="Pages"/> pages.</summary>
    /// <param name="owner">The store that owns the memory (an import of another store's memory is refused).</param>
    /// <param name="type">The memory type.</param>
    /// <param name="limits">The store's limits.</param>
    /// <param name="ceilingPages">The most pages this tier's representation can hold.</param>
    protected MemoryObject(object owner, MemoryType type, StoreLimits limits, uint ceilingPages)
    {
        Owner = owner;
        _limits = limits;
        _ceiling = ceilingPages;
        Max = type.Limits.Max;
        uint cap = Math.Min(limits.MaxMemoryPages, ceilingPages);
        if (type.Limits.Min > cap)
            throw new WasmLinkException($"memory minimum of {type.Limits.Min} pages exceeds this store's cap of {cap} pages (StoreLimits.MaxMemoryPages = {limits.MaxMemoryPages})");
        Pages = type.Limits.Min;
    }

    /// <summary>The owning store.</summary>
    public object Owner { get; }
    public uint Pages { get; private set; }
    public uint? Max { get; }
    public ExternKind Kind => ExternKind.Memory;
    public MemoryType Type => new(new Limits(Pages, Max));
    public abstract Span<byte> Span { get; }

    /// <summary>The error for a minimum the allocator refused (the store and the host live on).</summary>
    protected WasmLinkException AllocationFailed(Exception e) =>
        new($"memory minimum of {Pages} pages could not be allocated: {e.Message}");

    public int Grow(uint deltaPages)
    {
        uint old = Pages;
        if (deltaPages == 0) return (int)old;
        ulong target = (ulong)old + deltaPages;
        ulong limit = Math.Min(Math.Min(Max ?? MemoryType.MaxPages, MemoryType.MaxPages), Math.Min(_limits.MaxMemoryPages, _ceiling));
        if (target > limit || !TryResize(old * (ulong)MemoryType.PageSize, target * MemoryType.PageSize)) return -1;
        Pages = (uint)target;
        return (int)old;
    }

    /// <summary>Grows the bytes from <paramref name="oldLength"/> to <paramref name="newLength"/>, zeroing the new ones; false when the allocator refuses.</summary>
    protected abstract bool TryResize(ulong oldLength, ulong newLength);
}

/// <summary>
/// A table's elements and limit logic (spec <c>table_alloc</c>/<c>table_grow</c>, capped by
/// <see cref="StoreLimits.MaxTableElements"/> and by what one .NET array holds). <typeparamref name="TElement"/> is the
/// tier's reference representation; hot code reads <see cref="Elements"/> directly.
/// </summary>
internal abstract class TableObject<TElement> : IWasmTable
{
    /// <summary>Largest element count one .NET array holds: the table's ceiling whatever the limits say.</summary>
    internal static readonly uint ArrayMaxElements = (uint)Array.MaxLength;

    private readonly StoreLimits _limits;

    /// <summary>The elements; replaced (never resized in place) by a growth.</summary>
    public TElement[] Elements;

    /// <summary>Allocates the minimum, every element <paramref name="initial"/>.</summary>
    protected TableObject(object owner, TableType type, StoreLimits limits, TElement initial)
    {
        Owner = owner;
        _limits = limits;
        ElementType = type.ElementType;
        Max = type.Limits.Max;
        uint cap = Math.Min(limits.MaxTableElements, ArrayMaxElements);
        if (type.Limits.Min > cap)
            throw new WasmLinkException($"table minimum of {type.Limits.Min} elements exceeds this store's cap of {cap} (StoreLimits.MaxTableElements = {limits.MaxTableElements}; one array holds at most {ArrayMaxElements})");
        try { Elements = new TElement[type.Limits.Min]; }
        catch (OutOfMemoryException e)
        {
            throw new WasmLinkException($"table minimum of {type.Limits.Min} elements could not be allocated: {e.Message}");
        }
        if (!EqualityComparer<TElement>.Default.Equals(initial, default)) Array.Fill(Elements, initial);
    }

    /// <summary>The owning store.</summary>
    public object Owner { get; }
    public ValueType ElementType { get; }
    public uint? Max { get; }
    public uint Size => (uint)Elements.Length;
    public ExternKind Kind => ExternKind.Table;
    public TableType Type => new(ElementType, new Limits(Size, Max));

    /// <summary>An element as an API value.</summary>
    protected abstract WasmValue ToValue(TElement element);
    /// <summary>An API value as an element (a foreign function is adopted by the store).</summary>
    protected abstract TElement FromValue(WasmValue value);

    public WasmValue Get(uint index)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        return ToValue(Elements[index]);
    }

    public void Set(uint index, WasmValue value)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        Elements[index] = FromValue(value);
    }

    public int Grow(uint delta, WasmValue initial) => GrowRaw(delta, FromValue(initial));

    /// <summary><c>table.grow</c>: the old size, or -1 when a limit or the allocator refuses.</summary>
    public int GrowRaw(uint delta, TElement init)
    {
        uint old = Size;
        ulong target = (ulong)old + delta;
        ulong limit = Math.Min(Math.Min(Max ?? uint.MaxValue, _limits.MaxTableElements), ArrayMaxElements);
        if (target > limit) return -1;
        if (delta == 0) return (int)old;
        TElement[] e;
        try { e = new TElement[target]; }
        catch (OutOfMemoryException) { return -1; }
        Array.Copy(Elements, e, Elements.Length);
        if (!EqualityComparer<TElement>.Default.Equals(init, default)) Array.Fill(e, init, (int)old, (int)delta);
        Elements = e;
        return (int)old;
    }
}

/// <summary>
/// A global's type and the API's checks on its value. The value lives in the derived class, in the fields hot code
/// reads directly.
/// </summary>
internal abstract class GlobalObject : IWasmGlobal
{
    protected GlobalObject(object owner, GlobalType type)
    {
        Owner = owner;
        Type = type;
    }

    /// <summary>The owning store.</summary>
    public object Owner { get; }
    public GlobalType Type { get; }
    public ExternKind Kind => ExternKind.Global;

    public WasmValue Value
    {
        get => Read();
        set
        {
            if (!Type.Mutable) throw new InvalidOperationException("the global is immutable");
            SetValue(value);
        }
    }

    /// <summary>Sets the value whatever the mutability (initialisation), checking its type.</summary>
    internal void SetValue(WasmValue value)
    {
        if (value.Type != Type.ValueType) throw new ArgumentException($"expected a {Type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
        Write(value);
    }

    /// <summary>The value as an API value.</summary>
    protected abstract WasmValue Read();
    /// <summary>Stores an API value of the right type.</summary>
    protected abstract void Write(WasmValue value);
}

/// <summary>The context given to host functions invoked directly from .NET (no calling instance).</summary>
internal sealed class NoCallerContext : IHostCallContext
{
    private readonly Func<CancellationToken> _token;

    /// <param name="token">Reads the token of the call in progress from the store.</param>
    public NoCallerContext(Func<CancellationToken> token) => _token = token;
    public IWasmMemory? GetMemory(string name = "memory") => null;
    public CancellationToken CancellationToken => _token();
}
