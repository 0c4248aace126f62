using System.Diagnostics;

namespace Polymath.Tests;

/// <summary>
/// Runs external tools; a missing tool is a loud failure naming it and how to install it. One file, linked into the test
/// projects that build with gcc, clang or build.sh (tests/Shared/).
/// </summary>
internal static class Tools
{
    /// <summary>Full path of <paramref name="tool"/> on PATH, or an exception saying how to install it.</summary>
    public static string Require(string tool, string install)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string p = Path.Combine(dir, tool);
            if (File.Exists(p)) return p;
        }
        throw new InvalidOperationException($"required tool '{tool}' is not installed ({install}); this test cannot run without it");
    }

    /// <summary>Runs a program and returns stdout; a non-zero exit throws with stdout and stderr.</summary>
    public static string Run(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000)) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} took over 300 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}\n{o}\n{err.Result}");
        return o;
    }

    /// <summary>A fresh temporary directory, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        /// <summary>Its path.</summary>
        public string Path { get; } = Directory.CreateTempSubdirectory("polymath-H-").FullName;

        /// <inheritdoc />
        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
