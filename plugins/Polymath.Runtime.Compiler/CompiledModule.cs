using System.Reflection;
using System.Reflection.Emit;
using Polymath.Sdk;
using Polymath.Wasm;
using Module = Polymath.Wasm.Module;

namespace Polymath.Runtime.Compiler;

/// <summary>
/// A validated module whose functions are compiled to <see cref="DynamicMethod"/>s on first use: the first call of a
/// function emits its CIL and that of every function it reaches through direct calls (the JIT then compiles each
/// method to machine code on its first execution). Dynamic methods are collectible: they go when the module does.
/// With a code cache the whole module's code comes instead from a saved assembly (<see cref="PersistedCode"/>),
/// loaded or built at <c>Compile</c>; nothing is emitted on calls then.
/// </summary>
internal sealed class CompiledModule : IWasmModule
{
    private readonly DynamicMethod?[][] _methods;
    private readonly bool[][] _emitted;
    private readonly object _gate = new();
    private LoadedCode? _loaded;

    public CompiledModule(CompilerEngine engine, Module definition, Signature[] signatures)
    {
        Engine = engine;
        Definition = definition;
        Signatures = signatures;
        _methods = [new DynamicMethod?[definition.Functions.Count], new DynamicMethod?[definition.Functions.Count]];
        _emitted = [new bool[definition.Functions.Count], new bool[definition.Functions.Count]];
        var globals = new List<Polymath.Wasm.ValueType>(definition.ImportedGlobalCount + definition.Globals.Count);
        var tables = new List<Polymath.Wasm.ValueType>(definition.ImportedTableCount + definition.Tables.Count);
        foreach (var imp in definition.Imports)
        {
            if (imp.Kind == ExternKind.Global) globals.Add(imp.Global!.ValueType);
            else if (imp.Kind == ExternKind.Table) tables.Add(imp.Table!.ElementType);
        }
        foreach (var g in definition.Globals) globals.Add(g.Type.ValueType);
        foreach (var t in definition.Tables) tables.Add(t.ElementType);
        GlobalTypes = globals.ToArray();
        TableTypes = tables.ToArray();
    }

    /// <summary>Value type per globalidx and element type per tableidx (imports first), for O(1) lookups while emitting.</summary>
    public Polymath.Wasm.ValueType[] GlobalTypes { get; }
    public Polymath.Wasm.ValueType[] TableTypes { get; }

    public CompilerEngine Engine { get; }
    public Module Definition { get; }
    /// <summary>Signature per typeidx.</summary>
    public Signature[] Signatures { get; }

    /// <summary>Number of defined functions whose CIL has been emitted (for tests of lazy compilation).</summary>
    public int CompiledFunctionCount
    {
        get { lock (_gate) return Enumerable.Range(0, _emitted[0].Length).Count(i => _emitted[0][i] || _emitted[1][i]); }
    }

    /// <summary>True when the code is a saved assembly's (built or loaded from the code cache) rather than lazily emitted.</summary>
    public bool IsPersisted => _loaded is not null;

    /// <summary>Runs <paramref name="code"/> (every function, both variants) from now on; called before the module is instantiated.</summary>
    internal void Adopt(LoadedCode code) => _loaded = code;

    /// <summary>The method of defined function <paramref name="definedIndex"/> (created, not yet emitted).</summary>
    internal DynamicMethod GetMethod(int definedIndex, bool metered)
    {
        var m = _methods[metered ? 1 : 0][definedIndex];
        if (m is not null) return m;
        uint funcidx = (uint)(Definition.ImportedFunctionCount + definedIndex);
        var sig = Signatures[Definition.Functions[definedIndex]];
        string name = (Definition.GetFunctionName(funcidx) is string n ? $"wasm[{funcidx}] {n}" : $"wasm[{funcidx}]") + (metered ? " (metered)" : "");
        m = new DynamicMethod(name, sig.ReturnType, sig.MethodParameters(typeof(Instance)), typeof(Instance).Module, skipVisibility: true);
        _methods[metered ? 1 : 0][definedIndex] = m;
        return m;
    }

    /// <summary>
    /// Emits the CIL of <paramref name="definedIndex"/> and of everything it calls directly; returns its method.
    /// <paramref name="state"/> is the calling store's: emission stops with an <c>Interrupted</c> trap when its call is
    /// cancelled. A batch that fails (interrupted, or a function refused) is discarded whole: its methods are referenced
    /// only by each other, and the next call starts again from fresh ones.
    /// </summary>
    public MethodInfo EnsureCompiled(int definedIndex, bool metered, StoreState? state = null)
    {
        int v = metered ? 1 : 0;
        if (_loaded is { } loaded) return loaded.Methods[v][definedIndex];
        lock (_gate)
        {
            var work = new Stack<int>();
            var batch = new List<int>();
            work.Push(definedIndex);
            try
            {
                while (work.Count > 0)
                {
                    int i = work.Pop();
                    if (_emitted[v][i]) continue;
                    var method = GetMethod(i, metered);
                    batch.Add(i);
                    var compiler = new FunctionCompiler(this, i, new IlWriter(method.GetILGenerator(), null), metered, state);
                    compiler.Compile();
                    _emitted[v][i] = true;
                    foreach (int callee in compiler.DirectCallees)
                        if (!_emitted[v][callee]) work.Push(callee);
                }
            }
            catch
            {
                foreach (int i in batch) { _emitted[v][i] = false; _methods[v][i] = null; }
                // Callees named by the batch but not reached yet have method objects with no IL: fresh ones next time too.
                for (int i = 0; i < _methods[v].Length; i++)
                    if (!_emitted[v][i]) _methods[v][i] = null;
                throw;
            }
            return _methods[v][definedIndex]!;
        }
    }

    /// <summary>The CIL the compiler generates for defined function <paramref name="definedIndex"/>, as text.</summary>
    public string Listing(int definedIndex)
    {
        var sig = Signatures[Definition.Functions[definedIndex]];
        var scratch = new DynamicMethod("listing", sig.ReturnType, sig.MethodParameters(typeof(Instance)), typeof(Instance).Module, skipVisibility: true);
        var log = new System.Text.StringBuilder();
        lock (_gate)
            new FunctionCompiler(this, definedIndex, new IlWriter(scratch.GetILGenerator(), log), metered: true).Compile();
        return log.ToString();
    }
}
