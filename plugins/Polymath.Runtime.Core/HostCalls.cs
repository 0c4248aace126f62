using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Core;

/// <summary>
/// A call from wasm into a host callback: the marshalling (a buffer per nesting level, default results, the callback's failures and wrong
/// result types turned into <see cref="TrapKind.HostError"/> traps). No allocation per call. (The checks on a call
/// from .NET into wasm are the SDK's <see cref="WasmCallCheck"/>, shared with the Wasmtime tier.)
/// </summary>
internal static class HostCalls
{
    /// <summary>
    /// Runs <paramref name="callback"/> over <paramref name="buffer"/> (arguments first, then the results, which are
    /// set to their defaults before the call) and checks the result types. A callback's exception becomes a
    /// <see cref="TrapKind.HostError"/> trap with the frames <paramref name="stack"/> describes (called with
    /// <paramref name="state"/> only when a trap is raised); a trap passes unchanged.
    /// </summary>
    public static void Run<TState>(HostFunctionCallback callback, IHostCallContext context, FuncType type, WasmValue[] buffer,
        Func<TState, IReadOnlyList<WasmStackFrame>?> stack, TState state)
    {
        int np = type.Parameters.Length, nr = type.Results.Length;
        for (int i = 0; i < nr; i++) buffer[np + i] = WasmValue.Default(type.Results[i]);
        try
        {
            callback(context, new ReadOnlySpan<WasmValue>(buffer, 0, np), new Span<WasmValue>(buffer, np, nr));
        }
        // A filter, not catch-and-rethrow: a trap from deep host re-entry must pass every level in one dispatch (a catch
        // block that rethrows runs on top of the stack and starts a new dispatch there, per level, until the stack overflows).
        catch (Exception e) when (e is not WasmTrapException and not OutOfMemoryException)
        {
            throw new WasmTrapException(TrapKind.HostError, $"host function failed: {e.Message}", stack(state), e);
        }
        for (int i = 0; i < nr; i++)
        {
            var v = buffer[np + i];
            if (v.Type != type.Results[i])
                throw new WasmTrapException(TrapKind.HostError, $"host function returned {v.Type.ToWat()} for result {i}, expected {type.Results[i].ToWat()}", stack(state));
        }
    }
}

/// <summary>The buffers of host calls in progress, one per nesting level, reused from call to call.</summary>
internal sealed class HostBuffers
{
    private readonly List<WasmValue[]> _buffers = new();
    private int _depth;

    /// <summary>A buffer of at least <paramref name="size"/> values for the next nesting level.</summary>
    public WasmValue[] Rent(int size)
    {
        if (_depth == _buffers.Count) _buffers.Add(new WasmValue[Math.Max(8, size)]);
        var buf = _buffers[_depth];
        if (buf.Length < size) _buffers[_depth] = buf = new WasmValue[size];
        _depth++;
        return buf;
    }

    /// <summary>Releases the innermost level's buffer.</summary>
    public void Return() => _depth--;
}
