namespace Polymath.Conformance.Tests;

public sealed class SpecExclusionsTests
{
    [Fact]
    public void Committed_list_excludes_simd_files_and_nothing_else()
    {
        var list = SpecExclusions.Committed;
        Assert.NotEmpty(list.Entries);
        Assert.All(list.Entries, e => Assert.StartsWith("simd_", e.Pattern, StringComparison.Ordinal));
        Assert.All(list.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.All(list.Entries, e => Assert.Equal("wasm.simd128", e.UnlessCapability));
        Assert.False(list.IsExcludedFor("simd_lane.wast", ["wasm.core", "wasm.simd128"]));
        Assert.True(list.IsExcludedFor("simd_lane.wast", ["wasm.core"]));
        Assert.True(list.IsExcluded("simd_f32x4_arith.wast"));
        Assert.True(list.IsExcluded("simd_lane.wast"));
        foreach (var file in new[] { "i32.wast", "f64.wast", "binary.wast", "names.wast", "simd.wast.txt", "my_simd_lane.wast" })
            Assert.False(list.IsExcluded(file), file);
    }

    [Fact]
    public void Patterns_match_whole_file_names()
    {
        var list = SpecExclusions.Parse("""
            # comment
            i32.wast   # exact
            mem*y      # wildcard
            float_*_x  # wildcard in the middle

            """);
        Assert.Equal(3, list.Entries.Count);
        Assert.Equal(2, list.Entries[0].Line);
        Assert.True(list.IsExcluded("i32.wast"));
        Assert.True(list.IsExcluded("i32"));
        Assert.False(list.IsExcluded("i32.wast.bak"));
        Assert.False(list.IsExcluded("xi32.wast"));
        Assert.True(list.IsExcluded("memory.wast"));  // 'mem*y' is read as 'mem*y.wast'
        Assert.True(list.IsExcluded("memory"));       // names without extension get '.wast'
        Assert.False(list.IsExcluded("memorz.wast"));
        Assert.True(list.IsExcluded("float_a_b_x.wast"));
        Assert.False(list.IsExcluded("float_x.wast"));
        Assert.Equal("wildcard", list.Find("memory")!.Reason);
    }

    [Theory]
    [InlineData("i32.wast")]
    [InlineData("i32.wast #")]
    [InlineData("dir/i32.wast # reason")]
    [InlineData("a b # reason")]
    public void Entries_without_a_reason_or_with_paths_are_rejected(string line)
    {
        var e = Assert.Throws<FormatException>(() => SpecExclusions.Parse(line, "list.txt"));
        Assert.StartsWith("list.txt:1:", e.Message, StringComparison.Ordinal);
    }
}
