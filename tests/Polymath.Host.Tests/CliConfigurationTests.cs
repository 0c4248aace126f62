using System.Diagnostics;
using System.Text.Json;

namespace Polymath.Host.Tests;

/// <summary>
/// The CLI reads the same configuration as every host, with one precedence: appsettings.json (beside the binary, then
/// the current directory) &lt; POLYMATH_ environment variables &lt; command-line options; args inline, from stdin or a file.
/// </summary>
public class CliConfigurationTests
{
    private static readonly string ExpertsDirectory = Path.Combine(Repository.Root, "experts");

    private static (int ExitCode, string Stdout, string Stderr) Polymath(string workingDirectory, IDictionary<string, string>? env, string? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
        Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("POLYMATH_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        if (env is not null) foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), "polymath did not finish within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Settings(string directory, object experts)
    {
        File.WriteAllText(Path.Combine(directory, "appsettings.json"), JsonSerializer.Serialize(new { Experts = experts }));
        return directory;
    }

    [Fact]
    public void SettingsFileThenEnvironmentThenOptions()
    {
        string nowhere = Path.Combine(Fixtures.TempDirectory(), "no-experts-here");
        // appsettings.json in the current directory names the experts directory.
        string cwd = Settings(Fixtures.TempDirectory(), new { Directory = ExpertsDirectory });
        var (code, stdout, stderr) = Polymath(cwd, null, null, "call", "gcd", """{"a":12,"b":18}""");
        Assert.True(code == 0, stderr);
        Assert.Equal("6", stdout.Trim());

        // The environment wins over the file...
        var env = new Dictionary<string, string> { ["POLYMATH_Experts__Directory"] = nowhere };
        (code, stdout, _) = Polymath(cwd, env, null, "call", "gcd", """{"a":12,"b":18}""");
        Assert.Equal(1, code);
        Assert.StartsWith("unknown_op", stdout.Trim(), StringComparison.Ordinal);

        // ...and --dir wins over both.
        (code, stdout, stderr) = Polymath(cwd, env, null, "call", "gcd", """{"a":12,"b":18}""", "--dir", ExpertsDirectory);
        Assert.True(code == 0, stderr);
        Assert.Equal("6", stdout.Trim());
    }

    [Fact]
    public void LimitsAndGrantsFromSettingsAndOptionsAreValidatedNamingTheKey()
    {
        string cwd = Settings(Fixtures.TempDirectory(), new { Directory = ExpertsDirectory, Limits = new { MemoryPages = 0 } });
        var (code, _, stderr) = Polymath(cwd, null, null, "call", "gcd", "{}");
        Assert.Equal(2, code);
        Assert.Contains("Experts:Limits:MemoryPages", stderr);

        (code, _, stderr) = Polymath(cwd, null, null, "call", "gcd", """{"a":1,"b":1}""", "--limit", "MemoryPages=64");
        Assert.True(code == 0, stderr);

        (code, _, stderr) = Polymath(cwd, null, null, "experts", "--grant", "gcd=wasi.everything", "--limit", "MemoryPages=64");
        Assert.Equal(2, code);
        Assert.Contains("wasi.everything", stderr);

        (code, var stdout, stderr) = Polymath(cwd, null, null, "experts", "--json", "--grant", "arithmetic=wasi.clock", "--limit", "MemoryPages=64");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(19, doc.RootElement.GetProperty("experts").GetArrayLength());
    }

    [Fact]
    public void ArgsFromStdinAndFromAFile()
    {
        string cwd = Fixtures.TempDirectory();
        var (code, stdout, stderr) = Polymath(cwd, null, """{"a":12,"b":18}""", "call", "gcd", "-", "--dir", ExpertsDirectory);
        Assert.True(code == 0, stderr);
        Assert.Equal("6", stdout.Trim());

        File.WriteAllText(Path.Combine(cwd, "args.json"), """{"a":21,"b":14}""");
        (code, stdout, stderr) = Polymath(cwd, null, null, "call", "gcd", "@args.json", "--dir", ExpertsDirectory);
        Assert.True(code == 0, stderr);
        Assert.Equal("7", stdout.Trim());

        (code, _, stderr) = Polymath(cwd, null, null, "call", "gcd", "@missing.json", "--dir", ExpertsDirectory);
        Assert.Equal(2, code);
        Assert.Contains("missing.json", stderr);
    }
}
