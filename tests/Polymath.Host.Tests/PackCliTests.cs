using System.Diagnostics;
using System.IO.Compression;

namespace Polymath.Host.Tests;

/// <summary>
/// <c>polymath pack</c> as a user runs it (the built CLI as a process, in a scratch copy of the repository's
/// arithmetic expert): the README's example leaves the tracked expert.json alone and writes the zip where the
/// registry will not list it twice.
/// </summary>
public sealed class PackCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("polymath-pack-").FullName;

    public PackCliTests()
    {
        string repo = Repository.Root;
        string source = Path.Combine(repo, "experts", "arithmetic");
        string target = Path.Combine(_root, "experts", "arithmetic");
        Directory.CreateDirectory(target);
        foreach (var name in new[] { "expert.json", "arithmetic.wasm" })
            File.Copy(Path.Combine(source, name), Path.Combine(target, name));
        Manifest = Path.Combine(target, "expert.json");
    }

    private string Manifest { get; }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (int ExitCode, string Stdout, string Stderr) Polymath(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
        Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _root };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in new[] { "POLYMATH_PLATFORM", "POLYMATH_NO_DYNAMIC_CODE", "POLYMATH_PLUGINS", "POLYMATH_Experts__Directory" })
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "polymath did not finish within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void ReadmeExampleKeepsTheManifestAndWritesTheZipInTheCurrentDirectory()
    {
        // An author's comment and a blanked hash: pack must fill the hash into the zip only.
        string original = File.ReadAllText(Manifest);
        string hash = System.Text.RegularExpressions.Regex.Match(original, "[0-9a-f]{64}").Value;
        string authored = "// arithmetic, by its author\n" + original.Replace(hash, "", StringComparison.Ordinal);
        File.WriteAllText(Manifest, authored);

        var (code, stdout, stderr) = Polymath("pack", "experts/arithmetic");
        Assert.True(code == 0, stderr);
        Assert.Contains(hash, stdout);
        Assert.Equal(authored, File.ReadAllText(Manifest));
        string zip = Path.Combine(_root, "arithmetic.expert");
        Assert.True(File.Exists(zip), stdout);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "experts")));
        using (var archive = ZipFile.OpenRead(zip))
        {
            using var reader = new StreamReader(archive.GetEntry("expert.json")!.Open());
            string packed = reader.ReadToEnd();
            Assert.Equal(authored.Replace("\"sha256\": \"\"", $"\"sha256\": \"{hash}\"", StringComparison.Ordinal), packed);
        }

        (code, _, stderr) = Polymath("pack", "experts/arithmetic", "--write-hashes", "-o", Path.Combine(_root, "again.expert"));
        Assert.True(code == 0, stderr);
        Assert.Equal("// arithmetic, by its author\n" + original, File.ReadAllText(Manifest));
    }

    [Fact]
    public void OutputIntoTheExpertsDirectoryOrABadPathIsRefusedBeforeAnythingIsWritten()
    {
        byte[] before = File.ReadAllBytes(Manifest);
        var (code, _, stderr) = Polymath("pack", "experts/arithmetic", "-o", "experts/");
        Assert.Equal(1, code);
        Assert.Contains("experts directory", stderr);
        Assert.Contains("--force", stderr);

        (code, _, stderr) = Polymath("pack", "experts/arithmetic", "--write-hashes", "-o", Path.Combine(_root, "missing", "a.expert"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", stderr);
        (code, _, stderr) = Polymath("pack", "experts/arithmetic", "--write-hashes", "-o", Path.Combine(_root, "a.txt"));
        Assert.Equal(1, code);
        Assert.Contains(".expert or .zip", stderr);

        Assert.Equal(before, File.ReadAllBytes(Manifest));
        Assert.Equal(["arithmetic"], Directory.GetFileSystemEntries(Path.Combine(_root, "experts")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(_root));

        (code, _, stderr) = Polymath("pack", "experts/arithmetic", "-o", "experts/", "--force");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(_root, "experts", "arithmetic.expert")));
    }
}
