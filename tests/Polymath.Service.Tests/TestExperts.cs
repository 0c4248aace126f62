using Polymath.Experts;

namespace Polymath.Service.Tests;

/// <summary>
/// Expert packages for the service tests: the hostile WAT test expert of Polymath.Experts.Tests (compiled with
/// wat2wasm from the Debian package wabt; a missing tool fails loudly), with its op names prefixed so several copies
/// (different limits, requirements, versions) can be loaded side by side, and the real arithmetic expert.
/// </summary>
internal static class TestExperts
{
    private static readonly string[] OpNames = ["echo", "decline", "loop", "grow", "recurse", "huge", "wild", "nonul", "trap", "badjson", "version", "print", "clock", "random", "exit"];

    /// <summary>The test expert with every op renamed to <paramref name="prefix"/> + name (e.g. "s" → sloop).</summary>
    /// <paramref name="edit"/>, when given, rewrites the module's text first (e.g. a hostile body for one op).
    public static byte[] Echo(string id, string prefix, string version = "1.0.0", Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wat", "test_expert.wat"))
            .Replace("{{ID}}", id).Replace("{{TIER}}", "1").Replace("{{VERSION}}", version);
        if (edit is not null) text = edit(text);
        text = string.Join('\n', text.Split('\n').Where(l => !l.Contains(";;WASI", StringComparison.Ordinal)));
        foreach (var op in OpNames)
            text = text.Replace($"\"{op}\\00\"", $"\"{prefix}{op}\\00\"").Replace($"\\22name\\22:\\22{op}\\22", $"\\22name\\22:\\22{prefix}{op}\\22");
        return Compile(text);
    }

    /// <summary>Writes a folder package; <paramref name="extra"/> is appended to the manifest object.</summary>
    public static void WritePackage(string root, string id, byte[] wasm, string version = "1.0.0", string extra = "")
    {
        string dir = Path.Combine(root, id);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, id + ".wasm"), wasm);
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest(id, wasm, version, extra));
    }

    public static string Manifest(string id, byte[] wasm, string version = "1.0.0", string extra = "") =>
        $"{{\"schemaVersion\":1,\"id\":\"{id}\",\"version\":\"{version}\",\"tier\":1,\"description\":\"test\"," +
        $"\"payloads\":{{\"wasm\":{{\"path\":\"{id}.wasm\",\"sha256\":\"{ExpertPackageReader.Sha256(wasm)}\"}}}}{extra}}}";

    /// <summary>Copies the repository's experts/arithmetic (gcd and friends) into <paramref name="root"/>.</summary>
    public static void CopyArithmetic(string root)
    {
        string source = Path.Combine(Repository.Root, "experts", "arithmetic");
        string dir = Path.Combine(root, "arithmetic");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "expert.json", "arithmetic.wasm" }) File.Copy(Path.Combine(source, f), Path.Combine(dir, f));
    }

    /// <summary>The standard test directory: echo (fuel-limited), needsjit (unavailable), slow (unmetered), swap, arithmetic.</summary>
    public static string CreateDirectory()
    {
        string root = Directory.CreateTempSubdirectory("polymath-service-experts-").FullName;
        WritePackage(root, "echo", Echo("echo", ""), extra: ",\"limits\":{\"fuelPerCall\":2000000}");
        WritePackage(root, "needsjit", Echo("needsjit", "j"), extra: ",\"requires\":[\"exec.jit\"]");
        WritePackage(root, "slow", Echo("slow", "s"), extra: ",\"limits\":{\"timeoutMs\":20000}");
        WritePackage(root, "swap", Echo("swap", "w"));
        CopyArithmetic(root);
        return root;
    }

    private static readonly Dictionary<string, byte[]> Cache = new();

    private static byte[] Compile(string wat)
    {
        lock (Cache) { if (Cache.TryGetValue(wat, out var cached)) return cached; }
        byte[] wasm = Polymath.Tests.Wat.ToWasm(wat); // tests/Shared/Wat.cs: wat2wasm, failing loudly when wabt is missing
        lock (Cache) { return Cache[wat] = wasm; }
    }
}
