using static Polymath.Wasm.Tests.WasmBuilder;

namespace Polymath.Wasm.Tests;

public class ModuleValidatorTests
{
    private static byte[] F(byte[] parameters, byte[] results, params object[] code) =>
        OneFunction(parameters, results, Cat(code));

    private static byte[] FMem(byte[] parameters, byte[] results, params object[] code) =>
        OneFunction(parameters, results, Cat(code), Memory(1));

    private static void Invalid(byte[] wasm, string reason) => Fails(wasm, WasmErrorKind.Invalid, reason);

    [Fact]
    public void Operand_types_are_checked()
    {
        Load(F([I32, I32], [I32], 0x20, 0, 0x20, 1, 0x6A));
        Invalid(F([I32, I64], [I32], 0x20, 0, 0x20, 1, 0x6A), "type mismatch");
        Invalid(F([], [I32]), "type mismatch");                       // missing result
        Invalid(F([], [], 0x41, 1), "type mismatch");                 // value left over
        Invalid(F([], [], 0x1A), "type mismatch");                    // drop on empty stack
        Invalid(F([], [I32], 0x42, 0), "type mismatch");
    }

    [Fact]
    public void Errors_name_the_function_and_offset()
    {
        var wasm = F([I32, I64], [I32], 0x20, 0, 0x20, 1, 0x6A);
        var e = Fails(wasm, WasmErrorKind.Invalid, "type mismatch");
        Assert.Equal(0u, e.FunctionIndex);
        Assert.Equal(0x6A, wasm[e.Offset]);
    }

    [Fact]
    public void Module_level_errors_point_at_their_section()
    {
        var wasm = Module(Types(FuncType([], [])), Functions(0), Section(7, Vec(Cat("a", 0, 0), Cat("a", 0, 0))), Code(Body([])));
        var e = Fails(wasm, WasmErrorKind.Invalid, "duplicate export name");
        Assert.Null(e.FunctionIndex);
        Assert.Equal(0x07, wasm[e.Offset - 2]); // section id, size, then the content the offset points at
    }

