using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler;

internal sealed partial class CompilerStore
{
    public IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(imports);
        if (module is not CompiledModule cm || cm.Engine != _engine)
            throw new ArgumentException("the module was not compiled by this store's compiler engine", nameof(module));
        var def = cm.Definition;
        if (imports.Count != def.Imports.Count)
            throw new WasmLinkException($"expected {def.Imports.Count} imports, got {imports.Count}");

        var inst = new Instance(cm, this);
        var functions = new List<WasmFunc>(def.TotalFunctionCount);
        var tables = new List<TableInstance>();
        var memories = new List<MemoryInstance>();
        var globals = new List<GlobalInstance>();

        for (int i = 0; i < imports.Count; i++)
        {
            var imp = def.Imports[i];
            var ext = imports[i];
            string what = WasmImportCheck.Describe(i, imp);
            WasmImportCheck.Kind(what, imp.Kind, ext);
            switch (imp.Kind)
            {
                case ExternKind.Function:
                {
                    var f = (IWasmFunction)ext!;
                    WasmImportCheck.Function(what, def.Types[(int)imp.TypeIndex], f.Type);
                    functions.Add(Adopt(f));
                    break;
                }
                case ExternKind.Table:
                {
                    if (ext is not TableInstance t || t.Store != this) throw WasmImportCheck.Foreign(what, imp.Kind);
                    WasmImportCheck.Table(what, imp.Table!, t.ElementType, t.Size, t.Max);
                    tables.Add(t);
                    break;
                }
                case ExternKind.Memory:
                {
                    if (ext is not MemoryInstance m || m.Store != this) throw WasmImportCheck.Foreign(what, imp.Kind);
                    WasmImportCheck.Memory(what, imp.Memory!, m.Pages, m.Max);
                    memories.Add(m);
                    break;
                }
                case ExternKind.Global:
                {
                    if (ext is not GlobalInstance g || g.Store != this) throw WasmImportCheck.Foreign(what, imp.Kind);
                    WasmImportCheck.Global(what, imp.Global!, g.Type);
                    globals.Add(g);
                    break;
                }
            }
        }

        for (int i = 0; i < def.Functions.Count; i++)
        {
            uint funcidx = (uint)(def.ImportedFunctionCount + i);
            var type = def.Types[(int)def.Functions[i]];
            functions.Add(new WasmFunc(this, type, cm.Signatures[def.Functions[i]])
            {
                Instance = inst,
                DefinedIndex = i,
                FuncIndex = funcidx,
            });
        }
        inst.Funcs = functions.ToArray();

        // One array, filled in order: an initialiser reads only imported globals (validated), so the cells it reads are
        // already there. (Copying the array per global made 80,000 globals take seconds.)
        var cells = new GlobalInstance[globals.Count + def.Globals.Count];
        globals.CopyTo(cells);
        inst.Globals = cells;
        for (int i = 0, n = globals.Count; i < def.Globals.Count; i++)
        {
            var cell = new GlobalInstance(this, def.Globals[i].Type);
            Assign(cell, Eval(inst, def.Globals[i].Init));
            cell.High = def.Globals[i].Init is { Kind: ConstantKind.GlobalGet } g ? inst.Globals[g.Index].High : (long)def.Globals[i].Init.HighBits; // v128
            cells[n + i] = cell;
        }

        foreach (var t in def.Tables) tables.Add(new TableInstance(this, t, null));
        inst.Tables = tables.ToArray();
        foreach (var m in def.Memories) memories.Add(new MemoryInstance(this, m));
        inst.Mem = memories.Count > 0 ? memories[0] : null;

        var exports = new Dictionary<string, IWasmExtern>(StringComparer.Ordinal);
        foreach (var e in def.Exports)
        {
            exports[e.Name] = e.Kind switch
            {
                ExternKind.Function => inst.Funcs[e.Index],
                ExternKind.Table => inst.Tables[e.Index],
                ExternKind.Memory => memories[(int)e.Index],
                _ => inst.Globals[e.Index],
            };
        }
        inst.Exports = exports;

        inst.Elements = new object?[def.Elements.Count][];
        for (int i = 0; i < def.Elements.Count; i++)
        {
            var seg = def.Elements[i];
            var items = new object?[seg.Items.Count];
            for (int j = 0; j < items.Length; j++) items[j] = Eval(inst, seg.Items[j]).Ref;
            inst.Elements[i] = items;
        }
        inst.Datas = new ReadOnlyMemory<byte>[def.Datas.Count];
        for (int i = 0; i < def.Datas.Count; i++) inst.Datas[i] = def.Datas[i].Bytes;

        // 2.0 instantiation: element segments in order, then data segments, then start.
        for (int i = 0; i < def.Elements.Count; i++)
        {
            var seg = def.Elements[i];
            if (seg.Mode == SegmentMode.Active)
            {
                var table = inst.Tables[seg.TableIndex];
                uint offset = (uint)Eval(inst, seg.Offset!.Value).Bits;
                var items = inst.Elements[i];
                if ((ulong)offset + (ulong)items.Length > table.Size)
                    throw new WasmTrapException(TrapKind.TableOutOfBounds, "out of bounds table access");
                Array.Copy(items, 0, table.Elements, offset, items.Length);
                inst.Elements[i] = [];
            }
            else if (seg.Mode == SegmentMode.Declarative)
            {
                inst.Elements[i] = [];
            }
        }
        for (int i = 0; i < def.Datas.Count; i++)
        {
            var seg = def.Datas[i];
            if (seg.Mode != SegmentMode.Active) continue;
            var mem = memories[(int)seg.MemoryIndex];
            uint offset = (uint)Eval(inst, seg.Offset!.Value).Bits;
            if ((ulong)offset + (ulong)seg.Bytes.Length > mem.Length)
                throw new WasmTrapException(TrapKind.MemoryOutOfBounds, "out of bounds memory access");
            seg.Bytes.Span.CopyTo(mem.Span[(int)offset..]);
            inst.Datas[i] = ReadOnlyMemory<byte>.Empty;
        }
        if (def.Start is uint start)
            inst.Funcs[start].Invoke([], [], options);
        return inst;
    }

    private static void Assign(GlobalInstance cell, (long Bits, object? Ref) v)
    {
        cell.Bits = v.Bits;
        cell.Ref = v.Ref;
    }

    private static (long Bits, object? Ref) Eval(Instance inst, ConstantExpression e) => e.Kind switch
    {
        ConstantKind.Const => (e.Type is ValueType.I32 or ValueType.F32 ? (long)(uint)e.Bits : (long)e.Bits, null),
        ConstantKind.RefNull => (0, null),
        ConstantKind.RefFunc => (0, inst.Funcs[e.Index]),
        ConstantKind.GlobalGet => (inst.Globals[e.Index].Bits, inst.Globals[e.Index].Ref),
        _ => throw new InvalidOperationException($"unknown constant expression kind {e.Kind}"),
    };
}
