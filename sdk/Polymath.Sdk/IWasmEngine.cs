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

    /// <summary>
    /// The module ready for execution when that costs no compilation — for example machine code found in the engine's
    /// compiled-code cache (<see cref="EngineOptions.CodeCacheDirectory"/>) — otherwise null, and nothing is compiled.
    /// A host uses it to decide whether a module can start on a slow-to-compile engine at once or should start on a
    /// faster-starting one while this engine compiles it in the background.
    /// </summary>
    /// <param name="module">As for <see cref="Compile(Module, ReadOnlyMemory{byte})"/>: the validated definition of <paramref name="wasm"/>.</param>
    /// <param name="wasm">The module's bytes.</param>
    /// <remarks>A default method returning null (no cache), so plugins built against an earlier SDK still load.</remarks>
    IWasmModule? TryLoadCompiled(Module module, ReadOnlyMemory<byte> wasm) => null;

    /// <summary>Creates a store: the owner of instances and their memories, tables and globals. A store is used by one thread at a time.</summary>
    IWasmStore CreateStore(StoreLimits limits);
}
