using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Polymath.Experts;

/// <summary>
/// The one JSON reading layer for text a package or a guest supplies: <c>expert.json</c>, <c>larql_metadata</c> and
/// call results. System.Text.Json parses lone UTF-16 surrogate escapes (<c>"\udfff"</c>) without complaint and only
/// throws later, when the string is read or written; it reads <c>1e400</c> as infinity; it keeps duplicate keys. This
/// layer finds all three up front so that every consumer sees either clean JSON or one named error.
/// </summary>
internal static class StrictJson
{
    /// <summary>Deepest nesting accepted (System.Text.Json's default, stated here so that it is a promise).</summary>
    public const int MaxDepth = 64;

    /// <summary>Options for package text (<c>expert.json</c>): comments and trailing commas are allowed there.</summary>
    public static readonly JsonDocumentOptions PackageText = new()
    {
        CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth,
    };

    /// <summary>Options for guest text (metadata, results): plain JSON.</summary>
    public static readonly JsonDocumentOptions GuestText = new() { MaxDepth = MaxDepth };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly SearchValues<char> BackslashOrSurrogate = SearchValues.Create("\\" + SurrogateRange());

    private static string SurrogateRange()
    {
        var chars = new char[0xE000 - 0xD800];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)(0xD800 + i);
        return new string(chars);
    }

    /// <summary>
    /// Decodes package text: a leading UTF-8 byte order mark is skipped; invalid UTF-8 is an error naming
    /// <paramref name="source"/> and the byte offset.
    /// </summary>
    /// <exception cref="ExpertPackageException">The bytes are not UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string source)
    {
        int skipped = 0;
        if (bytes.StartsWith("\xEF\xBB\xBF"u8)) { bytes = bytes[3..]; skipped = 3; }
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            string at = e.Index >= 0 ? $" at byte {e.Index + skipped}" : "";
            throw new ExpertPackageException(source, null, $"is not valid UTF-8{at}", e);
        }
    }

    /// <summary>
    /// The index of the first unpaired UTF-16 surrogate in <paramref name="text"/>, raw or written as a <c>\uXXXX</c>
    /// escape, or -1 when there is none. Vectorized search, no allocation. Malformed escapes are left to the parser.
    /// </summary>
    public static int FindUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            int k = text[i..].IndexOfAny(BackslashOrSurrogate);
            if (k < 0) return -1;
            i += k;
            char c = text[i];
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i += 2; continue; }
                return i;
            }
            if (i + 1 >= text.Length) return -1;
            if (text[i + 1] != 'u' || !TryHex4(text, i + 2, out int unit)) { i += 2; continue; }
            if (unit is >= 0xDC00 and <= 0xDFFF) return i;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 11 < text.Length && text[i + 6] == '\\' && text[i + 7] == 'u' && TryHex4(text, i + 8, out int low) && low is >= 0xDC00 and <= 0xDFFF)
                {
                    i += 12;
                    continue;
                }
                return i;
            }
            i += 6;
        }
        return -1;
    }

    /// <summary>
    /// The byte offset of the first <c>\uXXXX</c> escape in <paramref name="utf8"/> that encodes an unpaired UTF-16
    /// surrogate, or -1 when there is none. For UTF-8 text already checked (valid UTF-8 cannot carry a raw surrogate):
    /// a vectorized search for backslashes, no allocation. Malformed escapes are left to the parser.
    /// </summary>
    public static int FindUnpairedSurrogateEscape(ReadOnlySpan<byte> utf8)
    {
        int i = 0;
        while (i < utf8.Length)
        {
            int k = utf8[i..].IndexOf((byte)'\\');
            if (k < 0) return -1;
            i += k;
            if (i + 1 >= utf8.Length) return -1;
            if (utf8[i + 1] != (byte)'u' || !TryHex4(utf8, i + 2, out int unit)) { i += 2; continue; }
            if (unit is >= 0xDC00 and <= 0xDFFF) return i;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 11 < utf8.Length && utf8[i + 6] == (byte)'\\' && utf8[i + 7] == (byte)'u' && TryHex4(utf8, i + 8, out int low) && low is >= 0xDC00 and <= 0xDFFF)
                {
                    i += 12;
                    continue;
                }
                return i;
            }
            i += 6;
        }
        return -1;
    }

    private static bool TryHex4(ReadOnlySpan<byte> utf8, int start, out int value)
    {
        value = 0;
        if (start + 4 > utf8.Length) return false;
        return System.Buffers.Text.Utf8Parser.TryParse(utf8.Slice(start, 4), out value, out int consumed, 'X') && consumed == 4;
    }

    private static bool TryHex4(ReadOnlySpan<char> text, int start, out int value)
    {
        value = 0;
        if (start + 4 > text.Length) return false;
        return int.TryParse(text.Slice(start, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Describes where <paramref name="index"/> lies in <paramref name="text"/> (line and column, 1-based).</summary>
    public static string Position(ReadOnlySpan<char> text, int index)
    {
        var before = text[..index];
        int line = before.Count('\n') + 1;
        int column = index - (before.LastIndexOf('\n') + 1) + 1;
        return $"line {line}, column {column}";
    }

    /// <summary>
    /// Parses package or metadata text and checks every value: strings and property names must be whole characters,
    /// numbers finite, keys unique per object. Every error is an <see cref="ExpertPackageException"/> naming
    /// <paramref name="source"/> and the field (a JSON path under <paramref name="rootField"/>).
    /// The caller owns the returned document.
    /// </summary>
    /// <exception cref="ExpertPackageException">The text is not JSON or breaks one of the rules.</exception>
    public static JsonDocument ParseChecked(string text, string source, string what, string? rootField, JsonDocumentOptions options)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, options); }
        catch (JsonException e) { throw new ExpertPackageException(source, null, $"{what} is not valid JSON: {Clip(e.Message)}", e); }
        catch (ArgumentException e)
        {
            // Raw (unescaped) lone surrogates cannot come from UTF-8 bytes, only from a string handed to the public API.
            int bad = FindUnpairedSurrogate(text);
            string at = bad >= 0 ? $" at {Position(text, bad)}" : "";
            throw new ExpertPackageException(source, null, $"{what} has an unpaired UTF-16 surrogate character{at}", e);
        }
        try
        {
            Check(doc.RootElement, rootField ?? "", source);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    private static void Check(JsonElement e, string path, string source)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? names = null;
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try { name = p.Name; }
                    catch (InvalidOperationException)
                    {
                        throw new ExpertPackageException(source, Field(path, "?"),
                            "has a property name with an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape)");
                    }
                    names ??= new HashSet<string>(StringComparer.Ordinal);
                    string field = Field(path, name);
                    if (!names.Add(name))
                        throw new ExpertPackageException(source, field, $"appears twice (duplicate key '{ExpertManifest.Printable(name)}'); each key may appear once");
                    Check(p.Value, field, source);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                    Check(item, $"{path}[{i++}]", source);
                break;
            case JsonValueKind.String:
                try { _ = e.GetString(); }
                catch (InvalidOperationException)
                {
                    throw new ExpertPackageException(source, path.Length == 0 ? "$" : path,
                        "has a string with an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape); JSON text must encode whole characters");
                }
                break;
            case JsonValueKind.Number:
                if (!e.TryGetDouble(out double d) || !double.IsFinite(d))
                    throw new ExpertPackageException(source, path.Length == 0 ? "$" : path,
                        $"is the number {Truncate(e.GetRawText())}, which is out of range (beyond ±1.7976931348623157e308)");
                break;
        }
    }

    private static string Field(string path, string name)
    {
        name = ExpertManifest.Printable(name);
        return path.Length == 0 ? name : $"{path}.{name}";
    }

    /// <summary>Bounds a parser message, which may quote the rest of the input, to 300 characters.</summary>
    public static string Clip(string message) => message.Length <= 300 ? message : message[..297] + "...";

    /// <summary>Shortens text quoted in a message to at most 40 characters.</summary>
    public static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
