using Polymath.Sdk;
using Polymath.Wasm;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// The interpreter's SIMD (RATIONALE.md, "SIMD"): a v128 is two frame cells, low half first, in locals, operands,
/// parameters, results, block values, globals and at the host boundary; lane semantics are the shared core's (the spec
/// suite checks those). These cases check what is the interpreter's own, in both code variants: "plain" runs the code
/// without fuel ops, "fuel" and "token" the code with them.
/// </summary>
public class SimdTests
{
    public static TheoryData<string> Modes => CallModes.All;

    private const string Module = """
        (module
          (memory 1)
          (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
          ;; a v128 local that lives across calls to a function with v128 locals, parameters and results of its own
          (func $mix (param $a v128) (param $k i32) (param $b v128) (result v128) (local $t v128) (local $u i64)
            (local.set $t (i32x4.add (local.get $a) (local.get $b)))
            (local.set $u (i64.const -1))
            (i32x4.mul (local.get $t) (i32x4.splat (local.get $k))))
          (func (export "across_calls") (param $x i32) (result v128) (local $keep v128) (local $n i32)
            (local.set $keep (i32x4.splat (local.get $x)))
            (local.set $n (i32.const 3))
            (drop (call $mix (v128.const i32x4 9 9 9 9) (i32.const 7) (local.get $keep)))
            (drop (call $mix (local.get $keep) (local.get $n) (local.get $keep)))
            (i32x4.add (local.get $keep) (call $mix (local.get $keep) (local.get $n) (v128.const i32x4 0 1 2 3))))
          ;; a recursive function taking and returning a v128 (frames stacked on the value stack)
          (func $sum (export "sum") (param $v v128) (param $n i32) (result v128)
            (if (result v128) (i32.eqz (local.get $n))
              (then (local.get $v))
              (else (call $sum (i32x4.add (local.get $v) (i32x4.splat (local.get $n))) (i32.sub (local.get $n) (i32.const 1))))))
          ;; v128 and scalar values interleaved across the host boundary
          (func (export "echo") (param i32 v128 i64 v128 f64) (result v128 i32 v128 f64)
            (local.get 1) (local.get 0) (local.get 3) (local.get 4))
          (func (export "swap") (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
          ;; memory forms at the edge of the 64 KiB memory
          (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
          (func (export "load_off") (param i32) (result v128) (v128.load offset=16 (local.get 0)))
          (func (export "load8_lane") (param i32) (result v128) (v128.load8_lane 15 (local.get 0) (v128.const i64x2 0 0)))
          (func (export "load64_lane") (param i32) (result v128) (v128.load64_lane 1 (local.get 0) (v128.const i64x2 5 6)))
          (func (export "store32_lane") (param i32) (v128.store32_lane 3 (local.get 0) (v128.const i32x4 1 2 3 0x44332211)))
          (func (export "store") (param i32) (v128.store (local.get 0) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)))
          (func (export "load_splat") (param i32) (result v128) (v128.load16_splat (local.get 0)))
          (func (export "load_zero") (param i32) (result v128) (v128.load32_zero (local.get 0)))
          (func (export "load_extend") (param i32) (result v128) (v128.load8x8_s (local.get 0)))
          (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
          ;; shuffle immediates from both operands, swizzle with out-of-range indices
          (func (export "shuffle") (param v128 v128) (result v128)
            (i8x16.shuffle 31 0 30 1 29 2 28 3 16 15 17 14 18 13 19 12 (local.get 0) (local.get 1)))
          (func (export "swizzle") (param v128 v128) (result v128) (i8x16.swizzle (local.get 0) (local.get 1)))
          ;; select, blocks and branches carrying v128 values
          (func (export "select") (param v128 v128 i32) (result v128) (select (local.get 0) (local.get 1) (local.get 2)))
          (func (export "branch") (param $v v128) (param $c i32) (result v128)
            (block $out (result v128)
              (i32.const 1) (local.get $v) (i32.const 2) (drop)
              (i32x4.neg (local.get $v)) (local.get $c)
              (br_if $out)
              (drop) (drop) (drop)
              (v128.const i32x4 7 7 7 7)))
          (func (export "loop") (param $v v128) (result v128) (local $i i32)
            (local.get $v)
            (loop $l (param v128) (result v128)
              (i32x4.add (v128.const i32x4 1 10 100 1000))
              (local.tee $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (i32.const 5)))))
          (func (export "tee") (param $v v128) (result v128) (local $w v128)
            (i32x4.add (local.tee $w (i32x4.add (local.get $v) (local.get $v))) (local.get $w)))
          (func (export "get_g") (result v128) (global.get $g))
          (func (export "set_g") (param v128) (global.set $g (local.get 0)))
          (func (export "lanes") (param v128) (result i32 i64 f32 f64)
            (i32x4.extract_lane 3 (local.get 0)) (i64x2.extract_lane 0 (local.get 0))
            (f32x4.extract_lane 2 (local.get 0)) (f64x2.extract_lane 1 (local.get 0)))
          (func (export "eight") (result v128)
            (v128.const i32x4 1 1 1 1) (i32x4.add (v128.const i32x4 1 1 1 1)) (i32x4.add (v128.const i32x4 1 1 1 1))
            (i32x4.add (v128.const i32x4 1 1 1 1)))
        )
        """;

