using System.Reflection;

namespace Polymath.Mcp.Tests;

/// <summary>Where the repository, the built CLI, node and the MCP test client are. Missing tools fail loudly.</summary>
internal static class TestPaths
{
    public static string RepoRoot => Polymath.Tests.Repository.Root;

    public static string ExpertsDirectory => Path.Combine(RepoRoot, "experts");

    public static string ClientDirectory => Path.Combine(RepoRoot, "tests", "Polymath.Mcp.Tests", "client");

    public static string Configuration =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Configuration").Value!;

    /// <summary>polymath.dll in the CLI's build output (built by this project's reference).</summary>
    public static string PolymathDll
    {
        get
        {
            string path = Path.Combine(RepoRoot, "host", "Polymath.Cli", "bin", Configuration, "net10.0", "polymath.dll");
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: build host/Polymath.Cli -c {Configuration}");
            return path;
        }
    }

    /// <summary>The client script, after checking that node and the npm packages it imports are installed.</summary>
    public static string ClientScript
    {
        get
        {
            if (FindOnPath("node") is null)
                throw new InvalidOperationException("node is not installed: the MCP tests drive polymath with the official TypeScript MCP SDK. Install it (apt-get install nodejs npm); bash .ci/run does this.");
            if (!Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "@modelcontextprotocol", "sdk")) || !Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "ajv")))
                throw new InvalidOperationException($"the MCP test client's npm packages are missing: run 'npm ci --prefix {ClientDirectory}' (bash .ci/run does this).");
            return Path.Combine(ClientDirectory, "client.mjs");
        }
    }

    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>A temporary file holding <paramref name="token"/> (for --token-file); the caller deletes it.</summary>
    public static string TokenFile(string token)
    {
        string path = Path.Combine(Path.GetTempPath(), "polymath-mcp-tests", Guid.NewGuid().ToString("N") + ".token");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, token + "\n");
        return path;
    }

    /// <summary>A temporary experts directory with copies of the named catalogue packages.</summary>
    public static string TempExperts(params string[] ids)
    {
        string dir = Path.Combine(Path.GetTempPath(), "polymath-mcp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var id in ids) CopyExpert(id, dir);
        return dir;
    }

    /// <summary>Copies catalogue package <paramref name="id"/> (expert.json and the wasm) into <paramref name="dir"/>, manifest last.</summary>
    public static void CopyExpert(string id, string dir)
    {
        // Staged beside, then moved in: the watcher sees a complete package appear.
        string staging = Path.Combine(Path.GetDirectoryName(dir)!, "." + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        foreach (var f in new[] { "expert.json", id + ".wasm" })
            File.Copy(Path.Combine(ExpertsDirectory, id, f), Path.Combine(staging, f));
        Directory.Move(staging, Path.Combine(dir, id));
    }
}
