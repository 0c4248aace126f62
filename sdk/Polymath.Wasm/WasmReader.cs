using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Polymath.Wasm;

/// <summary>
/// A forward-only decoder of the WebAssembly binary format's primitive values over a span of bytes:
/// bytes, LEB128 integers with the spec's size and range checks, IEEE 754 bit patterns and UTF-8 names.
/// Every failure throws <see cref="WasmModuleException"/> with <see cref="WasmErrorKind.Malformed"/>
/// and the absolute offset (<see cref="BaseOffset"/> + position) of the offending byte.
/// </summary>
/// <remarks>
/// LEB128 rules (spec 5.2.2): an <c>uN</c>/<c>sN</c> uses at most ⌈N/7⌉ bytes — a longer encoding is
/// "integer representation too long"; in the last allowed byte, the bits beyond N must be zero
/// (unsigned) or copies of the sign bit (signed), otherwise "integer too large".
/// </remarks>
public ref struct WasmReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string? _endMessage;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to decode.</param>
    /// <param name="baseOffset">The offset of <paramref name="data"/>'s first byte in the module binary (used in error offsets).</param>
    public WasmReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _position = 0;
        BaseOffset = baseOffset;
        _endMessage = null;
    }

    /// <summary>A reader whose running past the end is reported with <paramref name="endMessage"/> (e.g. inside a section).</summary>
    internal WasmReader(ReadOnlySpan<byte> data, int baseOffset, string endMessage)
        : this(data, baseOffset)
    {
        _endMessage = endMessage;
    }

    /// <summary>The offset of the first byte of the span in the module binary.</summary>
    public int BaseOffset { get; }

    /// <summary>The current position, relative to the start of the span.</summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            if ((uint)value > (uint)_data.Length) throw new ArgumentOutOfRangeException(nameof(value));
            _position = value;
        }
    }

    /// <summary>The current position as an offset in the module binary (<see cref="BaseOffset"/> + <see cref="Position"/>).</summary>
    public readonly int Offset => BaseOffset + _position;

    /// <summary>The length of the span.</summary>
    public readonly int Length => _data.Length;

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>The whole underlying span.</summary>
    public readonly ReadOnlySpan<byte> Span => _data;

    /// <summary>Creates (does not throw) a malformed-module error at the current offset.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly WasmModuleException Malformed(string message) =>
        new(WasmErrorKind.Malformed, message, Offset);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly WasmModuleException UnexpectedEnd() =>
        new(WasmErrorKind.Malformed, _endMessage ?? "unexpected end", BaseOffset + _data.Length);

    /// <summary>Reads one byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        int p = _position;
        if ((uint)p >= (uint)_data.Length) throw UnexpectedEnd();
        _position = p + 1;
        return _data[p];
    }

    /// <summary>Returns the next byte without consuming it.</summary>
    public readonly byte PeekByte()
    {
        if ((uint)_position >= (uint)_data.Length) throw UnexpectedEnd();
        return _data[_position];
    }

    /// <summary>Reads a <c>u32</c> (unsigned LEB128, at most 5 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarU32()
    {
        int p = _position;
        if ((uint)p < (uint)_data.Length)
        {
            byte b = _data[p];
            if (b < 0x80)
            {
                _position = p + 1;
                return b;
            }
        }
        return ReadVarU32Slow();
    }

    private uint ReadVarU32Slow()
    {
        uint result = 0;
        for (int i = 0; i < 5; i++)
        {
            int start = _position;
            byte b = ReadByte();
            if (i == 4)
            {
                if ((b & 0x80) != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "integer representation too long", BaseOffset + start);
                if ((b & 0x70) != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "integer too large", BaseOffset + start);
            }
            result |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return result;
        }
        return result; // unreachable: the fifth byte always returns or throws
    }

    /// <summary>Reads a <c>u64</c> (unsigned LEB128, at most 10 bytes).</summary>
    public ulong ReadVarU64()
    {
        ulong result = 0;
        for (int i = 0; i < 10; i++)
        {
            int start = _position;
            byte b = ReadByte();
            if (i == 9)
            {
                if ((b & 0x80) != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "integer representation too long", BaseOffset + start);
                if ((b & 0x7E) != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "integer too large", BaseOffset + start);
            }
            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return result;
        }
        return result;
    }

    /// <summary>Reads an <c>s32</c> (signed LEB128, at most 5 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadVarS32()
    {
        int p = _position;
        if ((uint)p < (uint)_data.Length)
        {
            byte b = _data[p];
            if (b < 0x80)
            {
                _position = p + 1;
                return (b << 25) >> 25;
            }
        }
        return (int)ReadSigned(32);
    }

    /// <summary>Reads an <c>s33</c> (signed LEB128, at most 5 bytes), the encoding of a blocktype's type index.</summary>
    public long ReadVarS33() => ReadSigned(33);

    /// <summary>Reads an <c>s64</c> (signed LEB128, at most 10 bytes).</summary>
    public long ReadVarS64() => ReadSigned(64);

    private long ReadSigned(int bits)
    {
        int maxBytes = (bits + 6) / 7;
        long result = 0;
        int shift = 0;
        for (int i = 0; i < maxBytes; i++)
        {
            int start = _position;
            byte b = ReadByte();
            if (i == maxBytes - 1)
            {
                if ((b & 0x80) != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "integer representation too long", BaseOffset + start);
                int r = bits - 7 * (maxBytes - 1); // value bits in this byte, the highest being the sign
                int signMask = 0x7F & ~((1 << (r - 1)) - 1);
                int high = b & signMask;
                if (high != 0 && high != signMask)
                    throw new WasmModuleException(WasmErrorKind.Malformed, "integer too large", BaseOffset + start);
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
        }
        return result;
    }

    /// <summary>Reads the 4 little-endian bytes of an <c>f32</c> as its bit pattern.</summary>
    public uint ReadF32Bits()
    {
        if (Remaining < 4) throw UnexpectedEnd();
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return v;
    }

    /// <summary>Reads the 8 little-endian bytes of an <c>f64</c> as its bit pattern.</summary>
    public ulong ReadF64Bits()
    {
        if (Remaining < 8) throw UnexpectedEnd();
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return v;
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining) throw UnexpectedEnd();
        var s = _data.Slice(_position, count);
        _position += count;
        return s;
    }

    /// <summary>Skips <paramref name="count"/> bytes.</summary>
    public void Skip(int count)
    {
        if (count < 0 || count > Remaining) throw UnexpectedEnd();
        _position += count;
    }

    /// <summary>Reads a <c>name</c>: a u32 byte length then that many bytes of valid UTF-8.</summary>
    public string ReadName()
    {
        uint length = ReadVarU32();
        if (length > (uint)Remaining) throw Malformed("length out of bounds");
        int start = _position;
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new WasmModuleException(WasmErrorKind.Malformed, "malformed UTF-8 encoding", BaseOffset + start);
        }
    }

    /// <summary>
    /// Reads a vector length (u32) and checks it against the bytes left, given that each element takes at
    /// least <paramref name="minElementSize"/> bytes — so a hostile count never causes a large allocation.
    /// </summary>
    public int ReadCount(int minElementSize = 1)
    {
        int start = _position;
        uint count = ReadVarU32();
        if (minElementSize > 0 && count > (uint)(Remaining / minElementSize))
            throw new WasmModuleException(WasmErrorKind.Malformed, "length out of bounds", BaseOffset + start);
        if (count > int.MaxValue)
            throw new WasmModuleException(WasmErrorKind.Malformed, "length out of bounds", BaseOffset + start);
        return (int)count;
    }
}
