using Microsoft.Extensions.Logging;
using Polymath.Sdk;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>The compiled-code cache: written atomically, read back, and every bad entry discarded, logged and rebuilt.</summary>
public sealed class CodeCacheTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("polymath-cwasm-");
    private readonly RecordingLoggerFactory _log = new();

    private static readonly byte[] Answer = Wat.ToWasm("""(module (func (export "answer") (result i32) (i32.const 42)))""");
    private static readonly byte[] Other = Wat.ToWasm("""(module (func (export "answer") (result i32) (i32.const 7)))""");

    public void Dispose() => _dir.Delete(true);

    private IWasmEngine Engine() => new WasmtimeRuntimePlugin().CreateEngine(new EngineOptions { CodeCacheDirectory = _dir.FullName, LoggerFactory = _log });

    private static int Run(IWasmEngine engine, byte[] wasm)
    {
        using var store = engine.CreateStore(StoreLimits.Default);
        var results = new WasmValue[1];
        store.Instantiate(engine.Compile(wasm), []).GetFunction("answer")!.Invoke([], results);
        return results[0].AsI32;
    }

    private string EntryFor(byte[] wasm) => Assert.Single(Directory.GetFiles(_dir.FullName, "*.cwasm"), f => f == Path.Combine(_dir.FullName, KeyOf(wasm)));

    private string KeyOf(byte[] wasm)
    {
        using var e = (WasmtimeEngine)Engine();
        return Path.GetFileName(e.Variant(Instrumentation.None).Cache!.PathFor(wasm));
    }

    [Fact]
    public void AMissIsCompiledAndWrittenAndTheNextEngineReadsIt()
    {
        using (var first = Engine()) Assert.Equal(42, Run(first, Answer));
        Assert.Contains(_log.Lines, l => l.StartsWith("Code cache miss", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.StartsWith("Code cache entry written", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_dir.FullName, "*.tmp"));
        EntryFor(Answer);
        _log.Lines.Clear();
        using (var second = Engine()) Assert.Equal(42, Run(second, Answer));
        Assert.Contains(_log.Lines, l => l.StartsWith("Code cache hit", StringComparison.Ordinal));
    }

    public static TheoryData<string> Corruptions() => new() { "payload", "truncated", "magic", "configuration", "other-wasm" };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void ABadEntryIsDiscardedLoggedAndRebuilt(string corruption)
    {
        using (var first = Engine()) { Run(first, Answer); Run(first, Other); }
        string path = EntryFor(Answer);
        byte[] bytes = File.ReadAllBytes(path);
        switch (corruption)
        {
            case "payload": bytes[^100] ^= 0xFF; break;
            case "truncated": bytes = bytes[..(bytes.Length / 2)]; break;
            case "magic": bytes[0] = (byte)'X'; break;
            case "configuration":
                int keyStart = 8 + 32 + 32 + 4;
                bytes[keyStart] ^= 0x20; // "wasmtime …" → "Wasmtime …": another engine configuration
                break;
            case "other-wasm": bytes = File.ReadAllBytes(EntryFor(Other)); break;
        }
        File.WriteAllBytes(path, bytes);
        _log.Lines.Clear();
        using (var second = Engine()) Assert.Equal(42, Run(second, Answer));
        var discarded = Assert.Single(_log.Lines, l => l.StartsWith("Code cache entry", StringComparison.Ordinal) && l.Contains("discarded and rebuilt", StringComparison.Ordinal));
        Assert.Contains(Path.GetFileName(path), discarded);
        Assert.Contains(_log.Lines, l => l.StartsWith("Code cache entry written", StringComparison.Ordinal));
        _log.Lines.Clear();
        using (var third = Engine()) Assert.Equal(42, Run(third, Answer));
        Assert.Contains(_log.Lines, l => l.StartsWith("Code cache hit", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutADirectoryNothingIsWritten()
    {
        using var engine = new WasmtimeRuntimePlugin().CreateEngine(new EngineOptions());
        Assert.Equal(42, Run(engine, Answer));
        Assert.Empty(Directory.GetFiles(_dir.FullName));
    }
}

/// <summary>Collects formatted log lines.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    public List<string> Lines { get; } = [];
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add(formatter(state, exception));
    }
}
