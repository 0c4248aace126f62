using System.Diagnostics;
using Polymath.Sdk;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>
/// The process-death replay of issue #24, item 1, as a user meets it: the built CLI (`polymath run x.wasm --runtime
/// compiler --invoke f 1000`) on a recursion whose frames hold ~2,000 live i64 operands exited 134 ("Stack overflow.");
/// it must exit with the trap's message instead, and the interpreter must still answer.
/// </summary>
[Collection(HostileCollection.Name)]
public class CliProcessTests
{
    /// <summary>Runs the built CLI (copied to cli/ under the test output) with <paramref name="args"/>.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
        Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var v in new[] { "POLYMATH_PLATFORM", "POLYMATH_NO_DYNAMIC_CODE", "POLYMATH_PLUGINS" }) psi.Environment.Remove(v);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail($"polymath {string.Join(' ', args)} did not exit within 120 s"); }
        return (p.ExitCode, o, err.Result);
    }

    [Theory]
    [InlineData(RecursionShape.Operands, "i64", 2000, 1000)] // the attacker's replay
    [InlineData(RecursionShape.Locals, "f64", 1000, 9000)]
    [InlineData(RecursionShape.Indirect, "i64", 1500, 9000)]
    [InlineData(RecursionShape.Mutual, "i64", 1500, 9000)]
    public void DeepLargeFrameRecursionExitsWithATrapNotAStackOverflow(RecursionShape shape, string type, int n, int depth)
    {
        using var dir = new TempDirectory();
        string wasm = Path.Combine(dir.Path, "x.wasm");
        File.WriteAllBytes(wasm, Wat.ToWasm(RecursionModules.Build(shape, type, n)));
        var (code, stdout, stderr) = Run("run", wasm, "--runtime", "compiler", "--invoke", "f", depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code != 134 && !stderr.Contains("Stack overflow", StringComparison.Ordinal), $"the process died: exit {code}\n{stderr}");
        Assert.True(code != 0, $"expected a trap, got exit 0: {stdout}");
        Assert.Contains("call stack exhausted", stderr, StringComparison.Ordinal);
        // Shallow, the compiler answers; deep, the interpreter answers as before (its own stack, its own limits).
        Assert.Equal("50", Run("run", wasm, "--runtime", "compiler", "--invoke", "f", "50").Stdout.Trim());
        Assert.Equal("1000", Run("run", wasm, "--runtime", "interpreter", "--invoke", "f", "1000").Stdout.Trim());
    }

    [Fact]
    public void TooLargeAFrameIsRefusedWithAReasonAndTheProcessLives()
    {
        using var dir = new TempDirectory();
        string wasm = Path.Combine(dir.Path, "x.wasm");
        File.WriteAllBytes(wasm, Wat.ToWasm(RecursionModules.Build(RecursionShape.Parameters, "i32", 10_000)));
        var (code, _, stderr) = Run("run", wasm, "--runtime", "compiler", "--invoke", "f", "3");
        Assert.NotEqual(0, code);
        Assert.NotEqual(134, code);
        Assert.Contains("10001 parameters", stderr, StringComparison.Ordinal);
        Assert.Equal("3", Run("run", wasm, "--runtime", "interpreter", "--invoke", "f", "3").Stdout.Trim());
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("polymath-cc-").FullName;
        public void Dispose() => Directory.Delete(Path, true);
    }
}
