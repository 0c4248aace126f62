using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter.Tests;

/// <summary>
/// <c>i32.sub</c> of a constant as <c>I32AddImm</c> of its negation, and the counter-and-compare back-edges
/// (<c>AddImmBrImm</c>: <c>x = a + k; if (x CMP n) goto</c>) for each of the ten i32 comparisons, against a model,
/// in every call mode (RATIONALE.md, "Fusion").
/// </summary>
public class CounterFusionTests
{
    /// <summary>The comparisons in <c>Op.AddImmBrImm</c>'s order, with their C# models.</summary>
    private static readonly (string Name, Func<int, int, bool> Holds)[] Comparisons =
    [
        ("lt_s", (x, n) => x < n), ("lt_u", (x, n) => (uint)x < (uint)n), ("ne", (x, n) => x != n), ("eq", (x, n) => x == n),
        ("ge_s", (x, n) => x >= n), ("gt_s", (x, n) => x > n), ("le_s", (x, n) => x <= n), ("ge_u", (x, n) => (uint)x >= (uint)n),
        ("gt_u", (x, n) => (uint)x > (uint)n), ("le_u", (x, n) => (uint)x <= (uint)n),
    ];

    private const int Step = -3, Limit = 2, Cap = 100;

    /// <summary>
    /// Per comparison, <c>loop_CMP(x)</c>: counts iterations of <c>x += Step</c> while <c>x CMP Limit</c> (at most Cap);
    /// <c>if_lt_u_counter</c> is the same fusion in an <c>if</c> (inverted comparison); the others check i32.sub.
    /// </summary>
    private static readonly string Module = "(module (memory 1)\n" + string.Concat(Comparisons.Select(c => $"""
          (func (export "loop_{c.Name}") (param i32) (result i32) (local i32)
            (block (loop
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br_if 1 (i32.ge_u (local.get 1) (i32.const {Cap})))
              (br_if 0 (i32.{c.Name} (local.tee 0 (i32.add (local.get 0) (i32.const {Step}))) (i32.const {Limit})))))
            (local.get 1))

        """)) + """
          (func (export "if_lt_u_counter") (param i32) (result i32)
            (i32.add (if (result i32) (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const -3))) (i32.const 2))
                       (then (i32.const 1000)) (else (i32.const 0)))
                     (local.get 0)))
          (func (export "sub_imm") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
          (func (export "sub_min") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 0x80000000)))
          (func (export "load_sub") (param i32) (result i32) (i32.load (i32.sub (local.get 0) (i32.const 4))))
          (func (export "store_at") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
        )
        """;

    private static readonly int[] Samples = [int.MinValue, int.MinValue + 2, -7, -1, 0, 1, 2, 3, 4, 5, 10, int.MaxValue - 1, int.MaxValue];

    private static (IWasmStore Store, IWasmInstance Instance) Load()
    {
        var engine = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());
        var store = engine.CreateStore(StoreLimits.Default);
        return (store, store.Instantiate(engine.Compile(Wat.ToWasm(Module)), []));
    }

    [Theory]
    [MemberData(nameof(CallModes.All), MemberType = typeof(CallModes))]
    public void Counter_back_edges_branch_as_the_comparison_says(string mode)
    {
        var (_, inst) = Load();
        foreach (var (name, holds) in Comparisons)
            foreach (int start in Samples)
            {
                int x = start, count = 0;
                do { count++; if ((uint)count >= Cap) break; x = unchecked(x + Step); } while (holds(x, Limit));
                Assert.True(count == CallModes.Call(inst, mode, "loop_" + name, WasmValue.I32(start)).AsI32, $"loop_{name}({start})");
            }
        foreach (int start in Samples)
        {
            int x = unchecked(start - 3);
            Assert.Equal(unchecked(((uint)x < 2 ? 1000 : 0) + x), CallModes.Call(inst, mode, "if_lt_u_counter", WasmValue.I32(start)).AsI32);
        }
    }

    [Theory]
    [MemberData(nameof(CallModes.All), MemberType = typeof(CallModes))]
    public void Subtracting_a_constant_wraps_and_folds_into_addresses(string mode)
    {
        var (_, inst) = Load();
        foreach (int a in Samples)
        {
            Assert.Equal(unchecked(a - 7), CallModes.Call(inst, mode, "sub_imm", WasmValue.I32(a)).AsI32);
            Assert.Equal(unchecked(a - int.MinValue), CallModes.Call(inst, mode, "sub_min", WasmValue.I32(a)).AsI32);
        }
        CallModes.Call(inst, mode, "store_at", WasmValue.I32(8), WasmValue.I32(0x1234567));
        Assert.Equal(0x1234567, CallModes.Call(inst, mode, "load_sub", WasmValue.I32(12)).AsI32);
        // (2 - 4) wraps to 2^32 - 2: out of bounds, as the separate i32.sub and i32.load would be
        var f = inst.GetFunction("load_sub")!;
        using var cts = new CancellationTokenSource();
        Assert.Equal(TrapKind.MemoryOutOfBounds,
            Assert.Throws<WasmTrapException>(() => f.Invoke([WasmValue.I32(2)], new WasmValue[1], CallModes.Options(mode, cts))).Kind);
    }

    [Fact]
    public void Each_counter_loop_is_one_fused_back_edge_and_fuel_counts_every_instruction()
    {
        var module = ModuleReader.Read(Wat.ToWasm(Module));
        string Dump(string export, bool metered)
        {
            var code = Translator.Translate(module, module.Exports.First(e => e.Name == export).Index);
            return CodeDump.Dump(metered ? code.Code : code.FastCode);
        }
        foreach (var (name, _) in Comparisons)
        {
            string op = "I32AddImmBr" + string.Concat(name.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + "Imm ";
            Assert.Contains(op, Dump("loop_" + name, metered: false), StringComparison.Ordinal);
            Assert.Contains(op, Dump("loop_" + name, metered: true), StringComparison.Ordinal);
        }
        Assert.Contains("I32AddImmBrGeUImm ", Dump("if_lt_u_counter", metered: false), StringComparison.Ordinal); // if: inverted
        Assert.Contains("I32AddImm 1 0 -7", Dump("sub_imm", metered: false), StringComparison.Ordinal);
        Assert.Contains("I32LoadAddImm", Dump("load_sub", metered: false), StringComparison.Ordinal);

        var (store, inst) = Load();
        CallModes.Call(inst, "fuel", "loop_gt_s", WasmValue.I32(10)); // x = 7, 4, 1: three iterations
        // block, loop, 3 × {4 + 4 + 7 instructions}, local.get
        Assert.Equal(2UL + 3 * 15 + 1, store.LastCallFuelConsumed);
    }
}
