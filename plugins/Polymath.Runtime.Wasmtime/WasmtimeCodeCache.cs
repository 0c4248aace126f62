using Polymath.Sdk.Caching;
using Wasmtime;

namespace Polymath.Runtime.Wasmtime;

/// <summary>The code cache's entries as Wasmtime modules (serialized machine code); <see cref="CodeCache"/> itself only knows bytes.</summary>
internal static class WasmtimeCodeCache
{
    /// <summary>The compiled module from the cache, or null (off, missing, or discarded because it failed a check or Wasmtime refused it).</summary>
    public static global::Wasmtime.Module? TryLoad(this CodeCache cache, Engine engine, ReadOnlySpan<byte> wasm) =>
        cache.TryLoad(wasm, (ReadOnlySpan<byte> payload, out string? problem) =>
        {
            try
            {
                problem = null;
                return global::Wasmtime.Module.Deserialize(engine, "module", payload);
            }
            catch (WasmtimeException e)
            {
                problem = $"Wasmtime refused it: {e.Message.ReplaceLineEndings(" ")}";
                return null;
            }
        });

    /// <summary>Writes <paramref name="module"/>'s machine code for <paramref name="wasm"/>; failures are logged, never thrown.</summary>
    public static void Store(this CodeCache cache, global::Wasmtime.Module module, ReadOnlySpan<byte> wasm)
    {
        byte[] payload;
        try
        {
            payload = module.Serialize();
        }
        catch (WasmtimeException e)
        {
            cache.NotStored(wasm, e.Message);
            return;
        }
        cache.Store(wasm, payload);
    }
}
