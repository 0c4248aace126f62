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
    /// <summary>Constant bits (i32/i64/f32/f64.const).</summary>
    public ulong Bits;
    /// <summary>Block type: -1 for [] → [], -2 for a single value type in <see cref="BlockValue"/>, otherwise a typeidx.</summary>
    public long BlockType;
    public Polymath.Wasm.ValueType BlockValue;
    /// <summary>br_table labels (the default label last).</summary>
    public uint[]? Labels;
}

/// <summary>
/// The one seam through which the compiler reads function bodies (RATIONALE.md: decoding). Bodies are
/// already validated by <see cref="ModuleValidator"/>, so this only splits them into instructions.
/// </summary>
internal ref struct BodyDecoder
{
    private WasmReader _r;

    public BodyDecoder(ReadOnlySpan<byte> code, int baseOffset) => _r = new WasmReader(code, baseOffset);

    public readonly bool AtEnd => _r.IsAtEnd;

    public Instruction Next()
    {
        var ins = new Instruction { Op = (Opcode)_r.ReadByte() };
        switch (ins.Op)
        {
            case Opcode.Block: case Opcode.Loop: case Opcode.If:
            {
                byte b = _r.PeekByte();
                if (b == 0x40) { _r.ReadByte(); ins.BlockType = -1; }
                else if (b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F) { _r.ReadByte(); ins.BlockType = -2; ins.BlockValue = (Polymath.Wasm.ValueType)b; }
                else ins.BlockType = _r.ReadVarS33();
                break;
            }
            case Opcode.Br: case Opcode.BrIf: case Opcode.Call: case Opcode.RefFunc:
            case Opcode.LocalGet: case Opcode.LocalSet: case Opcode.LocalTee: case Opcode.GlobalGet: case Opcode.GlobalSet:
            case Opcode.TableGet: case Opcode.TableSet:
                ins.A = _r.ReadVarU32();
                break;
            case Opcode.BrTable:
            {
                int n = _r.ReadCount();
                var labels = new uint[n + 1];
                for (int i = 0; i <= n; i++) labels[i] = _r.ReadVarU32();
                ins.Labels = labels;
                break;
            }
            case Opcode.CallIndirect:
                ins.A = _r.ReadVarU32();
                ins.B = _r.ReadVarU32();
                break;
            case Opcode.SelectT:
            {
                int n = _r.ReadCount();
                for (int i = 0; i < n; i++) _r.ReadByte();
                break;
            }
            case Opcode.MemorySize: case Opcode.MemoryGrow: _r.ReadByte(); break;
            case Opcode.I32Const: ins.Bits = (ulong)(uint)_r.ReadVarS32(); break;
            case Opcode.I64Const: ins.Bits = (ulong)_r.ReadVarS64(); break;
            case Opcode.F32Const: ins.Bits = _r.ReadF32Bits(); break;
            case Opcode.F64Const: ins.Bits = _r.ReadF64Bits(); break;
            case Opcode.RefNull: ins.BlockValue = (Polymath.Wasm.ValueType)_r.ReadByte(); break;
            case Opcode.Prefix0xFC:
                ins.Prefixed = (PrefixedOpcode)_r.ReadVarU32();
                switch (ins.Prefixed)
                {
                    case PrefixedOpcode.MemoryInit: ins.A = _r.ReadVarU32(); _r.ReadByte(); break;
                    case PrefixedOpcode.DataDrop: case PrefixedOpcode.ElemDrop: ins.A = _r.ReadVarU32(); break;
                    case PrefixedOpcode.MemoryCopy: _r.ReadByte(); _r.ReadByte(); break;
                    case PrefixedOpcode.MemoryFill: _r.ReadByte(); break;
                    case PrefixedOpcode.TableInit: case PrefixedOpcode.TableCopy: ins.A = _r.ReadVarU32(); ins.B = _r.ReadVarU32(); break;
                    case PrefixedOpcode.TableGrow: case PrefixedOpcode.TableSize: case PrefixedOpcode.TableFill: ins.A = _r.ReadVarU32(); break;
                }
                break;
            default:
                if (ins.Op >= Opcode.I32Load && ins.Op <= Opcode.I64Store32)
                {
                    ins.A = _r.ReadVarU32();
                    ins.B = _r.ReadVarU32();
                }
                break;
        }
        return ins;
    }
}
