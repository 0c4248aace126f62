namespace Polymath.Wasm;

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
