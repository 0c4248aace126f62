namespace Polymath.Conformance.Tests;

public sealed class SpecExclusionsTests
{
    [Fact]
    public void Committed_list_is_empty()
    {
        // Issue #20: every runtime advertises wasm.simd128, so no file of the WebAssembly 2.0 suite is excluded.
        var list = SpecExclusions.Committed;
        Assert.Empty(list.Entries);
        foreach (var file in new[] { "i32.wast", "simd_lane.wast", "simd_f32x4_arith.wast", "binary.wast" })
        {
            Assert.False(list.IsExcluded(file), file);
            Assert.False(list.IsExcludedFor(file, ["wasm.core"]), file);
        }
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
