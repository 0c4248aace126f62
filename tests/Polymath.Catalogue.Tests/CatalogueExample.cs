using System.Text.Json;

namespace Polymath.Catalogue.Tests;

/// <summary>One line of experts/conformance/examples.jsonl.</summary>
public sealed record CatalogueExample(int Line, string Expert, string Op, string ArgsJson, JsonElement Expect, double? Tolerance)
{
    /// <summary>True when the catalogue says the expert declines (returns 0) for these args.</summary>
    public bool ExpectsDeclined => Expect.ValueKind == JsonValueKind.String && Expect.GetString() == "declined";

    /// <summary>The examples file.</summary>
    public static string FilePath => Path.Combine(Repository.ExpertsDirectory, "conformance", "examples.jsonl");

    /// <summary>All examples, in file order. A malformed line is an error naming the line.</summary>
    public static IReadOnlyList<CatalogueExample> All { get; } = Load(FilePath);

    /// <summary>Parses an examples file.</summary>
    public static IReadOnlyList<CatalogueExample> Load(string path)
    {
        var list = new List<CatalogueExample>();
        int n = 0;
        foreach (string line in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                double? tol = r.TryGetProperty("tolerance", out var t) ? t.GetDouble() : null;
                list.Add(new CatalogueExample(n, r.GetProperty("expert").GetString()!, r.GetProperty("op").GetString()!,
                    r.TryGetProperty("args", out var a) ? a.GetRawText() : "{}", r.GetProperty("expect").Clone(), tol));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}:{n}: {e.Message}", e);
            }
        }
        return list;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Line}:{Expert}.{Op}";
}
