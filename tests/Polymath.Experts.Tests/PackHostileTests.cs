using System.IO.Compression;
using Polymath.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

/// <summary>Issue 10, packing: the packer validates before it writes, never rewrites an author's manifest uninvited, and packs only what is inside the folder.</summary>
public sealed class PackHostileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string id, string manifest, byte[]? wasm = null)
    {
        string dir = Path.Combine(_dir.Path, id);
        Directory.CreateDirectory(dir);
        if (wasm is not null) File.WriteAllBytes(Path.Combine(dir, id + ".wasm"), wasm);
        File.WriteAllText(Path.Combine(dir, "expert.json"), manifest);
        return dir;
    }

    private static string Unhashed(string id, string sha256Member) =>
        "{\n  // written by hand\n  \"schemaVersion\": 1, \"id\": \"" + id + "\", \"version\": \"1.0.0\", \"tier\": 1,\n" +
        "  \"payloads\": { \"wasm\": { \"path\": \"" + id + ".wasm\"" + sha256Member + " } },\n}\n";

    [Theory]
    [InlineData("")]                        // no sha256 member: one is added after path
    [InlineData(", \"sha256\": \"\"")]      // an empty one is filled in
    [InlineData(", \"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"")]  // a stale one is replaced
    public void ManifestIsUntouchedUnlessAskedAndThenOnlyTheHashChanges(string sha256Member)
    {
        var wasm = TestExperts.Echo("hand");
        string text = Unhashed("hand", sha256Member);
        string dir = Folder("hand", text, wasm);
        string hash = ExpertPackageReader.Sha256(wasm);

        var (manifest, zip) = ExpertPacker.Pack(dir, Path.Combine(_dir.Path, "out.expert"));
        Assert.Equal(hash, manifest.Wasm.Sha256);
        Assert.Equal(text, File.ReadAllText(Path.Combine(dir, "expert.json")));
        Assert.Equal(hash, ExpertPackageReader.Read(zip).Manifest!.Wasm.Sha256);
        using (var archive = ZipFile.OpenRead(zip))
        {
            using var reader = new StreamReader(archive.GetEntry("expert.json")!.Open());
            Assert.Contains("// written by hand", reader.ReadToEnd());
        }

        ExpertPacker.Pack(dir, Path.Combine(_dir.Path, "out.expert"), writeHashes: true);
        string expected = sha256Member.Length == 0
            ? text.Replace("\"hand.wasm\"", $"\"hand.wasm\", \"sha256\": \"{hash}\"", StringComparison.Ordinal)
            : text.Replace(sha256Member, $", \"sha256\": \"{hash}\"", StringComparison.Ordinal);
        Assert.Equal(expected, File.ReadAllText(Path.Combine(dir, "expert.json")));
        Assert.Equal(hash, ExpertPackageReader.Read(dir).Manifest!.Wasm.Sha256);
    }

    [Theory]
    [InlineData("missing/out.expert", "does not exist")]
    [InlineData("out.txt", ".expert or .zip")]
    [InlineData("out\0.expert", "not a usable output path")]
    public void BadOutputIsRefusedBeforeAnythingIsWritten(string output, string expected)
    {
        var wasm = TestExperts.Echo("hand");
        string text = Unhashed("hand", "");
        string dir = Folder("hand", text, wasm);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPacker.Pack(dir, Path.Combine(_dir.Path, output), writeHashes: true));
        Assert.Contains(expected, e.Message);
        Assert.Equal(text, File.ReadAllText(Path.Combine(dir, "expert.json")));
        Assert.Equal(["hand"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void OutputFolderGetsIdDotExpert()
    {
        string dir = Folder("hand", Unhashed("hand", ""), TestExperts.Echo("hand"));
        string outDir = Directory.CreateDirectory(Path.Combine(_dir.Path, "dist")).FullName;
        var (_, zip) = ExpertPacker.Pack(dir, outDir);
        Assert.Equal(Path.Combine(outDir, "hand.expert"), zip);
    }

    [Fact]
    public void SymlinkPayloadLeavingTheFolderIsRefused()
    {
        using var outside = new TempDir();
        string secret = Path.Combine(outside.Path, "shadow");
        File.WriteAllText(secret, "root:$6$secret");
        string dir = Folder("leak", Unhashed("leak", ""));
        File.CreateSymbolicLink(Path.Combine(dir, "leak.wasm"), secret);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPacker.Pack(dir, Path.Combine(_dir.Path, "leak.expert")));
        Assert.Equal("payloads.wasm.path", e.Field);
        Assert.Contains("outside the package", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "leak.expert")));
    }

    [Fact]
    public void PayloadThatIsNotWebAssemblyIsRefused()
    {
        string dir = Folder("fake", Unhashed("fake", ""), "#!/bin/sh\necho hi\n"u8.ToArray());
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPacker.Pack(dir, Path.Combine(_dir.Path, "fake.expert")));
        Assert.Equal("payloads.wasm.path", e.Field);
        Assert.Contains("not a valid WebAssembly module", e.Message);
        Assert.Contains("malformed module", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "fake.expert")));
    }

    [Fact]
    public void FifoPayloadIsRefusedWithoutBlocking()
    {
        string dir = Folder("pipe", Unhashed("pipe", ""));
        HostileExperts.Fifo(Path.Combine(dir, "pipe.wasm"));
        var e = HostileExperts.WithinSeconds(10, () => Assert.Throws<ExpertPackageException>(() => ExpertPacker.Pack(dir, Path.Combine(_dir.Path, "pipe.expert"))));
        Assert.Contains("not a regular file", e.Message);
    }
}
