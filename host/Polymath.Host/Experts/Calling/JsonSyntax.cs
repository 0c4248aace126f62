namespace Polymath.Host.Experts;

/// <summary>
/// A one-pass check that UTF-8 text is one JSON value (RFC 8259), for the common case of a call's args: small, ASCII,
/// shallow. It only ever says "valid" for text <see cref="System.Text.Json.Utf8JsonReader"/> reads without error, and
/// says "not shown" for everything else, including text it does not try to judge (a non-ASCII byte in a string, nesting
/// deeper than <see cref="MaxDepth"/>); the caller then asks the reader, which gives the verdict and the error message.
/// So the check changes how fast args are accepted, never which args are or what the error says.
/// </summary>
internal static class JsonSyntax
{
    /// <summary>Deeper text is left to the reader (whose own limit is 64).</summary>
    public const int MaxDepth = 32;

    /// <summary>True when <paramref name="utf8"/> is certainly one JSON value with white space around it; false when not shown.</summary>
    public static bool IsPlainlyValid(ReadOnlySpan<byte> utf8)
    {
        ulong objects = 0; // one bit per open container, innermost lowest: 1 = object, 0 = array
        int depth = 0;
        int i = SkipWhiteSpace(utf8, 0);
        while (true)
        {
            // A value starts at i.
            if (i >= utf8.Length) return false;
            byte b = utf8[i];
            if (b is (byte)'{' or (byte)'[')
            {
                if (++depth > MaxDepth) return false;
                bool isObject = b == (byte)'{';
                objects = (objects << 1) | (isObject ? 1UL : 0UL);
                i = SkipWhiteSpace(utf8, i + 1);
                if (i < utf8.Length && utf8[i] == (isObject ? (byte)'}' : (byte)']'))
                {
                    depth--;
                    objects >>= 1;
                    i++;
                }
                else if (isObject)
                {
                    if ((i = Member(utf8, i)) < 0) return false;
                    continue;
                }
                else continue;
            }
            else if ((i = Scalar(utf8, i, b)) < 0) return false;

            // After a value: a comma, the end of its container, or the end of the text.
            while (true)
            {
                i = SkipWhiteSpace(utf8, i);
                if (depth == 0) return i == utf8.Length;
                if (i >= utf8.Length) return false;
                b = utf8[i];
                bool inObject = (objects & 1) != 0;
                if (b == (byte)',')
                {
                    i = SkipWhiteSpace(utf8, i + 1);
                    if (inObject && (i = Member(utf8, i)) < 0) return false;
                    break;
                }
                if (b != (inObject ? (byte)'}' : (byte)']')) return false;
                depth--;
                objects >>= 1;
                i++;
            }
        }
    }

    // A member's name and colon at i; returns where its value starts, or -1.
    private static int Member(ReadOnlySpan<byte> utf8, int i)
    {
        if (i >= utf8.Length || utf8[i] != (byte)'"' || (i = String(utf8, i)) < 0) return -1;
        i = SkipWhiteSpace(utf8, i);
        if (i >= utf8.Length || utf8[i] != (byte)':') return -1;
        return SkipWhiteSpace(utf8, i + 1);
    }

    // A string, number or literal starting with b at i; returns the index after it, or -1.
    private static int Scalar(ReadOnlySpan<byte> utf8, int i, byte b) => b switch
    {
        (byte)'"' => String(utf8, i),
        (byte)'-' or (>= (byte)'0' and <= (byte)'9') => Number(utf8, i),
        (byte)'t' => utf8[i..].StartsWith("true"u8) ? i + 4 : -1,
        (byte)'f' => utf8[i..].StartsWith("false"u8) ? i + 5 : -1,
        (byte)'n' => utf8[i..].StartsWith("null"u8) ? i + 4 : -1,
        _ => -1,
    };

    // A string at i (its opening quote): printable ASCII and the JSON escapes only.
    private static int String(ReadOnlySpan<byte> utf8, int i)
    {
        for (i++; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            if (b == (byte)'"') return i + 1;
            if (b is < 0x20 or >= 0x80) return -1; // control characters are invalid; other bytes are the reader's to judge
            if (b != (byte)'\\') continue;
            if (++i >= utf8.Length) return -1;
            switch (utf8[i])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    break;
                case (byte)'u':
                    if (i + 4 >= utf8.Length) return -1;
                    for (int k = 1; k <= 4; k++)
                        if (!char.IsAsciiHexDigit((char)utf8[i + k])) return -1;
                    i += 4;
                    break;
                default:
                    return -1;
            }
        }
        return -1;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at i.
    private static int Number(ReadOnlySpan<byte> utf8, int i)
    {
        if (utf8[i] == (byte)'-') i++;
        if (i >= utf8.Length || !IsDigit(utf8[i])) return -1;
        if (utf8[i++] != (byte)'0') i = Digits(utf8, i);
        if (i < utf8.Length && utf8[i] == (byte)'.')
        {
            if (++i >= utf8.Length || !IsDigit(utf8[i])) return -1;
            i = Digits(utf8, i);
        }
        if (i < utf8.Length && utf8[i] is (byte)'e' or (byte)'E')
        {
            if (++i < utf8.Length && utf8[i] is (byte)'+' or (byte)'-') i++;
            if (i >= utf8.Length || !IsDigit(utf8[i])) return -1;
            i = Digits(utf8, i);
        }
        return i;
    }

    private static int Digits(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length && IsDigit(utf8[i])) i++;
        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int SkipWhiteSpace(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length && utf8[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
        return i;
    }
}
