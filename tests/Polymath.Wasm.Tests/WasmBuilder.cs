using System.Text;

namespace Polymath.Wasm.Tests;

/// <summary>A tiny binary-format emitter for tests: sections and vectors from raw pieces.</summary>
internal static class WasmBuilder
{
    public const byte I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C, V128 = 0x7B, FuncRef = 0x70, ExternRef = 0x6F;

    public static readonly byte[] Header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    public static byte[] U32(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            if (value != 0) b |= 0x80;
            bytes.Add(b);
        } while (value != 0);
        return bytes.ToArray();
    }

    public static byte[] S64(long value)
    {
        var bytes = new List<byte>();
        while (true)
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bool done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            if (!done) b |= 0x80;
            bytes.Add(b);
            if (done) return bytes.ToArray();
        }
    }

    public static byte[] Cat(params object[] parts)
    {
        var all = new List<byte>();
        foreach (var part in parts)
        {
            switch (part)
            {
                case byte b: all.Add(b); break;
                case int i: all.Add(checked((byte)i)); break;
                case byte[] a: all.AddRange(a); break;
                case string s: all.AddRange(Name(s)); break;
                default: throw new ArgumentException($"unsupported part {part?.GetType()}");
            }
        }
        return all.ToArray();
    }

    public static byte[] Name(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return Cat(U32((uint)utf8.Length), utf8);
    }

    public static byte[] Vec(params byte[][] items) => Cat(U32((uint)items.Length), Cat(items.Cast<object>().ToArray()));

    public static byte[] Section(byte id, params object[] content)
    {
        var body = Cat(content);
        return Cat(id, U32((uint)body.Length), body);
    }

    public static byte[] Module(params byte[][] sections) => Cat(Header, Cat(sections.Cast<object>().ToArray()));

    public static byte[] FuncType(byte[] parameters, byte[] results) => Cat(0x60, U32((uint)parameters.Length), parameters, U32((uint)results.Length), results);

    public static byte[] Types(params byte[][] types) => Section(1, Vec(types));

    public static byte[] Functions(params uint[] typeidx) => Section(3, Vec(typeidx.Select(U32).ToArray()));

    /// <summary>A code entry: locals as (count, type) pairs, then the instruction bytes (the final <c>end</c> added).</summary>
    public static byte[] Body(byte[] code, params (uint Count, byte Type)[] locals)
    {
        var content = Cat(Vec(locals.Select(l => Cat(U32(l.Count), l.Type)).ToArray()), code, 0x0B);
        return Cat(U32((uint)content.Length), content);
    }

    public static byte[] Code(params byte[][] bodies) => Section(10, Vec(bodies));

    /// <summary>A module with one function of type [params] -> [results] and the given body.</summary>
    public static byte[] OneFunction(byte[] parameters, byte[] results, byte[] code, params byte[][] extraSectionsBeforeCode)
    {
        var sections = new List<byte[]> { Types(FuncType(parameters, results)), Functions(0) };
        sections.AddRange(extraSectionsBeforeCode);
        sections.Add(Code(Body(code)));
        return Module(sections.ToArray());
    }

    public static byte[] Memory(uint min) => Section(5, Vec(Cat(0x00, U32(min))));

    public static Module Load(byte[] wasm) => ModuleReader.ReadAndValidate(wasm);

    public static WasmModuleException Fails(byte[] wasm, WasmErrorKind kind, string reason)
    {
        var e = Assert.Throws<WasmModuleException>(() => ModuleReader.ReadAndValidate(wasm));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(reason, e.Reason);
        return e;
    }
}
