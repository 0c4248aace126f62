using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>A function (wasm-defined or host-defined).</summary>
public interface IWasmFunction : IWasmExtern
{
    /// <summary>Its type.</summary>
    FuncType Type { get; }

    /// <summary>
    /// Calls the function. <paramref name="arguments"/> must match <see cref="FuncType.Parameters"/> and
    /// <paramref name="results"/> must have room for <see cref="FuncType.Results"/>. Does not allocate in steady state.
    /// </summary>
    /// <exception cref="WasmTrapException">The call trapped (including limits: fuel, depth, interruption).</exception>
    void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default);
}
