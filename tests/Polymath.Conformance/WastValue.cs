using System.Globalization;
using Polymath.Sdk;
using ValueType = Polymath.Wasm.ValueType;

namespace Polymath.Conformance;

/// <summary>What a <see cref="WastValue"/> stands for.</summary>
public enum WastValueKind
{
    /// <summary>An exact number: its bits (i32/f32 in the low 32 bits).</summary>
    Number,
    /// <summary><c>nan:canonical</c>: a NaN with only the quiet bit of the payload set (either sign).</summary>
    CanonicalNan,
    /// <summary><c>nan:arithmetic</c>: a NaN with the quiet bit set (any payload, either sign).</summary>
    ArithmeticNan,
    /// <summary>The null reference of <see cref="WastValue.Type"/>.</summary>
    NullReference,
    /// <summary>A host reference <c>(ref.extern N)</c>; N in <see cref="WastValue.Bits"/>.</summary>
    ExternReference,
    /// <summary>Any non-null function reference (<c>(ref.func)</c> in an expectation).</summary>
    AnyFunctionReference,
    /// <summary>Only the type is given (assert_trap's result list); matches nothing by value.</summary>
    TypeOnly,
}

/// <summary>
/// A value of a spec script as wast2json writes it: <c>{"type": "i32", "value": "4294967295"}</c>. Integers are
/// unsigned decimal strings, floats are their bit patterns as unsigned decimal strings, NaN patterns are
/// <c>nan:canonical</c>/<c>nan:arithmetic</c>, references are <c>null</c> or a host-reference number.
/// </summary>
/// <param name="Type">The value type.</param>
/// <param name="Kind">What the value stands for.</param>
/// <param name="Bits">Number bits, or the host-reference number.</param>
public readonly record struct WastValue(ValueType Type, WastValueKind Kind, ulong Bits)
{
    /// <summary>For a v128: its high 64 bits (<see cref="Bits"/> holds the low 64).</summary>
    public ulong HighBits { get; init; }

    /// <summary>For a v128 written as lanes: the lane width in bits (8, 16, 32 or 64).</summary>
    public int LaneBits { get; init; }

    /// <summary>For a v128 expectation with NaN patterns: the kind of each lane (float lanes only); null = exact bits.</summary>
    public IReadOnlyList<WastValueKind>? LaneKinds { get; init; }

    /// <summary>
    /// Parses a v128 as wast2json writes it: a lane type (<c>i8 i16 i32 i64 f32 f64</c>) and one decimal string per
    /// lane (float lanes may be <c>nan:canonical</c>/<c>nan:arithmetic</c> in expectations).
    /// </summary>
    /// <exception cref="FormatException">Unknown lane type, wrong lane count, or a lane that does not parse.</exception>
    public static WastValue ParseV128(string laneType, IReadOnlyList<string> lanes)
    {
        ArgumentNullException.ThrowIfNull(laneType);
        ArgumentNullException.ThrowIfNull(lanes);
        int width = laneType switch
        {
            "i8" => 8, "i16" => 16, "i32" or "f32" => 32, "i64" or "f64" => 64,
            _ => throw new FormatException($"unknown v128 lane type '{laneType}'"),
        };
        int count = 128 / width;
        if (lanes.Count != count) throw new FormatException($"v128 with {laneType} lanes needs {count} values, got {lanes.Count}");
        ulong low = 0, high = 0;
        WastValueKind[]? kinds = null;
        for (int i = 0; i < count; i++)
        {
            ulong lane = 0;
            if (lanes[i] is "nan:canonical" or "nan:arithmetic" && laneType[0] == 'f')
            {
                kinds ??= new WastValueKind[count];
                kinds[i] = lanes[i] == "nan:canonical" ? WastValueKind.CanonicalNan : WastValueKind.ArithmeticNan;
            }
            else
            {
                lane = ParseInteger(lanes[i], width, laneType);
            }
            int bit = i * width;
            if (bit < 64) low |= lane << bit;
            else high |= lane << (bit - 64);
        }
        return new WastValue(ValueType.V128, WastValueKind.Number, low) { HighBits = high, LaneBits = width, LaneKinds = kinds };
    }

    private static ulong Lane(ulong low, ulong high, int index, int width)
    {
        int bit = index * width;
        ulong word = bit < 64 ? low : high;
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        return (word >> (bit % 64)) & mask;
    }

    /// <summary>
    /// Parses wast2json's type name and value text.
    /// </summary>
    /// <exception cref="FormatException">Unknown type, a v128 given as one string (v128 values are lane lists: <see cref="ParseV128"/>), or a value that does not parse.</exception>
    public static WastValue Parse(string type, string? value)
    {
        ArgumentNullException.ThrowIfNull(type);
        var valueType = type switch
        {
            "i32" => ValueType.I32,
            "i64" => ValueType.I64,
            "f32" => ValueType.F32,
            "f64" => ValueType.F64,
            "funcref" => ValueType.FuncRef,
            "externref" => ValueType.ExternRef,
            "v128" => value is null ? ValueType.V128 : throw new FormatException("a v128 value is a list of lanes (use ParseV128)"),
            _ => throw new FormatException($"unknown value type '{type}'"),
        };
        if (value is null) return new WastValue(valueType, WastValueKind.TypeOnly, 0);

        switch (valueType)
        {
            case ValueType.I32:
                return new WastValue(valueType, WastValueKind.Number, ParseInteger(value, 32, type));
            case ValueType.I64:
                return new WastValue(valueType, WastValueKind.Number, ParseInteger(value, 64, type));
            case ValueType.F32:
            case ValueType.F64:
                if (value == "nan:canonical") return new WastValue(valueType, WastValueKind.CanonicalNan, 0);
                if (value == "nan:arithmetic") return new WastValue(valueType, WastValueKind.ArithmeticNan, 0);
                return new WastValue(valueType, WastValueKind.Number, ParseInteger(value, valueType == ValueType.F32 ? 32 : 64, type));
            case ValueType.FuncRef:
                if (value == "null") return new WastValue(valueType, WastValueKind.NullReference, 0);
                return new WastValue(valueType, WastValueKind.AnyFunctionReference, 0);
            default: // externref
                if (value == "null") return new WastValue(valueType, WastValueKind.NullReference, 0);
                return new WastValue(valueType, WastValueKind.ExternReference, ParseInteger(value, 64, type));
        }
    }

    /// <summary>
    /// Parses a decimal integer of <paramref name="width"/> bits as wast2json writes it (unsigned), also accepting a
    /// negative (two's complement) form; returns the bits, truncated to the width.
    /// </summary>
    /// <exception cref="FormatException">Not a decimal integer, or out of range for the width.</exception>
    public static ulong ParseInteger(string text, int width, string typeName = "integer")
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
        {
            if (u > mask) throw new FormatException($"{typeName} value '{text}' does not fit in {width} bits");
            return u;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s < 0)
        {
            long min = width == 64 ? long.MinValue : -(1L << (width - 1));
            if (s < min) throw new FormatException($"{typeName} value '{text}' does not fit in {width} bits");
            return (ulong)s & mask;
        }
        throw new FormatException($"{typeName} value '{text}' is not a decimal integer");
    }

    /// <summary>True when <paramref name="bits"/> is an f32 canonical NaN (0x7FC00000 or 0xFFC00000).</summary>
    public static bool IsCanonicalNan32(uint bits) => (bits & 0x7FFF_FFFFu) == 0x7FC0_0000u;

    /// <summary>True when <paramref name="bits"/> is an f32 arithmetic NaN (exponent all ones, quiet bit set).</summary>
    public static bool IsArithmeticNan32(uint bits) => (bits & 0x7FC0_0000u) == 0x7FC0_0000u;

    /// <summary>True when <paramref name="bits"/> is an f64 canonical NaN (0x7FF8000000000000 or 0xFFF8000000000000).</summary>
    public static bool IsCanonicalNan64(ulong bits) => (bits & 0x7FFF_FFFF_FFFF_FFFFUL) == 0x7FF8_0000_0000_0000UL;

    /// <summary>True when <paramref name="bits"/> is an f64 arithmetic NaN (exponent all ones, quiet bit set).</summary>
    public static bool IsArithmeticNan64(ulong bits) => (bits & 0x7FF8_0000_0000_0000UL) == 0x7FF8_0000_0000_0000UL;

    /// <summary>
    /// The argument value to pass to a function. Host references are made by <paramref name="hostReferences"/> so
    /// the same number always gives the same object.
    /// </summary>
    /// <exception cref="FormatException">A pattern (NaN class, any funcref, type only) is not a concrete value.</exception>
    public WasmValue ToArgument(HostReferences hostReferences)
    {
        ArgumentNullException.ThrowIfNull(hostReferences);
        return Kind switch
        {
            WastValueKind.Number when Type == ValueType.V128 && LaneKinds is null => WasmValue.V128(Bits, HighBits),
            WastValueKind.Number when Type != ValueType.V128 => WasmValue.FromBits(Type, Bits),
            WastValueKind.NullReference => WasmValue.Null(Type),
            WastValueKind.ExternReference => WasmValue.ExternRef(hostReferences.Get(Bits)),
            _ => throw new FormatException($"{this} is a pattern, not a value, and cannot be passed as an argument"),
        };
    }

    /// <summary>
    /// Checks <paramref name="actual"/> against this expectation: same type, then exact bits for numbers
    /// (so NaN payloads and -0.0 are checked), NaN class for patterns, nullness and host-reference number
    /// for references.
    /// </summary>
    public bool Matches(in WasmValue actual)
    {
        if (actual.Type != Type) return false;
        if (Type == ValueType.V128 && Kind == WastValueKind.Number)
        {
            if (LaneKinds is null) return actual.Bits == Bits && actual.HighBits == HighBits;
            for (int i = 0; i < LaneKinds.Count; i++)
            {
                ulong got = Lane(actual.Bits, actual.HighBits, i, LaneBits);
                bool ok = LaneKinds[i] switch
                {
                    WastValueKind.CanonicalNan => LaneBits == 32 ? IsCanonicalNan32((uint)got) : IsCanonicalNan64(got),
                    WastValueKind.ArithmeticNan => LaneBits == 32 ? IsArithmeticNan32((uint)got) : IsArithmeticNan64(got),
                    _ => got == Lane(Bits, HighBits, i, LaneBits),
                };
                if (!ok) return false;
            }
            return true;
        }
        switch (Kind)
        {
            case WastValueKind.Number:
                ulong mask = Type is ValueType.I32 or ValueType.F32 ? 0xFFFF_FFFFUL : ulong.MaxValue;
                return (actual.Bits & mask) == Bits;
            case WastValueKind.CanonicalNan:
                return Type == ValueType.F32 ? IsCanonicalNan32((uint)actual.Bits) : IsCanonicalNan64(actual.Bits);
            case WastValueKind.ArithmeticNan:
                return Type == ValueType.F32 ? IsArithmeticNan32((uint)actual.Bits) : IsArithmeticNan64(actual.Bits);
            case WastValueKind.NullReference:
                return actual.Reference is null;
            case WastValueKind.ExternReference:
                return actual.Reference is HostReference h && h.Number == Bits;
            case WastValueKind.AnyFunctionReference:
                return actual.Reference is IWasmFunction;
            default:
                return false;
        }
    }

    /// <summary>The value in the script's notation, e.g. <c>i32:4294967295 (0xFFFFFFFF)</c>, <c>f32:nan:canonical</c>.</summary>
    public override string ToString()
    {
        var type = Polymath.Wasm.ValueTypeExtensions.ToWat(Type);
        if (Type == ValueType.V128 && Kind == WastValueKind.Number)
        {
            int width = LaneBits == 0 ? 32 : LaneBits;
            var lanes = new string[128 / width];
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = LaneKinds is { } k && k[i] != WastValueKind.Number
                    ? (k[i] == WastValueKind.CanonicalNan ? "nan:canonical" : "nan:arithmetic")
                    : $"0x{Lane(Bits, HighBits, i, width):X}";
            return $"v128:i{width}x{lanes.Length}[{string.Join(' ', lanes)}]";
        }
        return Kind switch
        {
            WastValueKind.Number => Type switch
            {
                ValueType.I32 => $"i32:{(int)(uint)Bits} (0x{Bits:X8})",
                ValueType.I64 => $"i64:{(long)Bits} (0x{Bits:X16})",
                ValueType.F32 => $"f32:{BitConverter.UInt32BitsToSingle((uint)Bits).ToString("R", CultureInfo.InvariantCulture)} (0x{Bits:X8})",
                _ => $"f64:{BitConverter.UInt64BitsToDouble(Bits).ToString("R", CultureInfo.InvariantCulture)} (0x{Bits:X16})",
            },
            WastValueKind.CanonicalNan => $"{type}:nan:canonical",
            WastValueKind.ArithmeticNan => $"{type}:nan:arithmetic",
            WastValueKind.NullReference => $"{type}:null",
            WastValueKind.ExternReference => $"externref:{Bits}",
            WastValueKind.AnyFunctionReference => "funcref:(any non-null)",
            _ => type,
        };
    }

    /// <summary>An actual value in the same notation as <see cref="ToString()"/>, for failure messages.</summary>
    public static string Describe(in WasmValue value)
    {
        return value.Type switch
        {
            ValueType.V128 => new WastValue(ValueType.V128, WastValueKind.Number, value.Bits) { HighBits = value.HighBits, LaneBits = 32 }.ToString(),
            ValueType.I32 or ValueType.I64 or ValueType.F32 or ValueType.F64 =>
                new WastValue(value.Type, WastValueKind.Number, value.Type is ValueType.I32 or ValueType.F32 ? value.Bits & 0xFFFF_FFFF : value.Bits).ToString(),
            ValueType.FuncRef => value.Reference is null ? "funcref:null" : value.Reference is IWasmFunction ? "funcref:(function)" : $"funcref:(not a function: {value.Reference.GetType().Name})",
            ValueType.ExternRef => value.Reference switch
            {
                null => "externref:null",
                HostReference h => $"externref:{h.Number}",
                var other => $"externref:(foreign object {other.GetType().Name})",
            },
            _ => value.ToString(),
        };
    }
}

/// <summary>A host reference <c>(ref.extern N)</c> of a spec script: an opaque object carrying its number.</summary>
/// <param name="Number">The script's number N.</param>
public sealed record HostReference(ulong Number)
{
    /// <inheritdoc />
    public override string ToString() => $"ref.extern {Number}";
}

/// <summary>Hands out one <see cref="HostReference"/> object per number, so identity comparisons hold.</summary>
public sealed class HostReferences
{
    private readonly Dictionary<ulong, HostReference> _byNumber = [];

    /// <summary>The object standing for <c>(ref.extern <paramref name="number"/>)</c>.</summary>
    public HostReference Get(ulong number)
    {
        if (!_byNumber.TryGetValue(number, out var reference))
        {
            reference = new HostReference(number);
            _byNumber.Add(number, reference);
        }
        return reference;
    }
}
