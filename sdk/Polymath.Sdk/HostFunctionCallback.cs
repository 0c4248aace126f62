namespace Polymath.Sdk;

/// <summary>
/// A host function body. Read <paramref name="arguments"/>, write <paramref name="results"/>.
/// Throw <see cref="WasmTrapException"/> to trap; any other exception becomes a
/// <see cref="TrapKind.HostError"/> trap with it as the inner exception.
/// </summary>
public delegate void HostFunctionCallback(IHostCallContext context, ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results);
