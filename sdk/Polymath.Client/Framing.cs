using System.Buffers;
using System.Buffers.Text;

namespace Polymath.Protocol;

/// <summary>What <see cref="Framing.TryRead"/> found at the start of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A whole message: its body is returned and the buffer advanced past it.</summary>
    Message,
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    /// <summary>The header section is malformed (no Content-Length, bad number, not "Name: value" lines, too long).</summary>
    BadHeader,
    /// <summary>Content-Length is larger than the allowed maximum message size.</summary>
    TooLarge,
}

/// <summary>
/// LSP-style base protocol framing (the "Content-Length: N\r\n\r\n" header section before each JSON body), shared as
/// source by the client and the service. Parsing never allocates.
/// </summary>
internal static class Framing
{
    /// <summary>Largest accepted header section (all header lines with their CRLFs).</summary>
    public const int MaxHeaderBytes = 1024;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> ContentLength => "content-length"u8;

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. On <see cref="FrameStatus.Message"/>,
    /// <paramref name="body"/> is the JSON body and <paramref name="buffer"/> starts after it.
    /// <paramref name="declaredLength"/> is the Content-Length (also for <see cref="FrameStatus.TooLarge"/>).
    /// </summary>
    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, long maxMessageBytes, out ReadOnlySequence<byte> body, out long declaredLength)
    {
        body = default;
        declaredLength = -1;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
            return buffer.Length > MaxHeaderBytes ? FrameStatus.BadHeader : FrameStatus.Incomplete;
        if (headers.Length > MaxHeaderBytes) return FrameStatus.BadHeader;
        Span<byte> section = stackalloc byte[(int)headers.Length];
        headers.CopyTo(section);
        if (!TryParseHeaders(section, out declaredLength)) return FrameStatus.BadHeader;
        if (declaredLength > maxMessageBytes) return FrameStatus.TooLarge;
        if (reader.Remaining < declaredLength) return FrameStatus.Incomplete;
        body = buffer.Slice(reader.Position, declaredLength);
        buffer = buffer.Slice(body.End);
        return FrameStatus.Message;
    }

    // Lines "Name: value" separated by CRLF; Content-Length is required (digits only); other headers (Content-Type) are ignored.
    private static bool TryParseHeaders(ReadOnlySpan<byte> section, out long length)
    {
        length = -1;
        while (true)
        {
            int eol = section.IndexOf("\r\n"u8);
            var line = eol < 0 ? section : section[..eol];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) return false;
            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ');
            foreach (byte b in line) if (b is < 0x20 or > 0x7e) return false;
            if (EqualsIgnoreCase(name, ContentLength))
            {
                if (length >= 0 || value.Length is 0 or > 12) return false;
                foreach (byte b in value) if (b is < (byte)'0' or > (byte)'9') return false;
                if (!Utf8Parser.TryParse(value, out long n, out int consumed) || consumed != value.Length) return false;
                length = n;
            }
            if (eol < 0) break;
            section = section[(eol + 2)..];
        }
        return length >= 0;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lowerB)
    {
        if (a.Length != lowerB.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if ((a[i] | 0x20) != lowerB[i] && !(a[i] == (byte)'-' && lowerB[i] == (byte)'-')) return false;
        return true;
    }

    /// <summary>Writes the header for a body of <paramref name="bodyLength"/> bytes.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, int bodyLength)
    {
        var span = output.GetSpan(32);
        "Content-Length: "u8.CopyTo(span);
        Utf8Formatter.TryFormat(bodyLength, span[16..], out int n);
        "\r\n\r\n"u8.CopyTo(span[(16 + n)..]);
        output.Advance(16 + n + 4);
    }
}
