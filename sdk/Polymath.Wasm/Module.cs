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

/// <summary>One import: module and field name and the imported entity's type.</summary>
public sealed record Import(string Module, string Name, ExternKind Kind)
{
    /// <summary>For a function import, its typeidx.</summary>
    public uint TypeIndex { get; init; }
    /// <summary>For a table import, its type.</summary>
    public TableType? Table { get; init; }
    /// <summary>For a memory import, its type.</summary>
    public MemoryType? Memory { get; init; }
    /// <summary>For a global import, its type.</summary>
    public GlobalType? Global { get; init; }
}

/// <summary>One export: name, kind and index in that kind's index space.</summary>
public sealed record Export(string Name, ExternKind Kind, uint Index);

/// <summary>A global defined by the module.</summary>
public sealed record Global(GlobalType Type, ConstantExpression Init);

/// <summary>The forms a WebAssembly 2.0 constant expression can take (one instruction then <c>end</c>).</summary>
public enum ConstantKind : byte
{
    /// <summary><c>i32.const</c>, <c>i64.const</c>, <c>f32.const</c>, <c>f64.const</c>: the value's bits are in <see cref="ConstantExpression.Bits"/>.</summary>
    Const,
    /// <summary><c>ref.null t</c>.</summary>
    RefNull,
    /// <summary><c>ref.func x</c>: funcidx in <see cref="ConstantExpression.Index"/>.</summary>
    RefFunc,
    /// <summary><c>global.get x</c>: globalidx in <see cref="ConstantExpression.Index"/>.</summary>
    GlobalGet,
}

/// <summary>A decoded constant expression (global initialisers, segment offsets, element items).</summary>
/// <param name="Kind">Which instruction.</param>
/// <param name="Type">The value type it produces (for <c>global.get</c>, filled in by the reader from the global's type).</param>
/// <param name="Bits">For <see cref="ConstantKind.Const"/>: the value's bit pattern (i32 sign-extended is not applied: low 32 bits hold it).</param>
/// <param name="Index">For <see cref="ConstantKind.RefFunc"/> the funcidx; for <see cref="ConstantKind.GlobalGet"/> the globalidx.</param>
public readonly record struct ConstantExpression(ConstantKind Kind, ValueType Type, ulong Bits, uint Index)
{
    /// <summary>For a <c>v128.const</c> (<see cref="ValueType.V128"/>): the high 64 bits (<see cref="Bits"/> holds the low 64).</summary>
    public ulong HighBits { get; init; }
}

/// <summary>Segment mode (active, passive, declarative).</summary>
public enum SegmentMode : byte
{
    /// <summary>Copied into a table/memory at instantiation.</summary>
    Active,
    /// <summary>Available to <c>table.init</c>/<c>memory.init</c>.</summary>
    Passive,
    /// <summary>Element segments only: declares functions for <c>ref.func</c>; dropped at instantiation.</summary>
    Declarative,
}

/// <summary>An element segment. Function-index lists are decoded as <c>ref.func</c> items.</summary>
public sealed record ElementSegment(SegmentMode Mode, ValueType ElementType, IReadOnlyList<ConstantExpression> Items)
{
    /// <summary>For active segments, the tableidx.</summary>
    public uint TableIndex { get; init; }
    /// <summary>For active segments, the offset expression.</summary>
    public ConstantExpression? Offset { get; init; }
}

/// <summary>A data segment.</summary>
public sealed record DataSegment(SegmentMode Mode, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>For active segments, the memidx.</summary>
    public uint MemoryIndex { get; init; }
    /// <summary>For active segments, the offset expression.</summary>
    public ConstantExpression? Offset { get; init; }
}

/// <summary>A run of locals of one type in a function body (the binary format's compressed form).</summary>
public readonly record struct LocalRun(uint Count, ValueType Type);

/// <summary>A function body from the code section.</summary>
public sealed class FunctionBody
{
    /// <summary>Creates a body.</summary>
    public FunctionBody(IReadOnlyList<LocalRun> locals, int localCount, ReadOnlyMemory<byte> code, int codeOffset)
    {
        Locals = locals;
        LocalCount = localCount;
        Code = code;
        CodeOffset = codeOffset;
    }

    /// <summary>Declared locals (not parameters), as runs.</summary>
    public IReadOnlyList<LocalRun> Locals { get; }

    /// <summary>Total declared locals (sum of runs; bounded by the reader).</summary>
    public int LocalCount { get; }

    /// <summary>The instruction bytes (the <c>expr</c>, including its final <c>end</c>).</summary>
    public ReadOnlyMemory<byte> Code { get; }

    /// <summary>Offset of <see cref="Code"/>'s first byte in the module binary (for error messages).</summary>
    public int CodeOffset { get; }
}

/// <summary>A custom section (raw).</summary>
public sealed record CustomSection(string Name, ReadOnlyMemory<byte> Data);

/// <summary>The decoded <c>name</c> custom section.</summary>
public sealed class NameSection
{
    /// <summary>The module's name, if given.</summary>
    public string? ModuleName { get; init; }

    /// <summary>funcidx → name.</summary>
    public IReadOnlyDictionary<uint, string> FunctionNames { get; init; } = new Dictionary<uint, string>();

    /// <summary>funcidx → (localidx → name).</summary>
    public IReadOnlyDictionary<uint, IReadOnlyDictionary<uint, string>> LocalNames { get; init; } =
        new Dictionary<uint, IReadOnlyDictionary<uint, string>>();
}

/// <summary>WebAssembly features (post-MVP proposals merged into 2.0) a module uses.</summary>
[Flags]
public enum WasmFeatures
{
    /// <summary>MVP only.</summary>
    None = 0,
    /// <summary>Sign-extension operators (i32.extend8_s, …).</summary>
    SignExtension = 1 << 0,
    /// <summary>Non-trapping float-to-int conversions (i32.trunc_sat_f32_s, …).</summary>
    SaturatingConversions = 1 << 1,
    /// <summary>Multi-value: blocks with params or several results, functions with several results.</summary>
    MultiValue = 1 << 2,
    /// <summary>Bulk memory (memory.copy/fill/init, data.drop, passive segments).</summary>
    BulkMemory = 1 << 3,
    /// <summary>Reference types (externref, table.* ops, several tables, typed select).</summary>
    ReferenceTypes = 1 << 4,
    /// <summary>128-bit SIMD.</summary>
    Simd = 1 << 5,
    /// <summary>Mutable globals imported or exported.</summary>
    MutableGlobals = 1 << 6,
}
