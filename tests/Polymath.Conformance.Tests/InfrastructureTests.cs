namespace Polymath.Conformance.Tests;

/// <summary>Suite location and the wast2json cache. These need wast2json (Debian package wabt) and fail loudly without it.</summary>
public sealed class InfrastructureTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("polymath-conformance-test-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Repository_root_is_found_from_inside_it()
    {
        Assert.NotNull(SpecSuite.BuildSourceDirectory);
        var root = SpecSuite.FindRepositoryRoot(SpecSuite.BuildSourceDirectory);
        Assert.NotNull(root);
        Assert.True(Directory.Exists(Path.Combine(root, "sdk")), root);
        Assert.Null(SpecSuite.FindRepositoryRoot(_temp));
    }

    [Fact]
    public void Suite_folder_without_wast_files_is_a_setup_error()
    {
        var e = Assert.Throws<SpecSetupException>(() => SpecSuite.Open(_temp, SpecExclusions.None));
        Assert.Contains(SpecSuite.SuiteVariable, e.Message, StringComparison.Ordinal);
        Assert.Throws<SpecSetupException>(() => SpecSuite.Open(Path.Combine(_temp, "missing"), SpecExclusions.None));
    }

    [Fact]
    public void Suite_lists_included_and_excluded_files()
    {
        File.WriteAllText(Path.Combine(_temp, "b.wast"), "");
        File.WriteAllText(Path.Combine(_temp, "a.wast"), "");
        File.WriteAllText(Path.Combine(_temp, "simd_x.wast"), "");
        File.WriteAllText(Path.Combine(_temp, "notes.txt"), "");
        var suite = SpecSuite.Open(_temp, SpecExclusions.Parse("simd_*   unless wasm.simd128   # a list that excludes something"));
        Assert.Equal(["a.wast", "b.wast", "simd_x.wast"], suite.AllFiles);
        Assert.Equal(["a.wast", "b.wast"], suite.IncludedFiles);
        Assert.Equal(["simd_x.wast"], suite.ExcludedFiles);
    }

    [Fact]
    public void Conversion_is_cached_by_content_and_writes_binary_modules()
    {
        var wast = Path.Combine(_temp, "tiny.wast");
        File.WriteAllText(wast, """
            (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
            (assert_return (invoke "add" (i32.const 1) (i32.const -1)) (i32.const 0))
            (assert_malformed (module quote "(func") "unexpected end")
            """);
        var converter = Wast2Json.Create(Path.Combine(_temp, "cache"));
        Assert.False(string.IsNullOrWhiteSpace(converter.Version));

        var json = converter.Convert(wast);
        Assert.StartsWith(converter.CacheDirectory, json, StringComparison.Ordinal);
        var written = File.GetLastWriteTimeUtc(json);
        Assert.Equal(json, converter.Convert(wast)); // unchanged: the same cache entry, not rewritten
        Assert.Equal(written, File.GetLastWriteTimeUtc(json));

        var script = WastScript.Load(json, "tiny.wast");
        Assert.Equal([WastCommandKind.Module, WastCommandKind.AssertReturn, WastCommandKind.AssertMalformed], script.Commands.Select(c => c.Kind));
        Assert.Equal("text", script.Commands[2].ModuleType);
        var module = File.ReadAllBytes(Path.Combine(script.Directory, script.Commands[0].FileName!));
        Assert.Equal(new byte[] { 0, (byte)'a', (byte)'s', (byte)'m' }, module[..4]);

        File.AppendAllText(wast, "\n(assert_return (invoke \"add\" (i32.const 2) (i32.const 2)) (i32.const 4))\n");
        var changed = converter.Convert(wast);
        Assert.NotEqual(json, changed);
        Assert.Equal(4, WastScript.Load(changed).Commands.Count);
        Assert.Empty(Directory.GetDirectories(converter.CacheDirectory, ".tmp-*"));
    }

    [Fact]
    public void Concurrent_conversions_of_one_file_agree()
    {
        var wast = Path.Combine(_temp, "race.wast");
        File.WriteAllText(wast, "(module (func (export \"f\") (result i32) i32.const 7))\n(assert_return (invoke \"f\") (i32.const 7))\n");
        var converter = Wast2Json.Create(Path.Combine(_temp, "cache"));
        var paths = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6).Select(_ => converter.Convert(wast)).ToList();
        Assert.Single(paths.Distinct());
        Assert.Single(Directory.GetDirectories(converter.CacheDirectory));
        Assert.Equal(2, WastScript.Load(paths[0]).Commands.Count);
    }

    [Fact]
    public void Wast2json_errors_are_setup_errors_naming_the_file()
    {
        var wast = Path.Combine(_temp, "bad.wast");
        File.WriteAllText(wast, "(module (func (unknown_instr)))");
        var converter = Wast2Json.Create(Path.Combine(_temp, "cache"));
        var e = Assert.Throws<SpecSetupException>(() => converter.Convert(wast));
        Assert.Contains("bad.wast", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_wast2json_is_a_setup_error_saying_what_to_install()
    {
        var e = Assert.Throws<SpecSetupException>(() => Wast2Json.Create(Path.Combine(_temp, "cache"), Path.Combine(_temp, "no-such-wast2json")));
        Assert.Contains("wabt", e.Message, StringComparison.Ordinal);
    }
}
