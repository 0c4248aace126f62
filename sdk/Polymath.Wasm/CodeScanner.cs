namespace Polymath.Wasm;

/// <summary>
/// Decodes instructions without validating them: knows every opcode's immediates so that an
/// expression's end can be found (constant expressions in the reader) and so that a body can be checked
/// for well-formedness alone (so a malformed body is reported as malformed even when validation of an
/// earlier body failed first). Iterative: nesting depth is a counter, never recursion.
/// </summary>
internal static class CodeScanner
{
    /// <summary>Reads the immediates of the instruction whose first byte <paramref name="op"/> was just read.</summary>
    public static void SkipImmediates(ref WasmReader r, byte op)
    {
        switch (op)
        {
            case 0x00: case 0x01: case 0x05: case 0x0B: case 0x0F: case 0x1A: case 0x1B:
            case 0xD1:
                return;
            case 0x02: case 0x03: case 0x04:
                SkipBlockType(ref r);
                return;
            case 0x0C: case 0x0D: case 0x10: case 0xD2:
            case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
                r.ReadVarU32();
                return;
            case 0x0E:
            {
                int n = r.ReadCount();
                for (int i = 0; i < n; i++) r.ReadVarU32();
                r.ReadVarU32();
                return;
            }
            case 0x11:
                r.ReadVarU32();
                r.ReadVarU32();
                return;
            case 0x1C:
            {
                int n = r.ReadCount();
                for (int i = 0; i < n; i++) ModuleReader.ReadValueType(ref r);
                return;
            }
            case 0x3F: case 0x40:
                if (r.ReadByte() != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "zero byte expected", r.Offset - 1);
                return;
            case 0x41: r.ReadVarS32(); return;
            case 0x42: r.ReadVarS64(); return;
            case 0x43: r.ReadF32Bits(); return;
            case 0x44: r.ReadF64Bits(); return;
            case 0xD0: ModuleReader.ReadReferenceType(ref r); return;
            case 0xFC: SkipPrefixedFC(ref r); return;
            case 0xFD: SkipPrefixedFD(ref r); return;
        }
        if (op >= 0x28 && op <= 0x3E)
        {
            r.ReadVarU32();
            r.ReadVarU32();
            return;
        }
        if (op >= 0x45 && op <= 0xC4) return;
        throw new WasmModuleException(WasmErrorKind.Malformed, "illegal opcode", r.Offset - 1);
    }

    private static void SkipBlockType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x40 || ModuleReader.IsValueTypeByte(b))
        {
            r.ReadByte();
            return;
        }
        long idx = r.ReadVarS33();
        if (idx < 0) throw new WasmModuleException(WasmErrorKind.Malformed, "malformed block type", r.Offset - 1);
    }

    private static void SkipPrefixedFC(ref WasmReader r)
    {
        int start = r.Offset;
        uint sub = r.ReadVarU32();
        switch (sub)
        {
            case <= 7: return;
            case 8: // memory.init dataidx 0x00
                r.ReadVarU32();
                ZeroByte(ref r);
                return;
            case 9: r.ReadVarU32(); return; // data.drop
            case 10: ZeroByte(ref r); ZeroByte(ref r); return; // memory.copy
            case 11: ZeroByte(ref r); return; // memory.fill
            case 12: case 14: r.ReadVarU32(); r.ReadVarU32(); return; // table.init, table.copy
            case 13: case 15: case 16: case 17: r.ReadVarU32(); return;
            default: throw new WasmModuleException(WasmErrorKind.Malformed, "illegal opcode", start);
        }
    }

    private static void ZeroByte(ref WasmReader r)
    {
        if (r.ReadByte() != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "zero byte expected", r.Offset - 1);
    }

    private static void SkipPrefixedFD(ref WasmReader r)
    {
        int start = r.Offset;
        uint sub = r.ReadVarU32();
        if (!SimdOpcodes.Exists(sub)) throw new WasmModuleException(WasmErrorKind.Malformed, "illegal opcode", start);
        switch (sub)
        {
            case <= 0x0B: case 0x5C: case 0x5D:
                r.ReadVarU32(); r.ReadVarU32(); return;
            case 0x0C: case 0x0D:
                r.Skip(16); return;
            case >= 0x15 and <= 0x22:
                r.ReadByte(); return;
            case >= 0x54 and <= 0x5B:
                r.ReadVarU32(); r.ReadVarU32(); r.ReadByte(); return;
            default:
                return;
        }
    }

    /// <summary>
    /// Scans a whole function body (<c>expr</c>) for well-formedness only: every opcode known, immediates
    /// complete, blocks balanced, the final <c>end</c> exactly at the end of the body, and the data count
    /// section present when <c>memory.init</c>/<c>data.drop</c> are used (<paramref name="dataCountRequired"/>: the module
    /// has data segments but no data count section).
    /// </summary>
    public static void ScanBody(ReadOnlySpan<byte> code, int baseOffset, bool dataCountRequired)
    {
        var r = new WasmReader(code, baseOffset);
        long depth = 1;
        while (true)
        {
            if (r.IsAtEnd) throw new WasmModuleException(WasmErrorKind.Malformed, "unexpected end", r.Offset);
            byte op = r.ReadByte();
            if (op is 0x02 or 0x03 or 0x04) depth++;
            else if (op == 0x0B)
            {
                if (--depth == 0)
                {
                    if (!r.IsAtEnd) throw new WasmModuleException(WasmErrorKind.Malformed, "section size mismatch", r.Offset);
                    return;
                }
                continue;
            }
            else if (op == 0xFC && dataCountRequired)
            {
                var probe = r;
                uint sub = probe.ReadVarU32();
                if (sub is 8 or 9) throw new WasmModuleException(WasmErrorKind.Malformed, "data count section required", r.Offset - 1);
            }
            SkipImmediates(ref r, op);
        }
    }
}
