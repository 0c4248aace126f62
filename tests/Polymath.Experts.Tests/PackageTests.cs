using System.IO.Compression;
using System.Text;
using Polymath.Experts;
using Xunit;

namespace Polymath.Experts.Tests;

public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("polymath-experts-").FullName;
    public string Path { get; }
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
}

public class PackageTests
{
    private static readonly byte[] FakeWasm = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    internal static string WriteFolder(string root, string id, byte[] wasm, string? sha = null, bool withHash = true)
    {
        string dir = Path.Combine(root, id);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, id + ".wasm"), wasm);
        string hash = sha ?? ExpertPackageReader.Sha256(wasm);
        string payload = withHash ? $"{{\"path\":\"{id}.wasm\",\"sha256\":\"{hash}\"}}" : $"{{\"path\":\"{id}.wasm\"}}";
        File.WriteAllText(Path.Combine(dir, "expert.json"),
            $"{{\"schemaVersion\":1,\"id\":\"{id}\",\"version\":\"1.0.0\",\"tier\":1,\"payloads\":{{\"wasm\":{payload}}}}}");
        return dir;
    }

    [Fact]
    public void ReadsAFolderAndVerifiesTheHash()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm);
        var p = ExpertPackageReader.Read(dir);
        Assert.Equal(ExpertPackageKind.Folder, p.Kind);
        Assert.Equal("demo", p.Manifest!.Id);
        Assert.Equal(FakeWasm, p.Wasm);
    }

    [Fact]
    public void HashMismatchIsRejectedNamingTheField()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm);
        File.WriteAllBytes(Path.Combine(dir, "demo.wasm"), [.. FakeWasm, 0x00]); // corrupted after packing
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Equal("payloads.wasm.sha256", e.Field);
        Assert.Contains("does not match", e.Message);
    }

    [Fact]
    public void MissingPayloadNamesThePath()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm);
        File.Delete(Path.Combine(dir, "demo.wasm"));
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        Assert.Equal("payloads.wasm.path", e.Field);
    }

    [Fact]
    public void PackFillsHashesAndWritesAReadableZip()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm, withHash: false);
        Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(dir));
        var (manifest, zip) = ExpertPacker.Pack(dir, Path.Combine(t.Path, "demo.expert"), writeHashes: true);
        Assert.Equal(ExpertPackageReader.Sha256(FakeWasm), manifest.Wasm.Sha256);
        Assert.Equal(Path.Combine(t.Path, "demo.expert"), zip);
        var fromZip = ExpertPackageReader.Read(zip);
        var fromDir = ExpertPackageReader.Read(dir);
        Assert.Equal(ExpertPackageKind.Zip, fromZip.Kind);
        Assert.Equal(FakeWasm, fromZip.Wasm);
        Assert.Equal(fromDir.Fingerprint, fromZip.Fingerprint);
    }

    [Fact]
    public void TruncatedZipIsAClearError()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm);
        var (_, zip) = ExpertPacker.Pack(dir, Path.Combine(t.Path, "demo.expert"));
        var bytes = File.ReadAllBytes(zip);
        string half = Path.Combine(t.Path, "half.expert");
        File.WriteAllBytes(half, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(half));
        Assert.Contains("half.expert", e.Message);
    }

    [Fact]
    public void ZipWithTamperedPayloadIsRejected()
    {
        using var t = new TempDir();
        var dir = WriteFolder(t.Path, "demo", FakeWasm);
        string zip = Path.Combine(t.Path, "demo.expert");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            z.CreateEntryFromFile(Path.Combine(dir, "expert.json"), "expert.json");
            using var s = z.CreateEntry("demo.wasm").Open();
            s.Write(Encoding.ASCII.GetBytes("not the same bytes"));
        }
        var e = Assert.Throws<ExpertPackageException>(() => ExpertPackageReader.Read(zip));
        Assert.Equal("payloads.wasm.sha256", e.Field);
    }

    [Fact]
    public void DiscoverFindsAllThreeFormsSortedAndSkipsPackageInternals()
    {
        using var t = new TempDir();
        WriteFolder(t.Path, "b_folder", FakeWasm); // its inner b_folder.wasm must not be listed separately
        File.WriteAllBytes(Path.Combine(t.Path, "a_bare.wasm"), FakeWasm);
        Directory.CreateDirectory(Path.Combine(t.Path, "group"));
        File.WriteAllBytes(Path.Combine(t.Path, "group", "c.expert"), FakeWasm);
        File.WriteAllText(Path.Combine(t.Path, "README.md"), "x");
        var found = ExpertPackageReader.Discover(t.Path).Select(p => Path.GetRelativePath(t.Path, p)).ToList();
        Assert.Equal(["a_bare.wasm", "b_folder", Path.Combine("group", "c.expert")], found);
    }
}
