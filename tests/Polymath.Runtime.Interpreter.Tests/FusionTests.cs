using System.Numerics;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// The translator's fused ops (RATIONALE.md, "Fusion"): each pattern gives the same results and the same traps as the
/// instructions it replaces, in both code variants (with fuel ops: metered or cancellable calls; without: plain calls),
/// and translated code always reads back op by op.
/// </summary>
public class FusionTests
{
    private const string Module = """
        (module
          (memory 1)
          ;; i32.add of a constant folded into loads/stores, with 32-bit wrap-around
          (func (export "load_add") (param i32) (result i32) (i32.load (i32.add (local.get 0) (i32.const 16))))
          (func (export "load8_add") (param i32) (result i32) (i32.load8_u offset=3 (i32.add (local.get 0) (i32.const 16))))
          (func (export "store_add") (param i32 i32) (i32.store (i32.add (local.get 0) (i32.const 16)) (local.get 1)))
          ;; binary op with a loaded right operand (plain address, and address + constant)
          (func (export "f64_mul_load") (param f64 i32) (result f64) (f64.mul (local.get 0) (f64.load offset=8 (local.get 1))))
          (func (export "f64_sub_load_add") (param f64 i32) (result f64)
            (f64.sub (local.get 0) (f64.load (i32.add (local.get 1) (i32.const 8)))))
          (func (export "i32_xor_load") (param i32 i32) (result i32) (i32.xor (local.get 0) (i32.load (local.get 1))))
          (func (export "i32_sub_load") (param i32 i32) (result i32) (i32.sub (local.get 0) (i32.load (local.get 1))))
          ;; narrow loads as right operand (int16 products and sums, bytes), and a store16 of such a sum (no read-modify-write op)
          (func (export "mul_load16s") (param i32 i32) (result i32) (i32.mul (local.get 0) (i32.load16_s offset=2 (local.get 1))))
          (func (export "mul_load16s_add") (param i32 i32) (result i32)
            (i32.mul (local.get 0) (i32.load16_s (i32.add (local.get 1) (i32.const 6)))))
          (func (export "add_load16s") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load16_s (local.get 1))))
          (func (export "add_load16u") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load16_u (local.get 1))))
          (func (export "add_load8u") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load8_u (local.get 1))))
          (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
          (func (export "store16_add_load16u") (param i32 i32)
            (i32.store16 (local.get 0) (i32.add (local.get 1) (i32.load16_u (local.get 0)))))
          ;; read-modify-write: c[p] += x, c[p] -= x, and the axpy kernel y[q] += a * x[p]
          (func (export "add_to_mem") (param i32 f64)
            (f64.store (local.get 0) (f64.add (local.get 1) (f64.load (local.get 0)))))
          (func (export "sub_to_mem") (param i32 i32)
            (i32.store (local.get 0) (i32.sub (local.get 1) (i32.load (local.get 0)))))
          (func (export "axpy") (param $a f64) (param $x i32) (param $y i32)
            (f64.store (local.get $y) (f64.add (f64.mul (local.get $a) (f64.load (local.get $x))) (f64.load (local.get $y)))))
          (func (export "f64_at") (param i32) (result f64) (f64.load (local.get 0)))
          (func (export "i32_at") (param i32) (result i32) (i32.load (local.get 0)))
          ;; shifted right operand, in both operand orders
          (func (export "xor_rotl") (param i32 i32) (result i32) (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 7))))
          (func (export "add_rotr") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.rotr (local.get 1) (i32.const 9))))
          (func (export "or_shl") (param i32 i32) (result i32) (i32.or (i32.shl (local.get 1) (i32.const 13)) (local.get 0)))
          (func (export "and_shr") (param i32 i32) (result i32) (i32.and (i32.shr_u (local.get 1) (i32.const 3)) (local.get 0)))
          (func (export "xorshift") (param i32) (result i32)
            (local.set 0 (i32.xor (i32.shl (local.get 0) (i32.const 13)) (local.get 0)))
            (local.set 0 (i32.xor (i32.shr_u (local.get 0) (i32.const 17)) (local.get 0)))
            (i32.xor (i32.shl (local.get 0) (i32.const 5)) (local.get 0)))
          ;; compare fused into if / br_if, eqz of a compare, counters fused into back-edges
          (func (export "if_lt_u") (param i32 i32) (result i32) (if (result i32) (i32.lt_u (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
          (func (export "if_le_u_imm") (param i32) (result i32) (if (result i32) (i32.le_u (local.get 0) (i32.const 10)) (then (i32.const 1)) (else (i32.const 0))))
          (func (export "eqz_gt_s") (param i32 i32) (result i32) (i32.eqz (i32.gt_s (local.get 0) (local.get 1))))
          (func (export "br_if_eqz_ge_u") (param i32 i32) (result i32)
            (block (br_if 0 (i32.eqz (i32.ge_u (local.get 0) (local.get 1)))) (return (i32.const 7))) (i32.const 9))
          ;; a comparison whose slot is reused by a later local.get must not be fused into the br_if
          (func (export "drop_then_br_if") (param i32 i32) (result i32)
            (block (drop (i32.lt_s (local.get 0) (local.get 1))) (br_if 0 (local.get 0)) (return (i32.const 1)))
            (i32.const 2))
          (func (export "count_up") (param i32) (result i32) (local i32)
            (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                  (br_if 0 (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 3))) (i32.const 30))))
            (local.get 1))
          (func (export "count_to_zero") (param i32) (result i32) (local i32)
            (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                  (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
            (local.get 1))
          ;; three-operand add (I32Add3): the previous add as right or left operand, a chain of four, and a tee that must not fuse
          (func (export "add3_right") (param i32 i32 i32) (result i32) (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))
          (func (export "add3_left") (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "add4") (param i32 i32 i32 i32) (result i32)
            (i32.add (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))
          (func (export "add3_tee") (param i32 i32 i32) (result i32) (local i32)
            (i32.xor (i32.add (local.tee 3 (i32.add (local.get 0) (local.get 1))) (local.get 2)) (i32.mul (local.get 3) (i32.const 7))))
          ;; two consecutive adds (I32AddPair): independent, dependent (the second reads the first's local), and a loop
          ;; whose header is the second add (a branch target: not merged)
          (func (export "add_pair") (param i32 i32 i32) (result i32) (local i32 i32)
            (local.set 3 (i32.add (local.get 0) (local.get 1)))
            (local.set 4 (i32.add (local.get 3) (local.get 2)))
            (i32.xor (i32.mul (local.get 4) (i32.const 31)) (local.get 3)))
          (func (export "add_pair_loop") (param i32 i32) (result i32) (local i32)
            (local.set 1 (i32.add (local.get 1) (local.get 1)))
            (loop
              (local.set 2 (i32.add (local.get 2) (local.get 1)))
              (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
            (local.get 2))
          ;; consecutive moves (Copies): rotate four locals n times
          (func (export "rotate") (param i32) (result i32) (local i32 i32 i32 i32 i32)
            (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 3 (i32.const 3)) (local.set 4 (i32.const 4))
            (block (loop
              (br_if 1 (i32.eqz (local.get 0)))
              (local.set 5 (local.get 1)) (local.set 1 (local.get 2)) (local.set 2 (local.get 3)) (local.set 3 (local.get 4)) (local.set 4 (local.get 5))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br 0)))
            (i32.add (i32.mul (local.get 1) (i32.const 1000)) (i32.add (i32.mul (local.get 2) (i32.const 100)) (i32.add (i32.mul (local.get 3) (i32.const 10)) (local.get 4)))))
        )
        """;

