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
}
