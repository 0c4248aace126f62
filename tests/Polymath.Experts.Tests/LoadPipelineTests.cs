using Microsoft.Extensions.Logging;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Loading an expert reads and validates its module once, chooses its runtime once, compiles it once (the compiled
/// module serves metadata and calls), reads its metadata once and applies grants once — on every runtime: the engine
/// is handed the module the host validated and neither decodes nor validates it again.
/// </summary>
/// <remarks>
/// Reads and validations are counted on the <c>Polymath.Wasm</c> meter, which sees every read in the process; the
/// tests run in a collection that runs alone so that no other test's reads are counted.
/// </remarks>
[Collection(ModuleReadCounting.Name)]
public sealed class LoadPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Event ids of the loading pipeline (host/Polymath.Host/Logging/Log.cs).
    private const int ModuleValidated = 200, RuntimeChosen = 201, ModuleCompiled = 202, MetadataRead = 203, GrantsApplied = 204;

    public static TheoryData<string> Runtimes() => TestRuntimes.Names();

    [Theory]
    [MemberData(nameof(Runtimes))]
    public void EachStepRunsOncePerPackageAndUnchangedPackagesAreNotLoadedAgain(string runtime)
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        TestExperts.WritePackage(_dir.Path, "other", TestExperts.Echo("other", version: "2.0.0"));
        var plugin = new CountingPlugin(RuntimePlugins.All[runtime]());
        var log = new RecordingLogger();
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false, Grants = { ["*"] = ["wasi.stdio"] } };
        using var reads = new ModuleReadCounter();
        using var registry = new ExpertHost(options, [RuntimeReport.FromPlugin(plugin, PlatformInfo.Current)], PlatformInfo.Current, log);
        registry.Reload();

        Assert.Equal(2, registry.Experts.Count(e => e.Status == ExpertStatus.Bound && e.RuntimeId == runtime));
        foreach (int step in new[] { ModuleValidated, RuntimeChosen, ModuleCompiled, MetadataRead, GrantsApplied })
            Assert.True(log.Count(step) == 2, $"event {step} logged {log.Count(step)} times for 2 packages");
        // One read and one validation per package across the whole load: the host's, not the engine's again.
        Assert.Equal(2, reads.Reads);
        Assert.Equal(2, reads.Validations);
        Assert.Equal(2, plugin.CompilesFromModule);
        Assert.Equal(0, plugin.CompilesFromBytes);
        Assert.Equal(1, plugin.EnginesCreated); // one engine shared by every expert bound to the runtime

        // Calls use the module compiled at load: no read, no compile, no bind.
        Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", """{"x":1}""").Outcome);
        registry.Reload();
        Assert.Equal(2, reads.Reads);
        Assert.Equal(2, reads.Validations);
        Assert.Equal(2, plugin.CompilesFromModule);
        Assert.Equal(0, plugin.CompilesFromBytes);
        Assert.Equal(2, log.Count(ModuleValidated));
        Assert.Equal(2, log.Count(RuntimeChosen));
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public void CompilingBytesReadsAndValidatesOnceAndCompilingAValidatedModuleNeither(string runtime)
    {
        byte[] wasm = TestExperts.Echo();
        using var engine = RuntimePlugins.All[runtime]().CreateEngine(new EngineOptions());
        using var reads = new ModuleReadCounter();

        var fromBytes = engine.Compile(wasm);
        Assert.Equal(1, reads.Reads);
        Assert.Equal(1, reads.Validations);

        var definition = Polymath.Wasm.ModuleReader.ReadAndValidate(wasm);
        var fromModule = engine.Compile(definition, wasm);
        Assert.Equal(2, reads.Reads); // the ReadAndValidate above; the engine added none
        Assert.Equal(2, reads.Validations);
        Assert.Same(definition, fromModule.Definition);
        Assert.Equal(fromBytes.Definition.Exports.Select(e => e.Name), fromModule.Definition.Exports.Select(e => e.Name));
    }

    private sealed class CountingPlugin(IRuntimePlugin inner) : IRuntimePlugin
    {
        private int _compilesFromBytes, _compilesFromModule, _engines;

        public int CompilesFromBytes => Volatile.Read(ref _compilesFromBytes);
        public int CompilesFromModule => Volatile.Read(ref _compilesFromModule);
        public int EnginesCreated => Volatile.Read(ref _engines);

        public RuntimeDescriptor Descriptor => inner.Descriptor;
        public RuntimeProbeResult Probe(PlatformInfo platform) => inner.Probe(platform);

        public IWasmEngine CreateEngine(EngineOptions options)
        {
            Interlocked.Increment(ref _engines);
            return new CountingEngine(inner.CreateEngine(options), this);
        }

        private sealed class CountingEngine(IWasmEngine inner, CountingPlugin owner) : IWasmEngine
        {
            public IWasmModule Compile(ReadOnlyMemory<byte> wasm)
            {
                Interlocked.Increment(ref owner._compilesFromBytes);
                return inner.Compile(wasm);
            }

            public IWasmModule Compile(Polymath.Wasm.Module module, ReadOnlyMemory<byte> wasm)
            {
                Interlocked.Increment(ref owner._compilesFromModule);
                return inner.Compile(module, wasm);
            }

            public IWasmStore CreateStore(StoreLimits limits) => inner.CreateStore(limits);
            public void Dispose() => inner.Dispose();
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<int> _events = [];

        public int Count(int eventId)
        {
            lock (_events) return _events.Count(e => e == eventId);
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events) _events.Add(eventId.Id);
        }
    }
}
