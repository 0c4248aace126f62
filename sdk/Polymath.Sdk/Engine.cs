using Polymath.Wasm;

namespace Polymath.Sdk;

/// <summary>
/// A WebAssembly engine: compiles modules and creates stores. Thread-safe. Modeled on the
/// Engine/Module/Store/Instance split of wasm.h so native runtimes map onto it directly.
/// </summary>
public interface IWasmEngine : IDisposable
{
    /// <summary>Decodes, validates and prepares a module for execution.</summary>
    /// <exception cref="WasmModuleException">The binary is malformed or invalid.</exception>
    IWasmModule Compile(ReadOnlyMemory<byte> wasm);

    /// <summary>
    /// Prepares an already decoded and validated module for execution, without reading or validating it again: the
    /// host reads and validates each module once (<see cref="ModuleReader.ReadAndValidate"/>) and hands the result here.
    /// </summary>
    /// <param name="module">
    /// The result of <see cref="ModuleReader.ReadAndValidate"/> on exactly <paramref name="wasm"/>. Engines may trust it
    /// (skip decoding and validation, use it as <see cref="IWasmModule.Definition"/>); passing anything else is a caller
    /// bug with undefined results.
    /// </param>
    /// <param name="wasm">The module's bytes, for engines that compile from bytes (a native runtime such as Wasmtime).</param>
    /// <remarks>
    /// A default method, not a required one: runtime plugins are built and shipped separately, and a required member
    /// would make every plugin built against an earlier SDK fail to load (<see cref="TypeLoadException"/>). The default
    /// stays correct — it ignores <paramref name="module"/> and reads and validates <paramref name="wasm"/> again — and
    /// every plugin that can reuse the module overrides it (the interpreter, the compiler and Wasmtime do).
    /// </remarks>
    /// <exception cref="WasmModuleException">The engine cannot run the module (for example it uses a feature the engine lacks).</exception>
    IWasmModule Compile(Module module, ReadOnlyMemory<byte> wasm) => Compile(wasm);

    /// <summary>Creates a store: the owner of instances and their memories, tables and globals. A store is used by one thread at a time.</summary>
    IWasmStore CreateStore(StoreLimits limits);
}

/// <summary>A compiled module, instantiable any number of times in any store of its engine.</summary>
public interface IWasmModule
{
    /// <summary>The decoded module (imports, exports, features, names).</summary>
    Module Definition { get; }
}

/// <summary>Limits that apply to everything in one store.</summary>
public sealed record StoreLimits
{
    /// <summary>Default limits: 256 pages (16 MiB) per memory, 10,000 table elements, call depth 10,000.</summary>
    public static StoreLimits Default { get; } = new();

    /// <summary>Cap on any memory's size in pages; growth beyond it fails as the spec allows (memory.grow returns -1).</summary>
    public uint MaxMemoryPages { get; init; } = 256;

    /// <summary>Cap on any table's size in elements; growth beyond it fails (table.grow returns -1).</summary>
    public uint MaxTableElements { get; init; } = 10_000;

    /// <summary>Maximum wasm call depth; deeper calls trap with <see cref="TrapKind.CallStackExhausted"/>.</summary>
    public int MaxCallDepth { get; init; } = 10_000;

    /// <summary>
    /// Cap on the bytes a runtime may use for the wasm value stack (locals and operands of all active frames);
    /// a call that would need more traps with <see cref="TrapKind.CallStackExhausted"/>. It bounds deep recursion
    /// of functions with many locals, which <see cref="MaxCallDepth"/> alone does not. Default 64 MiB.
    /// Runtimes whose stack is not theirs to size (a JIT on the native stack) may ignore it.
    /// </summary>
    public long MaxValueStackBytes { get; init; } = 64L << 20;
}

