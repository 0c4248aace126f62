using Polymath.Runtime.Core;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

internal sealed partial class CompilerStore
{
    public IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default)
    {
        var cm = InstantiationChecks.OwnModule<CompiledModule>(module, imports, _engine, static m => m.Engine, "compiler");
        var inst = new Instance(cm, this);
        new Instantiation(this, inst).Run(cm.Definition, imports, options);
        return inst;
    }

    /// <summary>
    /// The compiler's store objects for spec instantiation (Polymath.Runtime.Core): a value is its bits (a v128's high 64 bits in High) and its
    /// reference (the layout of <see cref="GlobalInstance"/>); a table element is the reference.
    /// </summary>
    private sealed class Instantiation(CompilerStore store, Instance inst)
        : SpecInstantiation<WasmFunc, TableInstance, MemoryInstance, GlobalInstance, object?, (long Bits, long High, object? Ref)>
    {
        protected override object Store => store;
        protected override WasmFunc ImportFunction(IWasmFunction function) => store.Adopt(function);

        protected override WasmFunc DefineFunction(int definedIndex, uint funcIndex, FuncType type) =>
            new(store, type, inst.Module.Signatures[inst.Module.Definition.Functions[definedIndex]])
            {
                Instance = inst,
                DefinedIndex = definedIndex,
                FuncIndex = funcIndex,
            };

        protected override GlobalInstance DefineGlobal(GlobalType type, (long Bits, long High, object? Ref) value) =>
            new(store, type) { Bits = value.Bits, High = value.High, Ref = value.Ref };

        protected override TableInstance DefineTable(TableType type) => new(store, type, null);
        protected override MemoryInstance DefineMemory(MemoryType type) => new(store, type);
        protected override (long Bits, long High, object? Ref) Number(ulong bits, ulong highBits) => ((long)bits, (long)highBits, null);
        protected override (long Bits, long High, object? Ref) Null => (0, 0, null);
        protected override (long Bits, long High, object? Ref) FunctionReference(WasmFunc function) => (0, 0, function);
        protected override (long Bits, long High, object? Ref) Read(GlobalInstance global) => (global.Bits, global.High, global.Ref);
        protected override uint Offset((long Bits, long High, object? Ref) value) => (uint)value.Bits;
        protected override object? Element((long Bits, long High, object? Ref) value) => value.Ref;

        protected override void Bind(InstanceParts<WasmFunc, TableInstance, MemoryInstance, GlobalInstance, object?> parts)
        {
            inst.Funcs = parts.Functions;
            inst.Globals = parts.Globals;
            inst.Tables = parts.Tables;
            inst.Mem = parts.Memories.Length > 0 ? parts.Memories[0] : null;
            inst.Exports = parts.Exports;
            inst.Elements = parts.Elements;
            inst.Datas = parts.Datas;
        }
    }
}
