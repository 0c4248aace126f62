using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Polymath.Wasm;

/// <summary>
/// Decodes WebAssembly 2.0 instructions (spec 5.4) from a function body or a constant expression: the
/// opcode (<see cref="Opcode"/>, then <see cref="PrefixedOpcode"/> after <see cref="Opcode.Prefix0xFC"/> or
/// <see cref="SimdOpcode"/> after <see cref="Opcode.Prefix0xFD"/>) and each kind of immediate, typed and
/// named as in the spec (<c>blocktype</c>, <c>labelidx</c>, <c>memarg</c>, …). The one instruction decoder
/// of Polymath: the validator, the well-formedness scanner and the runtimes' translators all use it.
/// </summary>
/// <remarks>
/// <para>Binary-format rules only: an immediate that cannot be decoded (a truncated LEB128, a non-zero
/// reserved memory index byte, a negative type index in a block type, an unknown value type) throws
/// <see cref="WasmModuleException"/> with <see cref="WasmErrorKind.Malformed"/> and the offset of the
/// offending byte. Whether an index exists, an alignment is allowed, or the types fit is validation
/// (<see cref="ModuleValidator"/>), not decoding.</para>
/// <para>A forward-only ref struct over a span: no allocation, ever. Usage: read an opcode, switch on it,
/// read that instruction's immediates with the matching <c>Read…</c> method (or skip them with
/// <see cref="SkipImmediates"/>), repeat until the body's final <see cref="Opcode.End"/>:</para>
/// <code>
/// var reader = new InstructionReader(body.Code.Span, body.CodeOffset);
/// while (!reader.IsAtEnd)
/// {
///     var op = reader.ReadOpcode();
///     switch (op)
///     {
///         case Opcode.LocalGet: uint localidx = reader.ReadLocalIndex(); …; break;
///         case Opcode.I32Load: MemArg memarg = reader.ReadMemArg(); …; break;
///         case Opcode.Prefix0xFC:
///             switch (reader.ReadPrefixedOpcode()) { case PrefixedOpcode.MemoryFill: reader.ReadMemoryIndex(); …; }
///             break;
///         default: reader.SkipImmediates(op); break;
///     }
/// }
/// </code>
/// <para>The single-byte opcode is returned as read: a byte that is not a WebAssembly 2.0 opcode comes
/// back as an undefined <see cref="Opcode"/> value, for the caller's <c>default</c> case to report
/// (<see cref="SkipImmediates"/> and <see cref="IllegalOpcode"/> report it as malformed, "illegal opcode").
/// <see cref="ReadPrefixedOpcode"/> and <see cref="ReadSimdOpcode"/> likewise return the sub-opcode as read.</para>
/// </remarks>
public ref struct InstructionReader
{
    private WasmReader _reader;

    /// <summary>Creates a reader over <paramref name="code"/> (a body's <c>expr</c>, or any run of instructions).</summary>
    /// <param name="code">The instruction bytes.</param>
    /// <param name="baseOffset">The offset of <paramref name="code"/>'s first byte in the module binary (used in error offsets).</param>
    public InstructionReader(ReadOnlySpan<byte> code, int baseOffset = 0) => _reader = new WasmReader(code, baseOffset);

    /// <summary>Creates a reader that continues where <paramref name="reader"/> stands (copy it back with <see cref="Reader"/>).</summary>
    public InstructionReader(WasmReader reader) => _reader = reader;

    /// <summary>The underlying primitive reader (for positions and for reading raw bytes).</summary>
    [UnscopedRef]
    public ref WasmReader Reader => ref _reader;

    /// <summary>The current position as an offset in the module binary.</summary>
    public readonly int Offset => _reader.Offset;

    /// <summary>The current position, relative to the start of the span.</summary>
    public int Position
    {
        readonly get => _reader.Position;
        set => _reader.Position = value;
    }

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _reader.IsAtEnd;

    // ------------------------------------------------------------------ opcodes

    /// <summary>Reads the first byte of an instruction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Opcode ReadOpcode() => (Opcode)_reader.ReadByte();

    /// <summary>Returns the first byte of the next instruction without consuming it.</summary>
    public readonly Opcode PeekOpcode() => (Opcode)_reader.PeekByte();

    /// <summary>Reads the <c>u32</c> sub-opcode that follows <see cref="Opcode.Prefix0xFC"/>.</summary>
    public PrefixedOpcode ReadPrefixedOpcode() => (PrefixedOpcode)_reader.ReadVarU32();

    /// <summary>Reads the <c>u32</c> sub-opcode that follows <see cref="Opcode.Prefix0xFD"/>.</summary>
    public SimdOpcode ReadSimdOpcode() => (SimdOpcode)_reader.ReadVarU32();

    /// <summary>True when <paramref name="opcode"/> is a WebAssembly 2.0 single-byte opcode or prefix.</summary>
    public static bool IsDefined(Opcode opcode) => opcode switch
    {
        <= Opcode.Else or (>= Opcode.End and <= Opcode.CallIndirect) or (>= Opcode.Drop and <= Opcode.SelectT)
            or (>= Opcode.LocalGet and <= Opcode.TableSet) or (>= Opcode.I32Load and <= Opcode.I64Extend32S)
            or (>= Opcode.RefNull and <= Opcode.RefFunc) or Opcode.Prefix0xFC or Opcode.Prefix0xFD => true,
        _ => false,
    };

    /// <summary>True when <paramref name="opcode"/> is a WebAssembly 2.0 <c>0xFC</c> instruction.</summary>
    public static bool IsDefined(PrefixedOpcode opcode) => opcode <= PrefixedOpcode.TableFill;

    /// <summary>True when <paramref name="opcode"/> is one of the 236 WebAssembly 2.0 SIMD instructions.</summary>
    public static bool IsDefined(SimdOpcode opcode) => SimdOpcodes.Exists((uint)opcode);

    /// <summary>Creates (does not throw) the malformed-module error for an opcode that does not exist, at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static WasmModuleException IllegalOpcode(int offset) => new(WasmErrorKind.Malformed, "illegal opcode", offset);

    // ------------------------------------------------------------------ control immediates

    /// <summary>Reads the <c>blocktype</c> of <c>block</c>, <c>loop</c> or <c>if</c>.</summary>
    public BlockType ReadBlockType()
    {
        byte b = _reader.PeekByte();
        if (b == 0x40)
        {
            _reader.ReadByte();
            return BlockType.Empty;
        }
        if (IsValueTypeByte(b))
        {
            _reader.ReadByte();
            return BlockType.FromValueType((ValueType)b);
        }
        int at = _reader.Offset;
        long typeidx = _reader.ReadVarS33();
        if (typeidx < 0) throw new WasmModuleException(WasmErrorKind.Malformed, "malformed block type", at);
        return BlockType.FromTypeIndex((uint)typeidx);
    }

    /// <summary>Reads a <c>labelidx</c> (<c>br</c>, <c>br_if</c>): the depth of the targeted enclosing block, 0 = innermost.</summary>
    public uint ReadLabelIndex() => _reader.ReadVarU32();

    /// <summary>Reads the immediates of <c>br_table</c>: the label vector and the default label.</summary>
    public BranchTable ReadBranchTable()
    {
        int count = _reader.ReadCount(1);
        int start = _reader.Position;
        int baseOffset = _reader.Offset;
        for (int i = 0; i < count; i++) _reader.ReadVarU32();
        int end = _reader.Position;
        uint defaultLabel = _reader.ReadVarU32();
        return new BranchTable(_reader.Span[start..end], baseOffset, count, defaultLabel);
    }

    /// <summary>Reads a <c>funcidx</c> (<c>call</c>, <c>ref.func</c>).</summary>
    public uint ReadFunctionIndex() => _reader.ReadVarU32();

    /// <summary>Reads the immediates of <c>call_indirect</c>: the expected function type and the table.</summary>
    public void ReadCallIndirect(out uint typeidx, out uint tableidx)
    {
        typeidx = _reader.ReadVarU32();
        tableidx = _reader.ReadVarU32();
    }

    // ------------------------------------------------------------------ parametric, variable and table immediates

    /// <summary>
    /// Reads the <c>vec(valtype)</c> of <c>select t*</c>. The spans's bytes are the value types as encoded (each
    /// checked to be a value type); valid code has exactly one.
    /// </summary>
    public ReadOnlySpan<ValueType> ReadSelectTypes()
    {
        int count = _reader.ReadCount(1);
        int at = _reader.Offset;
        var bytes = _reader.ReadBytes(count);
        for (int i = 0; i < bytes.Length; i++)
            if (!IsValueTypeByte(bytes[i])) throw new WasmModuleException(WasmErrorKind.Malformed, "malformed value type", at + i);
        return MemoryMarshal.Cast<byte, ValueType>(bytes);
    }

    /// <summary>Reads a <c>localidx</c> (<c>local.get</c>, <c>local.set</c>, <c>local.tee</c>).</summary>
    public uint ReadLocalIndex() => _reader.ReadVarU32();

    /// <summary>Reads a <c>globalidx</c> (<c>global.get</c>, <c>global.set</c>).</summary>
    public uint ReadGlobalIndex() => _reader.ReadVarU32();

    /// <summary>Reads a <c>tableidx</c> (<c>table.get/set/grow/size/fill</c>, each of <c>table.copy</c>'s two, <c>table.init</c>'s second).</summary>
    public uint ReadTableIndex() => _reader.ReadVarU32();

    /// <summary>Reads an <c>elemidx</c> (<c>table.init</c>'s first immediate, <c>elem.drop</c>).</summary>
    public uint ReadElementIndex() => _reader.ReadVarU32();

    /// <summary>Reads a <c>dataidx</c> (<c>memory.init</c>'s first immediate, <c>data.drop</c>).</summary>
    public uint ReadDataIndex() => _reader.ReadVarU32();

    /// <summary>Reads the <c>reftype</c> of <c>ref.null</c>.</summary>
    public ValueType ReadReferenceType()
    {
        int at = _reader.Offset;
        byte b = _reader.ReadByte();
        if (b is not ((byte)ValueType.FuncRef or (byte)ValueType.ExternRef))
            throw new WasmModuleException(WasmErrorKind.Malformed, "malformed reference type", at);
        return (ValueType)b;
    }

    // ------------------------------------------------------------------ memory immediates

    /// <summary>Reads a <c>memarg</c> (loads, stores, SIMD loads/stores).</summary>
    public MemArg ReadMemArg()
    {
        uint align = _reader.ReadVarU32();
        uint offset = _reader.ReadVarU32();
        return new MemArg(align, offset);
    }

    /// <summary>
    /// Reads the memory index of <c>memory.size</c>, <c>memory.grow</c>, <c>memory.init</c>, <c>memory.copy</c>
    /// (twice) and <c>memory.fill</c>: in WebAssembly 2.0 a reserved <c>0x00</c> byte (anything else is
    /// malformed, "zero byte expected"). Returns the index, always 0.
    /// </summary>
    public uint ReadMemoryIndex()
    {
        int at = _reader.Offset;
        if (_reader.ReadByte() != 0) throw new WasmModuleException(WasmErrorKind.Malformed, "zero byte expected", at);
        return 0;
    }

    // ------------------------------------------------------------------ numeric and vector immediates

    /// <summary>Reads the <c>i32</c> of <c>i32.const</c> (an <c>s32</c>; the bits of the value, sign-agnostic).</summary>
    public int ReadI32() => _reader.ReadVarS32();

    /// <summary>Reads the <c>i64</c> of <c>i64.const</c> (an <c>s64</c>).</summary>
    public long ReadI64() => _reader.ReadVarS64();

    /// <summary>Reads the <c>f32</c> of <c>f32.const</c> as its IEEE 754 bit pattern (NaN payloads preserved).</summary>
    public uint ReadF32() => _reader.ReadF32Bits();

    /// <summary>Reads the <c>f64</c> of <c>f64.const</c> as its IEEE 754 bit pattern (NaN payloads preserved).</summary>
    public ulong ReadF64() => _reader.ReadF64Bits();

    /// <summary>Reads the 16 bytes of <c>v128.const</c> (little-endian, lane 0 first).</summary>
    public ReadOnlySpan<byte> ReadV128() => _reader.ReadBytes(16);

    /// <summary>Reads the 16 lane indices of <c>i8x16.shuffle</c> (valid when each is below 32).</summary>
    public ReadOnlySpan<byte> ReadShuffleLanes() => _reader.ReadBytes(16);

    /// <summary>Reads a <c>laneidx</c> (extract/replace lane, load/store lane; valid when below the lane count).</summary>
    public byte ReadLaneIndex() => _reader.ReadByte();

    // ------------------------------------------------------------------ skipping

    /// <summary>
    /// Reads (and discards) the immediates of the instruction whose first byte <paramref name="opcode"/> was just
    /// read; for the two prefixes this includes the sub-opcode. Throws "illegal opcode" (malformed) for an
    /// opcode or sub-opcode that WebAssembly 2.0 does not define.
    /// </summary>
    public void SkipImmediates(Opcode opcode)
    {
        switch (opcode)
        {
            case Opcode.Unreachable: case Opcode.Nop: case Opcode.Else: case Opcode.End: case Opcode.Return:
            case Opcode.Drop: case Opcode.Select: case Opcode.RefIsNull:
            case >= Opcode.I32Eqz and <= Opcode.I64Extend32S:
                return;
            case Opcode.Block: case Opcode.Loop: case Opcode.If:
                ReadBlockType();
                return;
            case Opcode.Br: case Opcode.BrIf:
                ReadLabelIndex();
                return;
            case Opcode.BrTable:
                ReadBranchTable();
                return;
            case Opcode.Call: case Opcode.RefFunc:
                ReadFunctionIndex();
                return;
            case Opcode.CallIndirect:
                ReadCallIndirect(out _, out _);
                return;
            case Opcode.SelectT:
                ReadSelectTypes();
                return;
            case Opcode.LocalGet: case Opcode.LocalSet: case Opcode.LocalTee:
                ReadLocalIndex();
                return;
            case Opcode.GlobalGet: case Opcode.GlobalSet:
                ReadGlobalIndex();
                return;
            case Opcode.TableGet: case Opcode.TableSet:
                ReadTableIndex();
                return;
            case >= Opcode.I32Load and <= Opcode.I64Store32:
                ReadMemArg();
                return;
            case Opcode.MemorySize: case Opcode.MemoryGrow:
                ReadMemoryIndex();
                return;
            case Opcode.I32Const: ReadI32(); return;
            case Opcode.I64Const: ReadI64(); return;
            case Opcode.F32Const: ReadF32(); return;
            case Opcode.F64Const: ReadF64(); return;
            case Opcode.RefNull: ReadReferenceType(); return;
            case Opcode.Prefix0xFC: SkipPrefixedImmediates(); return;
            case Opcode.Prefix0xFD: SkipSimdImmediates(); return;
            default: throw IllegalOpcode(_reader.Offset - 1);
        }
    }

    private void SkipPrefixedImmediates()
    {
        int at = _reader.Offset;
        switch (ReadPrefixedOpcode())
        {
            case <= PrefixedOpcode.I64TruncSatF64U:
                return;
            case PrefixedOpcode.MemoryInit:
                ReadDataIndex();
                ReadMemoryIndex();
                return;
            case PrefixedOpcode.DataDrop:
                ReadDataIndex();
                return;
            case PrefixedOpcode.MemoryCopy:
                ReadMemoryIndex();
                ReadMemoryIndex();
                return;
            case PrefixedOpcode.MemoryFill:
                ReadMemoryIndex();
                return;
            case PrefixedOpcode.TableInit:
                ReadElementIndex();
                ReadTableIndex();
                return;
            case PrefixedOpcode.ElemDrop:
                ReadElementIndex();
                return;
            case PrefixedOpcode.TableCopy:
                ReadTableIndex();
                ReadTableIndex();
                return;
            case PrefixedOpcode.TableGrow: case PrefixedOpcode.TableSize: case PrefixedOpcode.TableFill:
                ReadTableIndex();
                return;
            default:
                throw IllegalOpcode(at);
        }
    }

    private void SkipSimdImmediates()
    {
        int at = _reader.Offset;
        var opcode = ReadSimdOpcode();
        if (!IsDefined(opcode)) throw IllegalOpcode(at);
        switch (SimdOpcodes.KindOf((uint)opcode))
        {
            case SimdKind.Load: case SimdKind.Store:
                ReadMemArg();
                return;
            case SimdKind.Const:
                ReadV128();
                return;
            case SimdKind.Shuffle:
                ReadShuffleLanes();
                return;
            case SimdKind.Lane:
                ReadLaneIndex();
                return;
            case SimdKind.LoadLane: case SimdKind.StoreLane:
                ReadMemArg();
                ReadLaneIndex();
                return;
            default:
                return;
        }
    }

    /// <summary>True for the bytes that encode a <c>valtype</c>.</summary>
    internal static bool IsValueTypeByte(byte b) =>
        b is (byte)ValueType.I32 or (byte)ValueType.I64 or (byte)ValueType.F32 or (byte)ValueType.F64
            or (byte)ValueType.V128 or (byte)ValueType.FuncRef or (byte)ValueType.ExternRef;
}
