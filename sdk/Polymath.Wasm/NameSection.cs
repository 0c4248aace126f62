namespace Polymath.Wasm;

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
