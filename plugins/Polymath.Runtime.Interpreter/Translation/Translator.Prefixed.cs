using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>The <c>0xFC</c> instructions: saturating truncations, bulk memory, and table instructions.</summary>
internal sealed partial class Translator
{
    private void VisitPrefixed(ref InstructionReader r, PrefixedOpcode op)
    {
        switch (op)
        {
            case <= PrefixedOpcode.I64TruncSatF64U:
            {
                int a = Pop();
                int d = Push();
                _code.Begin(Op.I32TruncSatF32S + (int)op);
                _code.Add(d); _code.Add(a);
                break;
            }
            case PrefixedOpcode.MemoryInit:
            {
                int dataidx = (int)r.ReadDataIndex();
                r.ReadMemoryIndex();
                int n = Pop(), s = Pop(), d = Pop();
                _code.Begin(Op.MemoryInit);
                _code.Add(dataidx); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case PrefixedOpcode.DataDrop:
                _code.Begin(Op.DataDrop);
                _code.Add((int)r.ReadDataIndex());
                break;
            case PrefixedOpcode.MemoryCopy:
            {
                r.ReadMemoryIndex();
                r.ReadMemoryIndex();
                int n = Pop(), s = Pop(), d = Pop();
                _code.Begin(Op.MemoryCopy);
                _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case PrefixedOpcode.MemoryFill:
            {
                r.ReadMemoryIndex();
                int n = Pop(), value = Pop(), d = Pop();
                _code.Begin(Op.MemoryFill);
                _code.Add(d); _code.Add(value); _code.Add(n);
                break;
            }
            case PrefixedOpcode.TableInit:
            {
                int elemidx = (int)r.ReadElementIndex();
                int tableidx = (int)r.ReadTableIndex();
                int n = Pop(), s = Pop(), d = Pop();
                _code.Begin(Op.TableInit);
                _code.Add(tableidx); _code.Add(elemidx); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case PrefixedOpcode.ElemDrop:
                _code.Begin(Op.ElemDrop);
                _code.Add((int)r.ReadElementIndex());
                break;
            case PrefixedOpcode.TableCopy:
            {
                int destination = (int)r.ReadTableIndex();
                int source = (int)r.ReadTableIndex();
                int n = Pop(), s = Pop(), d = Pop();
                _code.Begin(Op.TableCopy);
                _code.Add(destination); _code.Add(source); _code.Add(d); _code.Add(s); _code.Add(n);
                break;
            }
            case PrefixedOpcode.TableGrow:
            {
                int tableidx = (int)r.ReadTableIndex();
                int n = Pop(), init = Pop();
                int d = Push();
                _code.Begin(Op.TableGrow);
                _code.Add(d); _code.Add(tableidx); _code.Add(init); _code.Add(n);
                break;
            }
            case PrefixedOpcode.TableSize:
            {
                int tableidx = (int)r.ReadTableIndex();
                int d = Push();
                _code.Begin(Op.TableSize);
                _code.Add(d); _code.Add(tableidx);
                break;
            }
            case PrefixedOpcode.TableFill:
            {
                int tableidx = (int)r.ReadTableIndex();
                int n = Pop(), value = Pop(), i = Pop();
                _code.Begin(Op.TableFill);
                _code.Add(tableidx); _code.Add(i); _code.Add(value); _code.Add(n);
                break;
            }
            default:
                throw new WasmModuleException(WasmErrorKind.Invalid, $"unsupported instruction 0xFC {(uint)op}", r.Offset);
        }
    }
}
