using System.Diagnostics;
using System.Text.Json;

namespace Polymath.Host.Tests;

/// <summary>Runs the built `polymath` (copied to cli/ under the test output) as a process, as a user would.</summary>
public class CliTests
{
    private static (int ExitCode, string Stdout, string Stderr) Polymath(IDictionary<string, string>? env, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
        Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("POLYMATH_PLATFORM");
        start.Environment.Remove("POLYMATH_NO_DYNAMIC_CODE");
        start.Environment.Remove("POLYMATH_PLUGINS");
        if (env is not null) foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "polymath did not finish within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static void AssertSchema(JsonElement root, string rid)
    {
        var platform = root.GetProperty("platform");
        Assert.Equal(rid, platform.GetProperty("rid").GetString());
        Assert.Equal(rid[(rid.LastIndexOf('-') + 1)..], platform.GetProperty("architecture").GetString());
        Assert.True(platform.GetProperty("dynamicCode").ValueKind is JsonValueKind.True or JsonValueKind.False);
        var runtimes = root.GetProperty("runtimes").EnumerateArray().ToList();
        Assert.NotEmpty(runtimes);
        foreach (var r in runtimes)
        {
            Assert.Equal(JsonValueKind.String, r.GetProperty("id").ValueKind);
            Assert.True(r.GetProperty("tier").ValueKind is JsonValueKind.String or JsonValueKind.Null);
            Assert.Contains(r.GetProperty("status").GetString(), new[] { "available", "unsupported", "unavailable", "failed" });
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString()));
            Assert.Equal(JsonValueKind.Array, r.GetProperty("capabilities").ValueKind);
        }
        var interpreter = runtimes.Single(r => r.GetProperty("id").GetString() == "interpreter");
        Assert.Equal("available", interpreter.GetProperty("status").GetString());
        Assert.Equal("interpreter", interpreter.GetProperty("tier").GetString());
        Assert.Contains("exec.interpreter", interpreter.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void ProbeJsonPrintsTheSchemaForThisPlatform()
    {
        var (code, stdout, stderr) = Polymath(null, "probe", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        AssertSchema(doc.RootElement, global::Polymath.Sdk.PlatformInfo.Current.RuntimeIdentifier);
    }

    [Fact]
    public void ProbeJsonUnderLinuxArm()
    {
        var (code, stdout, stderr) = Polymath(null, "probe", "--platform", "linux-arm", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        AssertSchema(doc.RootElement, "linux-arm");
        Assert.True(doc.RootElement.GetProperty("platform").GetProperty("simulated").GetBoolean());
    }

    [Fact]
    public void PlatformFromEnvironmentVariableAndNoDynamicCode()
    {
        var (code, stdout, stderr) = Polymath(new Dictionary<string, string> { ["POLYMATH_PLATFORM"] = "linux-armv6" }, "probe", "--json", "--no-dynamic-code");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        AssertSchema(doc.RootElement, "linux-armv6");
        Assert.False(doc.RootElement.GetProperty("platform").GetProperty("dynamicCode").GetBoolean());
    }

    [Fact]
    public void TableAndErrors()
    {
        var (code, stdout, _) = Polymath(null, "probe");
        Assert.Equal(0, code);
        Assert.Contains("RUNTIME", stdout);
        Assert.Contains("interpreter", stdout);

        var bad = Polymath(null, "probe", "--platform", "amiga");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--platform: 'amiga' is not a runtime identifier", bad.Stderr);

        var manifest = Path.Combine(Fixtures.TempDirectory(), "plugins.json");
        File.WriteAllText(manifest, """{"schemaVersion":1,"plugins":[{"id":"x","assembly":"x.dll","priority":"high"}]}""");
        var malformed = Polymath(null, "probe", "--plugins", manifest);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains($"{manifest}: plugins[0] (id 'x'): field 'priority'", malformed.Stderr);
    }

    /// <summary>Assembles WAT with wabt's wat2wasm (tests/Shared/Wat.cs) into a file m.wasm in a fresh folder; returns its path.</summary>
    private static string Wat2Wasm(string wat)
    {
        var wasmPath = Path.Combine(Directory.CreateTempSubdirectory("polymath-run-").FullName, "m.wasm");
        File.WriteAllBytes(wasmPath, Wat.ToWasmPlain(wat));
        return wasmPath;
    }

    [Fact]
    public void RunInvokesAnExportWithTypedArgumentsAndReportsTraps()
    {
        var wasm = Wat2Wasm("""
            (module
              (func (export "add") (param i32 i64) (result i64) (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
            """);
        var (code, stdout, stderr) = Polymath(null, "run", wasm, "--invoke", "add", "--", "-2", "40");
        Assert.True(code == 0, stderr);
        Assert.Equal("38", stdout.Trim());

        (code, _, stderr) = Polymath(null, "run", wasm, "--invoke", "div", "1", "0");
        Assert.Equal(1, code);
        Assert.Contains("integer divide by zero", stderr);

        (code, _, stderr) = Polymath(null, "run", wasm, "--invoke", "add", "1");
        Assert.Equal(2, code);
        Assert.Contains("takes 2 arguments", stderr);
    }

    [Fact]
    public void RunWithoutInvokeRunsAWasiCommandThroughTheShim()
    {
        // fd_write(1, iov, 1, &n) of "hi from wasi\n", then proc_exit(7): stdout and the exit code reach the caller.
        var wasm = Wat2Wasm("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hi from wasi\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 13))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (call $proc_exit (i32.const 7))))
            """);
        var (code, stdout, stderr) = Polymath(null, "run", wasm);
        Assert.True(code == 7, $"exit {code}: {stderr}");
        Assert.Equal("hi from wasi\n", stdout);
    }

    [Fact]
    public void InspectIrListsTheInterpretersTranslatedCode()
    {
        var wasm = Wat2Wasm("""
            (module
              (func (export "mix") (param i32 i32) (result i32) (i32.mul (i32.xor (local.get 0) (local.get 1)) (local.get 1)))
              (func (export "spin") (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))
            """);
        var (code, stdout, stderr) = Polymath(null, "inspect", wasm, "--func", "mix", "--ir");
        Assert.True(code == 0, stderr);
        Assert.Contains("func 0 mix", stdout, StringComparison.Ordinal);
        Assert.Contains("I32Xor", stdout, StringComparison.Ordinal);
        Assert.Contains("I32Mul", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("func 1", stdout, StringComparison.Ordinal);

        // Every function when --func is absent; the metered variant of the loop has fuel ops, the fast one none.
        (code, stdout, stderr) = Polymath(null, "inspect", wasm, "--ir");
        Assert.True(code == 0, stderr);
        Assert.Contains("func 1 spin", stdout, StringComparison.Ordinal);
        string spin = stdout[stdout.IndexOf("func 1 spin", StringComparison.Ordinal)..];
        int metered = spin.IndexOf("metered code", StringComparison.Ordinal);
        Assert.True(metered > 0, stdout);
        Assert.DoesNotContain("Fuel", spin[..metered], StringComparison.Ordinal);
        Assert.Contains("Fuel", spin[metered..], StringComparison.Ordinal);

        (code, _, stderr) = Polymath(null, "inspect", wasm, "--func", "nope", "--ir");
        Assert.Equal(2, code);
        Assert.Contains("no defined function 'nope'", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Polymath(null, "inspect", wasm, "--ir", "--cil");
        Assert.Equal(2, code);
        Assert.Contains("not both", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InspectGoesThroughTheListingContractAndNamesWhatARuntimeLists()
    {
        var wasm = Wat2Wasm("""(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        var (code, stdout, stderr) = Polymath(null, "inspect", wasm, "--func", "add", "--cil");
        Assert.True(code == 0, stderr);
        Assert.Contains("add", stdout, StringComparison.Ordinal);

        // The interpreter's plugin lists its IR, not CIL; Wasmtime's lists nothing: each said, exit 2.
        (code, _, stderr) = Polymath(null, "inspect", wasm, "--cil", "--runtime", "interpreter");
        Assert.Equal(2, code);
        Assert.Contains("runtime 'interpreter' lists 'ir', not 'cil'", stderr, StringComparison.Ordinal);
        (code, _, stderr) = Polymath(null, "inspect", wasm, "--ir", "--runtime", "wasmtime");
        Assert.Equal(2, code);
        Assert.Contains("runtime 'wasmtime' lists no generated code", stderr, StringComparison.Ordinal);
        (code, _, stderr) = Polymath(null, "inspect", wasm, "--ir", "--runtime", "nosuch");
        Assert.Equal(2, code);
        Assert.Contains("no runtime 'nosuch'", stderr, StringComparison.Ordinal);
    }
}
