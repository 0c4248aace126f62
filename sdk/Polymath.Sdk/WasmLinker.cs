using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>
/// Resolves imports by (module, name) and instantiates modules in a store, for every runtime plugin alike: it works
/// only through <see cref="IWasmStore"/>, so host functions defined once (WASI, a test harness's <c>spectest</c>) behave
/// the same on every engine. Modeled on wasmtime's <c>Linker</c>. Also the one place for the WASI entry-point rules:
/// a reactor's <c>_initialize</c> (<see cref="InstantiateReactor"/>) and a command's <c>_start</c> (<see cref="RunCommand"/>).
/// Definitions are not thread-safe to change; resolving and instantiating from several threads (different stores) is safe
/// once they are made.
/// </summary>
public sealed class WasmLinker
{
    /// <summary>The export a WASI reactor (library) runs once after instantiation.</summary>
    public const string InitializeExport = "_initialize";

    /// <summary>The export a WASI command runs as its program.</summary>
    public const string StartExport = "_start";

    private static readonly FuncType EntryPointType = new([], []);

    private readonly Dictionary<string, ModuleDefinitions> _modules = new(StringComparer.Ordinal);

    private sealed class ModuleDefinitions
    {
        public Dictionary<string, Definition> Items { get; } = new(StringComparer.Ordinal);
        public WasmImportResolver? Fallback { get; set; }
    }

    private sealed record Definition(IWasmExtern? Extern, FuncType? Type, HostFunctionCallback? Callback);

    /// <summary>
    /// Defines <paramref name="module"/>.<paramref name="name"/> as a host function; it is created in each store that
    /// instantiates a module importing it. A module importing it with another type fails to link.
    /// </summary>
    public WasmLinker DefineFunction(string module, string name, FuncType type, HostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        Module(module).Items[name ?? throw new ArgumentNullException(nameof(name))] = new Definition(null, type, callback);
        return this;
    }

    /// <summary>
    /// Defines <paramref name="module"/>.<paramref name="name"/> as an existing extern. It belongs to one store, so only
    /// instantiations in that store may use it; the store checks its type when instantiating.
    /// </summary>
    public WasmLinker Define(string module, string name, IWasmExtern item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Module(module).Items[name ?? throw new ArgumentNullException(nameof(name))] = new Definition(item, null, null);
        return this;
    }

