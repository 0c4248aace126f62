using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Core;

/// <summary>A module's index spaces resolved to store objects: what an instance holds once instantiation has built it.</summary>
internal sealed class InstanceParts<TFunc, TTable, TMemory, TGlobal, TElement>
{
    public required TFunc[] Functions { get; init; }
    public required TTable[] Tables { get; init; }
    public required TMemory[] Memories { get; init; }
    /// <summary>Filled in order during instantiation (an initialiser reads only imported globals).</summary>
    public required TGlobal[] Globals { get; init; }
    public required IReadOnlyDictionary<string, IWasmExtern> Exports { get; init; }
    /// <summary>Element segments as table elements; an active or declarative one is emptied once used.</summary>
    public required TElement[][] Elements { get; init; }
    /// <summary>Data segments; an active one is emptied once copied.</summary>
    public required ReadOnlyMemory<byte>[] Datas { get; init; }
}

/// <summary>The checks every store makes on the module it is asked to instantiate.</summary>
internal static class InstantiationChecks
{
    /// <summary>
    /// <paramref name="module"/> as <typeparamref name="TModule"/> when <paramref name="engineOf"/> says it was compiled
    /// by <paramref name="engine"/>; otherwise an <see cref="ArgumentException"/> naming the <paramref name="tier"/>.
    /// </summary>
    public static TModule OwnModule<TModule>(IWasmModule module, IReadOnlyList<IWasmExtern> imports, object engine,
        Func<TModule, object> engineOf, string tier) where TModule : class
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(imports);
        if (module is not TModule own || engineOf(own) != engine)
            throw new ArgumentException($"the module was not compiled by this store's {tier} engine", nameof(module));
        return own;
    }
}

