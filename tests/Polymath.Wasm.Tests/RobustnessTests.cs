using System.Diagnostics;
using static Polymath.Wasm.Tests.WasmBuilder;

namespace Polymath.Wasm.Tests;

/// <summary>
/// Mutates valid modules (bit flips, byte insertion/deletion, truncation, huge counts, deep nesting) with a
/// fixed seed and checks that the reader/validator only ever throws <see cref="WasmModuleException"/>, never an
/// internal error wrapped in it, and finishes every attempt quickly.
/// </summary>
public class RobustnessTests
{
    // Defaults keep the test short; POLYMATH_WASM_FUZZ_ATTEMPTS / POLYMATH_WASM_FUZZ_SEED run longer or other campaigns locally.
    private static readonly int Attempts =
        int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_WASM_FUZZ_ATTEMPTS"), out var n) && n > 0 ? n : 6000;
    private static readonly int Seed =
        int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_WASM_FUZZ_SEED"), out var s) ? s : 20261121;
    private static readonly TimeSpan PerAttemptLimit = TimeSpan.FromSeconds(2);

    /// <summary>Seeds: the wat2wasm corpus plus builder modules exercising the other sections.</summary>
    private static byte[][] Seeds() =>
    [
        Corpus.ModuleA,
        Corpus.ModuleB,
        Module(
            Types(FuncType([I32, I64], [I64, I32]), FuncType([], [])),
            Section(2, Vec(Cat("env", "g", 0x03, I32, 0x00), Cat("env", "t", 0x01, ExternRef, 0x01, 0, 4))),
            Functions(0, 1),
            Section(4, Vec(Cat(FuncRef, 0x00, 2))),
            Section(5, Vec(Cat(0x01, 1, 2))),
            Section(6, Vec(Cat(FuncRef, 0x00, 0xD2, 1, 0x0B), Cat(I32, 0x01, 0x23, 0, 0x0B))),
            Section(7, Vec(Cat("f", 0x00, 0), Cat("mem", 0x02, 0))),
            Section(9, Vec(Cat(U32(2), U32(1), 0x41, 0, 0x0B, 0x00, Vec(U32(1))), Cat(U32(5), FuncRef, Vec(Cat(0xD0, FuncRef, 0x0B))))),
            Section(12, 2),
            Code(
                Body(Cat(0x20, 0, 0x20, 1, 0x02, 0, 0x1A, 0x1A, 0x42, 0, 0x41, 0, 0x0B, 0x41, 0, 0x41, 0, 0x41, 1, 0xFC, 8, 1, 0, 0xFC, 9, 0, 0x41, 0, 0xFD, 0x00, 4, 0, 0xFD, 0x53, 0x1A), (3, F64)),
                Body(Cat(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 12, 1, 1, 0xD2, 1, 0x1A))),
            Section(11, Vec(Cat(U32(0), 0x23, 0, 0x0B, Name("hi")), Cat(U32(1), Name("passive")))),
            Section(0, "name", Cat(1, U32((uint)Vec(Cat(U32(0), "main")).Length), Vec(Cat(U32(0), "main"))))),
    ];

    [Fact]
    public void Seeds_are_valid() => Assert.All(Seeds(), seed => Load(seed));

    [Fact]
    public async Task Mutated_modules_only_throw_the_documented_exception()
    {
        var task = Task.Run(() =>
        {
            var random = new Random(Seed);
            var seeds = Seeds();
            int rejected = 0, accepted = 0;
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                var seed = seeds[attempt % seeds.Length];
                var mutant = Mutate(seed, random, attempt);
                var clock = Stopwatch.StartNew();
                try
                {
                    ModuleReader.ReadAndValidate(mutant);
                    accepted++;
                }
                catch (WasmModuleException e)
                {
                    Assert.False(e.Reason.StartsWith("internal", StringComparison.Ordinal),
                        $"seed {Seed} attempt {attempt}: internal error escaped as {e.Message}; module {Convert.ToHexString(mutant)}");
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {Seed} attempt {attempt}: {e.GetType().Name} escaped: {e.Message}; module {Convert.ToHexString(mutant.AsSpan(0, Math.Min(mutant.Length, 4096)))}");
                }
                Assert.True(clock.Elapsed < PerAttemptLimit, $"attempt {attempt} took {clock.Elapsed}");
            }
            return (accepted, rejected);
        });
        // A hang fails with a TimeoutException here.
        var (ok, bad) = await task.WaitAsync(TimeSpan.FromMinutes(2.0 * Math.Max(1, Attempts / 6000)));
        Assert.Equal(Attempts, ok + bad);
        // Both outcomes must actually occur, or the mutations are not exercising anything.
        Assert.True(ok > 0 && bad > 0, $"accepted {ok}, rejected {bad}");
    }

    private static byte[] Mutate(byte[] seed, Random random, int attempt)
    {
        var bytes = new List<byte>(seed);
        int kinds = attempt % 997 == 0 ? 1 : 1 + random.Next(3);
        for (int k = 0; k < kinds; k++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (attempt % 997 == 0 ? 7 : random.Next(7))
            {
                case 0: // bit flip (keeps every length)
                    if (bytes.Count > 0) bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // random byte overwrite
                    if (bytes.Count > 0) bytes[at] = (byte)random.Next(256);
                    break;
                case 2: // insert a byte
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3: // delete a byte
                    if (bytes.Count > 0) bytes.RemoveAt(at);
                    break;
                case 4: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5: // overwrite with a huge LEB128 count (2^32-1) in place of a one-byte value
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveAt(at);
                        bytes.InsertRange(at, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
                    }
                    break;
                case 6: // swap two bytes
                    if (bytes.Count > 1)
                    {
                        int other = random.Next(bytes.Count);
                        (bytes[at], bytes[other]) = (bytes[other], bytes[at]);
                    }
                    break;
                case 7: // deep nesting: 100,000 "block" openers inserted (and as many ends, sometimes)
                {
                    var nest = new List<byte>(400_000);
                    for (int i = 0; i < 100_000; i++) { nest.Add(0x02); nest.Add(0x40); }
                    if (random.Next(2) == 0) for (int i = 0; i < 100_000; i++) nest.Add(0x0B);
                    bytes.InsertRange(at, nest);
                    break;
                }
            }
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Deep_nesting_inside_a_valid_body_with_fixed_sizes()
    {
        // 100,000 nested blocks, loops and ifs with the sizes right, so the validator (not the framing) sees them.
        var code = new List<byte>();
        for (int i = 0; i < 100_000; i++)
        {
            switch (i % 3)
            {
                case 0: code.AddRange([0x02, 0x40]); break;
                case 1: code.AddRange([0x03, 0x40]); break;
                default: code.AddRange([0x41, 0x01, 0x04, 0x40]); break;
            }
        }
        for (int i = 0; i < 100_000; i++) code.Add(0x0B);
        var clock = Stopwatch.StartNew();
        Load(OneFunction([], [], code.ToArray()));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        // the same nesting inside a constant expression is rejected (not constant) without recursion
        var init = new List<byte> { I32, 0x00 };
        for (int i = 0; i < 100_000; i++) init.AddRange([0x02, 0x40]);
        for (int i = 0; i <= 100_000; i++) init.Add(0x0B);
        Fails(Module(Section(6, Vec(init.ToArray()))), WasmErrorKind.Invalid, "constant expression required");
    }
}
