using System.Runtime.CompilerServices;
using System.Text;
using Polymath.Runtime.Interpreter;
using Polymath.Sdk;
using Polymath.Wasm;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// Hostile audit 3 (issue #24, items 1-3): guest recursion with large frames must trap before the .NET stack overflows,
/// compilation counts against the call's deadline and too costly functions are refused at compile, instantiation is
/// linear in the number of globals. Each case runs on the compiler tier, and where it answers, the interpreter must
/// answer the same (its behaviour is unchanged).
/// </summary>
[Collection(HostileCollection.Name)]
public class HostileAuditTests
{
    internal static readonly IWasmEngine CompilerTier = new CompilerRuntimePlugin().CreateEngine(new EngineOptions());
    internal static readonly IWasmEngine InterpreterTier = new InterpreterRuntimePlugin().CreateEngine(new EngineOptions());

    /// <summary>An instance of <paramref name="module"/> on <paramref name="engine"/>; a Host-shape module gets its re-entering import.</summary>
    internal static IWasmInstance Instantiate(IWasmEngine engine, IWasmModule module, StoreLimits limits)
    {
        var store = engine.CreateStore(limits);
        if (module.Definition.Imports.Count == 0) return store.Instantiate(module, []);
        IWasmFunction? f = null;
        var reenter = store.CreateHostFunction(new FuncType([Wasm.ValueType.I32], [Wasm.ValueType.I32]), (ctx, args, results) =>
        {
            var r = new WasmValue[1];
            f!.Invoke([args[0]], r, new CallOptions { CancellationToken = ctx.CancellationToken });
            results[0] = r[0];
        });
        var inst = store.Instantiate(module, [reenter]);
        f = inst.GetFunction("f");
        return inst;
    }