/// <summary>
/// Spec instantiation (WebAssembly 2.0, 4.5.4) over a tier's store objects: checks and resolves the imports
/// (<see cref="WasmImportCheck"/>), creates the defined functions, globals, tables and memories, the exports and the
/// segments, then runs the active element and data segments in order and the start function. A tier supplies the
/// object factory (the abstract members) and its value representation <typeparamref name="TValue"/>; one instance of
/// this class serves one instantiation.
/// </summary>
internal abstract class SpecInstantiation<TFunc, TTable, TMemory, TGlobal, TElement, TValue>
    where TFunc : class, IWasmFunction
    where TTable : TableObject<TElement>
    where TMemory : MemoryObject
    where TGlobal : GlobalObject
{
    /// <summary>The store being instantiated into: imports of tables, memories and globals must belong to it.</summary>
    protected abstract object Store { get; }

    /// <summary>An imported function (of this store, another store or another runtime) as a function of this store.</summary>
    protected abstract TFunc ImportFunction(IWasmFunction function);
    /// <summary>Defined function <paramref name="definedIndex"/> (function index <paramref name="funcIndex"/>).</summary>
    protected abstract TFunc DefineFunction(int definedIndex, uint funcIndex, FuncType type);
    protected abstract TGlobal DefineGlobal(GlobalType type, TValue value);
    protected abstract TTable DefineTable(TableType type);
    protected abstract TMemory DefineMemory(MemoryType type);

    /// <summary>A number constant's value (<paramref name="bits"/> zero-extended for 32-bit types; <paramref name="highBits"/> a v128's high 64 bits, 0 otherwise).</summary>
    protected abstract TValue Number(ulong bits, ulong highBits);
    protected abstract TValue Null { get; }
    protected abstract TValue FunctionReference(TFunc function);
    protected abstract TValue Read(TGlobal global);
    /// <summary>A segment offset (an i32 value).</summary>
    protected abstract uint Offset(TValue value);
    protected abstract TElement Element(TValue value);

    /// <summary>Gives the instance its parts; called before the segments run and before the start function.</summary>
    protected abstract void Bind(InstanceParts<TFunc, TTable, TMemory, TGlobal, TElement> parts);

    /// <summary>Instantiates <paramref name="def"/> with <paramref name="imports"/> (in the module's import order).</summary>
    public void Run(Module def, IReadOnlyList<IWasmExtern> imports, CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(imports);
        if (imports.Count != def.Imports.Count)
            throw new WasmLinkException($"expected {def.Imports.Count} imports, got {imports.Count}");

        var functions = new List<TFunc>(def.TotalFunctionCount);
        var tables = new List<TTable>();
        var memories = new List<TMemory>();
        var globals = new List<TGlobal>();
        for (int i = 0; i < imports.Count; i++)
            Import(def, i, imports[i], functions, tables, memories, globals);

        // Defined functions (created before globals: ref.func in initialisers refers to them).
        for (int i = 0; i < def.Functions.Count; i++)
            functions.Add(DefineFunction(i, (uint)(def.ImportedFunctionCount + i), def.Types[(int)def.Functions[i]]));
        var funcs = functions.ToArray();

        // One array, filled in order: an initialiser reads only imported globals (validated), so the cells it reads are
        // already there. (Copying the array per global made 80,000 globals take seconds.)
        var cells = new TGlobal[globals.Count + def.Globals.Count];
        globals.CopyTo(cells);
        for (int i = 0, n = globals.Count; i < def.Globals.Count; i++)
            cells[n + i] = DefineGlobal(def.Globals[i].Type, Eval(def.Globals[i].Init, funcs, cells));

        foreach (var t in def.Tables) tables.Add(DefineTable(t));
        foreach (var m in def.Memories) memories.Add(DefineMemory(m));
        var tableArray = tables.ToArray();
        var memoryArray = memories.ToArray();

        var exports = new Dictionary<string, IWasmExtern>(StringComparer.Ordinal);
        foreach (var e in def.Exports)
        {
            exports[e.Name] = e.Kind switch
            {
                ExternKind.Function => funcs[e.Index],
                ExternKind.Table => tableArray[e.Index],
                ExternKind.Memory => memoryArray[e.Index],
                _ => cells[e.Index],
            };
        }

        var elements = new TElement[def.Elements.Count][];
        for (int i = 0; i < def.Elements.Count; i++)
        {
            var seg = def.Elements[i];
            var items = new TElement[seg.Items.Count];
            for (int j = 0; j < items.Length; j++) items[j] = Element(Eval(seg.Items[j], funcs, cells));
            elements[i] = items;
        }
        var datas = new ReadOnlyMemory<byte>[def.Datas.Count];
        for (int i = 0; i < def.Datas.Count; i++) datas[i] = def.Datas[i].Bytes;

        Bind(new InstanceParts<TFunc, TTable, TMemory, TGlobal, TElement>
        {
            Functions = funcs, Tables = tableArray, Memories = memoryArray, Globals = cells,
            Exports = exports, Elements = elements, Datas = datas,
        });

        // 2.0 instantiation: element segments in order, then data segments, then start.
        for (int i = 0; i < def.Elements.Count; i++)
        {
            var seg = def.Elements[i];
            if (seg.Mode == SegmentMode.Active)
            {
                var table = tableArray[seg.TableIndex];
                uint offset = Offset(Eval(seg.Offset!.Value, funcs, cells));
                var items = elements[i];
                if ((ulong)offset + (ulong)items.Length > table.Size)
                    throw new WasmTrapException(TrapKind.TableOutOfBounds, "out of bounds table access");
                Array.Copy(items, 0, table.Elements, offset, items.Length);
            }
            if (seg.Mode != SegmentMode.Passive) elements[i] = [];
        }
        for (int i = 0; i < def.Datas.Count; i++)
        {
            var seg = def.Datas[i];
            if (seg.Mode != SegmentMode.Active) continue;
            var mem = memoryArray[seg.MemoryIndex];
            uint offset = Offset(Eval(seg.Offset!.Value, funcs, cells));
            var span = mem.Span;
            if ((ulong)offset + (ulong)seg.Bytes.Length > (ulong)span.Length)
                throw new WasmTrapException(TrapKind.MemoryOutOfBounds, "out of bounds memory access");
            seg.Bytes.Span.CopyTo(span[(int)offset..]);
            datas[i] = ReadOnlyMemory<byte>.Empty;
        }
        if (def.Start is uint start)
            funcs[start].Invoke([], [], options);
    }

    private void Import(Module def, int i, IWasmExtern ext,
        List<TFunc> functions, List<TTable> tables, List<TMemory> memories, List<TGlobal> globals)
    {
        var imp = def.Imports[i];
        string what = WasmImportCheck.Describe(i, imp);
        WasmImportCheck.Kind(what, imp.Kind, ext);
        switch (imp.Kind)
        {
            case ExternKind.Function:
            {
                var f = (IWasmFunction)ext!;
                WasmImportCheck.Function(what, def.Types[(int)imp.TypeIndex], f.Type);
                functions.Add(ImportFunction(f));
                break;
            }
            case ExternKind.Table:
            {
                if (ext is not TTable t || t.Owner != Store) throw WasmImportCheck.Foreign(what, imp.Kind);
                WasmImportCheck.Table(what, imp.Table!, t.ElementType, t.Size, t.Max);
                tables.Add(t);
                break;
            }
            case ExternKind.Memory:
            {
                if (ext is not TMemory m || m.Owner != Store) throw WasmImportCheck.Foreign(what, imp.Kind);
                WasmImportCheck.Memory(what, imp.Memory!, m.Pages, m.Max);
                memories.Add(m);
                break;
            }
            case ExternKind.Global:
            {
                if (ext is not TGlobal g || g.Owner != Store) throw WasmImportCheck.Foreign(what, imp.Kind);
                WasmImportCheck.Global(what, imp.Global!, g.Type);
                globals.Add(g);
                break;
            }
        }
    }

    private TValue Eval(ConstantExpression e, TFunc[] funcs, TGlobal[] globals) => e.Kind switch
    {
        ConstantKind.Const => Number(e.Type is ValueType.I32 or ValueType.F32 ? (uint)e.Bits : e.Bits, e.HighBits),
        ConstantKind.RefNull => Null,
        ConstantKind.RefFunc => FunctionReference(funcs[e.Index]),
        ConstantKind.GlobalGet => Read(globals[e.Index]),
        _ => throw new InvalidOperationException($"unknown constant expression kind {e.Kind}"),
    };
}
