using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Sdk;

/// <summary>
/// Import matching at instantiation (the spec's import subtyping for WebAssembly 2.0: same kind, equal function types,
/// element and value types equal, limits within the required ones, global mutability equal) with one wording of the
/// <see cref="WasmLinkException"/> for every runtime plugin, so <c>assert_unlinkable</c> reads the same everywhere.
/// </summary>
public static class WasmImportCheck
{
    /// <summary>How messages name import <paramref name="index"/>: <c>import 0 "env"."f"</c>.</summary>
    public static string Describe(int index, Import import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return $"import {index} \"{import.Module}\".\"{import.Name}\"";
    }

    /// <summary>Checks that <paramref name="actual"/> is present and of the <paramref name="expected"/> kind.</summary>
    /// <exception cref="WasmLinkException">It is missing or of another kind.</exception>
    public static void Kind(string what, ExternKind expected, IWasmExtern? actual)
    {
        if (actual is null || actual.Kind != expected)
            throw new WasmLinkException($"incompatible import type: {what} must be a {Name(expected)}, got {(actual is null ? "nothing" : Name(actual.Kind))}");
    }

    /// <summary>The error for a table, memory or global that belongs to another store or runtime.</summary>
    public static WasmLinkException Foreign(string what, ExternKind kind) =>
        new($"incompatible import type: {what}: the {Name(kind)} belongs to another store or runtime");

    /// <summary>Checks that a function's type equals the import's.</summary>
    /// <exception cref="WasmLinkException">The types differ.</exception>
    public static void Function(string what, FuncType expected, FuncType actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (!actual.Equals(expected))
            throw new WasmLinkException($"incompatible import type: {what} expects function type {expected}, got {actual}");
    }

    /// <summary>Checks a table of <paramref name="size"/> elements (at most <paramref name="max"/>) against the import's table type.</summary>
    /// <exception cref="WasmLinkException">The element type differs or the limits do not match.</exception>
    public static void Table(string what, TableType required, ValueType elementType, uint size, uint? max)
    {
        ArgumentNullException.ThrowIfNull(required);
        var actual = new Limits(size, max);
        if (elementType != required.ElementType || !actual.Matches(required.Limits))
            throw new WasmLinkException($"incompatible import type: {what} expects table {required.ElementType.ToWat()} {Format(required.Limits)}, got {elementType.ToWat()} {Format(actual)}");
    }

    /// <summary>Checks a memory of <paramref name="pages"/> pages (at most <paramref name="max"/>) against the import's memory type.</summary>
    /// <exception cref="WasmLinkException">The limits do not match.</exception>
    public static void Memory(string what, MemoryType required, uint pages, uint? max)
    {
        ArgumentNullException.ThrowIfNull(required);
        var actual = new Limits(pages, max);
        if (!actual.Matches(required.Limits))
            throw new WasmLinkException($"incompatible import type: {what} expects memory {Format(required.Limits)}, got {Format(actual)}");
    }

    /// <summary>Checks a global's type against the import's (value type and mutability both equal).</summary>
    /// <exception cref="WasmLinkException">They differ.</exception>
    public static void Global(string what, GlobalType required, GlobalType actual)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.ValueType != required.ValueType || actual.Mutable != required.Mutable)
            throw new WasmLinkException($"incompatible import type: {what} expects global {(required.Mutable ? "mut " : "")}{required.ValueType.ToWat()}, got {(actual.Mutable ? "mut " : "")}{actual.ValueType.ToWat()}");
    }

    private static string Name(ExternKind kind) => kind.ToString().ToLowerInvariant();

    private static string Format(Limits l) => l.Max is uint max ? $"{l.Min}..{max}" : $"{l.Min}..";
}
