using Polymath.Sdk;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Conformance.Tests;

public sealed class WastValueTests
{
    [Theory]
    [InlineData("i32", "0", 0UL)]
    [InlineData("i32", "4294967295", 0xFFFF_FFFFUL)]
    [InlineData("i32", "2147483648", 0x8000_0000UL)]
    [InlineData("i32", "-1", 0xFFFF_FFFFUL)]
    [InlineData("i64", "18446744073709551615", ulong.MaxValue)]
    [InlineData("i64", "9223372036854775808", 0x8000_0000_0000_0000UL)]
    [InlineData("i64", "-9223372036854775808", 0x8000_0000_0000_0000UL)]
    [InlineData("f32", "2143289344", 0x7FC0_0000UL)]
    [InlineData("f32", "2147483648", 0x8000_0000UL)]
    [InlineData("f64", "9221120237041090560", 0x7FF8_0000_0000_0000UL)]
    public void Numbers_parse_as_unsigned_bit_patterns(string type, string text, ulong bits)
    {
        var value = WastValue.Parse(type, text);
        Assert.Equal(WastValueKind.Number, value.Kind);
        Assert.Equal(bits, value.Bits);
    }

    [Theory]
    [InlineData("i32", "4294967296")]
    [InlineData("i32", "-2147483649")]
    [InlineData("i64", "18446744073709551616")]
    [InlineData("i32", "0x10")]
    [InlineData("f32", "1.5")]
    [InlineData("i32", "")]
    [InlineData("externref", "abc")]
    public void Bad_numbers_are_format_errors(string type, string text)
    {
        var e = Assert.Throws<FormatException>(() => WastValue.Parse(type, text));
        Assert.Contains(text.Length == 0 ? type : text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_v128_types_are_format_errors_naming_the_type()
    {
        Assert.Contains("i128", Assert.Throws<FormatException>(() => WastValue.Parse("i128", "0")).Message, StringComparison.Ordinal);
        Assert.Contains("v128", Assert.Throws<FormatException>(() => WastValue.Parse("v128", "0")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V128_lane_lists_parse_little_endian_and_match_lane_by_lane()
    {
        var v = WastValue.ParseV128("i32", ["1", "2", "4294967295", "0"]);
        Assert.Equal(0x0000_0002_0000_0001UL, v.Bits);
        Assert.Equal(0x0000_0000_FFFF_FFFFUL, v.HighBits);
        Assert.Equal(WasmValue.V128(v.Bits, v.HighBits), v.ToArgument(new HostReferences()));
        Assert.True(v.Matches(WasmValue.V128(0x0000_0002_0000_0001UL, 0xFFFF_FFFFUL)));
        Assert.False(v.Matches(WasmValue.V128(0x0000_0002_0000_0001UL, 0x1_FFFF_FFFFUL)));
        Assert.Equal(0x8001UL, WastValue.ParseV128("i8", ["1", "128", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]).Bits);

        var nan = WastValue.ParseV128("f32", ["nan:canonical", "nan:arithmetic", "1065353216", "0"]);
        Assert.True(nan.Matches(WasmValue.V128(0x7FC0_0000_FFC0_0000UL, 0x3F80_0000UL)));
        Assert.True(nan.Matches(WasmValue.V128(0x7FC0_0001_7FC0_0000UL, 0x3F80_0000UL)));   // arithmetic lane: any payload
        Assert.False(nan.Matches(WasmValue.V128(0x7FC0_0000_7FC0_0001UL, 0x3F80_0000UL)));  // canonical lane: payload must be 0
        Assert.False(nan.Matches(WasmValue.V128(0x7FC0_0000_7FC0_0000UL, 0x3F80_0001UL)));  // exact lane differs
        Assert.Throws<FormatException>(() => nan.ToArgument(new HostReferences()));
        Assert.Contains("4 values", Assert.Throws<FormatException>(() => WastValue.ParseV128("i32", ["1"])).Message, StringComparison.Ordinal);
        Assert.Contains("i128", Assert.Throws<FormatException>(() => WastValue.ParseV128("i128", ["1"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nan_patterns_and_references_parse()
    {
        Assert.Equal(WastValueKind.CanonicalNan, WastValue.Parse("f32", "nan:canonical").Kind);
        Assert.Equal(WastValueKind.ArithmeticNan, WastValue.Parse("f64", "nan:arithmetic").Kind);
        Assert.Equal(new WastValue(ValueType.FuncRef, WastValueKind.NullReference, 0), WastValue.Parse("funcref", "null"));
        Assert.Equal(new WastValue(ValueType.ExternRef, WastValueKind.NullReference, 0), WastValue.Parse("externref", "null"));
        Assert.Equal(new WastValue(ValueType.ExternRef, WastValueKind.ExternReference, 3), WastValue.Parse("externref", "3"));
        Assert.Equal(WastValueKind.TypeOnly, WastValue.Parse("i64", null).Kind);
    }

    [Theory]
    [InlineData(0x7FC0_0000u, true, true)]
    [InlineData(0xFFC0_0000u, true, true)]
    [InlineData(0x7FC0_0001u, false, true)]
    [InlineData(0x7FE0_0000u, false, true)]
    [InlineData(0x7FA0_0000u, false, false)] // signalling NaN: quiet bit clear
    [InlineData(0x7F80_0000u, false, false)] // infinity
    [InlineData(0x3F80_0000u, false, false)] // 1.0
    public void F32_nan_classes(uint bits, bool canonical, bool arithmetic)
    {
        Assert.Equal(canonical, WastValue.IsCanonicalNan32(bits));
        Assert.Equal(arithmetic, WastValue.IsArithmeticNan32(bits));
        Assert.Equal(canonical, WastValue.Parse("f32", "nan:canonical").Matches(WasmValue.F32Bits(bits)));
        Assert.Equal(arithmetic, WastValue.Parse("f32", "nan:arithmetic").Matches(WasmValue.F32Bits(bits)));
    }

    [Theory]
    [InlineData(0x7FF8_0000_0000_0000UL, true, true)]
    [InlineData(0xFFF8_0000_0000_0000UL, true, true)]
    [InlineData(0x7FF8_0000_0000_0001UL, false, true)]
    [InlineData(0xFFFC_0000_0000_0000UL, false, true)]
    [InlineData(0x7FF4_0000_0000_0000UL, false, false)]
    [InlineData(0x7FF0_0000_0000_0000UL, false, false)]
    [InlineData(0x7FC0_0000UL, false, false)] // an f32 NaN's bits are no f64 NaN
    public void F64_nan_classes(ulong bits, bool canonical, bool arithmetic)
    {
        Assert.Equal(canonical, WastValue.IsCanonicalNan64(bits));
        Assert.Equal(arithmetic, WastValue.IsArithmeticNan64(bits));
        Assert.Equal(canonical, WastValue.Parse("f64", "nan:canonical").Matches(WasmValue.F64Bits(bits)));
        Assert.Equal(arithmetic, WastValue.Parse("f64", "nan:arithmetic").Matches(WasmValue.F64Bits(bits)));
    }

    [Fact]
    public void Numbers_match_by_exact_bits_and_type()
    {
        var negativeZero = WastValue.Parse("f32", "2147483648");
        Assert.True(negativeZero.Matches(WasmValue.F32(-0.0f)));
        Assert.False(negativeZero.Matches(WasmValue.F32(0.0f)));
        var nanPayload = WastValue.Parse("f64", "9221120237041090561");
        Assert.True(nanPayload.Matches(WasmValue.F64Bits(0x7FF8_0000_0000_0001UL)));
        Assert.False(nanPayload.Matches(WasmValue.F64Bits(0x7FF8_0000_0000_0000UL)));
        var minusOne = WastValue.Parse("i32", "4294967295");
        Assert.True(minusOne.Matches(WasmValue.I32(-1)));
        Assert.False(minusOne.Matches(WasmValue.I64(0xFFFF_FFFF)));   // wrong type
        Assert.False(minusOne.Matches(WasmValue.F32Bits(0xFFFF_FFFF))); // wrong type, same bits
    }

    [Fact]
    public void References_match_by_nullness_and_host_number()
    {
        var references = new HostReferences();
        var three = WastValue.Parse("externref", "3");
        var argument = three.ToArgument(references);
        Assert.Same(argument.Reference, three.ToArgument(references).Reference);
        Assert.True(three.Matches(argument));
        Assert.False(three.Matches(WasmValue.ExternRef(references.Get(4))));
        Assert.False(three.Matches(WasmValue.Null(ValueType.ExternRef)));
        Assert.False(three.Matches(WasmValue.ExternRef("3")));
        Assert.True(WastValue.Parse("externref", "null").Matches(WasmValue.Null(ValueType.ExternRef)));
        Assert.False(WastValue.Parse("externref", "null").Matches(argument));
        Assert.True(WastValue.Parse("funcref", "null").Matches(WasmValue.Null(ValueType.FuncRef)));
        Assert.False(WastValue.Parse("funcref", "null").Matches(WasmValue.Null(ValueType.ExternRef)));
    }

    [Fact]
    public void Arguments_convert_to_sdk_values()
    {
        var references = new HostReferences();
        Assert.Equal(WasmValue.I32(-1), WastValue.Parse("i32", "4294967295").ToArgument(references));
        Assert.Equal(WasmValue.I64(long.MinValue), WastValue.Parse("i64", "9223372036854775808").ToArgument(references));
        Assert.Equal(WasmValue.F32Bits(0x7FA0_0000), WastValue.Parse("f32", "2141192192").ToArgument(references));
        Assert.Equal(WasmValue.Null(ValueType.FuncRef), WastValue.Parse("funcref", "null").ToArgument(references));
        Assert.Throws<FormatException>(() => WastValue.Parse("f32", "nan:canonical").ToArgument(references));
    }

    [Fact]
    public void Descriptions_show_value_and_bits()
    {
        Assert.Equal("i32:-1 (0xFFFFFFFF)", WastValue.Parse("i32", "4294967295").ToString());
        Assert.Equal("f32:nan:canonical", WastValue.Parse("f32", "nan:canonical").ToString());
        Assert.Equal("f64:-0 (0x8000000000000000)", WastValue.Describe(WasmValue.F64(-0.0)));
        Assert.Equal("externref:7", WastValue.Describe(WasmValue.ExternRef(new HostReference(7))));
    }
}
