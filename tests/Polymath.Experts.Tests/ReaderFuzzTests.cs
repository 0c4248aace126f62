using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Polymath.Experts;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Experts.Tests;

/// <summary>
/// Issue 10: a seeded mutation fuzzer over the package, manifest, metadata and result readers. It starts from the
/// catalogue's real manifests and payloads, typical metadata and results, and mutates bytes (flip, insert, delete,
/// splice, duplicate, truncate) and tokens (lone surrogate escapes, huge numbers, deep nesting, NULs, BOMs, repeated
/// keys). The only exceptions allowed out are the documented ones: <see cref="ExpertPackageException"/> from the
/// package, manifest and metadata readers, <see cref="ExpertAbiException"/> from the result reader. Whatever they
/// accept must also be writable as JSON (no lone surrogate, no infinity reaches a writer).
/// Bounded in time: POLYMATH_FUZZ_SECONDS (default 10); seed: POLYMATH_FUZZ_SEED (default 20261129).
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "\\udfff", "\\ud800", "\\ud83d\\ude00", "\\u0000", "\\u001b[31m", "1e400", "-1e400", "1e39", "1e-400", "18446744073709551616",
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "\"\\", "\\", "\uFEFF", "//", "/*", "*/",
        new string('[', 80), new string('{', 40) + "\"a\":", "\"id\":\"dup\",", "\"value\":1,", "\"confidence\":1e39,",
        "\"path\":\"../x.wasm\"", "\"path\":\"a\\u0000.wasm\"", "\"sha256\":\"\"", "\"tier\":256", "\"schemaVersion\":2",
    ];

    private static readonly string[] Results =
    [
        """{"value":6,"confidence":1.0,"latency_ns":0,"expert_id":"arithmetic","op":"gcd"}""",
        """{"value":"MCMXCIV","confidence":1.0,"latency_ns":0,"expert_id":"arithmetic","op":"to_roman"}""",
        """{"value":{"distance":7,"path":["a","b","c"]},"confidence":1.0,"latency_ns":0,"expert_id":"dijkstra","op":"shortest_path"}""",
        """{"value":[1.5,-2e10,0.0001,null,true,false,"\u00e9\ud83d\ude00"],"confidence":0.5,"latency_ns":0,"expert_id":"statistics","op":"mean"}""",
        """{"value":null,"confidence":1.0,"latency_ns":0,"expert_id":"unit","op":"convert"}""",
    ];

    [Fact]
    public void ReadersThrowOnlyTheirDocumentedExceptions()
    {
        double seconds = double.Parse(Environment.GetEnvironmentVariable("POLYMATH_FUZZ_SECONDS") ?? "10", CultureInfo.InvariantCulture);
        int seed = int.Parse(Environment.GetEnvironmentVariable("POLYMATH_FUZZ_SEED") ?? "20261129", CultureInfo.InvariantCulture);
        var random = new Random(seed);

        string repo = Polymath.Tests.Repository.Root;
        var manifests = Directory.GetDirectories(Path.Combine(repo, "experts"))
            .Select(d => Path.Combine(d, ExpertManifest.FileName)).Where(File.Exists).Select(File.ReadAllBytes).ToList();
        Assert.True(manifests.Count >= 5, $"expected the catalogue's manifests under {repo}/experts");
        var metadata = manifests.Select(MetadataFrom).ToList();
        metadata.Add(Encoding.UTF8.GetBytes("""{"id":"old","tier":2,"description":"d","version":"0.1.0","ops":["add","sub"]}"""));
        var results = Results.Select(Encoding.UTF8.GetBytes).ToList();
        byte[] wasm = File.ReadAllBytes(Path.Combine(repo, "experts", "arithmetic", "arithmetic.wasm"));
        byte[] arithmeticManifest = File.ReadAllBytes(Path.Combine(repo, "experts", "arithmetic", ExpertManifest.FileName));
        var zips = new List<byte[]> { Zip(arithmeticManifest, wasm, "arithmetic.wasm"), Zip(arithmeticManifest, wasm, "arithmetic.wasm", nested: true) };

        using var scratch = new TempDir();
        string folder = Path.Combine(scratch.Path, "arithmetic");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "arithmetic.wasm"), wasm);
        string zipFile = Path.Combine(scratch.Path, "fuzz.expert");

        var counts = new int[5];
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds && failures.Count < 5)
        {
            n++;
            int target = random.Next(10) switch { < 3 => 0, < 5 => 1, < 8 => 2, 8 => 3, _ => 4 };
            counts[target]++;
            byte[] input = target switch
            {
                0 or 4 => Mutate(random, manifests, random.Next(manifests.Count)),
                1 => Mutate(random, metadata, random.Next(metadata.Count)),
                2 => Mutate(random, results, random.Next(results.Count)),
                _ => MutateBinary(random, zips[random.Next(zips.Count)]),
            };
            try
            {
                switch (target)
                {
                    case 0: ParseManifest(input); break;
                    case 1: ParseMetadata(input); break;
                    case 2: ParseResult(input); break;
                    case 3:
                        File.WriteAllBytes(zipFile, input);
                        Documented<ExpertPackageException>(() => ExpertPackageReader.Read(zipFile));
                        break;
                    default:
                        File.WriteAllBytes(Path.Combine(folder, ExpertManifest.FileName), input);
                        Documented<ExpertPackageException>(() => ExpertPackageReader.Read(folder));
                        Documented<ExpertPackageException>(() => ExpertPacker.Pack(folder, Path.Combine(scratch.Path, "out.expert")));
                        break;
                }
            }
            catch (Exception e)
            {
                failures.Add($"input #{n} (target {target}, base64 {Convert.ToBase64String(input)}): {e.GetType().Name}: {e.Message}");
            }
        }

        string summary = $"reader fuzz: seed {seed}, {n} inputs in {clock.Elapsed.TotalSeconds:F1} s " +
            $"(manifest text {counts[0]}, metadata {counts[1]}, results {counts[2]}, zips {counts[3]}, folders {counts[4]}); " +
            $"{failures.Count} undocumented exceptions";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
        Assert.True(n > 100, summary);
    }

    private static void ParseManifest(byte[] input)
    {
        // Through the reader's own decoding, and as a string handed to the public API (any UTF-16, even broken).
        string text = Encoding.UTF8.GetString(input);
        Documented<ExpertPackageException>(() => Writable(ExpertManifest.Parse(text, "fuzz.json")));
        Documented<ExpertPackageException>(() => Writable(ExpertManifest.Parse(Encoding.Latin1.GetString(input), "fuzz.json", requireHashes: false)));
        Documented<ExpertPackageException>(() => ExpertManifest.Parse(text.Insert(text.Length / 2, "\udfff"), "fuzz.json"));
    }

    private static void ParseMetadata(byte[] input) =>
        Documented<ExpertPackageException>(() =>
        {
            var m = ExpertMetadata.Parse(Encoding.UTF8.GetString(input), "fuzz.wasm");
            Write(w => { w.WriteStringValue(m.Id); foreach (var op in m.Ops) { w.WriteStringValue(op.Name); foreach (var a in op.Args) w.WriteStringValue(a); } });
        });

    private static void ParseResult(byte[] input) =>
        Documented<ExpertAbiException>(() =>
        {
            var r = ExpertResult.Parse(Encoding.UTF8.GetString(input), "fuzz", "op", 0);
            Write(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("value");
                r.Value.WriteTo(w);
                w.WriteNumber("confidence", r.Confidence);
                w.WriteString("expert_id", r.ExpertId);
                w.WriteEndObject();
            });
        });

    private static void Writable(ExpertManifest m) => _ = m.ToJson();

    private static void Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        write(w);
    }

    private static void Documented<T>(Action action) where T : Exception
    {
        try { action(); }
        catch (T e) when (!e.Message.Any(char.IsControl)) { }   // and its message is safe to print
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus, int index)
    {
        var bytes = new List<byte>(corpus[index]);
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    int i = Math.Min(at, bytes.Count - 1);
                    bytes[i] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 2 when bytes.Count > 0:
                    int start = Math.Min(at, bytes.Count - 1);
                    bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + random.Next(16)));
                    break;
                case 3:
                    var other = corpus[random.Next(corpus.Count)];
                    int from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(1 + random.Next(64)));
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at == bytes.Count ? at - 1 : at, bytes.Count - (at == bytes.Count ? at - 1 : at));
                    break;
                case 5 when bytes.Count > 0:
                    int s = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.Skip(s).Take(1 + random.Next(32)).ToList());
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }
        }
        return [.. bytes];
    }

    private static byte[] MutateBinary(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        int rounds = 1 + random.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            int at = random.Next(bytes.Length);
            switch (random.Next(4))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes = bytes[..at]; if (bytes.Length == 0) return [0x50, 0x4b]; break;
                default: // a size or offset field set to something extreme
                    if (at + 4 <= bytes.Length) BitConverter.TryWriteBytes(bytes.AsSpan(at, 4), random.Next(2) == 0 ? uint.MaxValue : (uint)random.Next());
                    break;
            }
        }
        return bytes;
    }

    private static byte[] MetadataFrom(byte[] manifest)
    {
        using var doc = JsonDocument.Parse(manifest, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = doc.RootElement;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", root.GetProperty("id").GetString());
            w.WriteNumber("tier", root.GetProperty("tier").GetInt32());
            w.WriteString("description", root.TryGetProperty("description", out var d) ? d.GetString() : "");
            w.WriteString("version", root.GetProperty("version").GetString());
            w.WriteStartArray("ops");
            if (root.TryGetProperty("ops", out var ops))
                foreach (var op in ops.EnumerateObject())
                {
                    w.WriteStartObject();
                    w.WriteString("name", op.Name);
                    w.WriteStartArray("args");
                    if (op.Value.TryGetProperty("args", out var a) && a.TryGetProperty("properties", out var props))
                        foreach (var p in props.EnumerateObject()) w.WriteStringValue(p.Name);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static byte[] Zip(byte[] manifest, byte[] wasm, string wasmPath, bool nested = false)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            string prefix = nested ? "arithmetic/" : "";
            using (var s = zip.CreateEntry(prefix + ExpertManifest.FileName).Open()) s.Write(manifest);
            using (var s = zip.CreateEntry(prefix + wasmPath, CompressionLevel.NoCompression).Open()) s.Write(wasm);
        }
        return stream.ToArray();
    }

}
