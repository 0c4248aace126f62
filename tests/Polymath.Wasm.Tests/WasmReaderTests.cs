namespace Polymath.Wasm.Tests;

public class WasmReaderTests
{
    private static byte[] H(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static WasmModuleException Throws(string hex, Func<byte[], object> read)
    {
        var e = Assert.Throws<WasmModuleException>(() => read(H(hex)));
        Assert.Equal(WasmErrorKind.Malformed, e.Kind);
        return e;
    }

    private static uint U32(string hex) { var r = new WasmReader(H(hex)); var v = r.ReadVarU32(); Assert.True(r.IsAtEnd); return v; }
    private static int S32(string hex) { var r = new WasmReader(H(hex)); var v = r.ReadVarS32(); Assert.True(r.IsAtEnd); return v; }
    private static long S33(string hex) { var r = new WasmReader(H(hex)); var v = r.ReadVarS33(); Assert.True(r.IsAtEnd); return v; }
    private static long S64(string hex) { var r = new WasmReader(H(hex)); var v = r.ReadVarS64(); Assert.True(r.IsAtEnd); return v; }
    private static ulong U64(string hex) { var r = new WasmReader(H(hex)); var v = r.ReadVarU64(); Assert.True(r.IsAtEnd); return v; }

    [Theory]
    [InlineData("00", 0u)]
    [InlineData("7F", 127u)]
    [InlineData("8001", 128u)]
    [InlineData("E58E26", 624485u)]
    [InlineData("FFFFFFFF0F", uint.MaxValue)]
    [InlineData("8080808000", 0u)] // padded to the maximum length: allowed
    [InlineData("FF80808000", 127u)]
    public void VarU32_decodes(string hex, uint expected) => Assert.Equal(expected, U32(hex));

    [Theory]
    [InlineData("808080808000")] // 6 bytes
    [InlineData("FFFFFFFF8F00")]
    public void VarU32_too_long(string hex) =>
        Assert.Equal("integer representation too long", Throws(hex, b => U32(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("FFFFFFFF1F")]
    [InlineData("8080808010")]
    [InlineData("8080808070")]
    public void VarU32_unused_bits_set(string hex) =>
        Assert.Equal("integer too large", Throws(hex, b => U32(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("FFFFFFFF")]
    public void VarU32_truncated(string hex) =>
        Assert.Equal("unexpected end", Throws(hex, b => U32(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("00", 0)]
    [InlineData("7F", -1)]
    [InlineData("3F", 63)]
    [InlineData("40", -64)]
    [InlineData("C000", 64)]
    [InlineData("8080808078", int.MinValue)]
    [InlineData("FFFFFFFF07", int.MaxValue)]
    [InlineData("FFFFFFFF7F", -1)] // padded negative: sign bits set
    [InlineData("8080808000", 0)]
    public void VarS32_decodes(string hex, int expected) => Assert.Equal(expected, S32(hex));

    [Theory]
    [InlineData("FFFFFFFF0F")] // bit 32+ not a sign extension (positive with high bits)
    [InlineData("8080808070")]
    [InlineData("FFFFFFFF4F")]
    public void VarS32_unused_bits_not_sign(string hex) =>
        Assert.Equal("integer too large", Throws(hex, b => S32(Convert.ToHexString(b))).Reason);

    [Fact]
    public void VarS32_too_long() =>
        Assert.Equal("integer representation too long", Throws("FFFFFFFF FF7F", b => S32(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("40", -64L)]
    [InlineData("FFFFFFFF0F", 0xFFFFFFFFL)] // s33 holds every u32 type index
    [InlineData("8080808070", -(1L << 32))]
    [InlineData("FFFFFFFF7F", -1L)]
    public void VarS33_decodes(string hex, long expected) => Assert.Equal(expected, S33(hex));

    [Theory]
    [InlineData("FFFFFFFF1F")]
    [InlineData("8080808060")]
    public void VarS33_out_of_range(string hex) =>
        Assert.Equal("integer too large", Throws(hex, b => S33(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("7F", -1L)]
    [InlineData("FFFFFFFFFFFFFFFFFF00", long.MaxValue)]
    [InlineData("8080808080808080807F", long.MinValue)]
    [InlineData("FFFFFFFFFFFFFFFFFF7F", -1L)]
    public void VarS64_decodes(string hex, long expected) => Assert.Equal(expected, S64(hex));

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF41", "integer too large")]
    [InlineData("FFFFFFFFFFFFFFFFFF01", "integer too large")]
    [InlineData("FFFFFFFFFFFFFFFFFF807F", "integer representation too long")]
    public void VarS64_errors(string hex, string reason) =>
        Assert.Equal(reason, Throws(hex, b => S64(Convert.ToHexString(b))).Reason);

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF01", ulong.MaxValue)]
    [InlineData("80808080808080808000", 0UL)]
    public void VarU64_decodes(string hex, ulong expected) => Assert.Equal(expected, U64(hex));

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF02", "integer too large")]
    [InlineData("8080808080808080808000", "integer representation too long")]
    public void VarU64_errors(string hex, string reason) =>
        Assert.Equal(reason, Throws(hex, b => U64(Convert.ToHexString(b))).Reason);

    [Fact]
    public void Floats_are_little_endian_bit_patterns()
    {
        var r = new WasmReader(H("0000C07F 000000000000F8FF"));
        Assert.Equal(0x7FC00000u, r.ReadF32Bits());
        Assert.Equal(0xFFF8000000000000UL, r.ReadF64Bits());
        Assert.True(r.IsAtEnd);
        Assert.Throws<WasmModuleException>(() => { var t = new WasmReader(H("000000")); t.ReadF32Bits(); });
        Assert.Throws<WasmModuleException>(() => { var t = new WasmReader(H("00000000000000")); t.ReadF64Bits(); });
    }

    [Fact]
    public void Names_are_strict_utf8()
    {
        var ok = new WasmReader(H("06 68C3A9E282AC")); // "hé€"
        Assert.Equal("hé€", ok.ReadName());

        foreach (var bad in new[] { "02C080", "03EDA080", "01FF", "0180", "04F4908080", "01C3" })
        {
            var e = Throws(bad, b => { var r = new WasmReader(b); return r.ReadName(); });
            Assert.Equal("malformed UTF-8 encoding", e.Reason);
        }
        Assert.Equal("length out of bounds", Throws("0561", b => { var r = new WasmReader(b); return r.ReadName(); }).Reason);
    }

    [Fact]
    public void Errors_carry_the_absolute_offset()
    {
        var e = Assert.Throws<WasmModuleException>(() =>
        {
            var r = new WasmReader(H("00 FFFFFFFF1F"), baseOffset: 100);
            r.ReadByte();
            r.ReadVarU32();
        });
        Assert.Equal(105, e.Offset);
        Assert.Contains("0x69", e.Message);
    }

    [Fact]
    public void Bytes_position_and_counts()
    {
        var r = new WasmReader(H("03 010203 FF"));
        Assert.Equal(3, r.ReadCount());
        Assert.Equal(new byte[] { 1, 2, 3 }, r.ReadBytes(3).ToArray());
        Assert.Equal(4, r.Position);
        Assert.Equal(0xFF, r.PeekByte());
        Assert.Equal(1, r.Remaining);
        Assert.Throws<WasmModuleException>(() => { var t = new WasmReader(H("05 0102")); t.ReadCount(); });
        Assert.Throws<WasmModuleException>(() => { var t = new WasmReader(H("FFFFFFFF0F")); t.ReadCount(); });
        Assert.Throws<WasmModuleException>(() => { var t = new WasmReader(H("0102")); t.ReadBytes(3); });
    }
}
