namespace Polymath.Wasm;

/// <summary>
/// Checks a function body for well-formedness alone (so a malformed body is reported as malformed even
/// when validation of an earlier body failed first). Immediates are decoded by <see cref="InstructionReader"/>.
/// Iterative: nesting depth is a counter, never recursion.
/// </summary>
internal static class CodeScanner
{
    /// <summary>
    /// Scans a whole function body (<c>expr</c>) for well-formedness only: every opcode known, immediates
    /// complete, blocks balanced, the final <c>end</c> exactly at the end of the body, and the data count
    /// section present when <c>memory.init</c>/<c>data.drop</c> are used (<paramref name="dataCountRequired"/>: the module
    /// has data segments but no data count section).
    /// </summary>
    public static void ScanBody(ReadOnlySpan<byte> code, int baseOffset, bool dataCountRequired)
    {
        var r = new InstructionReader(code, baseOffset);
        long depth = 1;
        while (true)
        {
            if (r.IsAtEnd) throw new WasmModuleException(WasmErrorKind.Malformed, "unexpected end", r.Offset);
            var op = r.ReadOpcode();
            switch (op)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If:
                    depth++;
                    break;
                case Opcode.End:
                    if (--depth == 0)
                    {
                        if (!r.IsAtEnd) throw new WasmModuleException(WasmErrorKind.Malformed, "section size mismatch", r.Offset);
                        return;
                    }
                    continue;
                case Opcode.Prefix0xFC when dataCountRequired:
                {
                    var probe = r;
                    if (probe.ReadPrefixedOpcode() is PrefixedOpcode.MemoryInit or PrefixedOpcode.DataDrop)
                        throw new WasmModuleException(WasmErrorKind.Malformed, "data count section required", r.Offset - 1);
                    break;
                }
            }
            r.SkipImmediates(op);
        }
    }
}
