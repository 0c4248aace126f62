using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// SIMD128 on the compiler tier beyond the spec testsuite (which the conformance runner runs in full): hostile memory
/// forms, the stack budget's v128 accounting, v128 across the API and in globals, and the readable CIL listing.
/// </summary>
public class SimdTests
{
    private static readonly IWasmEngine Engine = new CompilerRuntimePlugin().CreateEngine(new EngineOptions());

    private static IWasmInstance Load(string wat)
    {
        var store = Engine.CreateStore(StoreLimits.Default);
        return store.Instantiate(Engine.Compile(Wat.ToWasm(wat)), []);
    }

    private static WasmValue[] Call(IWasmInstance inst, string name, params WasmValue[] args)
    {
        var f = inst.GetFunction(name)!;
        var results = new WasmValue[f.Type.Results.Length];
        f.Invoke(args, results, default);
        return results;
    }

    private const string MemoryModule = """
        (module
          (memory 1)
          (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13")
          (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
          (func (export "load-offset") (param i32) (result v128) (v128.load offset=65530 (local.get 0)))
          (func (export "store") (param i32) (v128.store (local.get 0) (v128.const i64x2 -1 -1)))
          (func (export "load-lane") (param i32) (result v128) (v128.load32_lane 1 (local.get 0) (v128.const i64x2 0 0)))
          (func (export "store-lane") (param i32) (v128.store64_lane 1 (local.get 0) (v128.const i64x2 1 2)))
          (func (export "splat") (param i32) (result v128) (v128.load64_splat (local.get 0)))
          (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
        )
        """;

    [Theory]
    [InlineData("load", 65521)]        // 16 bytes from 65521 end one past the memory
    [InlineData("load", -1)]           // address 0xFFFFFFFF: no wrap-around
    [InlineData("load-offset", 7)]     // offset + address past the end
    [InlineData("store", 65530)]
    [InlineData("load-lane", 65533)]   // the lane's 4 bytes, not 16, are what is checked
    [InlineData("store-lane", 65529)]
    [InlineData("splat", 65529)]
    public void OutOfBoundsSimdAccessTrapsCleanly(string export, int address)
    {
        var inst = Load(MemoryModule);
        var trap = Assert.Throws<WasmTrapException>(() => Call(inst, export, WasmValue.I32(address)));
        Assert.Equal(TrapKind.MemoryOutOfBounds, trap.Kind);
        Assert.Equal(0, Call(inst, "byte", WasmValue.I32(65535))[0].AsI32); // nothing was written
        Assert.Equal(3, Call(inst, "byte", WasmValue.I32(3))[0].AsI32);     // and the instance still answers
    }

    [Fact]
    public void MisalignedSimdAccessWorksAndTheLastInBoundsBytesAreReachable()
    {
        var inst = Load(MemoryModule);
        // Misaligned (address 3, memarg align 4): no trap, little-endian lanes.
        Assert.Equal(WasmValue.V128(0x0a09080706050403, 0x1211100f0e0d0c0b), Call(inst, "load", WasmValue.I32(3))[0]);
        Assert.Equal(WasmValue.V128(0, 0), Call(inst, "load", WasmValue.I32(65520))[0]);
        Assert.Equal(WasmValue.V128(0x07060504_00000000, 0), Call(inst, "load-lane", WasmValue.I32(4))[0]);
        Assert.Equal(WasmValue.V128(0x0a09080706050403, 0x0a09080706050403), Call(inst, "splat", WasmValue.I32(3))[0]);
        Call(inst, "store-lane", WasmValue.I32(65528));
        Assert.Equal(2, Call(inst, "byte", WasmValue.I32(65528))[0].AsI32);
        Call(inst, "store", WasmValue.I32(65520));
        Assert.Equal(255, Call(inst, "byte", WasmValue.I32(65535))[0].AsI32);
    }

