using Polymath.Runtime.Core;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

internal sealed partial class InterpreterStore
{
    public IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default)
    {
        var im = InstantiationChecks.OwnModule<InterpreterModule>(module, imports, _engine, static m => m.Engine, "interpreter");
        var inst = new InterpInstance(im, this) { TypeIds = im.TypeIds };
        new Instantiation(this, inst).Run(im.Definition, imports, options);
        return inst;
    }

    /// <summary>
    /// The interpreter's store objects for spec instantiation (Polymath.Runtime.Core): a value is its slot bits (and a
    /// v128's high 64 bits), a
    /// reference a handle (see RATIONALE.md), and a table element the same handle.
    /// </summary>
    private sealed class Instantiation(InterpreterStore store, InterpInstance inst)
        : SpecInstantiation<InterpFunction, TableInstance, MemoryInstance, GlobalCell, ulong, (ulong Bits, ulong High)>
    {
        protected override object Store => store;

        protected override InterpFunction ImportFunction(IWasmFunction function) =>
            function is InterpFunction own && own.Store == store ? own : store.WrapForeign(function);

        protected override InterpFunction DefineFunction(int definedIndex, uint funcIndex, FuncType type) =>
            new(store, type, inst.TypeIds[inst.ModuleDef.Definition.Functions[definedIndex]])
            {
                Code = inst.ModuleDef.Codes[definedIndex],
                Instance = inst,
                FuncIndex = funcIndex,
            };

        protected override GlobalCell DefineGlobal(GlobalType type, (ulong Bits, ulong High) value) => new(store, type, value.Bits) { High = value.High };
        protected override TableInstance DefineTable(TableType type) => new(store, type, 0);
        protected override MemoryInstance DefineMemory(MemoryType type) => new(store, type);
        protected override (ulong Bits, ulong High) Number(ulong bits, ulong highBits) => (bits, highBits);
        protected override (ulong Bits, ulong High) Null => (0, 0);
        protected override (ulong Bits, ulong High) FunctionReference(InterpFunction function) => ((ulong)function.Handle, 0);
        protected override (ulong Bits, ulong High) Read(GlobalCell global) => (global.Bits, global.High);
        protected override uint Offset((ulong Bits, ulong High) value) => (uint)value.Bits;
        protected override ulong Element((ulong Bits, ulong High) value) => value.Bits;

        protected override void Bind(InstanceParts<InterpFunction, TableInstance, MemoryInstance, GlobalCell, ulong> parts)
        {
            inst.Functions = parts.Functions;
            inst.Globals = parts.Globals;
            inst.Tables = parts.Tables;
            inst.Memory = parts.Memories.Length > 0 ? parts.Memories[0] : null;
            inst.Exports = parts.Exports;
            inst.Elements = parts.Elements;
            inst.Datas = parts.Datas;
        }
    }
}
