using Microsoft.Extensions.Logging;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Loading an expert reads and validates its module once, chooses its runtime once, compiles it once (the compiled
/// module serves metadata and calls), reads its metadata once and applies grants once.
/// </summary>
public sealed class LoadPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Event ids of the loading pipeline (host/Polymath.Host/Logging/Log.cs).
    private const int ModuleValidated = 200, RuntimeChosen = 201, ModuleCompiled = 202, MetadataRead = 203, GrantsApplied = 204;

    [Fact]
    public void EachStepRunsOncePerPackageAndUnchangedPackagesAreNotLoadedAgain()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        TestExperts.WritePackage(_dir.Path, "other", TestExperts.Echo("other", version: "2.0.0"));
        var plugin = new CountingPlugin();
        var log = new RecordingLogger();
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false, Grants = { ["*"] = ["wasi.stdio"] } };
        using var registry = new ExpertRegistry(options, [RuntimeReport.FromPlugin(plugin, PlatformInfo.Current)], PlatformInfo.Current, log);
        registry.Reload();

        Assert.Equal(2, registry.Experts.Count(e => e.Status == ExpertStatus.Bound));
        foreach (int step in new[] { ModuleValidated, RuntimeChosen, ModuleCompiled, MetadataRead, GrantsApplied })
            Assert.True(log.Count(step) == 2, $"event {step} logged {log.Count(step)} times for 2 packages");
        Assert.Equal(2, plugin.Compiles);
        Assert.Equal(1, plugin.EnginesCreated); // one engine shared by every expert bound to the runtime

        // Calls use the module compiled at load: no compile, no bind.
        Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", """{"x":1}""").Outcome);
        registry.Reload();
        Assert.Equal(2, plugin.Compiles);
        Assert.Equal(2, log.Count(ModuleValidated));
        Assert.Equal(2, log.Count(RuntimeChosen));
    }

    private sealed class CountingPlugin : IRuntimePlugin
    {
        private readonly InterpreterRuntimePlugin _inner = new();
        private int _compiles, _engines;

        public int Compiles => Volatile.Read(ref _compiles);
        public int EnginesCreated => Volatile.Read(ref _engines);

        public RuntimeDescriptor Descriptor => _inner.Descriptor;
        public RuntimeProbeResult Probe(PlatformInfo platform) => _inner.Probe(platform);

        public IWasmEngine CreateEngine(EngineOptions options)
        {
            Interlocked.Increment(ref _engines);
            return new CountingEngine(_inner.CreateEngine(options), this);
        }

        private sealed class CountingEngine(IWasmEngine inner, CountingPlugin owner) : IWasmEngine
        {
            public IWasmModule Compile(ReadOnlyMemory<byte> wasm)
            {
                Interlocked.Increment(ref owner._compiles);
                return inner.Compile(wasm);
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
