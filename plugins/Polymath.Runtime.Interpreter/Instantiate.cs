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
    /// The interpreter's store objects for spec instantiation (Polymath.Runtime.Core): a value is its slot bits, a
    /// reference a handle (see RATIONALE.md), and a table element the same handle.
    /// </summary>
    private sealed class Instantiation(InterpreterStore store, InterpInstance inst)
        : SpecInstantiation<InterpFunction, TableInstance, MemoryInstance, GlobalCell, ulong, ulong>
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

        protected override GlobalCell DefineGlobal(GlobalType type, ulong value) => new(store, type, value);
        protected override TableInstance DefineTable(TableType type) => new(store, type, 0);
        protected override MemoryInstance DefineMemory(MemoryType type) => new(store, type);
        protected override ulong Number(ulong bits, ulong highBits) => bits; // no v128 on this tier yet
        protected override ulong Null => 0;
        protected override ulong FunctionReference(InterpFunction function) => (ulong)function.Handle;
        protected override ulong Read(GlobalCell global) => global.Bits;
        protected override uint Offset(ulong value) => (uint)value;
        protected override ulong Element(ulong value) => value;

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
