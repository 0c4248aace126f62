using System.IO.Compression;
using System.Text;
using Polymath.Experts;
using Polymath.Host.Catalog;
using Polymath.Host.Experts;
using Polymath.Sdk;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>
/// Issue 10, the reading side: hostile manifests, metadata, results and package files, each built here. Every one
/// ends in a named error (or the documented ABI outcome), and a good neighbour in the same directory keeps answering.
/// </summary>
public sealed class HostileReaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _dir.Dispose();
    }

    private ExpertHost Registry()
    {
        var options = new ExpertHostOptions { Directory = _dir.Path, Watch = false };
        var registry = new ExpertHost(options, [RuntimeReport.FromPlugin(RuntimePlugins.All["interpreter"](), PlatformInfo.Current)], PlatformInfo.Current);
        _owned.Add(registry);
        HostileExperts.WithinSeconds(60, () => { registry.Reload(); return 0; });
        return registry;
    }

    /// <summary>A registry over the directory with the good neighbour 'echo' and whatever the test put there.</summary>
    private ExpertHost RegistryWithNeighbour()
    {
        TestExperts.WritePackage(_dir.Path, "echo", TestExperts.Echo());
        var r = Registry();
        AssertNeighbourAnswers(r);
        return r;
    }

    private static void AssertNeighbourAnswers(ExpertHost r)
    {
        var ok = r.Call("echo", """{"x":1}""");
        Assert.Equal(ExpertCallOutcome.Result, ok.Outcome);
        Assert.Equal(1, ok.Result!.Value.GetProperty("x").GetInt32());
    }

    private static string ReasonFor(ExpertHost r, string sourceEnd) =>
        r.Experts.Single(e => e.Source.EndsWith(sourceEnd, StringComparison.Ordinal)).Reason ?? "";

    private static string Manifest(string id, string wasmPath, string sha, string extra = "") =>
        $"{{\"schemaVersion\":1,\"id\":\"{id}\",\"version\":\"1.0.0\",\"tier\":1,\"payloads\":{{\"wasm\":{{\"path\":\"{wasmPath}\",\"sha256\":\"{sha}\"}}}}{extra}}}";

    private static readonly string Hash = new('a', 64);

    // ---- 1. one JSON reading layer ----

    [Theory]
    [InlineData("""{"schemaVersion":1,"id":"a","version":"1","tier":1,"description":"x\udfffy","payloads":{"wasm":{"path":"a.wasm","sha256":"HASH"}}}""", "description")]
    [InlineData("""{"schemaVersion":1,"id":"a","version":"1","tier":1,"payloads":{"wasm":{"path":"a.wasm","sha256":"HASH"}},"ops":{"f":{"description":"\ud800"}}}""", "ops.f.description")]
    [InlineData("""{"schemaVersion":1,"id":"a","version":"1","tier":1,"payloads":{"wasm":{"path":"a.wasm","sha256":"HASH"}},"ops":{"\udfff":{}}}""", "ops.?")]
    public void ManifestLoneSurrogateNamesTheField(string json, string field)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(json.Replace("HASH", Hash), "x/expert.json"));
        Assert.Equal(field, e.Field);
        Assert.Contains("surrogate", e.Message);
        Assert.Contains("x/expert.json", e.Message);
    }

    [Fact]
    public void ManifestDuplicateKeyIsNamed()
    {
        string json = Manifest("a", "a.wasm", Hash, ",\"limits\":{\"timeoutMs\":5,\"timeoutMs\":6}");
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(json, "expert.json"));
        Assert.Equal("limits.timeoutMs", e.Field);
        Assert.Contains("duplicate key 'timeoutMs'", e.Message);
        e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(Manifest("a", "a.wasm", Hash, ",\"id\":\"b\""), "expert.json"));
        Assert.Equal("id", e.Field);
    }

    [Theory]
    [InlineData(",\"ops\":{\"f\":{\"args\":{\"type\":\"object\",\"properties\":{\"a\":{\"maximum\":1e400}}}}}", "ops.f.args.properties.a.maximum")]
    [InlineData(",\"limits\":{\"timeoutMs\":1e400}", "limits.timeoutMs")]
    public void ManifestHugeNumberIsNamed(string extra, string field)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertManifest.Parse(Manifest("a", "a.wasm", Hash, extra), "expert.json"));
        Assert.Equal(field, e.Field);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void ManifestWithByteOrderMarkIsAccepted()
    {
        var wasm = TestExperts.Echo("bom");
        string dir = Path.Combine(_dir.Path, "bom");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "bom.wasm"), wasm);
        File.WriteAllBytes(Path.Combine(dir, "expert.json"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(TestExperts.Manifest("bom", wasm))]);
        Assert.Equal("bom", ExpertPackageReader.Read(dir).Manifest!.Id);
        Assert.Equal("bom", ExpertManifest.Parse("\uFEFF" + TestExperts.Manifest("bom", wasm), "expert.json").Id);
        var r = Registry();
        Assert.Equal(ExpertCallOutcome.Result, r.Call("echo", "{}").Outcome);
    }

    [Fact]
    public void ManifestThatIsNotUtf8IsNamed()
    {
        string dir = Path.Combine(_dir.Path, "latin1");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "a.wasm"), [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
        var text = Encoding.UTF8.GetBytes(Manifest("latin1", "a.wasm", Hash, ",\"description\":\"caf\u00e9\""));
        int at = Array.IndexOf(text, (byte)0xC3);
        text = [.. text[..at], 0xE9, .. text[(at + 2)..]];     // é as Latin-1: not UTF-8
        File.WriteAllBytes(Path.Combine(dir, "expert.json"), text);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("expert.json", e.Message);
    }

    [Theory]
    [InlineData("""{"id":"a\udfff","tier":1,"ops":[]}""", "metadata.id")]
    [InlineData("""{"id":"a","tier":1,"description":"\udfff","ops":[]}""", "metadata.description")]
    [InlineData("""{"id":"a","tier":1,"ops":[{"name":"\ud800x","args":[]}]}""", "metadata.ops[0].name")]
    [InlineData("""{"id":"a","tier":1,"tier":2,"ops":[]}""", "metadata.tier")]
    [InlineData("""{"id":"a","tier":1e400,"ops":[]}""", "metadata.tier")]
    [InlineData("""{"id":"a\u001b[31m","tier":1,"ops":[]}""", "metadata.id")]
    [InlineData("""{"id":"a","tier":1,"ops":["x\ny"]}""", "metadata.ops[0]")]
    public void MetadataHostileTextIsNamed(string json, string field)
    {
        var e = Assert.Throws<ExpertPackageException>(() => ExpertMetadata.Parse(json, "x.wasm"));
        Assert.Equal(field, e.Field);
    }

    [Theory]
    [InlineData("""{"value":"\udfff"}""", "surrogate")]
    [InlineData("""{"value":{"deep":["ok","\ud800 alone"]}}""", "surrogate")]
    [InlineData("""{"value":1,"expert_id":"\udc00"}""", "surrogate")]
    [InlineData("""{"value":1,"confidence":1e39}""", "confidence")]
    [InlineData("""{"value":1,"confidence":-1e400}""", "confidence")]
    [InlineData("""{"value":1,"value":2}""", "'value' twice")]
    [InlineData("""{"value":1,"confidence":0.5,"confidence":1}""", "'confidence' twice")]
    public void ResultHostileTextIsAnAbiViolation(string json, string expected)
    {
        var e = Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse(json, "liar", "lie", 0));
        Assert.Equal(AbiViolation.InvalidResult, e.Violation);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ResultSurrogatePairsAndEscapedBackslashesAreFine()
    {
        var r = ExpertResult.Parse("""{"value":["\ud83d\ude00","\\udfff","😀"],"confidence":0.25}""", "e", "o", 0);
        Assert.Equal("😀", r.Value[0].GetString());
        Assert.Equal("\\udfff", r.Value[1].GetString());
        Assert.Equal(0.25f, r.Confidence);
        var deep = new string('[', 65) + new string(']', 65);
        Assert.Equal(AbiViolation.InvalidResult, Assert.Throws<ExpertAbiException>(() => ExpertResult.Parse($$"""{"value":{{deep}}}""", "e", "o", 0)).Violation);
    }

    [Fact]
    public void GuestResultsWithLoneSurrogatesOrHugeConfidenceAreTrappedAndTheNeighbourAnswers()
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "s.wasm"), HostileExperts.Fixed(HostileExperts.Metadata("surrogate", "lone"), """{"value":"\udfff"}"""));
        File.WriteAllBytes(Path.Combine(_dir.Path, "c.wasm"), HostileExperts.Fixed(HostileExperts.Metadata("confident", "overconfident"), """{"value":1,"confidence":1e39}"""));
        var r = RegistryWithNeighbour();
        foreach (var op in new[] { "lone", "overconfident" }) // not "huge": the signed echo neighbour has that op and wins it
        {
            var call = r.Call(op, "{}");
            Assert.True(call.Outcome == ExpertCallOutcome.Trapped, $"{op}: {call.Outcome} {call.ExpertId} {call.Reason}");
            Assert.Equal(ExpertCallOutcome.Trapped, call.Outcome);
            Assert.Equal(AbiViolation.InvalidResult, call.Violation);
        }
        AssertNeighbourAnswers(r);
    }

    [Fact]
    public void MetadataWithALoneSurrogateFailsThatPackageOnly()
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "m.wasm"),
            HostileExperts.Fixed("""{"id":"meta","tier":1,"description":"\udfff","version":"1","ops":["x"]}""", """{"value":1}"""));
        var r = RegistryWithNeighbour();
        Assert.Contains("metadata.description", ReasonFor(r, "m.wasm"));
    }

    // ---- 7. attribution ----

    [Fact]
    public void ResultIsAttributedByTheHostNotTheGuest()
    {
        var parsed = ExpertResult.Parse("""{"value":1,"expert_id":"bank","op":"transfer"}""", "liar", "lie", 0);
        Assert.Equal("liar", parsed.ExpertId);
        Assert.Equal("lie", parsed.Op);

        File.WriteAllBytes(Path.Combine(_dir.Path, "liar.wasm"),
            HostileExperts.Fixed(HostileExperts.Metadata("liar", "lie"), """{"value":1,"confidence":1.0,"expert_id":"bank","op":"transfer"}"""));
        var r = RegistryWithNeighbour();
        var call = r.Call("lie", "{}");
        Assert.Equal(ExpertCallOutcome.Result, call.Outcome);
        Assert.Equal("liar", call.Result!.ExpertId);
        Assert.Equal("lie", call.Result.Op);
        Assert.Equal("liar", call.ExpertId);
    }

    // ---- 2. package files ----

    [Theory]
    [InlineData("luhn.wasm\\u0000")]
    [InlineData("lu\\u0000hn.wasm")]
    [InlineData("a\\u001b[31m.wasm")]
    [InlineData("c:/x.wasm")]
    [InlineData("./luhn.wasm")]
    [InlineData("sub//luhn.wasm")]
    public void OddPayloadPathIsANamedErrorAndReloadSurvives(string path)
    {
        string dir = Path.Combine(_dir.Path, "odd");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "luhn.wasm"), TestExperts.Echo("odd"));
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("odd", path, Hash));
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Equal("payloads.wasm.path", e.Field);
        Assert.DoesNotContain("\0", e.Message);
        Assert.DoesNotContain("\u001b", e.Message);
        var r = RegistryWithNeighbour();
        Assert.Contains("payloads.wasm.path", ReasonFor(r, "odd"));
        r.Reload();
        AssertNeighbourAnswers(r);
    }

    [Fact]
    public void PayloadSymlinkOutOfThePackageIsRefusedBeforeHashing()
    {
        using var outside = new TempDir();
        string secret = Path.Combine(outside.Path, "secret.txt");
        File.WriteAllText(secret, "the operator's secret");
        string dir = Path.Combine(_dir.Path, "leak");
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "leak.wasm"), secret);
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("leak", "leak.wasm", Hash));
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Equal("payloads.wasm.path", e.Field);
        Assert.Contains("outside the package", e.Message);
        Assert.DoesNotContain(ExpertPackageReader.Sha256(File.ReadAllBytes(secret)), e.Message);

        // Through a linked folder, and through a chain of two links, too.
        Directory.CreateSymbolicLink(Path.Combine(dir, "sub"), outside.Path);
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("leak", "sub/secret.txt", Hash));
        Assert.Contains("outside the package", Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir)).Message);
        File.CreateSymbolicLink(Path.Combine(dir, "hop.wasm"), "leak.wasm");
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("leak", "hop.wasm", Hash));
        Assert.Contains("outside the package", Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir)).Message);

        var r = RegistryWithNeighbour();
        Assert.Contains("outside the package", ReasonFor(r, "leak"));
    }

    [Fact]
    public void PayloadSymlinkInsideThePackageIsFollowed()
    {
        var wasm = TestExperts.Echo("inside");
        string dir = Path.Combine(_dir.Path, "inside");
        Directory.CreateDirectory(Path.Combine(dir, "build"));
        File.WriteAllBytes(Path.Combine(dir, "build", "real.wasm"), wasm);
        File.CreateSymbolicLink(Path.Combine(dir, "inside.wasm"), Path.Combine("build", "real.wasm"));
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("inside", "inside.wasm", ExpertPackageReader.Sha256(wasm)));
        Assert.Equal(wasm, ExpertPackageReader.Read(dir).Wasm);
    }

    [Fact]
    public void FifoPayloadOrFifoPackageIsRefusedWithoutBlocking()
    {
        string dir = Path.Combine(_dir.Path, "pipe");
        Directory.CreateDirectory(dir);
        HostileExperts.Fifo(Path.Combine(dir, "pipe.wasm"));
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest("pipe", "pipe.wasm", Hash));
        var e = HostileExperts.WithinSeconds(10, () => Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir)));
        Assert.Equal("payloads.wasm.path", e.Field);
        Assert.Contains("not a regular file", e.Message);

        HostileExperts.Fifo(Path.Combine(_dir.Path, "x.wasm"));
        HostileExperts.Fifo(Path.Combine(_dir.Path, "y.expert"));
        e = HostileExperts.WithinSeconds(10, () => Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(Path.Combine(_dir.Path, "x.wasm"))));
        Assert.Contains("not a regular file", e.Message);

        var r = RegistryWithNeighbour();   // Reload within 60 s, or the helper fails
        Assert.Contains("not a regular file", ReasonFor(r, "x.wasm"));
        Assert.Contains("not a regular file", ReasonFor(r, "y.expert"));
        Assert.Contains("not a regular file", ReasonFor(r, "pipe"));
    }

    [Fact]
    public void TheOpenItselfNeverBlocksNorFollowsASwappedInLink()
    {
        // What a FIFO or link swapped in between the check and the open meets: O_NONBLOCK and O_NOFOLLOW.
        string fifo = Path.Combine(_dir.Path, "swapped.wasm");
        HostileExperts.Fifo(fifo);
        var e = HostileExperts.WithinSeconds(10, () => Assert.Throws<IOException>(() => RegularFileOpener.OpenRead(fifo)));
        Assert.Contains("not a regular file", e.Message);
        string real = Path.Combine(_dir.Path, "real.wasm");
        File.WriteAllBytes(real, [1, 2, 3]);
        using (var s = RegularFileOpener.OpenRead(real)) Assert.Equal(3, s.Length);
        string link = Path.Combine(_dir.Path, "link.wasm");
        File.CreateSymbolicLink(link, real);
        Assert.Throws<IOException>(() => RegularFileOpener.OpenRead(link).Dispose());
    }

    [Fact]
    public void FifoManifestIsRefusedWithoutBlocking()
    {
        string dir = Path.Combine(_dir.Path, "pipemanifest");
        Directory.CreateDirectory(dir);
        HostileExperts.Fifo(Path.Combine(dir, "expert.json"));
        var e = HostileExperts.WithinSeconds(10, () => Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir)));
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void HugeManifestInASmallZipFailsFastWithLittleMemory()
    {
        string zip = Path.Combine(_dir.Path, "bomb.expert");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var s = z.CreateEntry("expert.json", CompressionLevel.SmallestSize).Open();
            var spaces = new byte[1 << 20];
            spaces.AsSpan().Fill((byte)' ');
            for (int i = 0; i < 250; i++) s.Write(spaces);
        }
        Assert.True(new FileInfo(zip).Length < 1 << 20, "the test zip should be small");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(zip));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("over the cap", e.Message);
        Assert.True(allocated < 16 << 20, $"reading the bomb allocated {allocated} bytes");
        var r = RegistryWithNeighbour();
        Assert.Contains("over the cap", ReasonFor(r, "bomb.expert"));
    }

    [Fact]
    public void ZipEntryWhoseHeaderUnderstatesItsSizeIsRefused()
    {
        var wasm = TestExperts.Echo("liar_zip");
        string zip = Path.Combine(_dir.Path, "liar_zip.expert");
        string manifest = TestExperts.Manifest("liar_zip", wasm);
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using (var s = z.CreateEntry("expert.json", CompressionLevel.Optimal).Open()) s.Write(Encoding.UTF8.GetBytes(manifest));
            using (var s = z.CreateEntry("liar_zip.wasm", CompressionLevel.Optimal).Open()) s.Write(wasm);
        }
        // Make the central directory and the local header claim 10 bytes for the manifest.
        var bytes = File.ReadAllBytes(zip);
        uint real = (uint)Encoding.UTF8.GetByteCount(manifest);
        int patched = PatchSize(bytes, real, 10);
        Assert.True(patched >= 1);
        File.WriteAllBytes(zip, bytes);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(zip));
        Assert.Contains("expert.json", e.Message);
    }

    [Fact]
    public void ZipWithTwoManifestsIsRefused()
    {
        var wasm = TestExperts.Echo("twice");
        string zip = Path.Combine(_dir.Path, "twice.expert");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var id in new[] { "twice", "other" })
                using (var s = z.CreateEntry("expert.json").Open()) s.Write(Encoding.UTF8.GetBytes(TestExperts.Manifest(id, wasm)));
            using (var s = z.CreateEntry("twice.wasm").Open()) s.Write(wasm);
        }
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(zip));
        Assert.Contains("two entries named 'expert.json'", e.Message);
        var r = RegistryWithNeighbour();
        Assert.Contains("two entries", ReasonFor(r, "twice.expert"));
    }

    private static int PatchSize(byte[] zip, uint from, uint to)
    {
        int count = 0;
        for (int i = 0; i + 46 <= zip.Length; i++)
        {
            uint sig = BitConverter.ToUInt32(zip, i);
            int at = sig == 0x04034b50 ? i + 22 : sig == 0x02014b50 ? i + 24 : -1;  // local header / central directory: uncompressed size
            if (at >= 0 && BitConverter.ToUInt32(zip, at) == from)
            {
                BitConverter.TryWriteBytes(zip.AsSpan(at, 4), to);
                count++;
            }
        }
        return count;
    }

    [Fact]
    public void HashMismatchTellsTheOperatorToRestoreNotRepack()
    {
        var wasm = TestExperts.Echo("tampered");
        string dir = TestExperts.WritePackage(_dir.Path, "tampered", wasm);
        File.WriteAllBytes(Path.Combine(dir, "tampered.wasm"), [.. wasm, 0]);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Equal("payloads.wasm.sha256", e.Field);
        Assert.Contains("not the one its publisher signed", e.Message);
        Assert.Contains("Restore the package from its publisher", e.Message);
        Assert.Contains("only if you are its author", e.Message);
        Assert.DoesNotContain("re-run 'polymath pack'", e.Message);
    }

    [Fact]
    public void MalformedModuleIsSaidOnce()
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "garbage.wasm"), "not a module at all"u8.ToArray());
        // (func (result i32) (i64.const 1)): well formed, invalid.
        File.WriteAllBytes(Path.Combine(_dir.Path, "invalid.wasm"), [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 0x0a, 6, 1, 4, 0, 0x42, 1, 0x0b]);
        var r = RegistryWithNeighbour();
        string garbage = ReasonFor(r, "garbage.wasm"), invalid = ReasonFor(r, "invalid.wasm");
        Assert.StartsWith("malformed module: ", garbage);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(garbage, "malformed"));
        Assert.StartsWith("invalid module: ", invalid);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(invalid, "invalid module"));
    }

    [Fact]
    public void DiscoverSurvivesOddNamesAndLinkLoops()
    {
        File.WriteAllBytes(Path.Combine(_dir.Path, "new\nline.wasm"), [1]);
        File.WriteAllBytes(Path.Combine(_dir.Path, "\u001b[31mred.wasm"), [1]);
        File.WriteAllBytes(Path.Combine(_dir.Path, "caf\u00e9 \u2603.expert"), [1]);
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "loop"), _dir.Path);
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "dangling.wasm"), Path.Combine(_dir.Path, "nowhere"));
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "self.wasm"), Path.Combine(_dir.Path, "self.wasm"));
        var found = ExpertPackageReader.Discover(_dir.Path);
        Assert.Contains(found, p => p.EndsWith("new\nline.wasm", StringComparison.Ordinal));
        Assert.Empty(ExpertPackageReader.Discover(Path.Combine(_dir.Path, "no\0such")));
        foreach (var p in found)
            HostileExperts.WithinSeconds(10, () => Record.Exception(() => ExpertPackageReader.Read(p)) is null or ExpertPackageException ? 0 : throw new Xunit.Sdk.XunitException($"{p}: not an ExpertPackageException"));
        var r = RegistryWithNeighbour();
        Assert.Contains(r.Experts, e => e.Source.EndsWith("self.wasm", StringComparison.Ordinal));
    }
}
