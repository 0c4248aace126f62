using Polymath.Sdk;
using Polymath.Wasm;
using Wasmtime;
using ValueType = Polymath.Wasm.ValueType;
using Global = Wasmtime.Global;

namespace Polymath.Runtime.Wasmtime;

/// <summary>A Wasmtime function (wasm- or host-defined) behind the SDK contract.</summary>
internal sealed class WtFunction : IWasmFunction
{
    private Function? _native;
    private readonly Func<Function>? _create;

    public WtFunction(WasmtimeStore store, Function native, FuncType type, WasmtimeModule? module)
    {
        Store = store;
        _native = native;
        Type = type;
        Module = module;
        (Shape, Typed) = Wrap(native, type);
    }

    /// <summary>A host function whose native function is made when first needed (once the store knows its engine).</summary>
    public WtFunction(WasmtimeStore store, FuncType type, Func<Function> create)
    {
        Store = store;
        Type = type;
        _create = create;
    }

    /// <summary>The typed-call shape: all-i32 signatures with up to 4 parameters and at most one result (the expert ABI).</summary>
    public TypedShape Shape { get; }

    /// <summary>The package's typed wrapper for <see cref="Shape"/> (no boxing, unchecked call), or null.</summary>
    public Delegate? Typed { get; }

    private static (TypedShape, Delegate?) Wrap(Function native, FuncType type)
    {
        if (native.IsNull || type.Results.Length > 1 || type.Parameters.Length > 4) return (TypedShape.None, null);
        foreach (var t in type.Parameters) if (t != ValueType.I32) return (TypedShape.None, null);
        if (type.Results.Length == 1 && type.Results[0] != ValueType.I32) return (TypedShape.None, null);
        bool r = type.Results.Length == 1;
        (TypedShape shape, Delegate? d) = (type.Parameters.Length, r) switch
        {
            (0, false) => (TypedShape.V, (Delegate?)native.WrapAction()),
            (0, true) => (TypedShape.I, native.WrapFunc<int>()),
            (1, false) => (TypedShape.IV, native.WrapAction<int>()),
            (1, true) => (TypedShape.II, native.WrapFunc<int, int>()),
            (2, false) => (TypedShape.IIV, native.WrapAction<int, int>()),
            (2, true) => (TypedShape.III, native.WrapFunc<int, int, int>()),
            (3, true) => (TypedShape.IIII, native.WrapFunc<int, int, int, int>()),
            (4, true) => (TypedShape.IIIII, native.WrapFunc<int, int, int, int, int>()),
            _ => (TypedShape.None, null),
        };
        return d is null ? (TypedShape.None, null) : (shape, d);
    }

    public WasmtimeStore Store { get; }
    public Function Native => _native ??= _create!();
    public FuncType Type { get; }
    /// <summary>The module that defines it (for backtraces), when known.</summary>
    public WasmtimeModule? Module { get; }
    public ExternKind Kind => ExternKind.Function;

    public void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default) =>
        Store.Invoke(this, arguments, results, options);
}

/// <summary>Signatures called through the package's typed wrappers: parameters then result, I = i32, V = no result.</summary>
internal enum TypedShape
{
    None, V, I, IV, II, IIV, III, IIII, IIIII,
}

/// <summary>A Wasmtime linear memory behind the SDK contract.</summary>
internal sealed class WtMemory : IWasmMemory
{
    public WtMemory(WasmtimeStore store, Memory native)
    {
        Store = store;
        Native = native;
    }

    public WasmtimeStore Store { get; }
    public Memory Native { get; }
    public ExternKind Kind => ExternKind.Memory;
    public MemoryType Type => new(new Limits(Pages, Native.Maximum is long max ? (uint)max : null));
    public uint Pages => (uint)Native.GetSize();

    /// <summary>
    /// The memory's bytes now: two P/Invokes (size, base), where <c>GetSpan</c> after <c>GetLength</c> made four. Valid
    /// until the memory grows, as any span over a Wasmtime memory.
    /// </summary>
    public unsafe Span<byte> Span
    {
        get
        {
            long length = Native.GetLength();
            return length == 0 ? [] : new Span<byte>((void*)Native.GetPointer(), (int)Math.Min(length, Array.MaxLength));
        }
    }

    public int Grow(uint deltaPages)
    {
        try { return (int)Native.Grow(deltaPages); }
        catch (WasmtimeException) { return -1; }
    }
}

/// <summary>A Wasmtime table behind the SDK contract.</summary>
internal sealed class WtTable : IWasmTable
{
    public WtTable(WasmtimeStore store, Table native)
    {
        Store = store;
        Native = native;
        ElementType = native.Kind == TableKind.FuncRef ? ValueType.FuncRef : ValueType.ExternRef;
    }

    public WasmtimeStore Store { get; }
    public Table Native { get; }
    public ValueType ElementType { get; }
    public ExternKind Kind => ExternKind.Table;
    public uint Size => (uint)Native.GetSize();
    public TableType Type => new(ElementType, new Limits(Size, Native.Maximum == uint.MaxValue ? null : Native.Maximum));

    public WasmValue Get(uint index)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        return Values.FromObject(Store, ElementType, Native.GetElement(index));
    }

    public void Set(uint index, WasmValue value)
    {
        if (index >= Size) throw new WasmTrapException(TrapKind.TableOutOfBounds);
        CheckType(value);
        Native.SetElement(index, Values.ToObject(Store, value));
    }

    public int Grow(uint delta, WasmValue initial)
    {
        CheckType(initial);
        try { return (int)Native.Grow(delta, Values.ToObject(Store, initial)); }
        catch (WasmtimeException) { return -1; }
    }

    private void CheckType(in WasmValue value)
    {
        if (value.Type != ElementType)
            throw new ArgumentException($"expected a {ElementType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
    }
}

/// <summary>A Wasmtime global behind the SDK contract.</summary>
internal sealed class WtGlobal : IWasmGlobal
{
    public WtGlobal(WasmtimeStore store, Global native, GlobalType type)
    {
        Store = store;
        Native = native;
        Type = type;
    }

    public WasmtimeStore Store { get; }
    public Global Native { get; }
    public GlobalType Type { get; }
    public ExternKind Kind => ExternKind.Global;

    public WasmValue Value
    {
        get => Values.FromObject(Store, Type.ValueType, Native.GetValue());
        set
        {
            if (!Type.Mutable) throw new InvalidOperationException("the global is immutable");
            if (value.Type != Type.ValueType) throw new ArgumentException($"expected a {Type.ValueType.ToWat()} value, got {value.Type.ToWat()}", nameof(value));
            Native.SetValue(Values.ToObject(Store, value));
        }
    }
}

/// <summary>An instance: its exports wrapped once at instantiation.</summary>
internal sealed class WtInstance : IWasmInstance
{
    public WtInstance(WasmtimeModule module, IReadOnlyDictionary<string, IWasmExtern> exports)
    {
        Module = module;
        Exports = exports;
    }

    public IWasmModule Module { get; }
    public IReadOnlyDictionary<string, IWasmExtern> Exports { get; }
}

/// <summary>What a host function sees of its caller: the caller's exported memory (resolved before the callback runs).</summary>
internal sealed class WtHostCallContext : IHostCallContext
{
    public IWasmMemory? Memory;
    public CancellationToken Token;

    public IWasmMemory? GetMemory(string name = "memory") => name == "memory" ? Memory : null;
    public CancellationToken CancellationToken => Token;
}
