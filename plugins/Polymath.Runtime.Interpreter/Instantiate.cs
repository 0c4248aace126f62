using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter;

internal sealed partial class InterpreterStore
{
    public IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(imports);
        if (module is not InterpreterModule im || im.Engine != _engine)
            throw new ArgumentException("the module was not compiled by this store's interpreter engine", nameof(module));
        var def = im.Definition;
        if (imports.Count != def.Imports.Count)
            throw new WasmLinkException($"expected {def.Imports.Count} imports, got {imports.Count}");

        var inst = new InterpInstance(im, this) { TypeIds = im.TypeIds };
        var functions = new List<InterpFunction>(def.TotalFunctionCount);
        var tables = new List<TableInstance>();
        var memories = new List<MemoryInstance>();
        var globals = new List<GlobalCell>();

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
                    functions.Add(f is InterpFunction lf && lf.Store == this ? lf : WrapForeign(f));
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
                    if (ext is not GlobalCell g || g.Store != this) throw WasmImportCheck.Foreign(what, imp.Kind);
                    WasmImportCheck.Global(what, imp.Global!, g.Type);
                    globals.Add(g);
                    break;
                }
            }
        }

        // Defined functions (created before globals: ref.func in initialisers refers to them).
        for (int i = 0; i < def.Functions.Count; i++)
        {
            uint funcidx = (uint)(def.ImportedFunctionCount + i);
            var type = def.Types[(int)def.Functions[i]];
            functions.Add(new InterpFunction(this, type, im.TypeIds[def.Functions[i]])
            {
                Code = im.Codes[i],
                Instance = inst,
                FuncIndex = funcidx,
            });
        }
        inst.Functions = functions.ToArray();

        // One array, filled in order: an initialiser reads only imported globals (validated), so the cells it reads are
        // already there. (Copying the array per global made 80,000 globals take seconds.)
        var cells = new GlobalCell[globals.Count + def.Globals.Count];
        globals.CopyTo(cells);
        inst.Globals = cells;
        for (int i = 0, n = globals.Count; i < def.Globals.Count; i++)
            cells[n + i] = new GlobalCell(this, def.Globals[i].Type, Eval(inst, def.Globals[i].Init));

        foreach (var t in def.Tables) tables.Add(new TableInstance(this, t, 0));
        inst.Tables = tables.ToArray();
        foreach (var m in def.Memories) memories.Add(new MemoryInstance(this, m));
        inst.Memory = memories.Count > 0 ? memories[0] : null;

        var exports = new Dictionary<string, IWasmExtern>(StringComparer.Ordinal);
        foreach (var e in def.Exports)
        {
            exports[e.Name] = e.Kind switch
            {
                ExternKind.Function => inst.Functions[e.Index],
                ExternKind.Table => inst.Tables[e.Index],
                ExternKind.Memory => memories[(int)e.Index],
                _ => inst.Globals[e.Index],
            };
        }
        inst.Exports = exports;

        // Element segments evaluated to handles.
        inst.Elements = new ulong[def.Elements.Count][];
        for (int i = 0; i < def.Elements.Count; i++)
        {
            var seg = def.Elements[i];
            var items = new ulong[seg.Items.Count];
            for (int j = 0; j < items.Length; j++) items[j] = Eval(inst, seg.Items[j]);
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
                uint offset = (uint)Eval(inst, seg.Offset!.Value);
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
            uint offset = (uint)Eval(inst, seg.Offset!.Value);
            if ((ulong)offset + (ulong)seg.Bytes.Length > (ulong)mem.Data.Length)
                throw new WasmTrapException(TrapKind.MemoryOutOfBounds, "out of bounds memory access");
            seg.Bytes.Span.CopyTo(mem.Data.AsSpan((int)offset));
            inst.Datas[i] = ReadOnlyMemory<byte>.Empty;
        }
        if (def.Start is uint start)
            inst.Functions[start].Invoke([], [], options);
        return inst;
    }

    private static ulong Eval(InterpInstance inst, ConstantExpression e) => e.Kind switch
    {
        ConstantKind.Const => e.Type is ValueType.I32 or ValueType.F32 ? (uint)e.Bits : e.Bits,
        ConstantKind.RefNull => 0,
        ConstantKind.RefFunc => (ulong)inst.Functions[e.Index].Handle,
        ConstantKind.GlobalGet => inst.Globals[e.Index].Bits,
        _ => throw new InvalidOperationException($"unknown constant expression kind {e.Kind}"),
    };
}
