using Polymath.Wasm;

namespace Polymath.Runtime.Compiler;

/// <summary>One decoded instruction of a validated body: the opcode and its immediates.</summary>
internal struct Instruction
{
    public Opcode Op;
    /// <summary>For <see cref="Opcode.Prefix0xFC"/>: the sub-opcode.</summary>
    public PrefixedOpcode Prefixed;
    /// <summary>First index immediate (labelidx, funcidx, typeidx, localidx, globalidx, tableidx, dataidx, elemidx) or memarg align.</summary>
    public uint A;
    /// <summary>Second immediate (call_indirect tableidx, memarg offset, table.copy/init source).</summary>
    public uint B;
    /// <summary>For <see cref="Opcode.Prefix0xFD"/>: the SIMD sub-opcode.</summary>
    public SimdOpcode Simd;
    /// <summary>Constant bits (i32/i64/f32/f64.const; the low half of v128.const or of the shuffle lanes).</summary>
    public ulong Bits;
    /// <summary>The high half of v128.const or of the i8x16.shuffle lanes.</summary>
    public ulong High;
    /// <summary>The lane immediate of a SIMD lane instruction, or -1.</summary>
    public int Lane;
    /// <summary>Block type: -1 for [] → [], -2 for a single value type in <see cref="BlockValue"/>, otherwise a typeidx.</summary>
    public long BlockType;
    public Polymath.Wasm.ValueType BlockValue;
    /// <summary>br_table labels (the default label last).</summary>
    public uint[]? Labels;
}

/// <summary>
/// The one seam through which the compiler reads function bodies (RATIONALE.md: decoding): Polymath.Wasm's
/// <see cref="InstructionReader"/> (the project's one instruction decoder) turned into <see cref="Instruction"/>
/// values. Bodies are already validated by <see cref="ModuleValidator"/>.
/// </summary>
internal ref struct BodyDecoder
{
    private InstructionReader _r;

    public BodyDecoder(ReadOnlySpan<byte> code, int baseOffset) => _r = new InstructionReader(code, baseOffset);

    public readonly bool AtEnd => _r.IsAtEnd;

    public Instruction Next()
    {
        var ins = new Instruction { Op = _r.ReadOpcode() };
        switch (ins.Op)
        {
            case Opcode.Block: case Opcode.Loop: case Opcode.If:
            {
                var bt = _r.ReadBlockType();
                (ins.BlockType, ins.BlockValue) = bt.Kind switch
                {
                    BlockTypeKind.Empty => (-1L, default(Polymath.Wasm.ValueType)),
                    BlockTypeKind.Value => (-2L, bt.Result),
                    _ => ((long)bt.TypeIndex, default),
                };
                break;
            }
            case Opcode.Br: case Opcode.BrIf: ins.A = _r.ReadLabelIndex(); break;
            case Opcode.Call: case Opcode.RefFunc: ins.A = _r.ReadFunctionIndex(); break;
            case Opcode.LocalGet: case Opcode.LocalSet: case Opcode.LocalTee: ins.A = _r.ReadLocalIndex(); break;
            case Opcode.GlobalGet: case Opcode.GlobalSet: ins.A = _r.ReadGlobalIndex(); break;
            case Opcode.TableGet: case Opcode.TableSet: ins.A = _r.ReadTableIndex(); break;
            case Opcode.BrTable:
            {
                var table = _r.ReadBranchTable();
                var labels = new uint[table.Count + 1];
                int i = 0;
                foreach (uint l in table) labels[i++] = l;
                labels[i] = table.Default;
                ins.Labels = labels;
                break;
            }
            case Opcode.CallIndirect:
                _r.ReadCallIndirect(out ins.A, out ins.B);
                break;
            case Opcode.SelectT: _r.ReadSelectTypes(); break;
            case Opcode.MemorySize: case Opcode.MemoryGrow: _r.ReadMemoryIndex(); break;
            case Opcode.I32Const: ins.Bits = (ulong)(uint)_r.ReadI32(); break;
            case Opcode.I64Const: ins.Bits = (ulong)_r.ReadI64(); break;
            case Opcode.F32Const: ins.Bits = _r.ReadF32(); break;
            case Opcode.F64Const: ins.Bits = _r.ReadF64(); break;
            case Opcode.RefNull: ins.BlockValue = _r.ReadReferenceType(); break;
            case Opcode.Prefix0xFC:
                ins.Prefixed = _r.ReadPrefixedOpcode();
                switch (ins.Prefixed)
                {
                    case PrefixedOpcode.MemoryInit: ins.A = _r.ReadDataIndex(); _r.ReadMemoryIndex(); break;
                    case PrefixedOpcode.DataDrop: ins.A = _r.ReadDataIndex(); break;
                    case PrefixedOpcode.ElemDrop: ins.A = _r.ReadElementIndex(); break;
                    case PrefixedOpcode.MemoryCopy: _r.ReadMemoryIndex(); _r.ReadMemoryIndex(); break;
                    case PrefixedOpcode.MemoryFill: _r.ReadMemoryIndex(); break;
                    case PrefixedOpcode.TableInit: ins.A = _r.ReadElementIndex(); ins.B = _r.ReadTableIndex(); break;
                    case PrefixedOpcode.TableCopy: ins.A = _r.ReadTableIndex(); ins.B = _r.ReadTableIndex(); break;
                    case PrefixedOpcode.TableGrow: case PrefixedOpcode.TableSize: case PrefixedOpcode.TableFill: ins.A = _r.ReadTableIndex(); break;
                }
                break;
            case Opcode.Prefix0xFD:
                DecodeSimd(ref ins);
                break;
            default:
                if (ins.Op >= Opcode.I32Load && ins.Op <= Opcode.I64Store32)
                {
                    var memarg = _r.ReadMemArg();
                    ins.A = memarg.Align;
                    ins.B = memarg.Offset;
                }
                else _r.SkipImmediates(ins.Op);
                break;
        }
        return ins;
    }

    private void DecodeSimd(ref Instruction ins)
    {
        ins.Simd = _r.ReadSimdOpcode();
        ins.Lane = -1;
        switch (ins.Simd)
        {
            case <= SimdOpcode.V128Store or SimdOpcode.V128Load32Zero or SimdOpcode.V128Load64Zero:
            {
                var memarg = _r.ReadMemArg();
                ins.A = memarg.Align;
                ins.B = memarg.Offset;
                break;
            }
            case >= SimdOpcode.V128Load8Lane and <= SimdOpcode.V128Store64Lane:
            {
                var memarg = _r.ReadMemArg();
                ins.A = memarg.Align;
                ins.B = memarg.Offset;
                ins.Lane = _r.ReadLaneIndex();
                break;
            }
            case SimdOpcode.V128Const:
            case SimdOpcode.I8x16Shuffle:
            {
                var bytes = ins.Simd == SimdOpcode.V128Const ? _r.ReadV128() : _r.ReadShuffleLanes();
                ins.Bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                ins.High = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
                break;
            }
            case >= SimdOpcode.I8x16ExtractLaneS and <= SimdOpcode.F64x2ReplaceLane:
                ins.Lane = _r.ReadLaneIndex();
                break;
        }
    }
}
