using System.Diagnostics;
using System.Text;

namespace Polymath.Host.Tests;

/// <summary>
/// Runs the built <c>polymath</c> (copied to cli/ under the test output) as a user would, with optional bytes on stdin,
/// a working directory and a deadline; a process still running at the deadline is killed and the test fails.
/// </summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    public static Result Run(string[] args, byte[]? stdin = null, int timeoutMs = 60_000) => Run(args, null, null, stdin, timeoutMs);

    /// <summary>Runs in <paramref name="workingDirectory"/> (null: this process's) with <paramref name="environment"/> added.</summary>
    public static Result Run(string[] args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment, byte[]? stdin = null, int timeoutMs = 60_000)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cli", "polymath.dll");
        Assert.True(File.Exists(dll), $"the CLI was not copied to {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("POLYMATH_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        // The code cache is the host's own: keep tests from sharing one with the user.
        start.Environment["POLYMATH_CODE_CACHE"] = "off";
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        catch (IOException) { } // the CLI may exit without reading stdin
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"polymath {string.Join(' ', args)} did not finish within {timeoutMs} ms");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    public static Result Run(params string[] args) => Run(args, null);
}
