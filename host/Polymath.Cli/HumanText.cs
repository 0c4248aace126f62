using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Polymath.Cli;

/// <summary>
/// Makes text that came from a package, a guest or a remote service safe to print for a human: no string can move
/// the cursor, colour or retitle the terminal, start a new line, or reorder what follows it. Every CLI output meant
/// for people goes through here (tables, reasons, log lines); <c>--json</c> output does not (it prints the real
/// strings, JSON-escaped).
/// </summary>
/// <remarks>
/// Escaped, visibly: C0 controls and DEL (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\e</c> as <c>\x1b</c>, others as
/// <c>\xHH</c>); C1 controls (U+0080–U+009F, among them the 8-bit CSI) and the line and paragraph separators as
/// <c>\u{HHHH}</c>; Unicode format characters (bidi embeddings, overrides and isolates, zero-width joiners, the BOM,
/// tag characters) as <c>\u{HHHH}</c>; lone surrogates as <c>\u{DHHH}</c>. Backslashes are left as they are (paths).
/// </remarks>
internal static class HumanText
{
    /// <summary>The text with every control, format and invalid character escaped; <c>null</c> becomes "".</summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        int i = 0;
        while (i < text.Length && !NeedsEscape(text, i, out _)) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        while (i < text.Length)
        {
            if (!NeedsEscape(text, i, out int width))
            {
                sb.Append(text, i, width);
                i += width;
                continue;
            }
            char c = text[i];
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7F) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else
                    {
                        int codePoint = width == 2 ? char.ConvertToUtf32(c, text[i + 1]) : c;
                        sb.Append("\\u{").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture)).Append('}');
                    }
                    break;
            }
            i += width;
        }
        return sb.ToString();
    }

    /// <summary>
    /// A JSON value for a human: compact (no line breaks of its own) and with every character <see cref="Sanitize"/>
    /// would escape written as a JSON <c>\uHHHH</c> escape, so the text is still valid JSON with the same meaning.
    /// </summary>
    public static string Json(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Polymath.Host.Experts.ExpertJson.WriteValue(w, value); // a lone surrogate escape becomes U+FFFD, never an exception
        string text = Encoding.UTF8.GetString(stream.ToArray());
        // Outside strings compact JSON has no characters Sanitize escapes, so each one found is inside a string.
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            if (!NeedsEscape(text, i, out int width)) { sb.Append(text, i, width); i += width; continue; }
            for (int k = 0; k < width; k++) sb.Append("\\u").Append(((int)text[i + k]).ToString("x4", CultureInfo.InvariantCulture));
            i += width;
        }
        return sb.ToString();
    }

    /// <summary>Whether the character (or surrogate pair) at <paramref name="i"/> must be escaped; <paramref name="width"/> is 1 or 2.</summary>
    private static bool NeedsEscape(string text, int i, out int width)
    {
        char c = text[i];
        width = 1;
        if (c < 0x20 || c is >= '\u007F' and <= '\u009F') return true;
        if (c < 0xA0) return false;
        if (char.IsHighSurrogate(c))
        {
            if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                width = 2;
                // Plane 14 tag characters and other astral format characters (Cf).
                return CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1])) == UnicodeCategory.Format;
            }
            return true;
        }
        if (char.IsLowSurrogate(c)) return true;
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }
}
