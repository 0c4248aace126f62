using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Polymath.Sdk.Caching;
using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// The compiler tier's persistent code cache: a saved assembly of the module's CIL, loaded by later engines instead of
/// compiling. Loading an entry runs its code, so every entry that is not this host's build of this module — another
/// module's, truncated, corrupt, another plugin build's, another user's, group-writable, code swapped — is rejected,
/// logged and rebuilt, and the call still answers what the module computes (good 285, evil 666).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CodeCacheTests : IDisposable
{
    // Direct and indirect calls, a loop, memory, a global and a host import: most of what emission does.
    private static string Source(int k) => $$"""
        (module
          (import "env" "add" (func $add (param i32 i32) (result i32)))
          (type $t (func (param i32) (result i32)))
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (table 2 funcref)
          (elem (i32.const 0) $sq $inc)
          (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func (export "answer") (result i32) (local i32)
            (i32.store (i32.const 16) (i32.const 0))
            (loop $l
              (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (call_indirect (type $t) (local.get 0) (i32.const 0))))
              (local.set 0 (call $inc (local.get 0)))
              (br_if $l (i32.lt_u (local.get 0) (i32.const 10))))
            (global.set $g (i32.load (i32.const 16)))
            (call $add (global.get $g) (i32.const {{k}}))))
        """;

    private static readonly byte[] Good = Wat.ToWasm(Source(0));
    private static readonly byte[] Evil = Wat.ToWasm(Source(381));

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("polymath-cil-cache-");
    private readonly LogLines _log = new();

    public CodeCacheTests() => File.SetUnixFileMode(_root.FullName, (UnixFileMode)0x1FF); // 0777: nobody works in it

    public void Dispose() => _root.Delete(true);

    private string Dir => Path.Combine(_root.FullName, "cache");

    private CompilerEngine Engine(string? dir = null) => new(new EngineOptions { CodeCacheDirectory = dir ?? Dir, LoggerFactory = _log });

    private string EntryOf(byte[] wasm) => CodeCache.PathFor(Dir, CompilerEngine.ConfigurationKey, wasm);

    /// <summary>Compiles and calls <c>answer</c> unmetered and metered (fuel); both must agree. Returns the answer and whether the code was a saved assembly.</summary>
    private static (int Answer, bool Persisted) Run(CompilerEngine engine, byte[] wasm)
    {
        var module = (CompiledModule)engine.Compile(wasm);
        using var store = engine.CreateStore(StoreLimits.Default);
        var add = store.CreateHostFunction(new FuncType([ValueType.I32, ValueType.I32], [ValueType.I32]),
            (_, args, results) => results[0] = WasmValue.I32(args[0].AsI32 + args[1].AsI32));
        var answer = store.Instantiate(module, [add]).GetFunction("answer")!;
        var results = new WasmValue[1];
        answer.Invoke([], results);
        int unmetered = results[0].AsI32;
        answer.Invoke([], results, new CallOptions { Fuel = 100_000 });
        Assert.Equal(unmetered, results[0].AsI32);
        Assert.True(store.LastCallFuelConsumed > 0);
        if (module.IsPersisted) Assert.Equal(0, module.CompiledFunctionCount); // nothing emitted lazily
        return (unmetered, module.IsPersisted);
    }

    private (int Answer, bool Persisted) RunFresh(byte[] wasm)
    {
        using var engine = Engine();
        var outcome = Run(engine, wasm);
        Assert.True(outcome.Persisted || Directory.Exists(Dir) && (File.GetUnixFileMode(Dir) & (UnixFileMode)0x12) != 0,
            $"the code is not a saved assembly; the log says:\n{_log}");
        return outcome;
    }

    private void AssertLogged(string fragment) =>
        Assert.True(_log.Contains(fragment), $"no log line contains '{fragment}':\n{_log}");

    /// <summary>Runs good twice after <paramref name="spoil"/>: the first rejects the entry (logging <paramref name="why"/>) and rebuilds it, the second hits.</summary>
    private void AssertRejectedAndRebuilt(Action<string> spoil, string why)
    {
        Assert.Equal((285, true), RunFresh(Good));
        spoil(EntryOf(Good));
        _log.Clear();
        Assert.Equal((285, true), RunFresh(Good));
        AssertLogged("discarded and rebuilt");
        AssertLogged(why);
        AssertLogged("functions compiled to an assembly");
        _log.Clear();
        Assert.Equal((285, true), RunFresh(Good));
        AssertLogged("Code cache hit");
    }

    [Fact]
    public void AWarmCacheLoadsTheSavedAssemblyInsteadOfCompiling()
    {
        Assert.Equal((285, true), RunFresh(Good));
        AssertLogged("Code cache miss");
        AssertLogged("functions compiled to an assembly");
        Assert.True(File.Exists(EntryOf(Good)));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(EntryOf(Good)));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(Dir));
        _log.Clear();
        Assert.Equal((285, true), RunFresh(Good));
        AssertLogged("Code cache hit");
        Assert.False(_log.Contains("compiled to an assembly"));
        Assert.Equal((666, true), RunFresh(Evil)); // its own entry, not good's
        Assert.NotEqual(EntryOf(Good), EntryOf(Evil));
    }

    [Fact]
    public void WithoutACacheFunctionsAreStillCompiledLazily()
    {
        using var engine = new CompilerEngine();
        Assert.Equal((285, false), Run(engine, Good));
        Assert.Null(engine.TryLoadCompiled(ModuleReader.ReadAndValidate(Good), Good));
    }

    [Fact]
    public void TryLoadCompiledAnswersOnlyFromAnEntryThatPassesItsChecks()
    {
        var definition = ModuleReader.ReadAndValidate(Good);
        using (var engine = Engine()) Assert.Null(engine.TryLoadCompiled(definition, Good)); // nothing cached: nothing compiled
        Assert.False(Directory.Exists(Dir) && File.Exists(EntryOf(Good)));
        RunFresh(Good);
        using (var engine = Engine())
        {
            var module = Assert.IsType<CompiledModule>(engine.TryLoadCompiled(definition, Good));
            Assert.True(module.IsPersisted);
        }
        File.WriteAllBytes(EntryOf(Good), [1, 2, 3]);
        using (var engine = Engine()) Assert.Null(engine.TryLoadCompiled(definition, Good));
        AssertLogged("truncated");
    }

    [Fact]
    public void AnArtifactForAnotherModuleIsRejectedAndRecompiled()
    {
        RunFresh(Evil);
        AssertRejectedAndRebuilt(entry => File.Copy(EntryOf(Evil), entry, overwrite: true), "built from another wasm (sha256 mismatch)");
    }

    [Fact]
    public void ATruncatedArtifactIsRejectedAndRecompiled() =>
        AssertRejectedAndRebuilt(entry => File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..60]), "truncated");

    [Fact]
    public void ACorruptArtifactIsRejectedAndRecompiled() =>
        AssertRejectedAndRebuilt(entry =>
        {
            byte[] bytes = File.ReadAllBytes(entry);
            bytes[^200] ^= 0x5A; // inside the assembly
            File.WriteAllBytes(entry, bytes);
        }, "not authentic (HMAC mismatch");

    [Fact]
    public void AnArtifactWhoseCodeWasSwappedIsRejectedAndRecompiled()
    {
        // Evil's assembly behind good's header (its wasm sha256, configuration and MAC): the MAC covers the code.
        RunFresh(Evil);
        AssertRejectedAndRebuilt(entry =>
        {
            byte[] good = File.ReadAllBytes(entry), evil = File.ReadAllBytes(EntryOf(Evil));
            int payload = 8 + 32 + 32 + 4 + BinaryPrimitives.ReadInt32LittleEndian(good.AsSpan(72));
            File.WriteAllBytes(entry, [.. good[..payload], .. evil[payload..]]);
        }, "not authentic (HMAC mismatch");
    }

    [Fact]
    public void AnAuthenticEntryHoldingAnotherModulesAssemblyIsRejected()
    {
        // Even under this host's key (which only this user can use) the assembly must name this module's sha256.
        RunFresh(Evil);
        AssertRejectedAndRebuilt(entry =>
        {
            byte[] evil = File.ReadAllBytes(EntryOf(Evil));
            int payload = 8 + 32 + 32 + 4 + BinaryPrimitives.ReadInt32LittleEndian(evil.AsSpan(72));
            new CodeCache(Dir, CompilerEngine.ConfigurationKey, _log.CreateLogger("test")).Store(Good, evil[payload..]);
        }, "another module's code");
    }

    [Fact]
    public void AHeaderNamingAnotherPluginBuildIsRejectedAndRecompiled()
    {
        string version = typeof(CompilerEngine).Assembly.GetName().Version!.ToString();
        string other = CompilerEngine.ConfigurationKey.Replace($"plugin {version} ", "plugin 0.0.0.1 ", StringComparison.Ordinal);
        Assert.NotEqual(CompilerEngine.ConfigurationKey, other);
        AssertRejectedAndRebuilt(entry =>
        {
            // A genuine entry of another build (same key, same module), renamed to where this build looks.
            byte[] mine = File.ReadAllBytes(entry);
            int payload = 8 + 32 + 32 + 4 + BinaryPrimitives.ReadInt32LittleEndian(mine.AsSpan(72));
            var foreign = new CodeCache(Dir, other, _log.CreateLogger("test"));
            foreign.Store(Good, mine[payload..]);
            File.Move(foreign.PathFor(Good), entry, overwrite: true);
        }, "built for another engine configuration ('polymath-compiler cil/1; plugin 0.0.0.1");
    }

    [Fact]
    public void AGroupWritableArtifactIsRejectedAndRecompiled() =>
        AssertRejectedAndRebuilt(entry => File.SetUnixFileMode(entry, (UnixFileMode)0x1B0 /* 0660 */), "lets other users write it");

    [Fact]
    public void AnArtifactOwnedByAnotherUserIsRejectedAndRecompiled() =>
        AssertRejectedAndRebuilt(entry =>
        {
            // The host's own authentic bytes, but in a file user nobody owns (it could rewrite them at any time).
            string copy = Path.Combine(_root.FullName, "copy-" + Guid.NewGuid().ToString("N"));
            File.Copy(entry, copy);
            File.SetUnixFileMode(copy, (UnixFileMode)0x124); // 0444
            File.Delete(entry);
            File.SetUnixFileMode(Dir, (UnixFileMode)0x1FF);
            AsNobody("cp", copy, entry);
            File.SetUnixFileMode(Dir, (UnixFileMode)0x1C0);
        }, "owned by uid 65534");

    [Fact]
    public void ADirectoryOthersMayWriteTurnsTheCacheOffAndCallsStillAnswer()
    {
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)0x3FF); // 1777, like /tmp
        Assert.Equal((285, false), RunFresh(Good));
        AssertLogged("not used");
        Assert.False(File.Exists(EntryOf(Good)));
    }

    /// <summary>Runs a command as user nobody (65534) through setpriv; fails loudly when that is impossible.</summary>
    private void AsNobody(params string[] command)
    {
        Assert.True(FileOwner.CurrentUser == 0, "this test needs root to switch to user nobody with setpriv (CI runs as root)");
        Tools.Run(Tools.Require("setpriv", "apt-get install util-linux"), _root.FullName, ["--reuid=65534", "--regid=65534", "--clear-groups", .. command]);
    }

    /// <summary>Every formatted log line of every category.</summary>
    private sealed class LogLines : ILoggerFactory, ILogger
    {
        private readonly List<string> _lines = [];

        public bool Contains(string fragment)
        {
            lock (_lines) return _lines.Exists(l => l.Contains(fragment, StringComparison.Ordinal));
        }

        public void Clear()
        {
            lock (_lines) _lines.Clear();
        }

        public override string ToString()
        {
            lock (_lines) return string.Join('\n', _lines);
        }

        ILogger ILoggerFactory.CreateLogger(string categoryName) => this;
        public ILogger CreateLogger(string categoryName) => this;
        void ILoggerFactory.AddProvider(ILoggerProvider provider) { }
        void IDisposable.Dispose() { }
        IDisposable? ILogger.BeginScope<TState>(TState state) => null;
        bool ILogger.IsEnabled(LogLevel logLevel) => true;
        void ILogger.Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
