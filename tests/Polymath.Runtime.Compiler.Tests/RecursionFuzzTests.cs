using Polymath.Sdk;
using Polymath.Wasm;
using Xunit.Abstractions;
using static Polymath.Runtime.Compiler.Tests.HostileAuditTests;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// Fuzzes the compiler tier with generated recursive modules (every <see cref="RecursionShape"/>, every value type, frames
/// from one value to past the tier's frame limit, up to thousands of parameters, many globals), each on a thread of a
/// random stack size: a shallow call must answer what the interpreter answers, a deep one must trap with
/// CallStackExhausted, and the compiler may refuse a module only at compile, with a reason. Any .NET stack overflow ends
/// the test process, so a pass means no module killed it.
/// The bounded run is seeded (POLYMATH_FUZZ_SEED, default 24) and sized (POLYMATH_FUZZ_COUNT, default 30); it prints
/// both. The longer run (RATIONALE.md): POLYMATH_FUZZ_COUNT=2000 POLYMATH_FUZZ_SEED=$RANDOM dotnet test ... --filter RecursionFuzzTests.
/// </summary>
[Collection(HostileCollection.Name)]
public class RecursionFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Types = ["i32", "i64", "f32", "f64"];
    private static readonly int[] Stacks = [256 * 1024, 1024 * 1024, 8 * 1024 * 1024];

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    /// <summary>Log-uniform in [1, max]: small and large frames alike.</summary>
    private static int Size(Random rng, int max) => (int)Math.Max(1, Math.Round(Math.Exp(rng.NextDouble() * Math.Log(max))));

    [Fact]
    public void GeneratedRecursionNeverKillsTheProcess()
    {
        int seed = Env("POLYMATH_FUZZ_SEED", 24), count = Env("POLYMATH_FUZZ_COUNT", 30);
        output.WriteLine($"recursion fuzz: seed {seed}, {count} modules (POLYMATH_FUZZ_SEED / POLYMATH_FUZZ_COUNT)");
        var rng = new Random(seed);
        int compiled = 0, refused = 0, deepTraps = 0;
        for (int i = 0; i < count; i++)
        {
            var shape = (RecursionShape)rng.Next(Enum.GetValues<RecursionShape>().Length);
            string type = Types[rng.Next(Types.Length)];
            int n = shape switch
            {
                RecursionShape.Parameters => Size(rng, rng.Next(8) == 0 ? 12_000 : 1_500),
                RecursionShape.Locals => Size(rng, 4_000),
                RecursionShape.Host => Size(rng, 1_500),
                _ => Size(rng, 5_000),
            };
            int globals = rng.Next(4) == 0 ? rng.Next(20_000) : 0;
            int stack = Stacks[rng.Next(Stacks.Length)];
            string what = $"#{i}: {shape} {type} x{n}, {globals} globals, {stack / 1024} KB stack";
            var wasm = Wat.ToWasm(RecursionModules.Build(shape, type, n, globals));

            var interp = Instantiate(InterpreterTier, InterpreterTier.Compile(wasm), StoreLimits.Default);
            IWasmModule module;
            try { module = CompilerTier.Compile(wasm); }
            catch (WasmModuleException e)
            {
                Assert.True(e.Reason.Contains("native stack frame", StringComparison.Ordinal), $"{what}: refused for another reason: {e.Reason}");
                refused++;
                output.WriteLine($"{what}: refused at compile ({e.Reason})");
                continue;
            }
            compiled++;
            var inst = Instantiate(CompilerTier, module, StoreLimits.Default with { MaxCallDepth = 10_000_000 });
            int shallow = 1 + rng.Next(40);
            int expected = CallF(interp, shallow);
            Exception? thrown = OnThread(stack, () => Assert.Equal(expected, CallF(inst, shallow)));
            if (thrown is WasmTrapException { Kind: TrapKind.CallStackExhausted } && stack == Stacks[0])
                output.WriteLine($"{what}: depth {shallow} exhausted a {stack / 1024} KB stack (trap, as it must)");
            else if (thrown is not null) throw new InvalidOperationException($"{what}: shallow call failed", thrown);
            thrown = OnThread(stack, () => CallF(inst, 5_000_000));
            var trap = Assert.IsType<WasmTrapException>(thrown);
            Assert.True(trap.Kind == TrapKind.CallStackExhausted, $"{what}: deep call trapped with {trap.Kind}: {trap.Message}");
            deepTraps++;
        }
        output.WriteLine($"recursion fuzz: seed {seed}: {count} modules, {compiled} compiled (each deep call trapped: {deepTraps}), {refused} refused at compile");
        Assert.Equal(compiled, deepTraps);
    }
}
