using System.Runtime.InteropServices;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Polymath.Wasm;

[assembly: RuntimePlugin(typeof(InterpreterRuntimePlugin))]

namespace Polymath.Runtime.Interpreter;

/// <summary>The managed WebAssembly interpreter: available on every platform .NET runs on (little-endian).</summary>
public sealed class InterpreterRuntimePlugin() : RuntimePlugin("interpreter", "Polymath managed interpreter", RuntimeTier.Interpreter,
    [.. Capabilities.Wasm20WithoutSimd, Capabilities.ExecInterpreter, .. Capabilities.AllLimits]), ICodeListing
{
    /// <inheritdoc />
    public override RuntimeProbeResult Probe(PlatformInfo platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (platform.Architecture == Architecture.S390x || (!platform.IsSimulated && !BitConverter.IsLittleEndian))
            return RuntimeProbeResult.Unavailable("the interpreter assumes a little-endian machine (WebAssembly memory is little-endian)");
        return Available(
            $"managed interpreter: runs wherever .NET runs ({platform.RuntimeIdentifier}, no dynamic code needed); " +
            $"memories up to {MemoryInstance.ArrayMaxPages} pages (one .NET array), larger growth returns -1");
    }

    /// <inheritdoc />
    public override IWasmEngine CreateEngine(EngineOptions options) => new InterpreterEngine();

    /// <summary><c>ir</c>: the interpreter's translated code per function, fast and metered (<see cref="IrListing"/>).</summary>
    public string ListingKind => "ir";

    /// <inheritdoc />
    public string ListCode(ReadOnlyMemory<byte> wasm, string? function = null) => IrListing.Describe(wasm, function);
}

/// <summary>The interpreter's engine: compiles (reads, validates, translates) modules and creates stores.</summary>
public sealed class InterpreterEngine : IWasmEngine
{
    private readonly Dictionary<FuncType, int> _typeIds = new();

    /// <summary>Engine-wide id of a function type (equal types get equal ids), used by call_indirect.</summary>
    internal int GetTypeId(FuncType type)
    {
        lock (_typeIds)
        {
            if (!_typeIds.TryGetValue(type, out int id))
            {
                id = _typeIds.Count;
                _typeIds.Add(type, id);
            }
            return id;
        }
    }

    /// <inheritdoc />
    /// <exception cref="WasmModuleException">Malformed or invalid, or uses SIMD (reported as invalid with the reason "SIMD instructions are not supported by the interpreter runtime").</exception>
    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    /// <inheritdoc />
    /// <remarks>Trusts <paramref name="module"/> (already read and validated) and only translates its code; the bytes are not used.</remarks>
    /// <exception cref="WasmModuleException">The module uses SIMD (reported as invalid with the reason "SIMD instructions are not supported by the interpreter runtime").</exception>
    public IWasmModule Compile(Module module, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.Features.HasFlag(WasmFeatures.Simd))
            throw new WasmModuleException(WasmErrorKind.Invalid, "SIMD instructions are not supported by the interpreter runtime (capability wasm.simd128 is not provided)");
        var codes = new CompiledCode[module.Functions.Count];
        for (int i = 0; i < codes.Length; i++)
            codes[i] = Translator.Translate(module, (uint)(module.ImportedFunctionCount + i));
        var typeIds = new int[module.Types.Count];
        for (int i = 0; i < typeIds.Length; i++) typeIds[i] = GetTypeId(module.Types[i]);
        return new InterpreterModule(this, module, codes, typeIds);
    }

    /// <inheritdoc />
    public IWasmStore CreateStore(StoreLimits limits) => new InterpreterStore(this, limits ?? StoreLimits.Default);

    /// <inheritdoc />
    public void Dispose() { }
}

/// <summary>A compiled module: the decoded definition plus translated code.</summary>
internal sealed class InterpreterModule : IWasmModule
{
    public InterpreterModule(InterpreterEngine engine, Module definition, CompiledCode[] codes, int[] typeIds)
    {
        Engine = engine;
        Definition = definition;
        Codes = codes;
        TypeIds = typeIds;
    }

    public InterpreterEngine Engine { get; }
    public Module Definition { get; }
    public CompiledCode[] Codes { get; }
    public int[] TypeIds { get; }
}