    [Fact]
    public void AHugeNumberOfV128LocalsIsRefusedByTheStackBudgetNotACrash()
    {
        // 2,000 v128 locals: 2,000 i64 locals fit the 48 KB (64-bit) / 24 KB (32-bit) frame limit on 64-bit, 2,000 v128s do not.
        string wat = "(module (func (export \"f\") (param i32) (result i32) (local v128) (local.get 0)))".Replace("(local v128)", "(local" + string.Concat(Enumerable.Repeat(" v128", 2000)) + ")", StringComparison.Ordinal);
        var e = Assert.Throws<WasmModuleException>(() => Engine.Compile(Wat.ToWasm(wat)));
        Assert.Contains("2000 locals", e.Message, StringComparison.Ordinal);
        Assert.Contains("native stack frame", e.Message, StringComparison.Ordinal);
        // The same count of i64 locals is accepted on 64-bit (v128 counts double).
        if (IntPtr.Size == 8) Assert.NotNull(Engine.Compile(Wat.ToWasm(wat.Replace("v128", "i64", StringComparison.Ordinal))));
    }

    [Fact]
    public void V128CrossesTheApiAndLivesInGlobals()
    {
        var inst = Load("""
            (module
              (global $g (mut v128) (v128.const i32x4 1 2 3 4))
              (global $c v128 (v128.const i64x2 0x1122334455667788 0x99aabbccddeeff00))
              (global $copy (mut v128) (v128.const i64x2 0 0))
              (func (export "swap") (param v128) (result v128 v128)
                (global.get $g) (global.set $g (local.get 0)) (global.get $g))
              (func (export "c") (result v128) (global.get $c))
              (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
            )
            """);
        var r = Call(inst, "swap", WasmValue.V128(0x0000000600000005, 0x0000000800000007));
        Assert.Equal(WasmValue.V128(0x0000000200000001, 0x0000000400000003), r[0]);
        Assert.Equal(WasmValue.V128(0x0000000600000005, 0x0000000800000007), r[1]);
        Assert.Equal(WasmValue.V128(0x1122334455667788, 0x99aabbccddeeff00), Call(inst, "c")[0]);
        Assert.Equal(WasmValue.V128(0x00000000_00000000, 0xFFFFFFFF_00000001),
            Call(inst, "add", WasmValue.V128(0xFFFFFFFF_00000001, 0x7FFFFFFF_00000000), WasmValue.V128(0x00000001_FFFFFFFF, 0x80000000_00000001))[0]);
    }

    [Fact]
    public void FloatMinMaxFollowWasmNotTheHardwareInstruction()
    {
        // x86 minps/maxps return the second operand for a NaN or for ±0; wasm gives NaN and orders -0 below +0.
        var inst = Load("""
            (module
              (func (export "min") (result v128) (f32x4.min (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan)))
              (func (export "max") (result v128) (f32x4.max (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan)))
              (func (export "pmin") (result v128) (f32x4.pmin (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan))))
            """);
        var min = Call(inst, "min")[0];
        Assert.Equal(0x80000000_80000000UL, min.Bits);                     // -0, -0
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)min.HighBits)) && float.IsNaN(BitConverter.UInt32BitsToSingle((uint)(min.HighBits >> 32))));
        Assert.Equal(0x00000000_00000000UL, Call(inst, "max")[0].Bits);    // +0, +0
        var pmin = Call(inst, "pmin")[0];                                   // b < a ? b : a: never NaN-propagating
        Assert.Equal(0x80000000_00000000UL, pmin.Bits);                     // lanes: a=0 (0 < -0 false), a=-0
        Assert.Equal(0x3F800000_7FC00000UL, pmin.HighBits);                 // a=nan, a=1
    }

    [Fact]
    public void TheCilListingNamesEachSimdInstruction()
    {
        string listing = CilListing.Describe(Wat.ToWasm("""
            (module (func (export "f") (param v128 v128) (result v128)
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get 0) (f32x4.mul (local.get 0) (local.get 1)))))
            """));
        Assert.Contains("// F32x4Mul", listing, StringComparison.Ordinal);
        Assert.Contains("call Simd128::F32x4Mul", listing, StringComparison.Ordinal);
        Assert.Contains("call Simd128::I8x16Shuffle", listing, StringComparison.Ordinal);
    }
}
