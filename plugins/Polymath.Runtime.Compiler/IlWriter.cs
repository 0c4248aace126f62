using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;

namespace Polymath.Runtime.Compiler;

/// <summary>An <see cref="ILGenerator"/> that can also write what it emits as text (for <c>polymath inspect --cil</c>).</summary>
internal sealed class IlWriter
{
    private readonly ILGenerator _il;
    private readonly StringBuilder? _log;
    private readonly Dictionary<LocalBuilder, string> _localNames = new();

    public IlWriter(ILGenerator il, StringBuilder? log)
    {
        _il = il;
        _log = log;
    }

    /// <summary>True when emitted code is also written as text.</summary>
    public bool Logging => _log is not null;

    private void Log(string text)
    {
        _log?.Append("  ").Append(text).Append('\n');
    }

    public Label DefineLabel() => _il.DefineLabel();

    public LocalBuilder DeclareLocal(Type type, string name)
    {
        var l = _il.DeclareLocal(type);
        if (_log is not null)
        {
            _localNames[l] = $"{name}";
            _log.Append($"  .local {l.LocalIndex} {name} : {type.Name}\n");
        }
        return l;
    }

    public void Mark(Label l)
    {
        _il.MarkLabel(l);
        if (_log is not null) _log.Append($"L{l.GetHashCode()}:\n");
    }

    public void Comment(string wasm) => _log?.Append("  // ").Append(wasm).Append('\n');

    public void Emit(OpCode op) { _il.Emit(op); Log(op.Name!); }
    public void Emit(OpCode op, int v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v}"); }
    public void Emit(OpCode op, byte v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v}"); }
    public void Emit(OpCode op, short v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v}"); }
    public void Emit(OpCode op, long v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v}"); }
    public void Emit(OpCode op, float v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v.ToString("R", CultureInfo.InvariantCulture)}"); }
    public void Emit(OpCode op, double v) { _il.Emit(op, v); if (_log is not null) Log($"{op.Name} {v.ToString("R", CultureInfo.InvariantCulture)}"); }
    public void Emit(OpCode op, Label l) { _il.Emit(op, l); if (_log is not null) Log($"{op.Name} L{l.GetHashCode()}"); }
    public void Emit(OpCode op, Label[] ls) { _il.Emit(op, ls); if (_log is not null) Log($"{op.Name} ({string.Join(", ", ls.Select(l => $"L{l.GetHashCode()}"))})"); }
    public void Emit(OpCode op, LocalBuilder l) { _il.Emit(op, l); if (_log is not null) Log($"{op.Name} {(_localNames.TryGetValue(l, out var n) ? n : l.LocalIndex.ToString(CultureInfo.InvariantCulture))}"); }
    public void Emit(OpCode op, MethodInfo m) { _il.Emit(op, m); if (_log is not null) Log($"{op.Name} {m.DeclaringType?.Name}::{m.Name}"); }
    public void Emit(OpCode op, FieldInfo f) { _il.Emit(op, f); if (_log is not null) Log($"{op.Name} {f.DeclaringType?.Name}::{f.Name}"); }
    public void Emit(OpCode op, Type t) { _il.Emit(op, t); if (_log is not null) Log($"{op.Name} {t.Name}"); }
}
