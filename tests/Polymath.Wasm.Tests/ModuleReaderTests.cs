using static Polymath.Wasm.Tests.WasmBuilder;

namespace Polymath.Wasm.Tests;

public class ModuleReaderTests
{
    private static WasmModuleException Malformed(byte[] wasm, string reason)
    {
        var e = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(wasm));
        Assert.Equal(WasmErrorKind.Malformed, e.Kind);
        Assert.Equal(reason, e.Reason);
        return e;
    }

    [Fact]
    public void Empty_module()
    {
        var m = Load(Header);
        Assert.Empty(m.Types);
        Assert.Equal(0, m.TotalFunctionCount);
        Assert.Equal(WasmFeatures.None, m.Features);
    }

    [Theory]
    [InlineData("", "unexpected end")]
    [InlineData("0061", "unexpected end")]
    [InlineData("0061736D01", "unexpected end")]
    [InlineData("01", "unexpected end")]
    [InlineData("0061736D010000", "unexpected end")]
    [InlineData("0061736E01000000", "magic header not detected")]
    [InlineData("6D736100", "magic header not detected")]
    [InlineData("0061736D02000000", "unknown binary version")]
    [InlineData("0061736D00000001", "unknown binary version")]
    public void Header_errors(string hex, string reason) => Malformed(Convert.FromHexString(hex), reason);

    [Fact]
    public void Type_section()
    {
        var m = Load(Module(Types(FuncType([I32, I64], [F32]), FuncType([], []), FuncType([FuncRef], [F64, ExternRef]))));
        Assert.Equal(3, m.Types.Count);
        Assert.Equal(new[] { ValueType.I32, ValueType.I64 }, m.Types[0].Parameters);
        Assert.Equal(new[] { ValueType.F32 }, m.Types[0].Results);
        Assert.Same(FuncType.Empty, m.Types[1]);
        Assert.Equal(new[] { ValueType.F64, ValueType.ExternRef }, m.Types[2].Results);
        Assert.True(m.Features.HasFlag(WasmFeatures.MultiValue));
        Assert.True(m.Features.HasFlag(WasmFeatures.ReferenceTypes));

        Malformed(Module(Section(1, Vec(Cat(0x61, 0, 0)))), "malformed functype");
        Malformed(Module(Section(1, Vec(Cat(0x60, 1, 0x7A, 0)))), "malformed value type");
    }

    [Fact]
    public void Import_section_all_kinds()
    {
        var m = Load(Module(
            Types(FuncType([I32], [])),
            Section(2, Vec(
                Cat("env", "f", 0x00, 0x00),
                Cat("env", "t", 0x01, FuncRef, 0x01, 1, 10),
                Cat("env", "m", 0x02, 0x00, 2),
                Cat("env", "g", 0x03, I64, 0x01)))));
        Assert.Equal(4, m.Imports.Count);
        Assert.Equal(("env", "f", ExternKind.Function, 0u), (m.Imports[0].Module, m.Imports[0].Name, m.Imports[0].Kind, m.Imports[0].TypeIndex));
        Assert.Equal(new TableType(ValueType.FuncRef, new Limits(1, 10)), m.Imports[1].Table);
        Assert.Equal(new MemoryType(new Limits(2, null)), m.Imports[2].Memory);
        Assert.Equal(new GlobalType(ValueType.I64, true), m.Imports[3].Global);
        Assert.Equal((1, 1, 1, 1), (m.ImportedFunctionCount, m.ImportedTableCount, m.ImportedMemoryCount, m.ImportedGlobalCount));
        Assert.True(m.Features.HasFlag(WasmFeatures.MutableGlobals));
        Assert.Same(m.Types[0], m.GetFunctionType(0));

        Malformed(Module(Section(2, Vec(Cat("a", "b", 0x04, 0)))), "malformed import kind");
        Malformed(Module(Section(2, Vec(Cat("a", "b", 0x03, I32, 0x02)))), "malformed mutability");
        Malformed(Module(Section(2, Vec(Cat("a", "b", 0x01, I32, 0x00, 0)))), "malformed reference type");
    }

    [Fact]
    public void Function_and_code_sections()
    {
        var m = Load(Module(
            Types(FuncType([I32], [I32])),
            Functions(0, 0),
            Code(Body([0x20, 0x00]), Body([0x20, 0x03, 0x1A, 0x20, 0x00], (2, I64), (1, F32)))));
        Assert.Equal(2, m.Functions.Count);
        Assert.Equal(0, m.Codes[0].LocalCount);
        Assert.Equal(3, m.Codes[1].LocalCount);
        Assert.Equal(new[] { new LocalRun(2, ValueType.I64), new LocalRun(1, ValueType.F32) }, m.Codes[1].Locals);
        Assert.Equal(new byte[] { 0x20, 0x03, 0x1A, 0x20, 0x00, 0x0B }, m.Codes[1].Code.ToArray());
        // CodeOffset points at the first instruction byte in the module.
        var wasm = Module(Types(FuncType([], [])), Functions(0), Code(Body([0x01])));
        var body = ModuleReader.Read(wasm).Codes[0];
        Assert.Equal(0x01, wasm[body.CodeOffset]);

        Malformed(Module(Types(FuncType([], [])), Functions(0, 0), Code(Body([]))), "function and code section have inconsistent lengths");
        Malformed(Module(Types(FuncType([], [])), Functions(0)), "function and code section have inconsistent lengths");
        Malformed(Module(Types(FuncType([], [])), Code(Body([]))), "function and code section have inconsistent lengths");
    }

    [Fact]
    public void Locals_total_beyond_u32_is_malformed_and_beyond_the_limit_invalid()
    {
        var tooMany = Module(Types(FuncType([], [])), Functions(0),
            Code(Body([], (0xFFFFFFFF, I32), (1, I32))));
        Malformed(tooMany, "too many locals");

        var overLimit = Module(Types(FuncType([], [])), Functions(0),
            Code(Body([], ((uint)ModuleReader.MaxLocals + 1, I32))));
        var e = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(overLimit));
        Assert.Equal(WasmErrorKind.Invalid, e.Kind);
        Assert.Contains("too many locals", e.Reason);

        Load(Module(Types(FuncType([], [])), Functions(0), Code(Body([], ((uint)ModuleReader.MaxLocals, I32)))));
    }

    // Hostile audit 3 (issue #24): counts beyond the implementation limits are refused, naming the count and the limit,
    // before anything is allocated (the section holds as many zero bytes as the count, so the bytes could satisfy it);
    // a count at the limit is read on (and fails at its first item here); a count the bytes left cannot satisfy stays
    // malformed, as the spec's decoder has it.
    [Theory]
    [InlineData(2, "imports", ModuleReader.MaxImports)]
    [InlineData(3, "functions", ModuleReader.MaxFunctions)]
    [InlineData(4, "tables", ModuleReader.MaxTables)]
    [InlineData(6, "globals", ModuleReader.MaxGlobals)]
    [InlineData(9, "element segments", ModuleReader.MaxElementSegments)]
    [InlineData(11, "data segments", ModuleReader.MaxDataSegments)]
    public void Counts_beyond_the_implementation_limits_are_refused(byte section, string what, int max)
    {
        var over = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(Module(Section(section, U32((uint)max + 1), new byte[max + 1]))));
        Assert.Equal(WasmErrorKind.Invalid, over.Kind);
        Assert.Contains($"too many {what} ({max + 1}; this implementation accepts at most {max})", over.Reason);
        var at = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(Module(Section(section, U32((uint)max), new byte[max]))));
        Assert.DoesNotContain("too many", at.Reason);
        var unsatisfiable = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(Module(Section(section, U32((uint)max + 1)))));
        Assert.Equal(WasmErrorKind.Malformed, unsatisfiable.Kind);
    }

    [Fact]
    public void Imported_and_defined_functions_count_together()
    {
        // One imported function and MaxFunctions defined ones: over the limit by one.
        var import = Section(2, Vec(Cat(Name("m"), Name("f"), 0x00, U32(0))));
        var e = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(Module(Types(FuncType([], [])), import,
            Section(3, U32((uint)ModuleReader.MaxFunctions), new byte[ModuleReader.MaxFunctions]))));
        Assert.Contains($"too many functions ({ModuleReader.MaxFunctions + 1};", e.Reason);
    }

    [Fact]
    public void The_validator_records_operand_height_and_instruction_count()
    {
        // (i32.const 1) (i32.const 2) (i32.const 3) drop drop drop end (Body adds the end): height 3, 7 instructions.
        var m = Load(Module(Types(FuncType([], [])), Functions(0),
            Code(Body([0x41, 1, 0x41, 2, 0x41, 3, 0x1A, 0x1A, 0x1A]))));
        Assert.Equal(3, m.Codes[0].MaxOperandHeight);
        Assert.Equal(7, m.Codes[0].InstructionCount);
        Assert.Equal(0, ModuleReader.Read(Module(Types(FuncType([], [])), Functions(0), Code(Body([])))).Codes[0].MaxOperandHeight);
    }

    [Fact]
    public void Table_memory_global_export_start_sections()
    {
        var m = Load(Module(
            Types(FuncType([], [])),
            Functions(0),
            Section(4, Vec(Cat(FuncRef, 0x00, 3), Cat(ExternRef, 0x01, 0, 5))),
            Section(5, Vec(Cat(0x01, 1, U32(65536)))),
            Section(6, Vec(Cat(I32, 0x00, 0x41, S64(-7), 0x0B), Cat(F64, 0x01, 0x44, BitConverter.GetBytes(1.5), 0x0B), Cat(FuncRef, 0x00, 0xD2, 0, 0x0B))),
            Section(7, Vec(Cat("f", 0x00, 0), Cat("t", 0x01, 1), Cat("m", 0x02, 0), Cat("g", 0x03, 1))),
            Section(8, 0),
            Code(Body([]))));
        Assert.Equal(new TableType(ValueType.ExternRef, new Limits(0, 5)), m.Tables[1]);
        Assert.Equal(new Limits(1, 65536), m.Memories[0].Limits);
        Assert.Equal(new ConstantExpression(ConstantKind.Const, ValueType.I32, unchecked((uint)-7), 0), m.Globals[0].Init);
        Assert.Equal((ulong)BitConverter.DoubleToInt64Bits(1.5), m.Globals[1].Init.Bits);
        Assert.True(m.Globals[1].Type.Mutable);
        Assert.Equal(ConstantKind.RefFunc, m.Globals[2].Init.Kind);
        Assert.Equal(new Export("g", ExternKind.Global, 1), m.Exports[3]);
        Assert.Equal(0u, m.Start);
        Assert.Equal("f", m.GetFunctionName(0));

        Malformed(Module(Section(5, Vec(Cat(0x02, 1)))), "integer too large");
        Malformed(Module(Section(5, Vec(Cat(0x81, 0, 1)))), "integer representation too long");
        Malformed(Module(Section(7, Vec(Cat("x", 0x04, 0)))), "malformed export kind");
    }

    [Fact]
    public void Element_section_all_eight_encodings()
    {
        byte[] offset = [0x41, 0x00, 0x0B];
        byte[] refFunc0 = [0xD2, 0x00, 0x0B];
        byte[] refNull = [0xD0, FuncRef, 0x0B];
        var m = Load(Module(
            Types(FuncType([], [])),
            Functions(0),
            Section(4, Vec(Cat(FuncRef, 0x00, 4))),
            Section(9, Vec(
                Cat(U32(0), offset, Vec(U32(0))),
                Cat(U32(1), 0x00, Vec(U32(0), U32(0))),
                Cat(U32(2), U32(0), offset, 0x00, Vec(U32(0))),
                Cat(U32(3), 0x00, Vec(U32(0))),
                Cat(U32(4), offset, Vec(refFunc0, refNull)),
                Cat(U32(5), FuncRef, Vec(refNull)),
                Cat(U32(6), U32(0), offset, FuncRef, Vec(refFunc0)),
                Cat(U32(7), FuncRef, Vec(refFunc0)))),
            Code(Body([]))));
        var modes = m.Elements.Select(e => e.Mode).ToArray();
        Assert.Equal(new[] { SegmentMode.Active, SegmentMode.Passive, SegmentMode.Active, SegmentMode.Declarative,
                             SegmentMode.Active, SegmentMode.Passive, SegmentMode.Active, SegmentMode.Declarative }, modes);
        Assert.Equal(2, m.Elements[1].Items.Count);
        Assert.Equal(ConstantKind.RefNull, m.Elements[4].Items[1].Kind);
        Assert.Equal(ConstantKind.Const, m.Elements[2].Offset!.Value.Kind);
        Assert.Null(m.Elements[1].Offset);
        Assert.True(m.Features.HasFlag(WasmFeatures.BulkMemory));
        Assert.True(m.Features.HasFlag(WasmFeatures.ReferenceTypes));

        Malformed(Module(Section(9, Vec(Cat(U32(8), 0)))), "malformed elements segment kind");
        Malformed(Module(Section(9, Vec(Cat(U32(1), 0x01, Vec())))), "malformed element kind");
    }

    [Fact]
    public void Data_and_datacount_sections()
    {
        var m = Load(Module(
            Memory(1),
            Section(12, 3),
            Section(11, Vec(
                Cat(U32(0), 0x41, 0x08, 0x0B, Name("ab")),
                Cat(U32(1), Name("xyz")),
                Cat(U32(2), U32(0), 0x41, 0x00, 0x0B, Name(""))))));
        Assert.Equal(3u, m.DataCount);
        Assert.Equal("ab"u8.ToArray(), m.Datas[0].Bytes.ToArray());
        Assert.Equal(8ul, m.Datas[0].Offset!.Value.Bits);
        Assert.Equal(SegmentMode.Passive, m.Datas[1].Mode);
        Assert.Equal(0, m.Datas[2].Bytes.Length);

        Malformed(Module(Memory(1), Section(12, 2), Section(11, Vec(Cat(U32(1), Name("a"))))), "data count and data section have inconsistent lengths");
        Malformed(Module(Section(12, 1)), "data count and data section have inconsistent lengths");
        Malformed(Module(Section(11, Vec(Cat(U32(3), Name("a"))))), "malformed data segment kind");
    }

    [Fact]
    public void Section_order_duplicates_and_sizes()
    {
        Malformed(Module(Functions(), Types()), "unexpected content after last section");
        Malformed(Module(Types(), Types()), "unexpected content after last section");
        Malformed(Module(Code(), Section(12, 0)), "unexpected content after last section");
        Malformed(Module(Section(13, 0)), "malformed section id");
        Malformed(Cat(Header, 0x01, 0x05, 0x00), "length out of bounds");
        Malformed(Cat(Header, 0x01, 0x02, 0x00, 0x00), "section size mismatch");
        Malformed(Cat(Header, 0x01, 0x01, 0x01), "unexpected end of section or function");
        // datacount sits between element and code
        Load(Module(Types(FuncType([], [])), Functions(0), Section(9, Vec()), Section(12, 0), Code(Body([])), Section(11, Vec())));
    }

    [Fact]
    public void Custom_sections_kept_in_order_anywhere()
    {
        var m = Load(Module(
            Section(0, "first", 1, 2, 3),
            Types(),
            Section(0, "second"),
            Section(0, "first")));
        Assert.Equal(new[] { "first", "second", "first" }, m.CustomSections.Select(c => c.Name));
        Assert.Equal(new byte[] { 1, 2, 3 }, m.CustomSections[0].Data.ToArray());
        Assert.Null(m.Names);

        Malformed(Module(Section(0, 0x02, 0xC0, 0x80)), "malformed UTF-8 encoding");
        Malformed(Module(Section(0)), "unexpected end of section or function");
    }

    [Fact]
    public void Name_section_is_decoded()
    {
        var names = Section(0, "name",
            Cat(0, U32((uint)Name("mod").Length), Name("mod")),
            Cat(1, U32((uint)Vec(Cat(U32(0), "imp"), Cat(U32(1), "main")).Length), Vec(Cat(U32(0), "imp"), Cat(U32(1), "main"))),
            Cat(2, U32((uint)Vec(Cat(U32(1), Vec(Cat(U32(0), "x"), Cat(U32(1), "y")))).Length), Vec(Cat(U32(1), Vec(Cat(U32(0), "x"), Cat(U32(1), "y"))))),
            Cat(7, 2, 0xAA, 0xBB)); // unknown subsection: skipped
        var m = Load(Module(
            Types(FuncType([I32], [])),
            Section(2, Vec(Cat("env", "f", 0x00, 0x00))),
            Functions(0),
            Code(Body([], (1, I32))),
            names));
        Assert.NotNull(m.Names);
        Assert.Equal("mod", m.Names!.ModuleName);
        Assert.Equal("imp", m.GetFunctionName(0));
        Assert.Equal("main", m.GetFunctionName(1));
        Assert.Equal("y", m.Names.LocalNames[1][1]);
        Assert.Single(m.CustomSections);
    }

    [Fact]
    public void Malformed_name_section_is_kept_raw_and_the_module_loads()
    {
        foreach (var payload in new[]
                 {
                     Cat(1, 5, 1, 0),                 // subsection size beyond the section
                     Cat(1, 3, 1, 0, 0x05),          // name length beyond the subsection
                     Cat(0, 3, 2, 0xC0, 0x80),       // bad UTF-8
                     Cat(1, 1, 0, 0, 1, 0),          // out-of-order subsection id
                     Cat(1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F),
                 })
        {
            var m = Load(Module(Section(0, "name", payload)));
            Assert.Null(m.Names);
            Assert.Equal("name", Assert.Single(m.CustomSections).Name);
            Assert.Equal(payload, m.CustomSections[0].Data.ToArray());
        }
    }

    [Fact]
    public void Huge_declared_counts_fail_fast_without_allocating()
    {
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        foreach (byte id in new byte[] { 1, 2, 3, 4, 5, 6, 7, 9, 10, 11 })
        {
            var e = Assert.Throws<WasmModuleException>(() => ModuleReader.Read(Module(Section(id, huge, 0x00))));
            Assert.Equal(WasmErrorKind.Malformed, e.Kind);
        }
        // a function with 2^32-1 br_table targets
        var brTable = Module(Types(FuncType([], [])), Functions(0), Code(Body(Cat(0x41, 0, 0x0E, huge, 0))));
        Assert.Equal(WasmErrorKind.Malformed, Assert.Throws<WasmModuleException>(() => Load(brTable)).Kind);
    }

    [Fact]
    public void Constant_expression_shapes_are_invalid_not_malformed()
    {
        // two constants, nothing, a non-constant instruction: well-formed, so the reader accepts them and the validator rejects them.
        foreach (var (init, reason) in new[]
                 {
                     (Cat(0x41, 0, 0x41, 0, 0x0B), "type mismatch"),
                     (Cat(0x0B), "type mismatch"),
                     (Cat(0x41, 0, 0x67, 0x0B), "constant expression required"),
                     (Cat(0x01, 0x0B), "constant expression required"),
                     (Cat(0x02, 0x40, 0x0B, 0x41, 0, 0x0B), "constant expression required"),
                 })
        {
            var wasm = Module(Section(6, Vec(Cat(I32, 0x00, init))));
            ModuleReader.Read(wasm);
            Fails(wasm, WasmErrorKind.Invalid, reason);
        }
        Malformed(Module(Section(6, Vec(Cat(I32, 0x00, 0x41, 0)))), "unexpected end of section or function");
        Malformed(Module(Section(6, Vec(Cat(I32, 0x00, 0xFF, 0x0B)))), "illegal opcode");
    }

    [Fact]
    public void Corpus_modules_read_and_validate()
    {
        var a = Load(Corpus.ModuleA);
        Assert.Equal(2, a.Imports.Count(i => i.Kind != ExternKind.Memory));
        Assert.Equal("fac", a.GetFunctionName(2));
        Assert.Equal(5u, a.Start);
        var b = Load(Corpus.ModuleB);
        Assert.Equal(2, b.Tables.Count);
    }

    [Fact]
    public void A_module_cannot_be_changed_from_outside_once_read()
    {
        // Every property is get-only or init-only for other assemblies (Features is completed by the validator
        // through an internal setter), so a validated module stays as validated.
        foreach (var property in typeof(Module).GetProperties())
        {
            var setter = property.SetMethod;
            if (setter is null || !setter.IsPublic) continue;
            bool initOnly = setter.ReturnParameter.GetRequiredCustomModifiers()
                .Contains(typeof(System.Runtime.CompilerServices.IsExternalInit));
            Assert.True(initOnly, $"Module.{property.Name} has a public setter");
        }
    }
}
