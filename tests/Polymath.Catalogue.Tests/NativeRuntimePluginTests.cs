using System.Reflection;
using System.Text;
using Polymath.Host;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// plugins/Polymath.Runtime.Native loaded by the host from a plugins.json entry, probed, and used directly to run a
/// gcc-built native kernel of a catalogue expert (luhn), whose answers must equal the WebAssembly build's through the host.
/// </summary>
public sealed class NativeRuntimePluginTests : IDisposable
{
    private readonly Tools.TempDir _tmp = new();

    /// <inheritdoc />
    public void Dispose() => _tmp.Dispose();

    /// <summary>A plugins.json with the interpreter and the native plugin from the test's output folder.</summary>
    public static string WritePluginsJson(string directory)
    {
        string bin = AppContext.BaseDirectory;
        string file = Path.Combine(directory, "plugins.json");
        File.WriteAllText(file, $$"""
            {
              "schemaVersion": 1,
              "plugins": [
                { "id": "interpreter", "assembly": {{Json(Path.Combine(bin, "Polymath.Runtime.Interpreter.dll"))}}, "priority": 10, "tier": "interpreter" },
                { "id": "native", "assembly": {{Json(Path.Combine(bin, "Polymath.Runtime.Native.dll"))}}, "priority": 5, "tier": "native" }
              ]
            }
            """);
        return file;
    }

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public void ProbedFromPluginsJsonAvailableHereUnavailableWhenSimulated()
    {
        using var catalog = RuntimeCatalog.Create(new PolymathHostOptions { PluginsFile = WritePluginsJson(_tmp.Path) });
        var report = Assert.Single(catalog.Probe(), r => r.Id == "native");
        Assert.True(report.Status == RuntimeStatus.Available, report.Reason);
        Assert.Equal(RuntimeTier.Native, report.Descriptor!.Tier);
        Assert.Equal([Capabilities.ExecNative], report.Capabilities);
        Assert.NotNull(report.KernelLoader);
        Assert.Null(Assert.Single(catalog.Probe(), r => r.Id == "interpreter").KernelLoader);

        using var arm = RuntimeCatalog.Create(new PolymathHostOptions { PluginsFile = WritePluginsJson(_tmp.Path), Platform = "linux-arm" });
        var armReport = Assert.Single(arm.Probe(), r => r.Id == "native");
        Assert.NotEqual(RuntimeStatus.Available, armReport.Status);
        Assert.Contains("linux-arm", armReport.Reason);
        Assert.Null(armReport.KernelLoader);
    }

    [Fact]
    public async Task RunsANativeKernelWithTheSameAnswersAsTheWasmExpert()
    {
        Tools.Require("gcc", "apt-get install gcc");
        string native = Path.Combine(_tmp.Path, "native");
        Tools.Run(Path.Combine(Repository.Root, "experts", "build.sh"), Repository.Root, "--native", native, "luhn");
        string lib = Path.Combine(native, "libluhn.so");

        using var catalog = RuntimeCatalog.Create(new PolymathHostOptions { PluginsFile = WritePluginsJson(_tmp.Path) });
        Assert.Contains(catalog.Probe(), r => r.Id == "native" && r.Status == RuntimeStatus.Available);
        // The instance lives in the plugin's own load context, created the way the host creates plugins; the SDK is
        // shared, so it is usable through Polymath.Sdk's INativeKernelRuntime.
        var context = catalog.GetLoadContext("native") ?? throw new InvalidOperationException("native not loaded");
        Assembly main = context.Assemblies.Single(a => a.GetName().Name == "Polymath.Runtime.Native");
        var pluginType = main.GetCustomAttribute<RuntimePluginAttribute>()!.PluginType;
        var runtime = Assert.IsAssignableFrom<INativeKernelRuntime>(Activator.CreateInstance(pluginType));
        Assert.Throws<NotSupportedException>(() => ((IRuntimePlugin)runtime).CreateEngine(new EngineOptions()));

        using var kernel = runtime.LoadKernel(lib);
        Assert.Contains("\"id\":\"luhn\"", kernel.Metadata);

        // Same calls through the host on the wasm build (no grant, so no expert runs natively): identical values.
        using var host = ExpertHost.CreateBuilder().Configure(o => { o.Directory = Repository.ExpertsDirectory; o.Watch = false; })
            .UseRuntimeCatalog(catalog).Build();
        await host.StartAsync();
        Assert.All(host.Experts, x => Assert.Equal("interpreter", x.RuntimeId)); // never bound to a wasm-less runtime
        int compared = 0;
        foreach (var e in CatalogueExample.All.Where(e => e.Expert == "luhn"))
        {
            string? json = kernel.Call(Encoding.UTF8.GetBytes(e.Op), Encoding.UTF8.GetBytes(e.ArgsJson), 1 << 20);
            var viaHost = host.Call(e.Op, e.ArgsJson);
            if (e.ExpectsDeclined && viaHost.Outcome == ExpertCallOutcome.UnknownOp) continue;
            if (e.ExpectsDeclined) { Assert.Null(json); Assert.Equal(ExpertCallOutcome.Declined, viaHost.Outcome); compared++; continue; }
            Assert.NotNull(json);
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            Assert.True(viaHost.IsResult, viaHost.Reason);
            Assert.Null(JsonExact.Difference(viaHost.Result!.Value, doc.RootElement.GetProperty("value"), null));
            Assert.Null(JsonExact.Difference(e.Expect, doc.RootElement.GetProperty("value"), e.Tolerance));
            compared++;
        }
        Assert.True(compared >= 10, $"only {compared} luhn examples compared");
        // Memory hygiene over many calls: the kernel frees through its own allocator (would crash or leak otherwise).
        for (int i = 0; i < 5000; i++) Assert.NotNull(kernel.Call("check"u8, """{"number":"4539578763621486"}"""u8));
    }
}
