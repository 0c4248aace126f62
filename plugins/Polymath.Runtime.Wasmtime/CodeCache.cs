namespace Polymath.Runtime.Wasmtime;

/// <summary>Placeholder replaced below.</summary>
internal sealed class CodeCache
{
    public CodeCache(string directory, string configurationKey, Microsoft.Extensions.Logging.ILogger logger) { }
    public global::Wasmtime.Module? TryLoad(global::Wasmtime.Engine engine, ReadOnlySpan<byte> wasm) => null;
    public void Store(global::Wasmtime.Module module, ReadOnlySpan<byte> wasm) { }
}
