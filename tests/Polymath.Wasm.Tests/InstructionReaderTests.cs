namespace Polymath.Wasm.Tests;

public class InstructionReaderTests
{
    private static byte[] H(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static WasmModuleException Malformed(string hex, int offset, ReaderAction read)
    {
        var e = Assert.Throws<WasmModuleException>(() =>
        {
            var r = new InstructionReader(H(hex), 100);
            read(ref r);
        });
        Assert.Equal(WasmErrorKind.Malformed, e.Kind);
        Assert.Equal(100 + offset, e.Offset);
        return e;
    }

    private delegate void ReaderAction(ref InstructionReader r);

    [Fact]
    public void Opcode_enum_names_exactly_the_defined_single_byte_opcodes()
    {
        int defined = 0;
        for (int b = 0; b < 256; b++)
        {
            bool named = Enum.IsDefined(typeof(Opcode), (byte)b);
            Assert.True(named == InstructionReader.IsDefined((Opcode)b), $"opcode 0x{b:X2}");
            if (named) defined++;
        }
        // 2.0: 6 (unreachable..else) + 7 (end..call_indirect) + 3 parametric + 7 variable/table + 25 memory
        // + 4 const + 128 numeric (0x45..0xC4) + 3 reference + 2 prefixes.
        Assert.Equal(185, defined);
    }

    [Fact]
    public void Prefixed_and_simd_enums_name_exactly_the_defined_sub_opcodes()
    {
        for (uint sub = 0; sub < 64; sub++)
            Assert.Equal(Enum.IsDefined(typeof(PrefixedOpcode), sub), InstructionReader.IsDefined((PrefixedOpcode)sub));
        int simd = 0;
        for (uint sub = 0; sub < 512; sub++)
        {
            bool named = Enum.IsDefined(typeof(SimdOpcode), sub);
            Assert.True(named == InstructionReader.IsDefined((SimdOpcode)sub), $"SIMD sub-opcode 0x{sub:X2}");
            if (named) simd++;
        }
        Assert.Equal(236, simd);
        Assert.Equal(18, Enum.GetValues<PrefixedOpcode>().Length);
    }

    [Fact]
    public void Reads_opcodes_and_sub_opcodes_as_enums()
    {
        var r = new InstructionReader(H("20 FC 0B FD 0C FD 80 01"));
        Assert.Equal(Opcode.LocalGet, r.PeekOpcode());
        Assert.Equal(Opcode.LocalGet, r.ReadOpcode());
        Assert.Equal(Opcode.Prefix0xFC, r.ReadOpcode());
        Assert.Equal(PrefixedOpcode.MemoryFill, r.ReadPrefixedOpcode());
        Assert.Equal(Opcode.Prefix0xFD, r.ReadOpcode());
        Assert.Equal(SimdOpcode.V128Const, r.ReadSimdOpcode());
        Assert.Equal(Opcode.Prefix0xFD, r.ReadOpcode());
        Assert.Equal(SimdOpcode.I16x8Abs, r.ReadSimdOpcode()); // 0x80 as a two-byte LEB128
        Assert.True(r.IsAtEnd);
    }

    [Theory]
    [InlineData("40", BlockTypeKind.Empty, (ValueType)0, 0u)]
    [InlineData("7F", BlockTypeKind.Value, ValueType.I32, 0u)]
    [InlineData("7B", BlockTypeKind.Value, ValueType.V128, 0u)]
    [InlineData("6F", BlockTypeKind.Value, ValueType.ExternRef, 0u)]
    [InlineData("05", BlockTypeKind.TypeIndex, (ValueType)0, 5u)]
    [InlineData("8001", BlockTypeKind.TypeIndex, (ValueType)0, 128u)]
    [InlineData("FFFFFFFF0F", BlockTypeKind.TypeIndex, (ValueType)0, uint.MaxValue)]
    public void Reads_block_types(string hex, BlockTypeKind kind, ValueType result, uint typeidx)
    {
        var r = new InstructionReader(H(hex));
        var bt = r.ReadBlockType();
        Assert.True(r.IsAtEnd);
        Assert.Equal(kind, bt.Kind);
        Assert.Equal(result, bt.Result);
        Assert.Equal(typeidx, bt.TypeIndex);
    }

    [Fact]
    public void Block_type_arity()
    {
        FuncType[] types = [new([ValueType.I32, ValueType.I64], [ValueType.F32])];
        Assert.Equal((0, 0), BlockType.Empty.Arity(types));
        Assert.Equal((0, 1), BlockType.FromValueType(ValueType.F64).Arity(types));
        Assert.Equal((2, 1), BlockType.FromTypeIndex(0).Arity(types));
    }

    [Theory]
    [InlineData("6E")] // a one-byte negative s33 that is no value type
    [InlineData("7F7F")]
    public void Negative_type_index_is_a_malformed_block_type(string hex)
    {
        var r = new InstructionReader(H(hex));
        if (hex.Length > 2)
        {
            // 0x7F 0x7F: the first byte is i32; what follows is the next instruction, not part of the block type.
            Assert.Equal(BlockType.FromValueType(ValueType.I32), r.ReadBlockType());
            return;
        }
        Assert.Equal("malformed block type", Malformed(hex, 0, (ref InstructionReader x) => x.ReadBlockType()).Reason);
    }

    [Fact]
    public void Reads_a_branch_table_without_allocating_its_labels()
    {
        var r = new InstructionReader(H("03 00 8001 02 05 0B"));
        var table = r.ReadBranchTable();
        Assert.Equal(3, table.Count);
        Assert.Equal(5u, table.Default);
        var labels = new List<uint>();
        foreach (uint labelidx in table) labels.Add(labelidx);
        Assert.Equal([0u, 128u, 2u], labels);
        Assert.Equal(Opcode.End, r.ReadOpcode());

        var empty = new InstructionReader(H("00 07")).ReadBranchTable();
        Assert.Equal(0, empty.Count);
        Assert.Equal(7u, empty.Default);
        foreach (uint _ in empty) Assert.Fail("no labels expected");
    }

    [Fact]
    public void A_branch_table_longer_than_the_code_is_malformed() =>
        Assert.Equal("length out of bounds", Malformed("05 00 00", 0, (ref InstructionReader r) => r.ReadBranchTable()).Reason);

    [Fact]
    public void Reads_index_immediates()
    {
        var r = new InstructionReader(H("07 8002 03 04 05 06 07 08 09 0A"));
        Assert.Equal(7u, r.ReadLabelIndex());
        Assert.Equal(256u, r.ReadFunctionIndex());
        r.ReadCallIndirect(out uint typeidx, out uint tableidx);
        Assert.Equal((3u, 4u), (typeidx, tableidx));
        Assert.Equal(5u, r.ReadLocalIndex());
        Assert.Equal(6u, r.ReadGlobalIndex());
        Assert.Equal(7u, r.ReadTableIndex());
        Assert.Equal(8u, r.ReadElementIndex());
        Assert.Equal(9u, r.ReadDataIndex());
        Assert.Equal(10u, r.ReadLabelIndex());
        Assert.True(r.IsAtEnd);
    }

    [Fact]
    public void Reads_select_types_as_value_types()
    {
        var r = new InstructionReader(H("01 7F 02 7E 70"));
        Assert.Equal([ValueType.I32], r.ReadSelectTypes().ToArray());
        Assert.Equal([ValueType.I64, ValueType.FuncRef], r.ReadSelectTypes().ToArray());
        Assert.Equal("malformed value type", Malformed("02 7F 40", 2, (ref InstructionReader x) => x.ReadSelectTypes()).Reason);
    }

    [Fact]
    public void Reads_memarg_and_memory_index()
    {
        var r = new InstructionReader(H("02 8001 00"));
        Assert.Equal(new MemArg(2, 128), r.ReadMemArg());
        Assert.Equal(0u, r.ReadMemoryIndex());
        Assert.Equal("zero byte expected", Malformed("01", 0, (ref InstructionReader x) => x.ReadMemoryIndex()).Reason);
    }

    [Fact]
    public void Reads_reference_types()
    {
        var r = new InstructionReader(H("70 6F"));
        Assert.Equal(ValueType.FuncRef, r.ReadReferenceType());
        Assert.Equal(ValueType.ExternRef, r.ReadReferenceType());
        Assert.Equal("malformed reference type", Malformed("7F", 0, (ref InstructionReader x) => x.ReadReferenceType()).Reason);
    }

    [Fact]
    public void Reads_constants_bit_exactly()
    {
        var r = new InstructionReader(H(
            "7F 8080808078 0100A07F 010000000000F87F" +
            "000102030405060708090A0B0C0D0E0F 1F1E1D1C1B1A19181716151413121110 0F"));
        Assert.Equal(-1, r.ReadI32());
        Assert.Equal(-2147483648L, r.ReadI64());
        Assert.Equal(0x7FA00001u, r.ReadF32()); // a signalling NaN, payload kept
        Assert.Equal(0x7FF8000000000001ul, r.ReadF64());
        Assert.Equal(H("000102030405060708090A0B0C0D0E0F"), r.ReadV128().ToArray());
        Assert.Equal(H("1F1E1D1C1B1A19181716151413121110"), r.ReadShuffleLanes().ToArray());
        Assert.Equal(15, r.ReadLaneIndex());
        Assert.True(r.IsAtEnd);
    }

    [Theory]
    // opcode + immediates, each a whole instruction
    [InlineData("00")] [InlineData("01")] [InlineData("0240")] [InlineData("037F")] [InlineData("0405")]
    [InlineData("05")] [InlineData("0B")] [InlineData("0C00")] [InlineData("0D01")] [InlineData("0E020001 02")]
    [InlineData("0F")] [InlineData("1000")] [InlineData("110100")] [InlineData("1A")] [InlineData("1B")]
    [InlineData("1C017F")] [InlineData("2000")] [InlineData("2101")] [InlineData("2202")] [InlineData("2300")]
    [InlineData("2400")] [InlineData("2500")] [InlineData("2600")] [InlineData("28 02 10")] [InlineData("3E 02 8001")]
    [InlineData("3F00")] [InlineData("4000")] [InlineData("41 7F")] [InlineData("42 8080808080808080807F")]
    [InlineData("43 0000803F")] [InlineData("44 000000000000F03F")] [InlineData("45")] [InlineData("C4")]
    [InlineData("D070")] [InlineData("D1")] [InlineData("D203")]
    [InlineData("FC00")] [InlineData("FC07")] [InlineData("FC08 03 00")] [InlineData("FC09 03")] [InlineData("FC0A 00 00")]
    [InlineData("FC0B 00")] [InlineData("FC0C 01 02")] [InlineData("FC0D 01")] [InlineData("FC0E 01 02")]
    [InlineData("FC0F 00")] [InlineData("FC10 00")] [InlineData("FC11 00")]
    [InlineData("FD00 04 00")] [InlineData("FD0B 04 00")] [InlineData("FD0C 000102030405060708090A0B0C0D0E0F")]
    [InlineData("FD0D 000102030405060708090A0B0C0D0E0F")] [InlineData("FD0E")] [InlineData("FD15 0F")]
    [InlineData("FD22 01")] [InlineData("FD54 00 00 0F")] [InlineData("FD5B 03 00 01")] [InlineData("FD5C 02 00")]
    [InlineData("FD5D 03 00")] [InlineData("FDFF01")] [InlineData("FD8001")]
    public void Skips_the_immediates_of_every_kind_of_instruction(string hex)
    {
        var r = new InstructionReader(H(hex));
        r.SkipImmediates(r.ReadOpcode());
        Assert.True(r.IsAtEnd, $"{hex}: stopped at {r.Position}");
    }

    [Fact]
    public void Skipping_an_undefined_opcode_is_malformed()
    {
        for (int b = 0; b < 256; b++)
        {
            if (InstructionReader.IsDefined((Opcode)b)) continue;
            var e = Malformed($"00 {b:X2} 00 00", 1, (ref InstructionReader r) => { r.ReadOpcode(); r.SkipImmediates(r.ReadOpcode()); });
            Assert.Equal("illegal opcode", e.Reason);
        }
        Assert.Equal("illegal opcode", Malformed("FC 12", 1, (ref InstructionReader r) => r.SkipImmediates(r.ReadOpcode())).Reason);
        Assert.Equal("illegal opcode", Malformed("FD 9A01", 1, (ref InstructionReader r) => r.SkipImmediates(r.ReadOpcode())).Reason);
        Assert.Equal("zero byte expected", Malformed("FC 0A 00 01", 3, (ref InstructionReader r) => r.SkipImmediates(r.ReadOpcode())).Reason);
    }

    [Fact]
    public void Truncated_immediates_are_malformed() =>
        Assert.Equal("unexpected end", Malformed("44 0000", 3, (ref InstructionReader r) => r.SkipImmediates(r.ReadOpcode())).Reason);

    [Fact]
    public void Walks_every_body_of_a_real_module_to_its_end_without_allocating()
    {
        var module = ModuleReader.ReadAndValidate(Corpus.ModuleA);
        for (int pass = 0; pass < 2; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int instructions = 0;
            for (int i = 0; i < module.Codes.Count; i++)
            {
                var body = module.Codes[i];
                var r = new InstructionReader(body.Code.Span, body.CodeOffset);
                int depth = 1;
                while (true)
                {
                    var op = r.ReadOpcode();
                    instructions++;
                    if (op is Opcode.Block or Opcode.Loop or Opcode.If) depth++;
                    if (op == Opcode.End && --depth == 0) break;
                    r.SkipImmediates(op);
                }
                Assert.True(r.IsAtEnd);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(instructions > 40, $"{instructions} instructions");
            if (pass == 1) Assert.Equal(0, allocated);
        }
    }
}
