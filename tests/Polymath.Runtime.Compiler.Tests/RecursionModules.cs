using System.Text;

namespace Polymath.Runtime.Compiler.Tests;

/// <summary>How a generated module recurses (every shape exports <c>f(n) -> n</c>: n nested calls, then the depth back).</summary>
public enum RecursionShape
{
    /// <summary>n operands of the value type live across a direct self call.</summary>
    Operands,
    /// <summary>n locals of the value type, all set before and read after a direct self call.</summary>
    Locals,
    /// <summary>n parameters of the value type, passed on to a direct self call.</summary>
    Parameters,
    /// <summary>n live operands across a <c>call_indirect</c> of itself through a table.</summary>
    Indirect,
    /// <summary>f and g call each other, each with n live operands.</summary>
    Mutual,
    /// <summary>f calls the host import <c>env.reenter</c>, which calls the export <c>f</c> again (one store, nested Invoke).</summary>
    Host,
}

/// <summary>
/// WAT for the recursion shapes of the hostile audit (issue #24): frames made large by operands, locals or parameters of one
/// value type, recursing directly, through a table, mutually or through a host function. The operands are reads of a
/// mutable global (the JIT must keep each one: the call may change the global), consumed after the call into another
/// global (so none is dead).
/// </summary>
public static class RecursionModules
{
    /// <summary>The module of <paramref name="shape"/> with <paramref name="n"/> values of type <paramref name="t"/> per frame, and <paramref name="extraGlobals"/> more globals.</summary>
    public static string Build(RecursionShape shape, string t, int n, int extraGlobals = 0)
    {
        var w = new StringBuilder();
        w.AppendLine("(module");
        if (shape == RecursionShape.Host) w.AppendLine("  (import \"env\" \"reenter\" (func $reenter (param i32) (result i32)))");
        for (int i = 0; i < extraGlobals; i++) w.Append("  (global (mut i64) (i64.const ").Append(i).AppendLine("))");
        w.AppendLine($"  (global $g (mut {t}) ({t}.const 3))");
        w.AppendLine($"  (global $acc (mut {t}) ({t}.const 0))");
        w.AppendLine("  (type $ft (func (param i32) (result i32)))");
        switch (shape)
        {
            case RecursionShape.Operands:
                LiveOperands(w, "$f", t, n, "(call $f (i32.sub (local.get $n) (i32.const 1)))");
                break;
            case RecursionShape.Indirect:
                w.AppendLine("  (table 1 funcref) (elem (i32.const 0) $f)");
                LiveOperands(w, "$f", t, n, "(call_indirect (type $ft) (i32.sub (local.get $n) (i32.const 1)) (i32.const 0))");
                break;
            case RecursionShape.Mutual:
                LiveOperands(w, "$f", t, n, "(call $g (i32.sub (local.get $n) (i32.const 1)))");
                LiveOperands(w, "$g", t, n, "(call $f (i32.sub (local.get $n) (i32.const 1)))");
                break;
            case RecursionShape.Host:
                LiveOperands(w, "$f", t, n, "(call $reenter (i32.sub (local.get $n) (i32.const 1)))");
                break;
            case RecursionShape.Locals:
                w.AppendLine("  (func $f (param $n i32) (result i32) (local $r i32)");
                w.Append("    (local");
                for (int i = 0; i < n; i++) w.Append(' ').Append(t);
                w.AppendLine(")");
                w.AppendLine("    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))");
                for (int i = 0; i < n; i++) w.AppendLine($"    (local.set {i + 2} (global.get $g))");
                w.AppendLine("    (local.set $r (call $f (i32.sub (local.get $n) (i32.const 1))))");
                w.AppendLine("    (local.get 2)");
                for (int i = 1; i < n; i++) w.AppendLine($"    (local.get {i + 2}) ({t}.add)");
                w.AppendLine("    (global.set $acc)");
                w.AppendLine("    (i32.add (local.get $r) (i32.const 1)))");
                break;
            case RecursionShape.Parameters:
                w.Append("  (func $p (param $n i32)");
                for (int i = 0; i < n; i++) w.Append($" (param {t})");
                w.AppendLine(" (result i32)");
                w.AppendLine("    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))");
                w.AppendLine("    (i32.sub (local.get $n) (i32.const 1))");
                for (int i = 0; i < n; i++) w.AppendLine($"    (local.get {i + 1})");
                w.AppendLine("    (call $p)");
                w.AppendLine("    (local.get 1)");
                for (int i = 1; i < n; i++) w.AppendLine($"    (local.get {i + 1}) ({t}.add)");
                w.AppendLine("    (global.set $acc)");
                w.AppendLine("    (i32.const 1) (i32.add))");
                w.Append("  (func $f (param $n i32) (result i32) (local.get $n)");
                for (int i = 0; i < n; i++) w.Append(" (global.get $g)");
                w.AppendLine(" (call $p))");
                break;
        }
        w.AppendLine("  (export \"f\" (func $f)))");
        return w.ToString();
    }

    private static void LiveOperands(StringBuilder w, string name, string t, int n, string call)
    {
        w.AppendLine($"  (func {name} (param $n i32) (result i32) (local $r i32)");
        w.AppendLine("    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))");
        for (int i = 0; i < n; i++) w.AppendLine("    (global.get $g)");
        w.AppendLine($"    (local.set $r {call})");
        for (int i = 1; i < n; i++) w.AppendLine($"    ({t}.add)");
        w.AppendLine("    (global.set $acc)");
        w.AppendLine("    (i32.add (local.get $r) (i32.const 1)))");
    }
}