    internal static int CallF(IWasmInstance inst, int n)
    {
        var r = new WasmValue[1];
        inst.GetFunction("f")!.Invoke([WasmValue.I32(n)], r);
        return r[0].AsI32;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread with <paramref name="stackBytes"/> of stack; returns what it threw.</summary>
    internal static Exception? OnThread(int stackBytes, Action action)
    {
        Exception? thrown = null;
        var t = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { thrown = e; }
        }, stackBytes);
        t.Start();
        t.Join();
        return thrown;
    }

    public static TheoryData<RecursionShape, string, int> LargeFrames => new()
    {
        // The attacker's case: ~2,000 operands live across the call (i64: ~16 KB per frame, crashed at depth ~500 on 8 MB).
        { RecursionShape.Operands, "i64", 2000 },
        { RecursionShape.Operands, "f64", 2000 },
        { RecursionShape.Operands, "i32", 2000 },
        { RecursionShape.Operands, "f32", 1000 },
        { RecursionShape.Locals, "i64", 1000 },
        { RecursionShape.Locals, "f64", 1000 },
        { RecursionShape.Parameters, "i64", 400 },
        { RecursionShape.Parameters, "f64", 400 },
        { RecursionShape.Indirect, "i64", 1500 },
        { RecursionShape.Mutual, "f64", 1500 },
        { RecursionShape.Host, "i64", 1000 },
        { RecursionShape.Operands, "i64", 1 },
    };

    [Theory]
    [MemberData(nameof(LargeFrames))]
    public void LargeFrameRecursionAnswersWhenShallowAndTrapsWhenDeep(RecursionShape shape, string type, int n)
    {
        var module = CompilerTier.Compile(Wat.ToWasm(RecursionModules.Build(shape, type, n)));
        var limits = StoreLimits.Default with { MaxCallDepth = 10_000_000 };
        var inst = Instantiate(CompilerTier, module, limits);
        Assert.Equal(20, CallF(inst, 20));
        // Deep: only the native stack check can stop it (the depth limit is far away), on small and default stacks.
        foreach (int stack in new[] { 256 * 1024, 1024 * 1024, 8 * 1024 * 1024 })
        {
            var e = OnThread(stack, () => CallF(inst, 5_000_000));
            var trap = Assert.IsType<WasmTrapException>(e);
            Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
            Assert.Equal(20, CallF(inst, 20)); // the store stays usable
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe nuint LastSufficient(int depth)
    {
        int here = depth;
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack()) return 0;
        nuint deeper = LastSufficient(depth + 1);
        return deeper != 0 ? deeper : (nuint)(&here);
    }

    [Fact]
    public unsafe void TheRuntimeGuaranteesTheStackTheBudgetAssumes()
    {
        // StackBudget assumes TryEnsureSufficientExecutionStack says yes only with StackBudget.Guarantee bytes left below
        // the caller. On a 1 MB thread: the deepest frame where it said yes must be at least that far from the end.
        const int size = 1024 * 1024;
        nuint top = 0, last = 0;
        Assert.Null(OnThread(size, () => { int t = 0; top = (nuint)(&t); last = LastSufficient(0); }));
        long used = (long)(top - last);
        Assert.True(size - used >= StackBudget.Guarantee, $"yes with only {size - used} bytes left; the budget assumes {StackBudget.Guarantee}");
        Assert.True(StackBudget.MaxFrameBytes + StackBudget.Step <= StackBudget.Guarantee / 2);
    }

    [Fact]
    public void FramesTooLargeForTheStackCheckAreRefusedAtCompileNamingTheFunction()
    {
        var wasm = Wat.ToWasm(RecursionModules.Build(RecursionShape.Operands, "i64", 8000));
        var e = Assert.Throws<WasmModuleException>(() => CompilerTier.Compile(wasm));
        Assert.Equal(WasmErrorKind.Invalid, e.Kind);
        Assert.Contains("func[0] f needs a native stack frame of about", e.Reason);
        Assert.Contains("8002 operands", e.Reason); // 8,000 live, the call's argument and the depth counted with them
        Assert.Contains("the interpreter runtime runs it", e.Reason);
        // ... and the interpreter does.
        var inst = Instantiate(InterpreterTier, InterpreterTier.Compile(wasm), StoreLimits.Default);
        Assert.Equal(10, CallF(inst, 10));
    }

    [Fact]
    public void ManyParametersCompileCorrectlyOrAreRefusedWithAReason()
    {
        // 600 parameters: compiled and run, the same answer as the interpreter.
        var fits = Wat.ToWasm(RecursionModules.Build(RecursionShape.Parameters, "i32", 600));
        Assert.Equal(7, CallF(Instantiate(CompilerTier, CompilerTier.Compile(fits), StoreLimits.Default), 7));
        Assert.Equal(7, CallF(Instantiate(InterpreterTier, InterpreterTier.Compile(fits), StoreLimits.Default), 7));
        // 10,000 parameters ("invalid program" before): refused at compile, saying why; the interpreter runs it.
        var huge = Wat.ToWasm(RecursionModules.Build(RecursionShape.Parameters, "i32", 10_000));
        var e = Assert.Throws<WasmModuleException>(() => CompilerTier.Compile(huge));
        Assert.Contains("func[0] p needs a native stack frame of about", e.Reason);
        Assert.Contains("10001 parameters", e.Reason);
        Assert.Equal(3, CallF(Instantiate(InterpreterTier, InterpreterTier.Compile(huge), StoreLimits.Default), 3));
    }

    /// <summary>A function of about <paramref name="adds"/> × 3 instructions: a chain of i32.add over a parameter.</summary>
    private static string LongFunction(int adds)
    {
        var w = new StringBuilder("(module (func (export \"f\") (param i32) (result i32) (local.get 0)\n");
        for (int i = 0; i < adds; i++) w.Append("(i32.add (i32.const 1))\n");
        w.Append("))");
        return w.ToString();
    }

    [Fact]
    public void FunctionsTooCostlyToCompileAreRefusedAtCompile()
    {
        var wasm = Wat.ToWasm(LongFunction(StackBudget.MaxInstructions / 2 + 1));
        var e = Assert.Throws<WasmModuleException>(() => CompilerTier.Compile(wasm));
        Assert.Contains($"the compiler runtime compiles at most {StackBudget.MaxInstructions} per function", e.Reason);
        Assert.Contains("func[0]", e.Reason);
    }

    [Fact]
    public void CompilationCountsAgainstTheCallsDeadline()
    {
        int adds = StackBudget.MaxInstructions / 2 - 10;
        var module = CompilerTier.Compile(Wat.ToWasm(LongFunction(adds)));
        var cm = (CompiledModule)module;
        var inst = Instantiate(CompilerTier, module, StoreLimits.Default);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var f = inst.GetFunction("f")!;
        var trap = Assert.Throws<WasmTrapException>(() => f.Invoke([WasmValue.I32(1)], new WasmValue[1], new CallOptions { CancellationToken = cancelled.Token }));
        Assert.Equal(TrapKind.Interrupted, trap.Kind);
        Assert.Contains("interrupted while compiling", trap.Message);
        Assert.Equal(0, cm.CompiledFunctionCount); // emission stopped and its half-made method was discarded
        // The next call compiles it afresh and answers (both variants).
        Assert.Equal(1 + adds, CallF(inst, 1));
        var r = new WasmValue[1];
        f.Invoke([WasmValue.I32(2)], r, new CallOptions { Fuel = 10_000_000 });
        Assert.Equal(2 + adds, r[0].AsI32);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ManyGlobalsInstantiateAndReadBack(bool onCompiler)
    {
        // 80,000 globals took 9.3 s to instantiate (the array was copied once per global); now linear.
        const int n = 80_000;
        var w = new StringBuilder("(module\n");
        for (int i = 0; i < n; i++) w.Append("(global (mut i32) (i32.const ").Append(i * 3).Append("))\n");
        w.Append($"(func (export \"f\") (param i32) (result i32) (i32.add (global.get {n - 1}) (global.get 0)))\n)");
        var engine = onCompiler ? CompilerTier : InterpreterTier;
        var module = engine.Compile(Wat.ToWasm(w.ToString()));
        for (int k = 0; k < 3; k++)
            Assert.Equal((n - 1) * 3, CallF(Instantiate(engine, module, StoreLimits.Default), 0));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection
{
    /// <summary>Deep recursion on dedicated threads and large modules: alone, not beside other tests.</summary>
    public const string Name = "hostile";
}
