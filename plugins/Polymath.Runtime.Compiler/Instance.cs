using System.Runtime.CompilerServices;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// An instance, and the context every generated function receives as its first argument: the module's
/// index spaces resolved to store objects. Generated code reads these fields directly.
/// </summary>
internal sealed unsafe class Instance : IWasmInstance, IHostCallContext
{
    public readonly StoreState S;
    public MemoryInstance? Mem;
    public GlobalInstance[] Globals = [];
    public TableInstance[] Tables = [];
    public WasmFunc[] Funcs = [];
    /// <summary>Element segments (empty once dropped).</summary>
    public object?[][] Elements = [];
    /// <summary>Data segments (empty once dropped).</summary>
    public ReadOnlyMemory<byte>[] Datas = [];

    public Instance(CompiledModule module, CompilerStore store)
    {
        Module = module;
        Store = store;
        S = store.State;
    }

    public CompiledModule Module { get; }
    public CompilerStore Store { get; }
    IWasmModule IWasmInstance.Module => Module;
    public IReadOnlyDictionary<string, IWasmExtern> Exports { get; set; } = new Dictionary<string, IWasmExtern>();

    IWasmMemory? IHostCallContext.GetMemory(string name) => Exports.TryGetValue(name, out var e) ? e as IWasmMemory : null;
    public CancellationToken CancellationToken => Store.CurrentToken;

    /// <summary>A trap of <paramref name="kind"/> (a <see cref="TrapKind"/>) in function <paramref name="funcidx"/>.</summary>
    public Exception Trap(int kind, int funcidx)
    {
        var def = Module.Definition;
        return new WasmTrapException((TrapKind)kind, null, [new WasmStackFrame((uint)funcidx, def.GetFunctionName((uint)funcidx))]);
    }

    // ------------------------------------------------------------------ helpers called by generated code
    // Convention: wasm operands first (in stack order), then the instance, then immediates, then the funcidx for traps.

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int MemoryGrow(int delta, Instance ctx) => ctx.Mem!.Grow((uint)delta);

    public static void MemoryFill(int d, int value, int n, Instance ctx, int funcidx)
    {
        var m = ctx.Mem!;
        if ((ulong)(uint)d + (uint)n > m.Length) throw ctx.Trap((int)TrapKind.MemoryOutOfBounds, funcidx);
        new Span<byte>((byte*)m.Base + (uint)d, n).Fill((byte)value);
    }

    public static void MemoryCopy(int d, int s, int n, Instance ctx, int funcidx)
    {
        var m = ctx.Mem!;
        if ((ulong)(uint)d + (uint)n > m.Length || (ulong)(uint)s + (uint)n > m.Length) throw ctx.Trap((int)TrapKind.MemoryOutOfBounds, funcidx);
        Buffer.MemoryCopy((byte*)m.Base + (uint)s, (byte*)m.Base + (uint)d, (long)m.Length - (uint)d, (uint)n);
    }

    public static void MemoryInit(int d, int s, int n, Instance ctx, int dataidx, int funcidx)
    {
        var m = ctx.Mem!;
        var data = ctx.Datas[dataidx];
        if ((ulong)(uint)d + (uint)n > m.Length || (ulong)(uint)s + (uint)n > (ulong)data.Length) throw ctx.Trap((int)TrapKind.MemoryOutOfBounds, funcidx);
        data.Span.Slice(s, n).CopyTo(new Span<byte>((byte*)m.Base + (uint)d, n));
    }

    public static void DataDrop(Instance ctx, int dataidx) => ctx.Datas[dataidx] = ReadOnlyMemory<byte>.Empty;

    public static object? TableGet(int i, Instance ctx, int tableidx, int funcidx)
    {
        var e = ctx.Tables[tableidx].Elements;
        if ((uint)i >= (uint)e.Length) throw ctx.Trap((int)TrapKind.TableOutOfBounds, funcidx);
        return e[i];
    }

    public static void TableSet(int i, object? value, Instance ctx, int tableidx, int funcidx)
    {
        var e = ctx.Tables[tableidx].Elements;
        if ((uint)i >= (uint)e.Length) throw ctx.Trap((int)TrapKind.TableOutOfBounds, funcidx);
        e[i] = value;
    }

    public static int TableSize(Instance ctx, int tableidx) => ctx.Tables[tableidx].Elements.Length;

    public static int TableGrow(object? init, int n, Instance ctx, int tableidx) => ctx.Tables[tableidx].GrowRaw((uint)n, init);

    public static void TableFill(int i, object? value, int n, Instance ctx, int tableidx, int funcidx)
    {
        var e = ctx.Tables[tableidx].Elements;
        if ((ulong)(uint)i + (uint)n > (ulong)e.Length) throw ctx.Trap((int)TrapKind.TableOutOfBounds, funcidx);
        Array.Fill(e, value, i, n);
    }

    public static void TableCopy(int d, int s, int n, Instance ctx, int dst, int src, int funcidx)
    {
        var de = ctx.Tables[dst].Elements;
        var se = ctx.Tables[src].Elements;
        if ((ulong)(uint)d + (uint)n > (ulong)de.Length || (ulong)(uint)s + (uint)n > (ulong)se.Length) throw ctx.Trap((int)TrapKind.TableOutOfBounds, funcidx);
        Array.Copy(se, s, de, d, n);
    }

    public static void TableInit(int d, int s, int n, Instance ctx, int tableidx, int elemidx, int funcidx)
    {
        var de = ctx.Tables[tableidx].Elements;
        var se = ctx.Elements[elemidx];
        if ((ulong)(uint)d + (uint)n > (ulong)de.Length || (ulong)(uint)s + (uint)n > (ulong)se.Length) throw ctx.Trap((int)TrapKind.TableOutOfBounds, funcidx);
        Array.Copy(se, s, de, d, n);
    }

    public static void ElemDrop(Instance ctx, int elemidx) => ctx.Elements[elemidx] = [];

    /// <summary>call_indirect: the element, checked (bounds, null, type), as its typed delegate.</summary>
    public static Delegate ResolveIndirect(int i, Instance ctx, int tableidx, int typeId, int funcidx, bool metered)
    {
        var e = ctx.Tables[tableidx].Elements;
        if ((uint)i >= (uint)e.Length) throw ctx.Trap((int)TrapKind.UndefinedElement, funcidx);
        if (e[i] is not WasmFunc f) throw ctx.Trap((int)TrapKind.UninitializedElement, funcidx);
        if (f.TypeId != typeId) throw ctx.Trap((int)TrapKind.IndirectCallTypeMismatch, funcidx);
        ctx.S.Caller = ctx;
        return f.GetTyped(metered);
    }

    /// <summary>A call to an imported function: its typed delegate.</summary>
    public static Delegate ResolveImport(Instance ctx, int funcidx, bool metered)
    {
        var f = ctx.Funcs[funcidx];
        ctx.S.Caller = ctx;
        return f.GetTyped(metered);
    }
}
