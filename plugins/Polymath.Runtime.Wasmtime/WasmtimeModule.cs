using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// A module compiled by Wasmtime plus its decoded definition (names, types, code offsets for backtraces). It holds the
/// unmetered code from the start and the metered code (fuel instrumentation) from the first store that needs it.
/// </summary>
internal sealed class WasmtimeModule : IWasmModule
{
    private readonly int[] _codeOffsets;
    private readonly byte[] _wasm;
    private readonly Lock _meteredLock = new();
    private global::Wasmtime.Module? _metered;

    public WasmtimeModule(WasmtimeEngine engine, Module definition, byte[] wasm, global::Wasmtime.Module unmetered)
    {
        Engine = engine;
        Definition = definition;
        _wasm = wasm;
        Unmetered = unmetered;
        _codeOffsets = new int[definition.Codes.Count];
        for (int i = 0; i < _codeOffsets.Length; i++) _codeOffsets[i] = definition.Codes[i].CodeOffset;
    }

    public WasmtimeEngine Engine { get; }
    public Module Definition { get; }
    public global::Wasmtime.Module Unmetered { get; }

    /// <summary>The code for a store of the engine variant <paramref name="metered"/> (compiled or loaded on first use).</summary>
    public global::Wasmtime.Module For(bool metered)
    {
        if (!metered) return Unmetered;
        if (Volatile.Read(ref _metered) is { } m) return m;
        lock (_meteredLock) return _metered ??= Engine.CompileFor(Engine.Metered, _wasm);
    }

    /// <summary>The frame of a Wasmtime trap frame: funcidx from the module offset of the instruction.</summary>
    public WasmStackFrame Describe(global::Wasmtime.TrapFrame frame)
    {
        long offset = (long)(nuint)frame.ModuleOffset;
        int i = Array.BinarySearch(_codeOffsets, (int)Math.Min(offset, int.MaxValue));
        if (i < 0) i = ~i - 1;
        if (i < 0) return new WasmStackFrame(0, frame.FunctionName);
        uint funcidx = (uint)(Definition.ImportedFunctionCount + i);
        return new WasmStackFrame(funcidx, Definition.GetFunctionName(funcidx) ?? frame.FunctionName);
    }
}
