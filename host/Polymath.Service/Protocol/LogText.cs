using System.Text;

namespace Polymath.Service.Protocol;

/// <summary>
/// Makes client-sent text (method names, ids, op names) safe to write into a log line: control characters (CR, LF,
/// ESC, …) become <c>\n</c>-style or <c>\u001b</c> escapes so a client cannot forge log lines or terminal colours, and
/// long text is cut.
/// </summary>
internal static class LogText
{
    /// <summary>Longest text kept (characters); longer text ends with an ellipsis.</summary>
    public const int MaxLength = 200;

    /// <summary>The text with control and format characters escaped, at most <see cref="MaxLength"/> characters kept.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool clean = text.Length <= MaxLength;
        foreach (char c in text)
            if (NeedsEscape(c)) { clean = false; break; }
        if (clean) return text;
        var sb = new StringBuilder(Math.Min(text.Length, MaxLength) + 16);
        for (int i = 0; i < text.Length && i < MaxLength; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c)) sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (text.Length > MaxLength) sb.Append('…');
        return sb.ToString();
    }

    // C0 and C1 controls, DEL, bidirectional overrides and other format characters, lone surrogates.
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
}