    /// <summary>
    /// Defines every entry of <paramref name="exports"/> under <paramref name="module"/>, replacing everything defined
    /// under that name before (the spec's <c>register</c>).
    /// </summary>
    public WasmLinker DefineModule(string module, IReadOnlyDictionary<string, IWasmExtern> exports)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(exports);
        var definitions = new ModuleDefinitions();
        foreach (var (name, item) in exports) definitions.Items[name] = new Definition(item, null, null);
        _modules[module] = definitions;
        return this;
    }

    /// <summary>Defines the exports of <paramref name="instance"/> under <paramref name="module"/> (see <see cref="DefineModule"/>).</summary>
    public WasmLinker DefineInstance(string module, IWasmInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return DefineModule(module, instance.Exports);
    }

    /// <summary>
    /// Answers imports from <paramref name="module"/> that have no definition of their own (e.g. WASI functions a shim
    /// does not implement answering an error code). The resolver returns null to leave the import unknown.
    /// </summary>
    public WasmLinker DefineFallback(string module, WasmImportResolver resolver)
    {
        Module(module).Fallback = resolver ?? throw new ArgumentNullException(nameof(resolver));
        return this;
    }

    /// <summary>Whether anything is defined under <paramref name="module"/>.</summary>
    public bool HasModule(string module) => _modules.ContainsKey(module);

    private ModuleDefinitions Module(string module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!_modules.TryGetValue(module, out var definitions)) _modules[module] = definitions = new ModuleDefinitions();
        return definitions;
    }

    /// <summary>
    /// The externs for <paramref name="module"/>'s imports, in import order, created in <paramref name="store"/> where
    /// they are host functions.
    /// </summary>
    /// <exception cref="WasmLinkException">An import is not defined, or a host function is imported with another type.</exception>
    public IWasmExtern[] ResolveImports(IWasmStore store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        var externs = module.Imports.Count == 0 ? [] : new IWasmExtern[module.Imports.Count];
        for (int i = 0; i < externs.Length; i++)
            externs[i] = Resolve(store, module, module.Imports[i]);
        return externs;
    }

    private IWasmExtern Resolve(IWasmStore store, Module module, Import import)
    {
        var functionType = import.Kind == ExternKind.Function ? module.Types[(int)import.TypeIndex] : null;
        if (!_modules.TryGetValue(import.Module, out var definitions))
            throw new WasmLinkException($"unknown import '{import.Module}.{import.Name}': nothing is defined for module '{import.Module}'");
        if (definitions.Items.TryGetValue(import.Name, out var definition))
        {
            if (definition.Extern is { } item) return item;
            if (import.Kind != ExternKind.Function)
                throw new WasmLinkException($"import '{import.Module}.{import.Name}' is a {Describe(import.Kind)}, but it is defined as a function");
            if (!definition.Type!.Equals(functionType))
                throw new WasmLinkException($"import '{import.Module}.{import.Name}' has type {functionType}, but it is defined with type {definition.Type}");
            return store.CreateHostFunction(definition.Type, definition.Callback!);
        }
        if (definitions.Fallback?.Invoke(store, import, functionType) is { } resolved) return resolved;
        throw new WasmLinkException($"unknown import '{import.Module}.{import.Name}': module '{import.Module}' defines no {Describe(import.Kind)} '{import.Name}'");
    }

    private static string Describe(ExternKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Resolves the imports and instantiates (active segments and the start function run; nothing else is called).</summary>
    /// <exception cref="WasmLinkException">An import cannot be resolved or does not match.</exception>
    /// <exception cref="WasmTrapException">A segment or the start function trapped.</exception>
    public IWasmInstance Instantiate(IWasmStore store, IWasmModule module, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        return store.Instantiate(module, ResolveImports(store, module.Definition), options);
    }

    /// <summary>
    /// Instantiates a library (a WASI reactor, an expert, a module run with <c>--invoke</c>) and calls its
    /// <c>_initialize</c> export, when it has one, before anything else is called.
    /// </summary>
    /// <exception cref="WasmLinkException">An import cannot be resolved, or <c>_initialize</c> is not a <c>[] -> []</c> function.</exception>
    /// <exception cref="WasmTrapException">Instantiation or <c>_initialize</c> trapped.</exception>
    public IWasmInstance InstantiateReactor(IWasmStore store, IWasmModule module, CallOptions options = default)
    {
        var instance = Instantiate(store, module, options);
        if (instance.Exports.TryGetValue(InitializeExport, out var init))
            EntryPoint(init, InitializeExport).Invoke([], [], options);
        return instance;
    }

    /// <summary>
    /// Runs a WASI command: instantiates it and calls <c>_start</c> (never <c>_initialize</c>). Returns the exit code:
    /// 0 when <c>_start</c> returns, the code passed to <c>proc_exit</c> when it ends with a <see cref="TrapKind.Exit"/> trap.
    /// </summary>
    /// <exception cref="WasmLinkException">An import cannot be resolved, or there is no <c>[] -> []</c> <c>_start</c> export.</exception>
    /// <exception cref="WasmTrapException">The program trapped (other than by exiting).</exception>
    public int RunCommand(IWasmStore store, IWasmModule module, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!IsCommand(module.Definition))
            throw new WasmLinkException($"the module exports no {StartExport} function: it is not a WASI command");
        var instance = Instantiate(store, module, options);
        try
        {
            EntryPoint(instance.Exports[StartExport], StartExport).Invoke([], [], options);
            return 0;
        }
        catch (WasmTrapException trap) when (trap.Kind == TrapKind.Exit)
        {
            return trap.ExitCode;
        }
    }

    /// <summary>Whether <paramref name="module"/> is a WASI command (exports a <c>_start</c> function).</summary>
    public static bool IsCommand(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var export in module.Exports)
            if (export.Name == StartExport && export.Kind == ExternKind.Function) return true;
        return false;
    }

    private static IWasmFunction EntryPoint(IWasmExtern item, string name)
    {
        if (item is not IWasmFunction f)
            throw new WasmLinkException($"export '{name}' is a {Describe(item.Kind)}, expected a function");
        if (!f.Type.Equals(EntryPointType))
            throw new WasmLinkException($"export '{name}' has type {f.Type}, expected {EntryPointType}");
        return f;
    }
}