    [Fact]
    public void Function_types_by_funcidx()
    {
        var m = Load(Module(
            Types(FuncType([I32], []), FuncType([], [I64])),
            Section(2, Vec(Cat("e", "a", 0x00, 1), Cat("e", "m", 0x02, 0x00, 0), Cat("e", "b", 0x00, 0))),
            Functions(1, 0),
            Code(Body([0x42, 0]), Body([]))));
        Assert.Equal(new[] { m.Types[1], m.Types[0], m.Types[1], m.Types[0] }, Enumerable.Range(0, 4).Select(i => m.GetFunctionType((uint)i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetFunctionType(4));
    }

    [Fact]
    public void Index_spaces()
    {
        Invalid(F([], [], 0x20, 0, 0x1A), "unknown local");
        Invalid(F([], [], 0x23, 0, 0x1A), "unknown global");
        Invalid(F([], [], 0x10, 5), "unknown function");
        Invalid(F([], [], 0x0C, 1), "unknown label");
        Invalid(F([], [], 0x41, 0, 0x11, 0, 0), "unknown table");
        Invalid(F([], [I32], 0x41, 0, 0x28, 2, 0), "unknown memory");
        Invalid(F([], [], 0x02, 0x05, 0x0B), "unknown type");
        Invalid(F([], [], 0xFC, 13, 0), "unknown elem segment");
        Invalid(F([], [I32], 0x3F, 0), "unknown memory");
    }

    [Fact]
    public void Unreachable_code_is_stack_polymorphic()
    {
        Load(F([], [I32], 0x00));                                    // unreachable then end: any results
        Load(F([], [I32], 0x00, 0x6A));                              // i32.add on Unknowns
        Load(F([], [I64], 0x00, 0x1B));                              // select on Unknowns
        Load(F([], [I32], 0x41, 0, 0x0C, 0, 0x41, 0));                        // values after br are fine...
        Invalid(F([], [I32], 0x41, 0, 0x0C, 0, 0x42, 0), "type mismatch");    // ...but still typed
        Invalid(F([], [], 0x00, 0x42, 0, 0x6A), "type mismatch");    // known i64 operand to i32.add
        Load(F([], [], 0x0F, 0x1A, 0x1A));
    }

    [Fact]
    public void Blocks_loops_ifs_and_multi_value()
    {
        var twoToTwo = FuncType([I32, I64], [I64, I32]);
        var wasm = Module(
            Types(FuncType([], [I32]), twoToTwo),
            Functions(0),
            Code(Body(Cat(
                0x41, 1, 0x42, 2,
                0x02, 1, 0x1A, 0x1A, 0x42, 3, 0x41, 4, 0x0B,          // block (type 1): [i32 i64] -> [i64 i32]
                0x1A, 0x1A,
                0x41, 1, 0x42, 2, 0x41, 1,
                0x04, 1, 0x1A, 0x1A, 0x42, 5, 0x41, 6, 0x05, 0x1A, 0x1A, 0x42, 7, 0x41, 8, 0x0B,
                0x1A, 0x1A,
                0x03, 0x7F, 0x41, 0, 0x0B))));
        var m = Load(wasm);
        Assert.True(m.Features.HasFlag(WasmFeatures.MultiValue));

        Invalid(F([], [], 0x41, 0, 0x04, 0x7F, 0x41, 1, 0x0B, 0x1A), "type mismatch");   // if with result needs else
        Load(F([], [], 0x41, 0, 0x04, 0x40, 0x0B));
        Invalid(F([], [], 0x04, 0x40, 0x0B), "type mismatch");                           // no condition
        Invalid(F([], [I32], 0x02, 0x7F, 0x42, 0, 0x0B), "type mismatch");
        Load(F([], [I32], 0x03, 0x7F, 0x41, 0, 0x0C, 0, 0x0B));                           // a loop's label carries its params ([])
        Fails(F([], [], 0x02, 0x40, 0x05, 0x0B), WasmErrorKind.Malformed, "END opcode expected");
    }

    [Fact]
    public void Br_table_arity_and_types()
    {
        Load(F([I32], [I32], 0x02, 0x7F, 0x41, 1, 0x20, 0, 0x0E, 1, 0, 1, 0x0B));
        Invalid(F([I32], [I32], 0x02, 0x40, 0x41, 1, 0x20, 0, 0x0E, 1, 0, 1, 0x0B, 0x41, 0), "type mismatch");
        Invalid(F([I32], [], 0x20, 0, 0x0E, 1, 0, 5), "unknown label");
        // in unreachable code, labels of different types are fine as long as the arity agrees
        Load(F([I32], [I32], 0x02, 0x7D, 0x00, 0x0E, 1, 0, 1, 0x0B, 0x1A, 0x41, 0));
    }

    [Fact]
    public void Select_rules()
    {
        Load(F([], [F64], 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 1, 0x1B));
        Invalid(F([], [I32], 0x41, 0, 0x42, 0, 0x41, 1, 0x1B), "type mismatch");
        Invalid(F([], [FuncRef], 0xD0, FuncRef, 0xD0, FuncRef, 0x41, 1, 0x1B), "type mismatch"); // untyped select on refs
        var m = Load(F([], [FuncRef], 0xD0, FuncRef, 0xD0, FuncRef, 0x41, 1, 0x1C, 1, FuncRef));
        Assert.True(m.Features.HasFlag(WasmFeatures.ReferenceTypes));
        Invalid(F([], [], 0x41, 1, 0x41, 1, 0x41, 1, 0x1C, 2, I32, I32, 0x1A), "invalid result arity");
    }

    [Fact]
    public void Memory_instructions()
    {
        Load(FMem([], [I64], 0x41, 0, 0x29, 3, 8));
        Invalid(FMem([], [I64], 0x41, 0, 0x29, 4, 8), "alignment must not be larger than natural");
        Invalid(FMem([], [I32], 0x41, 0, 0x2C, 1, 0), "alignment must not be larger than natural");
        Load(FMem([], [I32], 0x41, 1, 0x40, 0));
        Fails(FMem([], [I32], 0x41, 1, 0x40, 1), WasmErrorKind.Malformed, "zero byte expected");
        Invalid(Module(Section(5, Vec(Cat(0x00, 1), Cat(0x00, 1)))), "multiple memories");
        Invalid(Module(Section(5, Vec(Cat(0x00, U32(65537))))), "memory size must be at most 65536 pages (4GiB)");
        Invalid(Module(Section(5, Vec(Cat(0x01, 2, 1)))), "size minimum must not be greater than maximum");
        Invalid(Module(Section(4, Vec(Cat(FuncRef, 0x01, 2, 1)))), "size minimum must not be greater than maximum");
    }

    [Fact]
    public void Globals_and_constant_expressions()
    {
        byte[] importImmutable = Section(2, Vec(Cat("env", "g", 0x03, I32, 0x00)));
        byte[] importMutable = Section(2, Vec(Cat("env", "g", 0x03, I32, 0x01)));
        Load(Module(importImmutable, Section(6, Vec(Cat(I32, 0x00, 0x23, 0, 0x0B)))));
        Invalid(Module(importMutable, Section(6, Vec(Cat(I32, 0x00, 0x23, 0, 0x0B)))), "constant expression required");
        Invalid(Module(Section(6, Vec(Cat(I32, 0x00, 0x41, 0, 0x0B), Cat(I32, 0x00, 0x23, 0, 0x0B)))), "unknown global");
        Invalid(Module(Section(6, Vec(Cat(I64, 0x00, 0x41, 0, 0x0B)))), "type mismatch");
        Invalid(Module(Section(6, Vec(Cat(FuncRef, 0x00, 0xD2, 0, 0x0B)))), "unknown function");
        var setImmutable = OneFunction([], [], Cat(0x41, 0, 0x24, 0), Section(6, Vec(Cat(I32, 0x00, 0x41, 0, 0x0B))));
        Invalid(setImmutable, "global is immutable");
    }

    [Fact]
    public void Ref_func_needs_a_declared_function()
    {
        Invalid(F([], [], 0xD2, 0, 0x1A), "undeclared function reference");
        // declared by an export
        Load(OneFunction([], [], Cat(0xD2, 0, 0x1A), Section(7, Vec(Cat("f", 0x00, 0)))));
        // declared by a declarative element segment (must come after the function/export sections)
        var wasm = Module(Types(FuncType([], [])), Functions(0), Section(9, Vec(Cat(U32(3), 0x00, Vec(U32(0))))), Code(Body(Cat(0xD2, 0, 0x1A))));
        var m = Load(wasm);
        Assert.True(m.Features.HasFlag(WasmFeatures.ReferenceTypes));
        Invalid(F([], [], 0xD2, 9, 0x1A), "unknown function");
    }

    [Fact]
    public void Start_exports_elements_data()
    {
        var typeI32 = Types(FuncType([I32], []));
        Invalid(Module(typeI32, Functions(0), Section(8, 0), Code(Body([]))), "start function");
        Invalid(Module(Types(FuncType([], [])), Functions(0), Section(8, 1), Code(Body([]))), "unknown function");
        Invalid(Module(Types(FuncType([], [])), Functions(0), Section(7, Vec(Cat("a", 0, 0), Cat("a", 0, 0))), Code(Body([]))), "duplicate export name");
        Invalid(Module(Section(7, Vec(Cat("m", 2, 0)))), "unknown memory");
        Invalid(Module(Section(7, Vec(Cat("t", 1, 0)))), "unknown table");
        Invalid(Module(Section(9, Vec(Cat(U32(0), 0x41, 0, 0x0B, Vec())))), "unknown table");
        Invalid(Module(Section(4, Vec(Cat(ExternRef, 0x00, 1))), Section(9, Vec(Cat(U32(0), 0x41, 0, 0x0B, Vec())))), "type mismatch");
        Invalid(Module(Section(4, Vec(Cat(FuncRef, 0x00, 1))), Section(9, Vec(Cat(U32(0), 0x42, 0, 0x0B, Vec())))), "type mismatch");
        Invalid(Module(Section(11, Vec(Cat(U32(0), 0x41, 0, 0x0B, Name("a"))))), "unknown memory");
        Invalid(Module(Memory(1), Section(11, Vec(Cat(U32(0), 0x43, 0, 0, 0, 0, 0x0B, Name("a"))))), "type mismatch");
    }

    [Fact]
    public void Bulk_memory_and_table_instructions()
    {
        byte[] dataCount1 = Section(12, 1);
        byte[] passiveData = Section(11, Vec(Cat(U32(1), Name("a"))));
        var ok = Module(Types(FuncType([], [])), Functions(0), Memory(1), dataCount1,
            Code(Body(Cat(0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 8, 0, 0, 0xFC, 9, 0))), passiveData);
        Assert.True(Load(ok).Features.HasFlag(WasmFeatures.BulkMemory));
        // data indices in code need the data count section when there are data segments: a decoding (malformed) rule
        var noCount = Module(Types(FuncType([], [])), Functions(0), Memory(1), Code(Body(Cat(0xFC, 9, 0))), passiveData);
        Fails(noCount, WasmErrorKind.Malformed, "data count section required");
        Invalid(Module(Types(FuncType([], [])), Functions(0), Memory(1), dataCount1, Code(Body(Cat(0xFC, 9, 1))), passiveData), "unknown data segment");

        byte[] tables = Section(4, Vec(Cat(FuncRef, 0x00, 1), Cat(ExternRef, 0x00, 1)));
        Invalid(OneFunction([], [], Cat(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 0, 1), tables), "type mismatch");
        var m = Load(OneFunction([], [I32], Cat(0xD0, ExternRef, 0x41, 1, 0xFC, 15, 1), tables));
        Assert.True(m.Features.HasFlag(WasmFeatures.ReferenceTypes));
        Invalid(OneFunction([], [I32], Cat(0xD0, FuncRef, 0x41, 1, 0xFC, 15, 1), tables), "type mismatch");
        Load(OneFunction([], [ExternRef], Cat(0x41, 0, 0x25, 1), tables));
        Invalid(OneFunction([], [], Cat(0xD0, FuncRef, 0xD1, 0x1A, 0x41, 0, 0xD1, 0x1A), tables), "type mismatch");
        Invalid(OneFunction([], [], Cat(0x41, 0, 0x11, 0, 1), tables), "type mismatch");      // call_indirect through an externref table
    }

    [Fact]
    public void Feature_detection()
    {
        Assert.Equal(WasmFeatures.None, Load(F([I32], [I32], 0x20, 0, 0x67)).Features);
        Assert.Equal(WasmFeatures.SignExtension, Load(F([I32], [I32], 0x20, 0, 0xC0)).Features);
        Assert.Equal(WasmFeatures.SaturatingConversions, Load(F([F32], [I32], 0x20, 0, 0xFC, 0)).Features);
        Assert.Equal(WasmFeatures.MultiValue, Load(F([], [I32, I32], 0x41, 0, 0x41, 0)).Features);
        Assert.Equal(WasmFeatures.BulkMemory, Load(FMem([], [], 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 11, 0)).Features);
        Assert.Equal(WasmFeatures.ReferenceTypes, Load(F([], [I32], 0xD0, ExternRef, 0xD1)).Features);
        var simd = Load(F([], [I32], 0xFD, 0x0C, new byte[16], 0xFD, 0x53));
        Assert.Equal(WasmFeatures.Simd, simd.Features);
        Assert.Equal(WasmFeatures.MutableGlobals,
            Load(Module(Section(6, Vec(Cat(I32, 0x01, 0x41, 0, 0x0B))), Section(7, Vec(Cat("g", 3, 0))))).Features);
        Assert.Equal(WasmFeatures.None, Load(Module(Section(6, Vec(Cat(I32, 0x01, 0x41, 0, 0x0B))))).Features);
        var b = Load(Corpus.ModuleB);
        Assert.Equal(WasmFeatures.SignExtension | WasmFeatures.SaturatingConversions | WasmFeatures.MultiValue |
                     WasmFeatures.BulkMemory | WasmFeatures.ReferenceTypes | WasmFeatures.MutableGlobals, b.Features);
    }

    [Fact]
    public void Simd_instructions_are_validated()
    {
        Load(FMem([], [], 0x41, 0, 0xFD, 0x00, 4, 0, 0x1A));                        // v128.load align=16
        Invalid(FMem([], [], 0x41, 0, 0xFD, 0x00, 5, 0, 0x1A), "alignment must not be larger than natural");
        Invalid(F([], [I32], 0xFD, 0x0C, new byte[16], 0xFD, 0x15, 16), "invalid lane index");
        Load(F([], [I32], 0xFD, 0x0C, new byte[16], 0xFD, 0x15, 15));
        Invalid(F([], [I32], 0xFD, 0x0C, new byte[16], 0xFD, 0x1D, 0), "type mismatch"); // i64x2.extract_lane gives i64
        Fails(F([], [], 0xFD, 0x9A, 0x01), WasmErrorKind.Malformed, "illegal opcode");
    }

    [Fact]
    public void Malformed_code_wins_over_an_earlier_validation_error()
    {
        // function 0 is invalid (type mismatch), function 1 contains an unknown opcode: decoding fails first in the spec.
        var wasm = Module(Types(FuncType([], [])), Functions(0, 0), Code(Body(Cat(0x41, 0)), Body(Cat(0xFF))));
        var e = Fails(wasm, WasmErrorKind.Malformed, "illegal opcode");
        Assert.Equal(1u, e.FunctionIndex);
        Fails(Module(Types(FuncType([], [])), Functions(0), Code(Body(Cat(0x01, 0x0B, 0x01)))), WasmErrorKind.Malformed, "section size mismatch");
    }

    [Fact]
    public void Deep_nesting_is_validated_without_recursion()
    {
        const int depth = 100_000;
        var code = new byte[depth * 2 + depth];
        for (int i = 0; i < depth; i++) { code[2 * i] = 0x02; code[2 * i + 1] = 0x40; }
        for (int i = 0; i < depth; i++) code[2 * depth + i] = 0x0B;
        Load(F([], [], code));
        var broken = code[..^1];
        Fails(F([], [], broken), WasmErrorKind.Malformed, "unexpected end");
    }
}
