using Polymath.Experts;

namespace Polymath.Experts.Tests;

/// <summary>
/// Small experts built from WAT for the registry robustness tests: one op each, answering with a constant value, so a
/// test can tell which package (and which version of it) answered. Heap memory resets when every allocation is freed.
/// </summary>
internal static class MiniExperts
{
    /// <summary>An expert <paramref name="id"/> whose op <paramref name="op"/> answers <c>"<paramref name="value"/>"</c>.</summary>
    public static byte[] Constant(string id, string op, string value = "1.0.0", int tier = 1)
    {
        string tierText = tier.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string metadata = $$"""{\22id\22:\22{{id}}\22,\22tier\22:{{tierText}},\22description\22:\22mini\22,\22version\22:\22{{value}}\22,\22ops\22:[{\22name\22:\22{{op}}\22,\22args\22:[]}]}""";
        string result = $$"""{\22value\22:\22{{value}}\22,\22confidence\22:1.0,\22latency_ns\22:0,\22expert_id\22:\22{{id}}\22,\22op\22:\22{{op}}\22}""";
        return TestExperts.Compile($$"""
            (module
              (memory (export "memory") 1)
              (global $top (mut i32) (i32.const 8192))
              (global $live (mut i32) (i32.const 0))
              (data (i32.const 1024) "{{metadata}}\00")
              (data (i32.const 4096) "{{result}}\00")
              (func $strlen (param $p i32) (result i32) (local $n i32)
                (block $done (loop $l
                  (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br $l)))
                (local.get $n))
              (func $alloc (export "larql_alloc") (param $len i32) (result i32) (local $p i32) (local $end i32)
                (local.set $p (global.get $top))
                (local.set $end (i32.add (local.get $p) (local.get $len)))
                (block $ok (loop $l
                  (br_if $ok (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
                  (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
                  (br $l)))
                (global.set $top (i32.and (i32.add (local.get $end) (i32.const 3)) (i32.const -4)))
                (global.set $live (i32.add (global.get $live) (i32.const 1)))
                (local.get $p))
              (func (export "larql_dealloc") (param $p i32) (param $len i32)
                (global.set $live (i32.sub (global.get $live) (i32.const 1)))
                (if (i32.eqz (global.get $live)) (then (global.set $top (i32.const 8192)))))
              (func $emit (param $s i32) (result i32) (local $n i32) (local $p i32)
                (local.set $n (i32.add (call $strlen (local.get $s)) (i32.const 1)))
                (local.set $p (call $alloc (local.get $n)))
                (block $d (loop $c
                  (br_if $d (i32.eqz (local.get $n)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.load8_u (i32.add (local.get $s) (local.get $n))))
                  (br $c)))
                (local.get $p))
              (func (export "larql_metadata") (result i32) (call $emit (i32.const 1024)))
              (func (export "larql_call") (param i32 i32 i32 i32) (result i32) (call $emit (i32.const 4096))))
            """);
    }

    /// <summary>Writes a signed folder package (manifest with the payload's sha256) <paramref name="root"/>/<paramref name="id"/>.</summary>
    public static string WriteSigned(string root, string id, string op, string value = "1.0.0", int tier = 1, string extra = "") =>
        TestExperts.WritePackage(root, id, Constant(id, op, value, tier), tier, value, extra);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeoutMs"/> naming <paramref name="what"/>.</summary>
    public static async Task WaitFor(Func<bool> condition, string what, int timeoutMs = 20_000)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs) throw new TimeoutException($"not reached within {timeoutMs} ms: {what}");
            await Task.Delay(25);
        }
    }
}
