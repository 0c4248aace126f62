using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Polymath.Runtime.Core;
using Polymath.Wasm;

namespace Polymath.Runtime.Interpreter;

/// <summary>
/// The SIMD (<c>0xFD</c>) instructions: one <see cref="Op.Simd"/> op each, <c>Simd sub [dst] operands…</c>, laid out
/// by the sub-opcode's shape string (<see cref="SimdShapes.ShapeOf"/>, generated from the shared lane semantics'
/// signatures). A v128 operand or result is two stack entries; the code names the first of its two cells.
/// </summary>
internal sealed partial class Translator
{
    private void VisitSimd(ref InstructionReader r, SimdOpcode op)
    {
        string shape = SimdShapes.ShapeOf((uint)op)
            ?? throw new WasmModuleException(WasmErrorKind.Malformed, "illegal opcode", r.Offset, _code.FunctionIndex);

        // immediates, in binary order: memarg, then lane; or the 16 bytes of v128.const / i8x16.shuffle
        uint offset = 0;
        int lane = 0;
        Span<int> wide = stackalloc int[8];
        for (int i = 1; i < shape.Length; i++)
        {
            switch (shape[i])
            {
                case 'p': offset = r.ReadMemArg().Offset; break;
                case 'L': lane = r.ReadLaneIndex(); break;
                case 'C':
                    MemoryMarshal.Cast<byte, int>(r.ReadV128()).CopyTo(wide);
                    break;
                case 'S':
                {
                    var (first, second) = Simd128.ShuffleIndices(r.ReadShuffleLanes());
                    Span<byte> bytes = MemoryMarshal.AsBytes(wide);
                    first.CopyTo(bytes);
                    second.CopyTo(bytes[16..]);
                    break;
                }
            }
        }

        // operands, popped from the top (the last letter is the top of the stack)
        Span<int> slots = stackalloc int[4];
        for (int i = shape.Length - 1; i >= 1; i--)
        {
            slots[i - 1] = shape[i] switch
            {
                'V' => PopV128(),
                'i' or 'l' or 'f' or 'd' or 'p' => Pop(),
                _ => 0,
            };
        }

        char result = shape[0];
        int d = result switch
        {
            'V' => _operands.PushV128(),
            '-' => 0,
            _ => Push(),
        };
        _code.Begin(Op.Simd);
        _code.Add((int)op);
        if (result != '-') _code.Add(d);
        for (int i = 1; i < shape.Length; i++)
        {
            switch (shape[i])
            {
                case 'p': _code.Add(slots[i - 1]); _code.Add((int)offset); break;
                case 'L': _code.Add(lane); break;
                case 'C': for (int j = 0; j < 4; j++) _code.Add(wide[j]); break;
                case 'S': for (int j = 0; j < 8; j++) _code.Add(wide[j]); break;
                default: _code.Add(slots[i - 1]); break;
            }
        }
    }
}
