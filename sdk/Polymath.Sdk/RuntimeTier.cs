namespace Polymath.Sdk;

/// <summary>How a runtime executes code; also the default preference order (jit first).</summary>
public enum RuntimeTier
{
    /// <summary>Compiles to machine code at run time (e.g. Wasmtime/Cranelift).</summary>
    Jit,
    /// <summary>Compiles to another managed form ahead of calls (e.g. WASM→CIL).</summary>
    Compiler,
    /// <summary>Interprets a translated form of the code; runs everywhere .NET runs.</summary>
    Interpreter,
    /// <summary>Runs native kernels (shared libraries implementing the expert ABI).</summary>
    Native,
}
