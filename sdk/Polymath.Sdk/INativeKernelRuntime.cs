namespace Polymath.Sdk;

/// <summary>Implemented by runtime plugins that run native kernels instead of (or as well as) WebAssembly.</summary>
public interface INativeKernelRuntime
{
    /// <summary>Loads a native kernel (shared library exporting the expert ABI with pointer-sized pointers).</summary>
    INativeKernel LoadKernel(string libraryPath);
}
