using System.Text.RegularExpressions;
using Polymath.Sdk;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// The compiler leaves out a memory bounds check when the address is a local's value on which an access reaching as far
/// was already checked on every path (RATIONALE.md, "Steady state"). A wrong elision is an access outside the guest's
/// memory, so each way the value or the path can change — a set, a tee, a loop's back-edge, one arm of an if, a branch
/// out of a block, a wider access, a larger offset — must still trap; and the elided accesses must read what they should.
/// </summary>
public sealed partial class BoundsCheckElisionTests
{
    private const int Page = 65536;

    private const string Module = """
        (module
          (memory 1)
          (func (export "set") (param $p i32) (param $q i32) (result i32)
            (drop (i32.load (local.get $p)))
            (local.set $p (local.get $q))
            (i32.load (local.get $p)))
          (func (export "tee") (param $p i32) (param $q i32) (result i32)
            (drop (i32.load (local.get $p)))
            (i32.load (local.tee $p (local.get $q))))
          (func (export "loop") (param $p i32) (param $step i32) (param $n i32) (result i32) (local $sum i32)
            (drop (i32.load (local.get $p))) ;; checked before the loop: holds on entry, not after the back-edge
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $step)))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $sum))
          (func (export "if") (param $p i32) (param $c i32) (result i32)
            (if (local.get $c) (then (drop (i32.load (local.get $p)))))
            (i32.load (local.get $p)))
          (func (export "else") (param $p i32) (param $c i32) (result i32)
            (if (result i32) (local.get $c)
              (then (i32.load (local.get $p)))
              (else (i32.load offset=0 (local.get $p)))))
          (func (export "block") (param $p i32) (param $c i32) (result i32)
            (block $b
              (br_if $b (local.get $c))
              (drop (i32.load (local.get $p))))
            (i32.load (local.get $p)))
          (func (export "wider") (param $p i32) (result i64)
            (drop (i32.load8_u (local.get $p)))
            (i64.load (local.get $p)))
          (func (export "offset") (param $p i32) (result i32)
            (drop (i32.load (local.get $p)))
            (i32.load offset=8 (local.get $p)))
          (func (export "store-old-address") (param $p i32) (result i32)
            (drop (i32.load (local.get $p)))
            ;; the address is $p's value before the tee in the stored value
            (i32.store (local.get $p) (local.tee $p (i32.const 70000)))
            (i32.load (local.get $p)))
          (func (export "fields") (param $p i32) (result i32)
            (i32.store offset=4 (local.get $p) (i32.const 7))
            (i32.store (local.get $p) (i32.const 5))
            (i32.add (i32.load (local.get $p)) (i32.load16_u offset=4 (local.get $p))))
          (func (export "select") (param $p i32) (param $q i32) (param $c i32) (result i32)
            (drop (i32.load (local.get $p)))
            (i32.load (select (local.get $p) (local.get $q) (local.get $c))))
          (func (export "loop-param") (param $p i32) (param $q i32) (result i32) (local $n i32)
            (local.get $p)
            (loop $l (param i32)
              (drop (i32.load)) ;; the first pass checks $p's value, the second the 0 the back-edge carries
              (drop (i32.load (local.get $p))) ;; on the second pass $p is $q: checked on no path
              (local.set $p (local.get $q))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (drop (br_if $l (i32.const 0) (i32.lt_u (local.get $n) (i32.const 2)))))
            (i32.const 0))
          (func (export "nested") (param $p i32) (param $q i32) (result i32) (local $n i32)
            (drop (i32.load (local.get $p)))
            (loop $outer
              (drop (i32.load (local.get $p))) ;; on the second pass $p is $q, set by the inner loop
              (loop $inner (local.set $p (local.get $q)))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $n) (i32.const 2))))
            (i32.const 0))
          (func (export "invariant") (param $p i32) (param $n i32) (result i32) (local $s i32)
            (drop (i32.load offset=4 (local.get $p))) ;; checked once: the loop never sets $p
            (loop $l
              (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $s))
          (func (export "peek") (param $p i32) (result i32) (i32.load (local.get $p))))
        """;

    private static readonly IWasmEngine Engine = new CompilerEngine();

    private static IWasmInstance Instance() => Engine.CreateStore(StoreLimits.Default).Instantiate(Engine.Compile(Wat.ToWasm(Module)), []);

    private static WasmValue Call(IWasmInstance instance, string name, params int[] args)
    {
        var f = instance.GetFunction(name)!;
        var results = new WasmValue[1];
        f.Invoke(args.Select(WasmValue.I32).ToArray(), results);
        return results[0];
    }

