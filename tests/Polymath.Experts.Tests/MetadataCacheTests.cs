using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// The metadata cache: a process that finds an expert's metadata there builds its op table without reading, validating,
/// compiling or instantiating the module, and compiles it on the first call; corrupt entries are discarded with a warning;
/// a metadata read that timed out is not tried again under the same limits, and its message names the timeout.
/// </summary>
public sealed class MetadataCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TempDir _cache = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cache.Dispose();
    }

    private ExpertHost Registry(GatedPlugin plugin, MessageLogger? log = null, int timeoutMs = 5000) =>
        new(new ExpertHostOptions { Directory = _dir.Path, Watch = false, MetadataCacheDirectory = _cache.Path, Limits = { TimeoutMs = timeoutMs } },
            [RuntimeReport.FromPlugin(plugin, PlatformInfo.Current)], PlatformInfo.Current, log);

    private string[] Entries() =>
        Directory.Exists(Path.Combine(_cache.Path, ExpertMetadataCache.FormatVersion))
            ? Directory.GetFiles(Path.Combine(_cache.Path, ExpertMetadataCache.FormatVersion), "*.json") : [];

    [Fact]
    public void AWarmCacheBuildsTheOpTableWithoutCompilingAndTheFirstCallCompiles()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        var cold = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(cold))
        {
            registry.Reload();
            Assert.Equal(1, cold.Compiles);
            Assert.Contains("echo", registry.Ops.Keys);
        }
        Assert.Single(Entries());

        var warm = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(warm))
        {
            registry.Reload();
            var info = Assert.Single(registry.Experts);
            Assert.Equal((ExpertStatus.Bound, "interpreter", 15), (info.Status, info.RuntimeId, info.Ops.Count));
            Assert.Equal(0, warm.Compiles); // op table from the cache: nothing compiled or instantiated
            Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", """{"x":1}""").Outcome);
            Assert.Equal(ExpertCallOutcome.Result, registry.Call("echo", """{"x":2}""").Outcome);
            Assert.Equal(1, warm.Compiles); // the first call compiled it, once
        }
    }

    [Fact]
    public void ACorruptEntryIsDiscardedWithAWarningAndRebuilt()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        using (var registry = Registry(new GatedPlugin(new InterpreterRuntimePlugin()))) registry.Reload();
        string entry = Assert.Single(Entries());
        File.WriteAllText(entry, "{\"format\":\"v1\",\"wasm_sha256\":"); // truncated

        var log = new MessageLogger();
        var plugin = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(plugin, log))
        {
            registry.Reload();
            Assert.Equal(ExpertStatus.Bound, Assert.Single(registry.Experts).Status);
            Assert.Equal(1, plugin.Compiles); // loaded from the module again
        }
        var warning = Assert.Single(log.Events, e => e.Id == 762);
        Assert.Contains(entry, warning.Message);
        Assert.Contains("\"metadata\":", File.ReadAllText(entry)); // rewritten
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ADirectoryOthersMayWriteIsNotUsedAndItsEntriesNotRead()
    {
        // Anyone who can write the folder could plant an entry (an op table for a module it never saw): the cache is off.
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        using (var registry = Registry(new GatedPlugin(new InterpreterRuntimePlugin()))) registry.Reload();
        string entry = Assert.Single(Entries());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(entry)!));
        File.SetUnixFileMode(_cache.Path, (UnixFileMode)0x3FF); // 1777, like /tmp

        var log = new MessageLogger();
        var plugin = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(plugin, log))
        {
            registry.Reload();
            Assert.Equal(ExpertStatus.Bound, Assert.Single(registry.Experts).Status);
            Assert.Equal(1, plugin.Compiles); // read from the module, not from the entry
        }
        var warning = Assert.Single(log.Events, e => e.Id == 767);
        Assert.Contains("lets other users write it", warning.Message);
        Assert.DoesNotContain(log.Events, e => e.Id == 761);
    }

    [Fact]
    public void AMetadataTimeoutNamesTheTimeoutAndIsNotRetriedUnderTheSameLimits()
    {
        string wat = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wat", "test_expert.wat"))
            .Replace("{{ID}}", "slow").Replace("{{TIER}}", "1").Replace("{{VERSION}}", "1.0.0")
            .Replace("""(func (export "_initialize") (global.set $initialized (i32.const 1)))""", """(func (export "_initialize") (loop $l (br $l)))""");
        Assert.Contains("(loop $l (br $l)))", wat);
        TestExperts.WritePackage(_dir.Path, "slow", TestExperts.Compile(wat));

        var first = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(first, timeoutMs: 200))
        {
            registry.Reload();
            var info = Assert.Single(registry.Experts);
            Assert.Equal(ExpertStatus.Unavailable, info.Status);
            Assert.Contains("timeout of 200 ms exceeded while reading larql_metadata", info.Reason);
            Assert.Equal(1, first.Compiles);
        }

        var log = new MessageLogger();
        var second = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(second, log, timeoutMs: 200))
        {
            registry.Reload();
            Assert.Contains("timeout of 200 ms exceeded while reading larql_metadata", Assert.Single(registry.Experts).Reason);
            Assert.Equal(0, second.Compiles); // the cached failure: no compile, no 200 ms wait
            Assert.Equal(1, log.Count(766));
        }

        var third = new GatedPlugin(new InterpreterRuntimePlugin());
        using (var registry = Registry(third, timeoutMs: 300))
        {
            registry.Reload();
            Assert.Contains("timeout of 300 ms exceeded while reading larql_metadata", Assert.Single(registry.Experts).Reason);
            Assert.Equal(1, third.Compiles); // other limits: tried again
        }
    }
}
