using System.Runtime.CompilerServices;
using Polymath.Host.Loading;
using Polymath.Host.Manifest;
using Polymath.Sdk;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>
/// The plugin's load context unloads after an engine compiled and ran code (its epoch ticker, stores and host
/// callbacks release every reference). libwasmtime itself stays mapped on glibc (see RATIONALE.md); only the managed
/// side is checked.
/// </summary>
public sealed class UnloadTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadRunAndUnload(string manifest)
    {
        var entry = PluginManifestReader.Load(manifest).Plugins[0];
        var plugin = PluginLoader.Load(entry);
        Assert.True(plugin.Plugin.Probe(PlatformInfo.Current).IsAvailable);
        using (var engine = plugin.Plugin.CreateEngine(new EngineOptions()))
        using (var store = engine.CreateStore(StoreLimits.Default))
        {
            using var cts = new CancellationTokenSource();
            var host = store.CreateHostFunction(new Polymath.Wasm.FuncType([], [Polymath.Wasm.ValueType.I32]), (_, _, r) => r[0] = WasmValue.I32(41));
            var inst = store.Instantiate(engine.Compile(Wat.ToWasm("""
                (module (import "env" "f" (func $f (result i32)))
                  (func (export "run") (result i32) (i32.add (call $f) (i32.const 1))))
                """)), [host], new CallOptions { Fuel = 1000, CancellationToken = cts.Token }); // the store's code meters fuel and epochs
            var results = new WasmValue[1];
            inst.GetFunction("run")!.Invoke([], results, new CallOptions { Fuel = 1000, CancellationToken = cts.Token });
            Assert.Equal(42, results[0].AsI32);
        }
        return plugin.Unload();
    }

    [Fact]
    public void ThePluginLoadContextIsCollectedAfterRunningCode()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "wasmtime-plugin");
        string manifest = Path.Combine(Directory.CreateTempSubdirectory("polymath-wasmtime-unload-").FullName, "plugins.json");
        File.WriteAllText(manifest, $$"""
            { "schemaVersion": 1, "plugins": [ { "id": "wasmtime", "tier": "jit",
              "assembly": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(dir, "Polymath.Runtime.Wasmtime.dll"))}} } ] }
            """);
        var weak = LoadRunAndUnload(manifest);
        Assert.True(PluginLoader.WaitForCollection(weak, 30) >= 0, "the Wasmtime plugin's load context was not collected after unload");
    }
}
