namespace Polymath.Wasm;

/// <summary>A WebAssembly value type (valtype), encoded with its binary-format byte.</summary>
public enum ValueType : byte
{
    /// <summary>32-bit integer.</summary>
    I32 = 0x7F,
    /// <summary>64-bit integer.</summary>
    I64 = 0x7E,
    /// <summary>32-bit IEEE 754 float.</summary>
    F32 = 0x7D,
    /// <summary>64-bit IEEE 754 float.</summary>
    F64 = 0x7C,
    /// <summary>128-bit vector (SIMD proposal; decoded, not executed by every runtime).</summary>
    V128 = 0x7B,
    /// <summary>Reference to a function (reftype).</summary>
    FuncRef = 0x70,
    /// <summary>Opaque host reference (reftype).</summary>
    ExternRef = 0x6F,
}

/// <summary>Helpers on <see cref="ValueType"/>.</summary>
public static class ValueTypeExtensions
{
    /// <summary>True for funcref and externref.</summary>
    public static bool IsReference(this ValueType type) => type is ValueType.FuncRef or ValueType.ExternRef;

    /// <summary>True for the four numeric types.</summary>
    public static bool IsNumeric(this ValueType type) => type is ValueType.I32 or ValueType.I64 or ValueType.F32 or ValueType.F64;

    /// <summary>The text-format name (i32, funcref, …).</summary>
    public static string ToWat(this ValueType type) => type switch
    {
        ValueType.I32 => "i32",
        ValueType.I64 => "i64",
        ValueType.F32 => "f32",
        ValueType.F64 => "f64",
        ValueType.V128 => "v128",
        ValueType.FuncRef => "funcref",
        ValueType.ExternRef => "externref",
        _ => $"0x{(byte)type:X2}",
    };
}

/// <summary>A function type (functype): parameters and results.</summary>
public sealed class FuncType : IEquatable<FuncType>
{
    /// <summary>Creates a function type.</summary>
    public FuncType(ValueType[] parameters, ValueType[] results)
    {
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        Results = results ?? throw new ArgumentNullException(nameof(results));
    }

    /// <summary>The empty type [] -> [].</summary>
    public static FuncType Empty { get; } = new([], []);

    /// <summary>Parameter types, in order.</summary>
    public ValueType[] Parameters { get; }

    /// <summary>Result types, in order.</summary>
    public ValueType[] Results { get; }

    /// <inheritdoc />
    public bool Equals(FuncType? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Parameters.AsSpan().SequenceEqual(other.Parameters) && Results.AsSpan().SequenceEqual(other.Results)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FuncType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var p in Parameters) hash.Add(p);
        hash.Add(0xFF);
        foreach (var r in Results) hash.Add(r);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"[{string.Join(' ', Parameters.Select(p => p.ToWat()))}] -> [{string.Join(' ', Results.Select(r => r.ToWat()))}]";
}

/// <summary>Limits of a memory (in 64 KiB pages) or table (in elements).</summary>
/// <param name="Min">The initial size.</param>
/// <param name="Max">The optional maximum size.</param>
public readonly record struct Limits(uint Min, uint? Max)
{
    /// <summary>Import subtyping: these limits (of the provided extern) match the <paramref name="required"/> ones.</summary>
    public bool Matches(Limits required) =>
        Min >= required.Min && (required.Max is null || (Max is not null && Max.Value <= required.Max.Value));
}

/// <summary>A table type: element reference type and limits.</summary>
public sealed record TableType(ValueType ElementType, Limits Limits);

/// <summary>A memory type: limits in 64 KiB pages.</summary>
public sealed record MemoryType(Limits Limits)
{
    /// <summary>Size of one WebAssembly page in bytes.</summary>
    public const int PageSize = 65536;

    /// <summary>Maximum number of pages of a 32-bit memory.</summary>
    public const uint MaxPages = 65536;
}

/// <summary>A global type: value type and mutability.</summary>
public sealed record GlobalType(ValueType ValueType, bool Mutable);

/// <summary>The kind of an import or export (externtype).</summary>
public enum ExternKind : byte
{
    /// <summary>A function.</summary>
    Function = 0,
    /// <summary>A table.</summary>
    Table = 1,
    /// <summary>A linear memory.</summary>
    Memory = 2,
    /// <summary>A global.</summary>
    Global = 3,
}
