using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>
/// The checks on a call from .NET into a WebAssembly function, with one wording of the <see cref="ArgumentException"/>
/// for every runtime plugin: the argument count and types, and room for the results.
/// </summary>
public static class WasmCallCheck
{
    /// <summary>Checks <paramref name="args"/> and <paramref name="results"/> against <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">A count or a type differs, or <paramref name="results"/> is too short.</exception>
    public static void Arguments(FuncType type, ReadOnlySpan<WasmValue> args, Span<WasmValue> results)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (args.Length != type.Parameters.Length)
            throw new ArgumentException($"expected {type.Parameters.Length} arguments, got {args.Length}", nameof(args));
        if (results.Length < type.Results.Length)
            throw new ArgumentException($"the results span needs room for {type.Results.Length} values", nameof(results));
        for (int i = 0; i < args.Length; i++)
            if (args[i].Type != type.Parameters[i])
                throw new ArgumentException($"argument {i}: expected {type.Parameters[i].ToWat()}, got {args[i].Type.ToWat()}", nameof(args));
    }
}