/// <summary>Per-call execution limits.</summary>
public readonly record struct CallOptions
{
    /// <summary>Instruction budget for this call (null = unlimited). Running out traps with <see cref="TrapKind.OutOfFuel"/>. The exact accounting rule is the runtime's and is documented by it.</summary>
    public ulong? Fuel { get; init; }

    /// <summary>Cancels the call (used for wall-clock timeouts): the call traps with <see cref="TrapKind.Interrupted"/>.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>
/// Owns instances and host-created externs. Not thread-safe: one call at a time.
/// </summary>
public interface IWasmStore : IDisposable
{
    /// <summary>The limits this store was created with.</summary>
    StoreLimits Limits { get; }

    /// <summary>Fuel consumed by the most recent call made through this store (0 when fuel was not metered).</summary>
    ulong LastCallFuelConsumed { get; }

    /// <summary>Creates a function implemented by the host.</summary>
    IWasmFunction CreateHostFunction(FuncType type, HostFunctionCallback callback);

    /// <summary>Creates a memory owned by the host.</summary>
    IWasmMemory CreateMemory(MemoryType type);

    /// <summary>Creates a table owned by the host, every element set to <paramref name="initial"/>.</summary>
    IWasmTable CreateTable(TableType type, WasmValue initial);

    /// <summary>Creates a global owned by the host.</summary>
    IWasmGlobal CreateGlobal(GlobalType type, WasmValue value);

    /// <summary>
    /// Instantiates <paramref name="module"/>: <paramref name="imports"/> gives one extern per import, in the
    /// module's import order. Runs active segments and the start function.
    /// </summary>
    /// <exception cref="WasmLinkException">An import is missing or does not match (assert_unlinkable).</exception>
    /// <exception cref="WasmTrapException">A segment or the start function trapped (assert_uninstantiable).</exception>
    IWasmInstance Instantiate(IWasmModule module, IReadOnlyList<IWasmExtern> imports, CallOptions options = default);
}

/// <summary>An instance of a module.</summary>
public interface IWasmInstance
{
    /// <summary>The module this is an instance of.</summary>
    IWasmModule Module { get; }

    /// <summary>Exports by name.</summary>
    IReadOnlyDictionary<string, IWasmExtern> Exports { get; }
}

/// <summary>Convenience lookups on instances.</summary>
public static class WasmInstanceExtensions
{
    /// <summary>The exported function <paramref name="name"/>, or null.</summary>
    public static IWasmFunction? GetFunction(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmFunction : null;

    /// <summary>The exported memory <paramref name="name"/>, or null.</summary>
    public static IWasmMemory? GetMemory(this IWasmInstance instance, string name = "memory") =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmMemory : null;

    /// <summary>The exported global <paramref name="name"/>, or null.</summary>
    public static IWasmGlobal? GetGlobal(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmGlobal : null;

    /// <summary>The exported table <paramref name="name"/>, or null.</summary>
    public static IWasmTable? GetTable(this IWasmInstance instance, string name) =>
        instance.Exports.TryGetValue(name, out var e) ? e as IWasmTable : null;
}

/// <summary>Anything that can be imported or exported: function, table, memory or global.</summary>
public interface IWasmExtern
{
    /// <summary>Which kind of extern this is.</summary>
    ExternKind Kind { get; }
}

/// <summary>A function (wasm-defined or host-defined).</summary>
public interface IWasmFunction : IWasmExtern
{
    /// <summary>Its type.</summary>
    FuncType Type { get; }

    /// <summary>
    /// Calls the function. <paramref name="arguments"/> must match <see cref="FuncType.Parameters"/> and
    /// <paramref name="results"/> must have room for <see cref="FuncType.Results"/>. Does not allocate in steady state.
    /// </summary>
    /// <exception cref="WasmTrapException">The call trapped (including limits: fuel, depth, interruption).</exception>
    void Invoke(ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results, CallOptions options = default);
}

/// <summary>A linear memory.</summary>
public interface IWasmMemory : IWasmExtern
{
    /// <summary>Its current type (limits with the current size as minimum).</summary>
    MemoryType Type { get; }

    /// <summary>Current size in pages.</summary>
    uint Pages { get; }

    /// <summary>The whole memory. Invalidated by growth: take it again after any call.</summary>
    Span<byte> Span { get; }

    /// <summary>Grows by <paramref name="deltaPages"/>; returns the old size in pages, or -1 when growth fails.</summary>
    int Grow(uint deltaPages);
}

/// <summary>A table of references.</summary>
public interface IWasmTable : IWasmExtern
{
    /// <summary>Its current type.</summary>
    TableType Type { get; }

    /// <summary>Current size in elements.</summary>
    uint Size { get; }

    /// <summary>Reads an element.</summary>
    /// <exception cref="WasmTrapException">Out of bounds.</exception>
    WasmValue Get(uint index);

    /// <summary>Writes an element.</summary>
    /// <exception cref="WasmTrapException">Out of bounds.</exception>
    void Set(uint index, WasmValue value);

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="initial"/>; returns the old size or -1.</summary>
    int Grow(uint delta, WasmValue initial);
}

/// <summary>A global.</summary>
public interface IWasmGlobal : IWasmExtern
{
    /// <summary>Its type.</summary>
    GlobalType Type { get; }

    /// <summary>Its value; setting an immutable global throws <see cref="InvalidOperationException"/>.</summary>
    WasmValue Value { get; set; }
}

/// <summary>What a host function sees of its caller.</summary>
public interface IHostCallContext
{
    /// <summary>The calling instance's exported memory called <paramref name="name"/>, if any (WASI uses "memory").</summary>
    IWasmMemory? GetMemory(string name = "memory");

    /// <summary>The cancellation token of the current call.</summary>
    CancellationToken CancellationToken { get; }
}

/// <summary>
/// A host function body. Read <paramref name="arguments"/>, write <paramref name="results"/>.
/// Throw <see cref="WasmTrapException"/> to trap; any other exception becomes a
/// <see cref="TrapKind.HostError"/> trap with it as the inner exception.
/// </summary>
public delegate void HostFunctionCallback(IHostCallContext context, ReadOnlySpan<WasmValue> arguments, Span<WasmValue> results);
