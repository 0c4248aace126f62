using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Polymath.Conformance;

/// <summary>
/// Converts <c>.wast</c> scripts to wabt's JSON form (a <c>.json</c> command list plus one <c>.wasm</c>/<c>.wat</c>
/// file per module) with <c>wast2json</c>, caching the result outside the source tree. The cache key is a hash of
/// the <c>wast2json</c> version and the script's name and content, so an unchanged script is converted once.
/// Safe when several processes convert at the same time: each converts into a private temporary folder and
/// renames it into place; the loser of a race discards its copy.
/// </summary>
public sealed class Wast2Json
{
    /// <summary>Environment variable naming the cache folder.</summary>
    public const string CacheVariable = "POLYMATH_SPEC_CACHE";

    /// <summary>Environment variable naming the <c>wast2json</c> executable (default: searched on PATH).</summary>
    public const string ToolVariable = "POLYMATH_WAST2JSON";

    private const string InstallHint = "Install wabt (Debian/Ubuntu: apt-get install wabt) or set " + ToolVariable + " to the wast2json executable.";

    private Wast2Json(string toolPath, string version, string cacheDirectory)
    {
        ToolPath = toolPath;
        Version = version;
        CacheDirectory = cacheDirectory;
    }

    /// <summary>The <c>wast2json</c> executable used.</summary>
    public string ToolPath { get; }

    /// <summary>What <c>wast2json --version</c> printed.</summary>
    public string Version { get; }

    /// <summary>The cache root.</summary>
    public string CacheDirectory { get; }

    /// <summary>
    /// Finds <c>wast2json</c> (<see cref="ToolVariable"/> or PATH), asks its version and prepares the cache
    /// (<paramref name="cacheDirectory"/>, else <see cref="CacheVariable"/>, else <c>$XDG_CACHE_HOME/polymath/spec</c>,
    /// else <c>~/.cache/polymath/spec</c>). <paramref name="toolPath"/>, when given, names the executable instead.
    /// </summary>
    /// <exception cref="SpecSetupException"><c>wast2json</c> is missing or does not run.</exception>
    public static Wast2Json Create(string? cacheDirectory = null, string? toolPath = null)
    {
        var tool = FindTool(toolPath);
        string version;
        try
        {
            var (code, stdout, stderr) = Run(tool, ["--version"], TimeSpan.FromSeconds(30));
            if (code != 0) throw new SpecSetupException($"'{tool} --version' exited with {code}: {stderr.Trim()} {InstallHint}");
            version = stdout.Trim();
        }
        catch (Win32Exception e)
        {
            throw new SpecSetupException($"Cannot run '{tool}': {e.Message}. {InstallHint}", e);
        }
        var cache = Path.GetFullPath(cacheDirectory ?? DefaultCacheDirectory());
        Directory.CreateDirectory(cache);
        return new Wast2Json(tool, version, cache);
    }

    /// <summary>The cache folder used when none is given: <see cref="CacheVariable"/>, else the user's cache folder + <c>polymath/spec</c>.</summary>
    public static string DefaultCacheDirectory()
    {
        var fromVariable = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(fromVariable)) return fromVariable;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".cache");
        if (string.IsNullOrWhiteSpace(baseDir) || baseDir == ".cache") baseDir = Path.Combine(Path.GetTempPath(), "polymath-cache");
        return Path.Combine(baseDir, "polymath", "spec");
    }

    private static string FindTool(string? toolPath)
    {
        if (toolPath is not null)
        {
            if (File.Exists(toolPath)) return Path.GetFullPath(toolPath);
            throw new SpecSetupException($"wast2json '{toolPath}' does not exist. {InstallHint}");
        }
        var fromVariable = Environment.GetEnvironmentVariable(ToolVariable);
        if (!string.IsNullOrWhiteSpace(fromVariable))
        {
            if (File.Exists(fromVariable)) return Path.GetFullPath(fromVariable);
            throw new SpecSetupException($"{ToolVariable} names '{fromVariable}', which does not exist. {InstallHint}");
        }
        var names = OperatingSystem.IsWindows() ? new[] { "wast2json.exe", "wast2json" } : ["wast2json"];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir.Trim('"'), name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new SpecSetupException($"wast2json was not found on PATH; the spec testsuite runner needs it to convert .wast files. {InstallHint}");
    }

    /// <summary>
    /// Converts <paramref name="wastPath"/> (or reuses the cached conversion) and returns the path of the JSON
    /// command file; the module files lie beside it.
    /// </summary>
    /// <exception cref="SpecSetupException">The script does not exist or <c>wast2json</c> failed on it.</exception>
    public string Convert(string wastPath)
    {
        ArgumentNullException.ThrowIfNull(wastPath);
        if (!File.Exists(wastPath)) throw new SpecSetupException($"Spec script '{wastPath}' does not exist.");
        var content = File.ReadAllBytes(wastPath);
        var stem = Path.GetFileNameWithoutExtension(wastPath);
        var key = CacheKey(stem, content);
        var final = Path.Combine(CacheDirectory, $"{stem}-{key}");
        var json = Path.Combine(final, stem + ".json");
        if (File.Exists(json)) return json;

        var temp = Path.Combine(CacheDirectory, $".tmp-{stem}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            // Convert a private copy so the JSON's source_filename and outputs never depend on the suite's folder.
            var localWast = Path.Combine(temp, stem + ".wast");
            File.WriteAllBytes(localWast, content);
            var (code, stdout, stderr) = Run(ToolPath, [localWast, "-o", Path.Combine(temp, stem + ".json")], TimeSpan.FromMinutes(5));
            if (code != 0)
                throw new SpecSetupException($"wast2json failed on '{wastPath}' (exit {code}): {(stderr + stdout).Trim()}");
            File.Delete(localWast);
            try
            {
                Directory.Move(temp, final);
            }
            catch (IOException) when (File.Exists(json))
            {
                // Another process finished the same conversion first; theirs is identical.
            }
            catch (UnauthorizedAccessException) when (File.Exists(json))
            {
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                try { Directory.Delete(temp, recursive: true); }
                catch (IOException) { /* left for the next run; never used as a cache entry */ }
                catch (UnauthorizedAccessException) { }
            }
        }
        if (!File.Exists(json)) throw new SpecSetupException($"wast2json produced no '{stem}.json' for '{wastPath}' in '{final}'.");
        return json;
    }

    private string CacheKey(string stem, byte[] content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{Version}\n{stem}\n"));
        hash.AppendData(content);
        return System.Convert.ToHexStringLower(hash.GetHashAndReset())[..20];
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string tool, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new SpecSetupException($"Could not start '{tool}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new SpecSetupException($"'{tool} {string.Join(' ', arguments)}' did not finish within {timeout.TotalSeconds:0} s.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
