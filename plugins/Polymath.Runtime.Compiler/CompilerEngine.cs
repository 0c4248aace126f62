using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>The compiler runtime's engine: reads and validates modules (compiling their code lazily) and creates stores.</summary>
public sealed class CompilerEngine : IWasmEngine
{
    private readonly Dictionary<FuncType, Signature> _signatures = new();

    internal Signature GetSignature(FuncType type)
    {
        lock (_signatures)
        {
            if (!_signatures.TryGetValue(type, out var sig))
            {
                sig = new Signature(type, _signatures.Count);
                _signatures.Add(type, sig);
            }
            return sig;
        }
    }

    /// <inheritdoc />
    /// <exception cref="WasmModuleException">Malformed or invalid, or a function this tier cannot run safely (see the other overload).</exception>
    public IWasmModule Compile(ReadOnlyMemory<byte> wasm) => Compile(ModuleReader.ReadAndValidate(wasm), wasm);

    /// <inheritdoc />
    /// <remarks>Trusts <paramref name="module"/> (already read and validated); the bytes are not used (code is compiled lazily from the module's bodies).</remarks>
    /// <exception cref="WasmModuleException">A function this tier cannot run safely: a frame too large for its stack check or a body too costly to compile (reported as invalid, naming the function and the limit).</exception>
    public IWasmModule Compile(Module module, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(module);
        int maxArity = 0;
        foreach (var t in module.Types) maxArity = Math.Max(maxArity, t.Parameters.Length);
        for (int i = 0; i < module.Codes.Count; i++)
            if (StackBudget.Refusal(module, i, maxArity) is string reason)
                throw new WasmModuleException(WasmErrorKind.Invalid, $"{reason}; the interpreter runtime runs it");
        var signatures = new Signature[module.Types.Count];
        for (int i = 0; i < signatures.Length; i++) signatures[i] = GetSignature(module.Types[i]);
        return new CompiledModule(this, module, signatures);
    }

    /// <inheritdoc />
    public IWasmStore CreateStore(StoreLimits limits) => new CompilerStore(this, limits ?? StoreLimits.Default);

    /// <inheritdoc />
    public void Dispose() { }
}