    private sealed class Fixture
    {
        public Fixture(string mode, params IWasmExtern[] imports)
        {
            Mode = mode;
            var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
            Store = engine.CreateStore(StoreLimits.Default);
            Instance = Store.Instantiate(engine.Compile(Wat.ToWasm(Module)), imports);
        }

        public IWasmStore Store { get; }
        public IWasmInstance Instance { get; }
        public string Mode { get; }

        public WasmValue[] CallAll(string name, params WasmValue[] args)
        {
            var f = Instance.GetFunction(name)!;
            var results = new WasmValue[f.Type.Results.Length];
            using var cts = new CancellationTokenSource();
            f.Invoke(args, results, CallModes.Options(Mode, cts));
            return results;
        }

        public WasmValue Call(string name, params WasmValue[] args) => CallAll(name, args).Single();

        public TrapKind Trap(string name, params WasmValue[] args) =>
            Assert.Throws<WasmTrapException>(() => CallAll(name, args)).Kind;
    }

    private static WasmValue I32x4(int a, int b, int c, int d) =>
        WasmValue.V128((uint)a | ((ulong)(uint)b << 32), (uint)c | ((ulong)(uint)d << 32));

    private static WasmValue Bytes(params byte[] b) => WasmValue.V128(BitConverter.ToUInt64(b, 0), BitConverter.ToUInt64(b, 8));

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_v128_local_keeps_its_value_across_calls_to_functions_with_v128_locals(string mode)
    {
        var m = new Fixture(mode);
        // keep = splat(5); mix(keep, 3, [0 1 2 3]) = (keep + [0 1 2 3]) * 3 = [15 18 21 24]; + keep
        Assert.Equal(I32x4(20, 23, 26, 29), m.Call("across_calls", WasmValue.I32(5)));
        // sum(v, n) = v + n + (n-1) + … + 1, through n stacked frames
        Assert.Equal(I32x4(5050, 5051, 5052, 5053), m.Call("sum", I32x4(0, 1, 2, 3), WasmValue.I32(100)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void V128_parameters_and_results_cross_the_host_boundary_among_scalars(string mode)
    {
        var m = new Fixture(mode);
        var a = WasmValue.V128(0x0123456789ABCDEF, 0xFEDCBA9876543210);
        var b = WasmValue.V128(0x7FF0000000000001, 0xFFFFFFFFFFFFFFFF); // bit patterns that must survive untouched
        var r = m.CallAll("echo", WasmValue.I32(-7), a, WasmValue.I64(long.MinValue), b, WasmValue.F64(2.5));
        Assert.Equal([a, WasmValue.I32(-7), b, WasmValue.F64(2.5)], r);
        Assert.Equal([b, a], m.CallAll("swap", a, b));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_host_function_takes_and_returns_v128_values_called_from_wasm(string mode)
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var store = engine.CreateStore(StoreLimits.Default);
        var host = store.CreateHostFunction(new FuncType([ValueType.I32, ValueType.V128, ValueType.I32], [ValueType.V128, ValueType.I32]),
            (_, args, results) =>
            {
                results[0] = WasmValue.V128(args[1].HighBits, args[1].Bits); // halves swapped
                results[1] = WasmValue.I32(args[0].AsI32 * 10 + args[2].AsI32);
            });
        var module = engine.Compile(Wat.ToWasm("""
            (module
              (import "h" "f" (func $f (param i32 v128 i32) (result v128 i32)))
              (func (export "go") (param v128) (result v128 i32 v128) (local $keep v128)
                (local.set $keep (i32x4.splat (i32.const 9)))
                (call $f (i32.const 4) (local.get 0) (i32.const 2))
                (i32.add (i32.const 1))
                (local.get $keep)))
            """));
        var inst = store.Instantiate(module, [host]);
        var f = inst.GetFunction("go")!;
        var results = new WasmValue[3];
        using var cts = new CancellationTokenSource();
        f.Invoke([WasmValue.V128(1, 2)], results, CallModes.Options(mode, cts));
        Assert.Equal(WasmValue.V128(2, 1), results[0]);
        Assert.Equal(I32x4(9, 9, 9, 9), results[2]);
        Assert.Equal(43, results[1].AsI32);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Memory_forms_trap_out_of_bounds_by_the_bytes_they_touch_and_write_nothing(string mode)
    {
        var m = new Fixture(mode);
        Assert.Equal(WasmValue.V128(0, 0), m.Call("load", WasmValue.I32(65520)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load", WasmValue.I32(65521)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load_off", WasmValue.I32(65505)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load", WasmValue.I32(-1))); // 0xFFFFFFFF: no 32-bit wrap
        Assert.Equal(WasmValue.V128(0, 0), m.Call("load8_lane", WasmValue.I32(65535)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load8_lane", WasmValue.I32(65536)));
        Assert.Equal(WasmValue.V128(5, 0), m.Call("load64_lane", WasmValue.I32(65528)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load64_lane", WasmValue.I32(65529)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load_splat", WasmValue.I32(65535)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load_zero", WasmValue.I32(65533)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("load_extend", WasmValue.I32(65529)));

        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("store32_lane", WasmValue.I32(65533)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, m.Trap("store", WasmValue.I32(65521)));
        for (int a = 65516; a < 65536; a++) Assert.Equal(0, m.Call("byte", WasmValue.I32(a)).AsI32);
        m.CallAll("store32_lane", WasmValue.I32(65532));
        m.CallAll("store", WasmValue.I32(100));
        Assert.Equal(0x44, m.Call("byte", WasmValue.I32(65535)).AsI32);
        Assert.Equal(16, m.Call("byte", WasmValue.I32(115)).AsI32);
        Assert.Equal(WasmValue.V128(0x0807060504030201, 0x100F0E0D0C0B0A09), m.Call("load", WasmValue.I32(100)));
        Assert.Equal(WasmValue.V128(0x0201020102010201, 0x0201020102010201), m.Call("load_splat", WasmValue.I32(100)));
        Assert.Equal(WasmValue.V128(0x04030201, 0), m.Call("load_zero", WasmValue.I32(100)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Shuffle_and_swizzle_take_their_lanes_from_the_immediates_and_the_index_vector(string mode)
    {
        var m = new Fixture(mode);
        var a = Bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var b = Bytes(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115);
        Assert.Equal(Bytes(115, 0, 114, 1, 113, 2, 112, 3, 100, 15, 101, 14, 102, 13, 103, 12), m.Call("shuffle", a, b));
        var indices = Bytes(15, 16, 0, 255, 3, 17, 128, 1, 2, 2, 31, 14, 32, 7, 8, 9);
        Assert.Equal(Bytes(115, 0, 100, 0, 103, 0, 0, 101, 102, 102, 0, 114, 0, 107, 108, 109), m.Call("swizzle", b, indices));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Select_blocks_branches_loops_and_tee_carry_both_halves(string mode)
    {
        var m = new Fixture(mode);
        var a = WasmValue.V128(1, 2);
        var b = WasmValue.V128(3, 4);
        Assert.Equal(a, m.Call("select", a, b, WasmValue.I32(1)));
        Assert.Equal(b, m.Call("select", a, b, WasmValue.I32(0)));
        var v = I32x4(1, -2, 3, -4);
        Assert.Equal(I32x4(-1, 2, -3, 4), m.Call("branch", v, WasmValue.I32(1)));
        Assert.Equal(I32x4(7, 7, 7, 7), m.Call("branch", v, WasmValue.I32(0)));
        Assert.Equal(I32x4(6, 48, 503, 4996), m.Call("loop", v));
        Assert.Equal(I32x4(4, -8, 12, -16), m.Call("tee", v));
        Assert.Equal(I32x4(4, 4, 4, 4), m.Call("eight"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void V128_globals_and_lane_extraction_keep_every_bit(string mode)
    {
        var m = new Fixture(mode);
        Assert.Equal(I32x4(1, 2, 3, 4), m.Call("get_g"));
        var nan = WasmValue.V128(0x7FF0000000000001, 0x7FA00001_00000000); // a signalling f64 NaN low, an f32 sNaN in lane 3
        m.CallAll("set_g", nan);
        Assert.Equal(nan, m.Call("get_g"));
        var g = (IWasmGlobal)m.Instance.Exports["g"];
        Assert.Equal(nan, g.Value);
        g.Value = I32x4(-1, 0, 1, 2);
        Assert.Equal(I32x4(-1, 0, 1, 2), m.Call("get_g"));

        var r = m.CallAll("lanes", WasmValue.V128(0x3FF0000000000000, 0x7FF4000000000000 | 0x7FA00001));
        Assert.Equal(0x7FF40000, r[0].AsI32);
        Assert.Equal(0x3FF0000000000000, r[1].AsI64);
        Assert.Equal(WasmValue.F32Bits(0x7FA00001), r[2]);
        Assert.Equal(WasmValue.F64Bits(0x7FF400007FA00001), r[3]);
    }

    [Fact]
    public void Each_simd_instruction_costs_one_unit_of_fuel()
    {
        var m = new Fixture("fuel");
        // eight: 4 v128.const + 3 i32x4.add = 7 instructions (end is free)
        m.CallAll("eight");
        Assert.Equal(7UL, m.Store.LastCallFuelConsumed);
        var f = m.Instance.GetFunction("eight")!;
        var e = Assert.Throws<WasmTrapException>(() => f.Invoke([], new WasmValue[1], new CallOptions { Fuel = 6 }));
        Assert.Equal(TrapKind.OutOfFuel, e.Kind);
    }

    [Fact]
    public void Steady_state_simd_calls_allocate_nothing()
    {
        var m = new Fixture("plain");
        var f = m.Instance.GetFunction("across_calls")!;
        Span<WasmValue> results = [default];
        long allocated = CallModes.SteadyStateAllocation(f, WasmValue.I32(5), results);
        Assert.Equal(I32x4(20, 23, 26, 29), results[0]);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_ir_listing_names_simd_instructions_by_their_spec_names()
    {
        var text = IrListing.Describe(Wat.ToWasm(Module), "shuffle");
        Assert.Contains("Simd i8x16.shuffle", text);
        text = IrListing.Describe(Wat.ToWasm(Module));
        foreach (var name in new[] { "i32x4.add", "i32x4.splat", "v128.load8_lane", "v128.store32_lane", "v128.load8x8_s", "f64x2.extract_lane", "GlobalGetV128" })
            Assert.Contains(name, text);
    }
}
