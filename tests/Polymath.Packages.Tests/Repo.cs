using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Polymath.Packages.Tests;

/// <summary>The repository the tests run from, its built CLI, and running processes with a chosen environment.</summary>
internal static class Repo
{
    /// <summary>The folder holding Polymath.slnx, found upwards from the test output.</summary>
    public static string Root => Polymath.Tests.Repository.Root;

    /// <summary>artifacts/packages: the feed `dotnet pack` writes.</summary>
    public static string Feed => Path.Combine(Root, "artifacts", "packages");

    /// <summary>The version every package of this build carries.</summary>
    public static string Version { get; } = typeof(Polymath.Host.Telemetry.PolymathTelemetry).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.1.0";

    /// <summary>The built CLI of this configuration (a real process for the service cases).</summary>
    /// <summary>The version Directory.Packages.props pins for <paramref name="id"/>, so an app in a test references what the packages were built against.</summary>
    public static string PackageVersion(string id)
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(Root, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").FirstOrDefault(e => (string?)e.Attribute("Include") == id)?.Attribute("Version")?.Value
            ?? throw new InvalidOperationException($"Directory.Packages.props pins no version of {id}");
    }

    public static string CliDll
    {
        get
        {
            string configuration = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .First(a => a.Key == "Polymath.Packages.Tests.Configuration").Value!;
            string dll = Path.Combine(Root, "host", "Polymath.Cli", "bin", configuration, "net10.0", "polymath.dll");
            Assert.True(File.Exists(dll), $"the CLI is not built at {dll} (dotnet build host/Polymath.Cli -c {configuration})");
            return dll;
        }
    }


    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="directory"/> with <paramref name="environment"/> added (a null
    /// value removes a variable); returns stdout, or fails with the command, its exit code, stdout and stderr.
    /// MSBuild variables the test host inherited are removed so a child build is a plain one.
    /// </summary>
    public static string Run(string file, string directory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(file, directory, environment, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} (in {directory}) exited {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        return stdout;
    }

    /// <summary>Like <see cref="Run"/> but returns the exit code and both outputs.</summary>
    public static (int Code, string Stdout, string Stderr) TryRun(string file, string directory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in environment)
        {
            if (value is null) psi.Environment.Remove(key);
            else psi.Environment[key] = value;
        }
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(600_000))
        {
            p.Kill(true);
            Assert.Fail($"{file} {string.Join(' ', args)} took over 600 s\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        lock (stdout) lock (stderr) return (p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Full path of <paramref name="tool"/>: an absolute path that exists, or a name found on PATH; else a loud failure.</summary>
    public static string RequireTool(string tool, string install)
    {
        if (Path.IsPathRooted(tool))
        {
            Assert.True(File.Exists(tool), $"required tool {tool} is not installed ({install}); this test cannot run without it");
            return tool;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool))) return Path.Combine(dir, tool);
        Assert.Fail($"required tool '{tool}' is not installed ({install}); this test cannot run without it");
        return tool;
    }

    /// <summary>Copies the folder <paramref name="source"/> into <paramref name="target"/> (created).</summary>
    public static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
    }
}
