using System.Diagnostics;
using System.Security.Cryptography;
using Polymath.Sdk;
using Polymath.Sdk.Caching;

namespace Polymath.Runtime.Wasmtime.Tests;

/// <summary>
/// The code cache runs machine code it reads, so it must never run code it did not write: planted entries (by another
/// user, or forged under the right name from another module), tampered bytes, foreign keys, symbolic links, directories
/// others own or may write. Each case must end with the module's own code running (good returns 1, evil 666).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CodeCacheSecurityTests : IDisposable
{
    private static readonly byte[] Good = Wat.ToWasm("""(module (func (export "answer") (result i32) (i32.const 1)))""");
    private static readonly byte[] Evil = Wat.ToWasm("""(module (func (export "answer") (result i32) (i32.const 666)))""");

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("polymath-cwasm-sec-");
    private readonly RecordingLoggerFactory _log = new();

    public CodeCacheSecurityTests() => File.SetUnixFileMode(_root.FullName, (UnixFileMode)0x1FF); // 0777: nobody works in it

    public void Dispose() => _root.Delete(true);

    private string Dir(string name) => Path.Combine(_root.FullName, name);

    private WasmtimeEngine Engine(string dir, long maxBytes = CodeCache.DefaultMaxBytes) =>
        new(new EngineOptions { CodeCacheDirectory = dir, LoggerFactory = _log }, maxBytes);

    private static int Run(IWasmEngine engine, byte[] wasm)
    {
        using var store = engine.CreateStore(StoreLimits.Default);
        var results = new WasmValue[1];
        store.Instantiate(engine.Compile(wasm), []).GetFunction("answer")!.Invoke([], results);
        return results[0].AsI32;
    }

    private int RunWith(string dir, byte[] wasm)
    {
        using var engine = Engine(dir);
        return Run(engine, wasm);
    }

    private static string EntryName(WasmtimeEngine engine, byte[] wasm) => Path.GetFileName(engine.Variant(Instrumentation.None).Cache!.PathFor(wasm));

    /// <summary>
    /// What an attacker can make without the victim's key: evil's entry from the attacker's own cache with the header's
    /// wasm sha256 (bytes 40..72, after the 8-byte magic and a 32-byte digest) replaced by good's, named as good's entry.
    /// </summary>
    private byte[] ForgeGoodFromEvil(out string name)
    {
        string attacker = Dir("attacker-cache");
        using var engine = Engine(attacker);
        Assert.Equal(666, Run(engine, Evil));
        byte[] bytes = File.ReadAllBytes(Path.Combine(attacker, EntryName(engine, Evil)));
        SHA256.HashData(Good).CopyTo(bytes, 40);
        name = EntryName(engine, Good);
        return bytes;
    }

    /// <summary>Runs a command as user nobody (65534) through setpriv; fails loudly when that is impossible.</summary>
    private static void AsNobody(params string[] command)
    {
        Assert.True(File.Exists("/usr/bin/setpriv"), "these tests need setpriv (util-linux) to act as a second user");
        Assert.True(FileOwner.CurrentUser == 0, "these tests need root to switch to user nobody with setpriv (CI runs as root)");
        var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", .. command]) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"setpriv {string.Join(' ', command)} failed ({p.ExitCode}): {err}");
    }

    private string Planted(byte[] bytes)
    {
        string file = Path.Combine(_root.FullName, "planted-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, bytes);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return file;
    }

    private void AssertLogged(string fragment) =>
        Assert.Contains(_log.Lines, l => l.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public void AnEntryForgedFromAnotherModuleAndPlantedByAnotherUserInASharedDirectoryNeverRuns()
    {
        // The setup: a shared cache directory (1777, like /tmp) where user nobody plants evil's code under the
        // name of good's entry.
        string shared = Dir("shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0x3FF); // 1777
        byte[] forged = ForgeGoodFromEvil(out string name);
        AsNobody("cp", Planted(forged), Path.Combine(shared, name));
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(shared, Good));
        AssertLogged("not used");
        AssertLogged("lets other users write it");
    }

    [Fact]
    public void AForgedEntryUnderTheRightNameInTheHostsOwnDirectoryIsNotAuthentic()
    {
        string dir = Dir("own");
        byte[] forged = ForgeGoodFromEvil(out string name);
        Assert.Equal(1, RunWith(dir, Good)); // creates the directory and the key
        File.WriteAllBytes(Path.Combine(dir, name), forged);
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("not authentic (HMAC mismatch");
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("Code cache hit");
    }

    [Fact]
    public void AnAuthenticEntryOwnedByAnotherUserIsRefused()
    {
        // Even the host's own bytes are refused when another user owns the file (it could rewrite them at any time).
        string dir = Dir("own");
        Assert.Equal(1, RunWith(dir, Good));
        using (var e = Engine(dir))
        {
            string entry = Path.Combine(dir, EntryName(e, Good));
            string copy = Planted(File.ReadAllBytes(entry));
            File.Delete(entry);
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
            AsNobody("cp", copy, entry);
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("owned by uid 65534");
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("Code cache hit");
    }

    [Fact]
    public void ADirectoryOwnedByAnotherUserIsNotUsed()
    {
        string theirs = Dir("theirs");
        AsNobody("mkdir", "-m", "0755", theirs);
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(theirs, Good));
        AssertLogged("owned by uid 65534");
        Assert.Empty(Directory.GetFiles(theirs)); // root could write there, but the host does not
    }

    [Fact]
    public void AWorldWritableDirectoryOfTheHostsOwnIsNotUsed()
    {
        string dir = Dir("own");
        Assert.Equal(1, RunWith(dir, Good));
        File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("mode 777 lets other users write it");
        Assert.DoesNotContain(_log.Lines, l => l.StartsWith("Code cache hit", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDirectoryIsCreated0700AndTheKey0600()
    {
        string dir = Path.Combine(Dir("parent"), "code");
        Assert.Equal(1, RunWith(dir, Good));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(dir));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(Path.Combine(dir, CodeCache.KeyFileName)));
        Assert.All(Directory.GetFiles(dir, "*.cwasm"), f => Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void AnEntryWrittenUnderAnotherKeyIsRebuilt()
    {
        string dir = Dir("own");
        Assert.Equal(1, RunWith(dir, Good));
        File.WriteAllBytes(Path.Combine(dir, CodeCache.KeyFileName), RandomNumberGenerator.GetBytes(32));
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("not authentic (HMAC mismatch");
    }

    [Fact]
    public void AKeyOthersCanReadIsReplacedAndItsEntriesRebuilt()
    {
        string dir = Dir("own");
        Assert.Equal(1, RunWith(dir, Good));
        string key = Path.Combine(dir, CodeCache.KeyFileName);
        byte[] old = File.ReadAllBytes(key);
        File.SetUnixFileMode(key, (UnixFileMode)0x1A4); // 0644
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("Code cache key");
        AssertLogged("lets other users read it");
        AssertLogged("not authentic (HMAC mismatch");
        Assert.NotEqual(old, File.ReadAllBytes(key));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(key));
    }

    [Fact]
    public void ASymbolicLinkInPlaceOfAnEntryIsRefusedEvenToAnAuthenticFile()
    {
        string dir = Dir("own");
        Assert.Equal(1, RunWith(dir, Good));
        using (var e = Engine(dir))
        {
            string entry = Path.Combine(dir, EntryName(e, Good));
            string elsewhere = Path.Combine(_root.FullName, "elsewhere.cwasm");
            File.Move(entry, elsewhere);
            File.CreateSymbolicLink(entry, elsewhere);
        }
        _log.Lines.Clear();
        Assert.Equal(1, RunWith(dir, Good));
        AssertLogged("a symbolic link");
        Assert.DoesNotContain(_log.Lines, l => l.StartsWith("Code cache hit", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCacheStaysUnderItsCapByEvictingTheLeastRecentlyUsedEntries()
    {
        string dir = Dir("own");
        byte[][] modules = [.. Enumerable.Range(0, 4).Select(i => Wat.ToWasm($"""(module (func (export "answer") (result i32) (i32.const {i})))"""))];
        long size;
        string[] names;
        using (var probe = Engine(dir))
        {
            Assert.Equal(0, Run(probe, modules[0]));
            names = [.. modules.Select(m => Path.Combine(dir, EntryName(probe, m)))];
            size = new FileInfo(names[0]).Length;
        }
        long cap = size * 5 / 2; // room for two entries
        var t = DateTime.UtcNow;
        using (var engine = Engine(dir, cap))
        {
            Assert.Equal(1, Run(engine, modules[1]));
            File.SetLastWriteTimeUtc(names[0], t.AddHours(-3));
            File.SetLastWriteTimeUtc(names[1], t.AddHours(-2));
            // Size: a third entry evicts the oldest (0).
            Assert.Equal(2, Run(engine, modules[2]));
            Assert.False(File.Exists(names[0]));
            Assert.True(File.Exists(names[1]) && File.Exists(names[2]));
            AssertLogged("evicted");
            File.SetLastWriteTimeUtc(names[2], t.AddHours(-1));
        }
        // LRU: a hit on 1 (older than 2) makes it the most recent, so the next entry evicts 2 instead.
        using (var engine = Engine(dir, cap))
        {
            _log.Lines.Clear();
            Assert.Equal(1, Run(engine, modules[1]));
            AssertLogged("Code cache hit");
            Assert.Equal(3, Run(engine, modules[3]));
        }
        Assert.True(File.Exists(names[1]) && File.Exists(names[3]));
        Assert.False(File.Exists(names[2]));
        // An entry larger than the cap is not written at all.
        using (var tiny = Engine(Dir("tiny"), 100))
        {
            _log.Lines.Clear();
            Assert.Equal(1, Run(tiny, Good));
            AssertLogged("more than the cache's cap");
            Assert.Empty(Directory.GetFiles(Dir("tiny"), "*.cwasm"));
        }
    }

    [Fact]
    public void EachInstrumentationIsItsOwnEntryAndOnlyWhatIsNeededIsCompiled()
    {
        string dir = Dir("own");
        using (var engine = Engine(dir))
        {
            using var store = engine.CreateStore(StoreLimits.Default);
            var results = new WasmValue[1];
            store.Instantiate(engine.Compile(Good), [], new CallOptions { Fuel = 100 }).GetFunction("answer")!.Invoke([], results, new CallOptions { Fuel = 100 });
            Assert.Equal(1, results[0].AsI32);
            Assert.Equal(Instrumentation.Fuel, ((WasmtimeStore)store).Instrumentation);
            string metered = engine.Variant(Instrumentation.Fuel).Cache!.PathFor(Good);
            Assert.NotEqual(engine.Variant(Instrumentation.None).Cache!.PathFor(Good), metered);
            Assert.NotEqual(engine.Variant(Instrumentation.Epoch).Cache!.PathFor(Good), metered);
            Assert.True(File.Exists(metered));
            Assert.Single(Directory.GetFiles(dir, "*.cwasm")); // only the code a store needed was compiled
        }
    }
}