    /// <summary>Metered (fuel), cancellable (token) and plain calls: the first two run the code with fuel ops, the last without.</summary>
    public static TheoryData<string> Modes() => new() { "fuel", "token", "plain" };

    private sealed class Fixture
    {
        public Fixture()
        {
            var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
            Store = engine.CreateStore(StoreLimits.Default);
            Instance = Store.Instantiate(engine.Compile(Wat.ToWasm(Module)), []);
        }

        public IWasmStore Store { get; }
        public IWasmInstance Instance { get; }
        public string Mode { get; set; } = "plain";

        public WasmValue Call(string name, params WasmValue[] args)
        {
            var f = Instance.GetFunction(name)!;
            var results = new WasmValue[Math.Max(1, f.Type.Results.Length)];
            using var cts = new CancellationTokenSource();
            f.Invoke(args, results, CallModes.Options(Mode, cts));
            return results[0];
        }

        public TrapKind Trap(string name, params WasmValue[] args) =>
            Assert.Throws<WasmTrapException>(() => Call(name, args)).Kind;
    }

    private static Fixture Load(string mode) => new() { Mode = mode };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Address_plus_constant_wraps_at_32_bits_and_traps_past_the_end(string mode)
    {
        var m = Load(mode);
        m.Call("store_add", WasmValue.I32(-8), WasmValue.I32(0x11223344)); // (-8 + 16) mod 2^32 = 8
        Assert.Equal(0x11223344, m.Call("i32_at", WasmValue.I32(8)).AsI32);
        Assert.Equal(0x11223344, m.Call("load_add", WasmValue.I32(-8)).AsI32);
        Assert.Equal(0x11, m.Call("load8_add", WasmValue.I32(-8)).AsI32); // 8 + offset 3
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load_add", WasmValue.I32(65536 - 16 - 3))); // 65533..65536
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("store_add", WasmValue.I32(65536 - 16), WasmValue.I32(1)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load8_add", WasmValue.I32(-19))); // wraps to 65533 + 3
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Binary_ops_with_a_loaded_operand(string mode)
    {
        var m = Load(mode);
        m.Call("add_to_mem", WasmValue.I32(16), WasmValue.F64(2.5));   // mem[16] = 2.5 + 0
        m.Call("add_to_mem", WasmValue.I32(24), WasmValue.F64(-0.75)); // mem[24] = -0.75
        Assert.Equal(3.0 * 2.5, m.Call("f64_mul_load", WasmValue.F64(3.0), WasmValue.I32(8)).AsF64);
        Assert.Equal(1.0 - -0.75, m.Call("f64_sub_load_add", WasmValue.F64(1.0), WasmValue.I32(16)).AsF64);
        m.Call("sub_to_mem", WasmValue.I32(40), WasmValue.I32(5)); // mem[40] = 5 - 0
        m.Call("sub_to_mem", WasmValue.I32(40), WasmValue.I32(12)); // mem[40] = 12 - 5
        Assert.Equal(7, m.Call("i32_at", WasmValue.I32(40)).AsI32);
        Assert.Equal(7 ^ 0x5A5A, m.Call("i32_xor_load", WasmValue.I32(0x5A5A), WasmValue.I32(40)).AsI32);
        Assert.Equal(100 - 7, m.Call("i32_sub_load", WasmValue.I32(100), WasmValue.I32(40)).AsI32);
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("f64_mul_load", WasmValue.F64(1), WasmValue.I32(65536 - 12)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("add_to_mem", WasmValue.I32(65536 - 4), WasmValue.F64(1)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Narrow_loads_as_right_operands_extend_wrap_and_trap(string mode)
    {
        var m = Load(mode);
        m.Call("store16", WasmValue.I32(1000), WasmValue.I32(0xFFFE)); // -2 as i16, 65534 as u16; byte 1001 = 0xFF
        m.Call("store16", WasmValue.I32(1002), WasmValue.I32(0x8000)); // -32768
        Assert.Equal(3 * -2, m.Call("mul_load16s", WasmValue.I32(3), WasmValue.I32(998)).AsI32);
        Assert.Equal(unchecked(0x40000001 * -32768), m.Call("mul_load16s_add", WasmValue.I32(0x40000001), WasmValue.I32(996)).AsI32);
        m.Call("store16", WasmValue.I32(2), WasmValue.I32(0x8000));
        Assert.Equal(-32768 * 7, m.Call("mul_load16s_add", WasmValue.I32(7), WasmValue.I32(-4)).AsI32); // -4 + 6 wraps to 2
        Assert.Equal(5 - 2, m.Call("add_load16s", WasmValue.I32(5), WasmValue.I32(1000)).AsI32);
        Assert.Equal(5 + 65534, m.Call("add_load16u", WasmValue.I32(5), WasmValue.I32(1000)).AsI32);
        Assert.Equal(unchecked(int.MaxValue + 65534), m.Call("add_load16u", WasmValue.I32(int.MaxValue), WasmValue.I32(1000)).AsI32);
        Assert.Equal(5 + 0xFF, m.Call("add_load8u", WasmValue.I32(5), WasmValue.I32(1001)).AsI32);
        m.Call("store16_add_load16u", WasmValue.I32(1000), WasmValue.I32(3)); // (65534 + 3) mod 2^16 = 1
        Assert.Equal(1, m.Call("add_load16u", WasmValue.I32(0), WasmValue.I32(1000)).AsI32);
        Assert.Equal(0x80, m.Call("add_load8u", WasmValue.I32(0), WasmValue.I32(1003)).AsI32); // store16 left byte 1003 alone
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("add_load16u", WasmValue.I32(0), WasmValue.I32(65535)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("add_load16s", WasmValue.I32(0), WasmValue.I32(-1)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("add_load8u", WasmValue.I32(0), WasmValue.I32(65536)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("mul_load16s", WasmValue.I32(1), WasmValue.I32(65533)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("mul_load16s_add", WasmValue.I32(1), WasmValue.I32(-7))); // wraps to 2^32 - 1
    }

    [Fact]
    public void Narrow_loads_fuse_into_the_op_that_consumes_them()
    {
        var module = ModuleReader.Read(Wat.ToWasm(Module));
        foreach (var (export, op) in new[]
        {
            ("mul_load16s", "I32MulLoad16S"), ("mul_load16s_add", "I32MulLoad16S"), ("add_load16s", "I32AddLoad16S"),
            ("add_load16u", "I32AddLoad16U"), ("add_load8u", "I32AddLoad8U"), ("store16_add_load16u", "I32AddLoad16U"),
        })
        {
            var code = Translator.Translate(module, module.Exports.First(e => e.Name == export).Index);
            Assert.Equal(1, CountOf(CodeDump.Dump(code.FastCode), op));
            Assert.Equal(1, CountOf(CodeDump.Dump(code.Code), op));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Axpy_is_a_multiply_then_an_add_with_wasm_rounding(string mode)
    {
        var m = Load(mode);
        double a = 0.1, x = 3.3, y = 1e16;
        m.Call("add_to_mem", WasmValue.I32(64), WasmValue.F64(x));
        m.Call("add_to_mem", WasmValue.I32(128), WasmValue.F64(y));
        m.Call("axpy", WasmValue.F64(a), WasmValue.I32(64), WasmValue.I32(128));
        double product = a * x;
        Assert.Equal(BitConverter.DoubleToInt64Bits(product + y), BitConverter.DoubleToInt64Bits(m.Call("f64_at", WasmValue.I32(128)).AsF64));

        // out of bounds on either address traps, and memory is not written
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("axpy", WasmValue.F64(1), WasmValue.I32(65536 - 4), WasmValue.I32(128)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("axpy", WasmValue.F64(1), WasmValue.I32(64), WasmValue.I32(-8)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(product + y), BitConverter.DoubleToInt64Bits(m.Call("f64_at", WasmValue.I32(128)).AsF64));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Shifted_operands_in_either_order(string mode)
    {
        var m = Load(mode);
        foreach (var (a, b) in new[] { (0x12345678u, 0x9ABCDEF0u), (0u, 0xFFFFFFFFu), (0x80000001u, 0x7u) })
        {
            var (ia, ib) = (WasmValue.I32((int)a), WasmValue.I32((int)b));
            Assert.Equal(a ^ BitOperations.RotateLeft(b, 7), (uint)m.Call("xor_rotl", ia, ib).AsI32);
            Assert.Equal(a + BitOperations.RotateRight(b, 9), (uint)m.Call("add_rotr", ia, ib).AsI32);
            Assert.Equal(a | (b << 13), (uint)m.Call("or_shl", ia, ib).AsI32);
            Assert.Equal(a & (b >> 3), (uint)m.Call("and_shr", ia, ib).AsI32);
            uint s = a;
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            Assert.Equal(s, (uint)m.Call("xorshift", ia).AsI32);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Three_operand_and_paired_adds_wrap_and_run_in_order(string mode)
    {
        var m = Load(mode);
        uint[] samples = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x12345678];
        foreach (uint a in samples)
            foreach (uint b in samples)
            {
                uint c = a ^ 0x9E3779B9;
                var (ia, ib, ic) = (WasmValue.I32((int)a), WasmValue.I32((int)b), WasmValue.I32((int)c));
                Assert.Equal(a + b + c, (uint)m.Call("add3_right", ia, ib, ic).AsI32);
                Assert.Equal(a + b + c, (uint)m.Call("add3_left", ia, ib, ic).AsI32);
                Assert.Equal(a + b + c + 5, (uint)m.Call("add4", ia, ib, ic, WasmValue.I32(5)).AsI32);
                Assert.Equal((a + b + c) ^ ((a + b) * 7), (uint)m.Call("add3_tee", ia, ib, ic).AsI32);
                Assert.Equal((a + b + c) * 31 ^ (a + b), (uint)m.Call("add_pair", ia, ib, ic).AsI32);
            }
        Assert.Equal(unchecked(5u * (0x40000001u + 0x40000001u)), (uint)m.Call("add_pair_loop", WasmValue.I32(5), WasmValue.I32(0x40000001)).AsI32);
    }

    [Fact]
    public void Consecutive_adds_are_one_op_unless_a_branch_enters_between()
    {
        var module = ModuleReader.Read(Wat.ToWasm(Module));
        foreach (var (export, pairs) in new[] { ("add_pair", 1), ("add_pair_loop", 0) })
        {
            var code = Translator.Translate(module, module.Exports.First(e => e.Name == export).Index);
            Assert.Equal(pairs, CountOf(CodeDump.Dump(code.FastCode), "I32AddPair"));
            Assert.Equal(pairs, CountOf(CodeDump.Dump(code.Code), "I32AddPair"));
        }
    }

    [Fact]
    public void Three_operand_add_is_one_op_unless_the_sum_is_kept()
    {
        var module = ModuleReader.Read(Wat.ToWasm(Module));
        string Dump(string export)
        {
            uint funcidx = module.Exports.First(e => e.Name == export).Index;
            return CodeDump.Dump(Translator.Translate(module, funcidx).FastCode);
        }
        foreach (string f in new[] { "add3_right", "add3_left", "add4" })
        {
            string code = Dump(f);
            Assert.Equal(1, CountOf(code, "I32Add3"));
            Assert.Equal(f == "add4" ? 1 : 0, CountOf(code, "I32Add "));
        }
        Assert.Equal(0, CountOf(Dump("add3_tee"), "I32Add3")); // the first sum is also written to local 3
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Fused_conditions_and_back_edges(string mode)
    {
        var m = Load(mode);
        int[] samples = [int.MinValue, -11, -1, 0, 1, 9, 10, 11, int.MaxValue];
        foreach (int a in samples)
        {
            Assert.Equal((uint)a <= 10 ? 1 : 0, m.Call("if_le_u_imm", WasmValue.I32(a)).AsI32);
            foreach (int b in samples)
            {
                Assert.Equal((uint)a < (uint)b ? 1 : 0, m.Call("if_lt_u", WasmValue.I32(a), WasmValue.I32(b)).AsI32);
                Assert.Equal(a > b ? 0 : 1, m.Call("eqz_gt_s", WasmValue.I32(a), WasmValue.I32(b)).AsI32);
                Assert.Equal((uint)a >= (uint)b ? 7 : 9, m.Call("br_if_eqz_ge_u", WasmValue.I32(a), WasmValue.I32(b)).AsI32);
            }
        }
        Assert.Equal(1, m.Call("drop_then_br_if", WasmValue.I32(0), WasmValue.I32(1)).AsI32);
        Assert.Equal(2, m.Call("drop_then_br_if", WasmValue.I32(5), WasmValue.I32(1)).AsI32);
        Assert.Equal(10, m.Call("count_up", WasmValue.I32(0)).AsI32);  // 3, 6, …, 30
        Assert.Equal(5, m.Call("count_to_zero", WasmValue.I32(5)).AsI32);
        Assert.Equal(1234, m.Call("rotate", WasmValue.I32(0)).AsI32);
        Assert.Equal(2341, m.Call("rotate", WasmValue.I32(1)).AsI32);
        Assert.Equal(4123, m.Call("rotate", WasmValue.I32(7)).AsI32);
    }

    [Fact]
    public void Fuel_counts_the_wasm_instructions_of_fused_code()
    {
        var m = Load("fuel");
        m.Call("count_to_zero", WasmValue.I32(5));
        // loop, then 5 × {local.get, i32.const, i32.add, local.set, local.get, i32.const, i32.add, local.tee, br_if}, then local.get
        Assert.Equal(1UL + 5 * 9 + 1, m.Store.LastCallFuelConsumed);
    }

    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var file in ProgramFiles()) data.Add(Path.GetRelativePath(Repository.Root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Translated_code_reads_back_op_by_op(string relativePath)
    {
        var module = ModuleReader.Read(File.ReadAllBytes(Path.Combine(Repository.Root, relativePath)));
        for (int i = 0; i < module.Functions.Count; i++)
        {
            var cc = Translator.Translate(module, (uint)(module.ImportedFunctionCount + i));
            foreach (var (code, metered) in new[] { (cc.Code, true), (cc.FastCode, false) })
            {
                var starts = new HashSet<int>();
                int pc = 0;
                while (pc < code.Length)
                {
                    starts.Add(pc);
                    if (!metered) Assert.False(code[pc] is (int)Op.Fuel or (int)Op.FuelLoop, $"fuel op in the unmetered code of function {i}");
                    pc += OpInfo.SizeAt(code, pc);
                }
                Assert.Equal(code.Length, pc);
                foreach (int start in starts)
                    for (int k = 1; k < OpInfo.SizeAt(code, start); k++)
                        if (OpInfo.IsTargetOperand(code, start, k))
                            Assert.Contains(start + code[start + k], starts);
            }
        }
    }

    [Fact]
    public void Benchmark_kernels_are_fused()
    {
        string Dump(string program, uint funcidx)
        {
            var module = ModuleReader.Read(File.ReadAllBytes(Path.Combine(Repository.Root, "tests", "benchmarks", "programs", program)));
            return CodeDump.Dump(Translator.Translate(module, funcidx).FastCode);
        }
        string matmul = Dump("matmul.wasm", 0), sha = Dump("sha256.wasm", 1), sieve = Dump("sieve.wasm", 0);
        Assert.Equal(2, CountOf(matmul, "F64MulAddToMem"));
        Assert.Contains("I32AddImmBrNeImm", matmul, StringComparison.Ordinal);
        Assert.True(CountOf(sha, "I32XorRotlImm") >= 6, sha);
        Assert.Contains("Copies 8", sha, StringComparison.Ordinal);
        Assert.Contains("I32Add3", sha, StringComparison.Ordinal);
        Assert.Contains("I32AddPair", matmul, StringComparison.Ordinal);
        Assert.Contains("I32Load8UAddImm", sieve, StringComparison.Ordinal);
        Assert.Contains("I32XorShlImm", sieve, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string word) => text.Split(word).Length - 1;

    private static IEnumerable<string> ProgramFiles()
    {
        string root = Repository.Root;
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "tests", "benchmarks", "programs"), "*.wasm")) yield return f;
        foreach (var f in Directory.EnumerateFiles(Path.Combine(root, "experts"), "*.wasm", SearchOption.AllDirectories)) yield return f;
    }
}
