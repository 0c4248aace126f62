using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Wasmtime;

/// <summary>
/// A module for Wasmtime plus its decoded definition (names, types, code offsets for backtraces). Its code is compiled
/// (or loaded from the code cache) per <see cref="Instrumentation"/>, when a store with that instrumentation first
/// instantiates it.
/// </summary>
internal sealed class WasmtimeModule : IWasmModule
{
    private readonly int[] _codeOffsets;
    private readonly byte[] _wasm;
    private readonly Lock _compileLock = new();
    private readonly global::Wasmtime.Module?[] _compiled = new global::Wasmtime.Module?[4];

    public WasmtimeModule(WasmtimeEngine engine, Module definition, byte[] wasm)
    {
        Engine = engine;
        Definition = definition;
        _wasm = wasm;
        _codeOffsets = new int[definition.Codes.Count];
        for (int i = 0; i < _codeOffsets.Length; i++) _codeOffsets[i] = definition.Codes[i].CodeOffset;
    }

    public WasmtimeEngine Engine { get; }
    public Module Definition { get; }

    /// <summary>Sets the code for <paramref name="instrumentation"/> (a code-cache hit) before anyone asks for it.</summary>
    public void Preload(Instrumentation instrumentation, global::Wasmtime.Module compiled) => _compiled[(int)instrumentation] = compiled;

    /// <summary>The code for a store of <paramref name="instrumentation"/> (compiled or loaded on first use).</summary>
    public global::Wasmtime.Module For(Instrumentation instrumentation)
    {
        if (Volatile.Read(ref _compiled[(int)instrumentation]) is { } m) return m;
        lock (_compileLock)
            return _compiled[(int)instrumentation] ??= Engine.CompileFor(Engine.Variant(instrumentation), _wasm);
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
