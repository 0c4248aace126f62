namespace Polymath.Wasm;

/// <summary>
/// A decoded WebAssembly module (the binary format's sections, one field each). Produced by
/// <c>ModuleReader</c>; checked by <c>ModuleValidator</c>. Index spaces follow the spec: imported
/// functions/tables/memories/globals come first, then the module's own definitions.
/// </summary>
public sealed class Module
{
    /// <summary>The type section (functype per typeidx).</summary>
    public IReadOnlyList<FuncType> Types { get; init; } = [];

    /// <summary>The import section, in order.</summary>
    public IReadOnlyList<Import> Imports { get; init; } = [];

    /// <summary>The function section: the typeidx of each function defined in this module.</summary>
    public IReadOnlyList<uint> Functions { get; init; } = [];

    /// <summary>Tables defined in this module.</summary>
    public IReadOnlyList<TableType> Tables { get; init; } = [];

    /// <summary>Memories defined in this module.</summary>
    public IReadOnlyList<MemoryType> Memories { get; init; } = [];

    /// <summary>Globals defined in this module.</summary>
    public IReadOnlyList<Global> Globals { get; init; } = [];

    /// <summary>The export section.</summary>
    public IReadOnlyList<Export> Exports { get; init; } = [];

    /// <summary>The start function's funcidx, if any.</summary>
    public uint? Start { get; init; }

    /// <summary>The element section.</summary>
    public IReadOnlyList<ElementSegment> Elements { get; init; } = [];

    /// <summary>The data count section, if present.</summary>
    public uint? DataCount { get; init; }

    /// <summary>The code section: one body per defined function, same order as <see cref="Functions"/>.</summary>
    public IReadOnlyList<FunctionBody> Codes { get; init; } = [];

    /// <summary>The data section.</summary>
    public IReadOnlyList<DataSegment> Datas { get; init; } = [];

    /// <summary>Custom sections, in order of appearance (the <c>name</c> section included, raw).</summary>
    public IReadOnlyList<CustomSection> CustomSections { get; init; } = [];

    /// <summary>The decoded <c>name</c> section, when present and well-formed.</summary>
    public NameSection? Names { get; init; }

    /// <summary>WebAssembly features this module uses (computed by the reader and completed by <see cref="ModuleValidator.Validate"/>; read-only outside this assembly).</summary>
    public WasmFeatures Features { get; internal set; }

    /// <summary>Number of imported functions (the first funcidx of a defined function).</summary>
    public int ImportedFunctionCount { get; init; }

    /// <summary>Number of imported tables.</summary>
    public int ImportedTableCount { get; init; }

    /// <summary>Number of imported memories.</summary>
    public int ImportedMemoryCount { get; init; }

    /// <summary>Number of imported globals.</summary>
    public int ImportedGlobalCount { get; init; }

    /// <summary>
    /// A validation error the reader found while decoding (for example a non-constant instruction in a
    /// constant expression): well-formed, so not malformed, but reported by the validator.
    /// </summary>
    internal WasmModuleException? DeferredError { get; init; }

    /// <summary>Offset of each known section's content in the binary, by section id (0 when absent); for error offsets.</summary>
    internal int[] SectionOffsets { get; init; } = new int[13];

    /// <summary>Total functions in the funcidx space (imported + defined).</summary>
    public int TotalFunctionCount => ImportedFunctionCount + Functions.Count;

    private FuncType[]? _functionTypes;

    /// <summary>The type of function <paramref name="funcidx"/> (imported or defined). O(1): the funcidx → type table is built on first use.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="funcidx"/> (or its typeidx, in an unvalidated module) is out of range.</exception>
    public FuncType GetFunctionType(uint funcidx)
    {
        var types = _functionTypes ??= BuildFunctionTypes();
        if (funcidx >= (uint)types.Length) throw new ArgumentOutOfRangeException(nameof(funcidx), funcidx, "unknown function");
        return types[funcidx];
    }

    private FuncType[] BuildFunctionTypes()
    {
        var types = new FuncType[TotalFunctionCount];
        int n = 0;
        foreach (var import in Imports)
        {
            if (import.Kind != ExternKind.Function || n >= types.Length) continue;
            types[n++] = TypeAt(import.TypeIndex);
        }
        foreach (var typeidx in Functions)
        {
            if (n >= types.Length) break;
            types[n++] = TypeAt(typeidx);
        }
        return types;
    }

    private FuncType TypeAt(uint typeidx) =>
        typeidx < (uint)Types.Count ? Types[(int)typeidx] : throw new ArgumentOutOfRangeException(nameof(typeidx), typeidx, "unknown type");

    /// <summary>The name of function <paramref name="funcidx"/> from the name section or an export, if known.</summary>
    public string? GetFunctionName(uint funcidx)
    {
        if (Names?.FunctionNames.TryGetValue(funcidx, out var name) == true) return name;
        foreach (var export in Exports)
            if (export.Kind == ExternKind.Function && export.Index == funcidx) return export.Name;
        return null;
    }
}
