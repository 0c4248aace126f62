using System.Text.Json;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// The SIMD test expert (tests/Fixtures/simd_kernels, C built with clang -msimd128) through the built CLI: on linux-x64
/// it binds to Wasmtime, on simulated linux-arm (no Wasmtime) to the compiler tier, and without dynamic code (NativeAOT,
/// iOS: no compiler tier either) to the interpreter, never unavailable; all three give the same answers, and the scalar
/// build of the same source gives the same bits as the SIMD build.
/// </summary>
[Collection(HostileCollection.Name)]
public class SimdExpertTests
{
    private static string Fixture(string variant) => Path.Combine(Repository.Root, "tests", "Fixtures", "simd_kernels", variant);

    private static (int ExitCode, string Stdout, string Stderr) Polymath(params string[] args) => CliProcessTests.Run(args);

    private static string Runtime(string variant, params string[] platform)
    {
        var (code, stdout, stderr) = Polymath(["experts", "--dir", Fixture(variant), "--json", .. platform]);
        Assert.True(code == 0, $"polymath experts failed ({code}): {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var text = doc.RootElement.GetRawText();
        foreach (var e in doc.RootElement.GetProperty("experts").EnumerateArray())
        {
            Assert.Equal("bound", e.GetProperty("status").GetString());
            return e.GetProperty("runtime").GetString()!;
        }
        throw new InvalidOperationException($"no expert listed: {text}");
    }

    [Fact]
    public void TheSimdExpertBindsToTheCompilerOnSimulatedLinuxArm()
    {
        Assert.Equal("compiler", Runtime("simd", "--platform", "linux-arm"));
        Assert.Equal("wasmtime", Runtime("simd"));
    }

    [Fact]
    public void WithoutDynamicCodeTheSimdExpertBindsToTheInterpreter()
    {
        Assert.Equal("interpreter", Runtime("simd", "--platform", "linux-arm", "--no-dynamic-code"));
        Assert.Equal("interpreter", Runtime("simd", "--no-dynamic-code"));
    }

    public static TheoryData<string, string> Calls => new()
    {
        { "dot", """{"a":[1,2,3,4,5,6,7,8,9],"b":[0.5,0.25,2,1,3,-1.5,0.125,1e-3,7]}""" },
        { "dot", """{"a":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8],"b":[1e7,-1e7,3.3,1e-7,2.5,-2.5,1,1]}""" },
        { "matmul4", """{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"b":[0.5,0,0,1,0,2,0,0,0,0,3,0,1,0,0,0.25]}""" },
        { "matmul4", """{"a":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.1,1.2,1.3,1.4,1.5,1.6,1.7],"b":[1.7,1.6,1.5,1.4,1.3,1.2,1.1,0.9,0.8,0.7,0.6,0.5,0.4,0.3,0.2,0.1]}""" },
        { "bench", """{"n":1000,"rounds":50}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void CompilerInterpreterAndWasmtimeGiveIdenticalResultsAndTheScalarBuildAgrees(string op, string args)
    {
        var wasmtime = Polymath("call", op, args, "--dir", Fixture("simd"));
        var compiler = Polymath("call", op, args, "--dir", Fixture("simd"), "--platform", "linux-arm");
        var interpreter = Polymath("call", op, args, "--dir", Fixture("simd"), "--platform", "linux-arm", "--no-dynamic-code");
        var scalar = Polymath("call", op, args, "--dir", Fixture("scalar"), "--platform", "linux-arm");
        var scalarInterpreted = Polymath("call", op, args, "--dir", Fixture("scalar"), "--platform", "linux-arm", "--no-dynamic-code");
        Assert.True(wasmtime.ExitCode == 0, $"wasmtime: {wasmtime.Stderr}");
        Assert.True(compiler.ExitCode == 0, $"compiler: {compiler.Stderr}");
        Assert.True(interpreter.ExitCode == 0, $"interpreter: {interpreter.Stderr}");
        Assert.True(scalar.ExitCode == 0, $"scalar build: {scalar.Stderr}");
        Assert.True(scalarInterpreted.ExitCode == 0, $"scalar build on the interpreter: {scalarInterpreted.Stderr}");
        Assert.Equal(wasmtime.Stdout, compiler.Stdout);
        Assert.Equal(wasmtime.Stdout, interpreter.Stdout);
        Assert.Equal(compiler.Stdout, scalar.Stdout);
        Assert.Equal(compiler.Stdout, scalarInterpreted.Stdout);
    }
}
