using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Wasmtime;

/// <summary>A module compiled by Wasmtime plus its decoded definition (names, types, code offsets for backtraces).</summary>
internal sealed class WasmtimeModule : IWasmModule
{
    private readonly int[] _codeOffsets;

    public WasmtimeModule(WasmtimeEngine engine, Module definition, global::Wasmtime.Module compiled)
    {
        Engine = engine;
        Definition = definition;
        Compiled = compiled;
        _codeOffsets = new int[definition.Codes.Count];
        for (int i = 0; i < _codeOffsets.Length; i++) _codeOffsets[i] = definition.Codes[i].CodeOffset;
    }

    public WasmtimeEngine Engine { get; }
    public Module Definition { get; }
    public global::Wasmtime.Module Compiled { get; }

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
