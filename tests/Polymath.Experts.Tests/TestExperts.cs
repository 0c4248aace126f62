using Polymath.Experts;

namespace Polymath.Experts.Tests;

/// <summary>Compiles the WAT test experts with wat2wasm (Debian package wabt; tests/Shared/Wat.cs). A missing tool fails loudly.</summary>
public static class TestExperts
{
    private static readonly Dictionary<string, byte[]> Cache = new();

    private static string WatDirectory => Path.Combine(AppContext.BaseDirectory, "wat");

    /// <summary>The test expert with the given id/tier/version; <paramref name="wasi"/> false gives the zero-import variant.</summary>
    public static byte[] Echo(string id = "echo", int tier = 1, string version = "1.0.0", bool wasi = true) =>
        Compile(EchoText(id, tier, version, wasi));

    /// <summary>The echo expert with <paramref name="fields"/> (WAT module fields) added to its module.</summary>
    public static byte[] EchoWith(string fields, string id = "echo")
    {
        string text = EchoText(id, 1, "1.0.0", wasi: true);
        int end = text.LastIndexOf(')');
        return Compile(string.Concat(text.AsSpan(0, end), "\n", fields, "\n)"));
    }

    private static string EchoText(string id, int tier, string version, bool wasi)
    {
        string text = File.ReadAllText(Path.Combine(WatDirectory, "test_expert.wat"))
            .Replace("{{ID}}", id).Replace("{{TIER}}", tier.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("{{VERSION}}", version);
        return wasi ? text : string.Join('\n', text.Split('\n').Where(l => !l.Contains(";;WASI", StringComparison.Ordinal)));
    }

    /// <summary>The expert whose larql_alloc returns 0.</summary>
    public static byte[] AllocZero() => Compile(File.ReadAllText(Path.Combine(WatDirectory, "alloc_zero.wat")));

    public static byte[] Compile(string wat)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(wat, out var cached)) return cached;
            var bytes = Polymath.Tests.Wat.ToWasmPlain(wat); // tests/Shared/Wat.cs: plain wat2wasm, no name section
            Cache[wat] = bytes;
            return bytes;
        }
    }

    /// <summary>Writes a folder package (manifest with correct hash) under <paramref name="root"/>; returns the folder.</summary>
    public static string WritePackage(string root, string id, byte[] wasm, int tier = 1, string version = "1.0.0", string extra = "")
    {
        string dir = Path.Combine(root, id);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, id + ".wasm"), wasm);
        File.WriteAllText(Path.Combine(dir, "expert.json"), Manifest(id, wasm, tier, version, extra));
        return dir;
    }

    public static string Manifest(string id, byte[] wasm, int tier = 1, string version = "1.0.0", string extra = "") =>
        $"{{\"schemaVersion\":1,\"id\":\"{id}\",\"version\":\"{version}\",\"tier\":{tier},\"description\":\"test\"," +
        $"\"payloads\":{{\"wasm\":{{\"path\":\"{id}.wasm\",\"sha256\":\"{ExpertPackageReader.Sha256(wasm)}\"}}}}{extra}}}";
}
