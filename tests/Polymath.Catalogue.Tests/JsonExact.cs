using System.Globalization;
using System.Text.Json;

namespace Polymath.Catalogue.Tests;

/// <summary>
/// Compares JSON values the way a larql caller sees them: an integer is not a float (<c>1</c> ≠ <c>1.0</c>), object
/// keys must appear in the same order, <c>null</c> is a value. Floats compare exactly unless a tolerance is given
/// (absolute, or relative to the expected magnitude when that is larger than 1).
/// </summary>
public static class JsonExact
{
    /// <summary>Returns null when equal, else a description of the first difference with its JSON path.</summary>
    public static string? Difference(JsonElement expected, JsonElement actual, double? tolerance, string path = "$")
    {
        if (expected.ValueKind != actual.ValueKind &&
            !(IsBool(expected) && IsBool(actual)))
            return $"{path}: expected {Kind(expected)} {expected.GetRawText()}, got {Kind(actual)} {actual.GetRawText()}";
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                bool ei = IsIntegerLiteral(expected.GetRawText()), ai = IsIntegerLiteral(actual.GetRawText());
                if (ei != ai)
                    return $"{path}: expected {(ei ? "an integer" : "a float")} {expected.GetRawText()}, got {actual.GetRawText()}";
                if (ei)
                {
                    // Integers compare exactly, by their decimal text's value (covers the full u64/i64 range).
                    var e = System.Numerics.BigInteger.Parse(expected.GetRawText(), CultureInfo.InvariantCulture);
                    var a = System.Numerics.BigInteger.Parse(actual.GetRawText(), CultureInfo.InvariantCulture);
                    return e == a ? null : $"{path}: expected {e}, got {a}";
                }
                double ev = expected.GetDouble(), av = actual.GetDouble();
                if (tolerance is double t)
                    return Math.Abs(ev - av) <= t * Math.Max(1.0, Math.Abs(ev)) ? null : $"{path}: expected {ev:R} ± {t:R}, got {av:R}";
                return ev.Equals(av) ? null : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.String:
                return expected.GetString() == actual.GetString() ? null : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.True or JsonValueKind.False:
                return expected.GetBoolean() == actual.GetBoolean() ? null : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                int el = expected.GetArrayLength(), al = actual.GetArrayLength();
                if (el != al) return $"{path}: expected {el} elements, got {al}: {Short(actual)}";
                for (int i = 0; i < el; i++)
                    if (Difference(expected[i], actual[i], tolerance, $"{path}[{i}]") is { } d) return d;
                return null;
            case JsonValueKind.Object:
                var ep = expected.EnumerateObject().ToList();
                var ap = actual.EnumerateObject().ToList();
                string ek = string.Join(",", ep.Select(p => p.Name)), ak = string.Join(",", ap.Select(p => p.Name));
                if (ek != ak) return $"{path}: expected keys [{ek}] in this order, got [{ak}]";
                for (int i = 0; i < ep.Count; i++)
                    if (Difference(ep[i].Value, ap[i].Value, tolerance, $"{path}.{ep[i].Name}") is { } d) return d;
                return null;
            default:
                return $"{path}: unexpected JSON kind {expected.ValueKind}";
        }
    }

    /// <summary>True when a JSON number literal has no fraction and no exponent (larql's integer spelling).</summary>
    public static bool IsIntegerLiteral(string raw) => raw.IndexOfAny(['.', 'e', 'E']) < 0;

    private static bool IsBool(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => IsIntegerLiteral(e.GetRawText()) ? "integer" : "float",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Short(JsonElement e)
    {
        string s = e.GetRawText();
        return s.Length > 200 ? s[..200] + "…" : s;
    }
}
