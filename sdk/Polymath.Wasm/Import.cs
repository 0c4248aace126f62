namespace Polymath.Wasm;

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