    private static void AssertOutOfBounds(string name, params int[] args)
    {
        var instance = Instance();
        var e = Assert.Throws<WasmTrapException>(() => Call(instance, name, args));
        Assert.Equal(TrapKind.MemoryOutOfBounds, e.Kind);
    }

    [Fact]
    public void ASetMakesANewValueThatIsCheckedAgain()
    {
        Assert.Equal(0, Call(Instance(), "set", 0, 16).AsI32);
        AssertOutOfBounds("set", 0, Page - 2);
    }

    [Fact]
    public void ATeeMakesANewValueThatIsCheckedAgain() => AssertOutOfBounds("tee", 0, Page - 2);

    [Fact]
    public void ALoopsBackEdgeBringsAValueTheHeaderNeverChecked()
    {
        Assert.Equal(0, Call(Instance(), "loop", 0, Page / 2, 2).AsI32); // 0 and 32768
        AssertOutOfBounds("loop", 0, Page / 2, 3); // 65536 on the third iteration
    }

    [Fact]
    public void ACheckInOneArmOfAnIfDoesNotCoverTheCodeAfterIt()
    {
        AssertOutOfBounds("if", Page - 2, 0);
        AssertOutOfBounds("if", Page - 2, 1);
        AssertOutOfBounds("else", Page - 2, 0);
        AssertOutOfBounds("else", Page - 2, 1);
    }

    [Fact]
    public void ABranchOutOfABlockSkipsTheCheckSoTheEndChecksAgain() => AssertOutOfBounds("block", Page - 2, 1);

    [Fact]
    public void AWiderAccessOrALargerOffsetIsCheckedAgain()
    {
        AssertOutOfBounds("wider", Page - 6);
        AssertOutOfBounds("offset", Page - 8);
        Assert.Equal(0, Call(Instance(), "offset", Page - 12).AsI32);
    }

    [Fact]
    public void ASelectsResultIsEitherOperandSoItIsCheckedAgain()
    {
        Assert.Equal(0, Call(Instance(), "select", 0, 16, 1).AsI32);
        AssertOutOfBounds("select", 0, Page - 2, 0);
    }

    [Fact]
    public void ALoopsParameterOnTheBackEdgeIsNotTheValuePushedBeforeIt() => AssertOutOfBounds("loop-param", 0, Page - 2);

    [Fact]
    public void ALocalSetInANestedLoopIsCheckedAgainInTheOuterOne() => AssertOutOfBounds("nested", 0, Page - 2);

    [Fact]
    public void ACheckBeforeALoopCoversTheLocalsTheLoopNeverSets()
    {
        var instance = Instance();
        Assert.Equal(12, Call(instance, "fields", 64).AsI32); // memory[64] = 5
        Assert.Equal(15, Call(instance, "invariant", 64, 3).AsI32);
        AssertOutOfBounds("invariant", Page - 4, 3);
        var module = (CompiledModule)Engine.Compile(Wat.ToWasm(Module));
        Assert.Single(BoundsCheck().Matches(module.Listing(13))); // defined index of "invariant"
    }

    [Fact]
    public void AStoreUsesTheAddressValueItWasGivenNotTheLocalsNewOne()
    {
        var instance = Instance();
        var e = Assert.Throws<WasmTrapException>(() => Call(instance, "store-old-address", 100));
        Assert.Equal(TrapKind.MemoryOutOfBounds, e.Kind); // the final load, at 70000
        Assert.Equal(70000, Call(instance, "peek", 100).AsI32); // the store went to 100
    }

    [Fact]
    public void ElidedAccessesReadAndWriteWhereTheyShouldAndTheChecksAreGone()
    {
        var instance = Instance();
        Assert.Equal(12, Call(instance, "fields", 64).AsI32);
        Assert.Equal(7, Call(instance, "peek", 68).AsI32);
        AssertOutOfBounds("fields", Page - 4); // the first store (offset 4) traps before anything is written
        Assert.Equal(0, Call(instance, "peek", Page - 4).AsI32);
        // "fields": the store at offset 4 (extent 8) is checked; the store and the two loads after it are not.
        var module = (CompiledModule)Engine.Compile(Wat.ToWasm(Module));
        int fields = 9; // defined index of "fields"
        Assert.Single(BoundsCheck().Matches(module.Listing(fields)));
    }

    /// <summary>The bounds check's compare in the CIL listing (the only <c>ble.un</c> of a function without branches).</summary>
    [GeneratedRegex(@"^\s+ble\.un ", RegexOptions.Multiline)]
    private static partial Regex BoundsCheck();
}
