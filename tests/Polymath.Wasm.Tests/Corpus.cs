namespace Polymath.Wasm.Tests;

/// Small valid modules compiled once with wabt's wat2wasm (sources in the comments), used as seeds.
internal static class Corpus
{
    /*
     * (module
     *   (type $t (func (param i32 i32) (result i32)))
     *   (import "env" "f" (func $imp (param i32) (result i32)))
     *   (import "env" "g" (global $g i32))
     *   (import "env" "m" (memory 1 2))
     *   (table $tab 4 funcref)
     *   (global $mut (mut i64) (i64.const -5))
     *   (func $add (type $t) (i32.add (local.get 0) (local.get 1)))
     *   (func $fac (export "fac") (param i64) (result i64) (local i32 f64)
     *     (if (result i64) (i64.eqz (local.get 0))
     *       (then (i64.const 1))
     *       (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
     *   (func $loop (export "sum") (param i32) (result i32) (local i32)
     *     (block $done (loop $l
     *       (br_if $done (i32.eqz (local.get 0)))
     *       (local.set 1 (i32.add (local.get 1) (i32.load offset=4 align=2 (local.get 0))))
     *       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
     *       (br $l)))
     *     (br_table 0 0 0 (local.get 1) (local.get 0)))
     *   (func (export "ind") (param i32) (result i32)
     *     (call_indirect (type $t) (i32.const 1) (i32.const 2) (local.get 0)))
     *   (elem (i32.const 0) $add $add)
     *   (data (i32.const 16) "hello")
     *   (start 5)
     *   (func nop)
     * )
     */
    public static readonly byte[] ModuleA = Convert.FromHexString(
        "0061736d0100000001140460027f7f017f60017f017f60017e017e600000" +
        "021c0303656e760166000103656e760167037f0003656e76016d02010102" +
        "03060500020101030404017000040606017e01427b0b0713030366616300" +
        "020373756d000303696e6400040801050908010041000b0201010a5f0507" +
        "00200020016a0b1902017f017c200050047e4201052000200042017d1002" +
        "7e0b0b2b01017f024003402000450d01200120002801046a210120004101" +
        "6b21000c000b0b200120000e020000000b0b004101410220001100000b03" +
        "00010b0b0b010041100b0568656c6c6f0045046e616d650116040003696d" +
        "700103616464020366616303046c6f6f70020d0600000100020003000400" +
        "0500040401000174050601000374616207090200016701036d7574" +
        "");

    /*
     * (module
     *   (memory 1)
     *   (table 2 externref)
     *   (table 2 funcref)
     *   (func $f (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
     *   (func (export "bulk") (param i32)
     *     (memory.fill (i32.const 0) (i32.const 1) (local.get 0))
     *     (memory.copy (i32.const 0) (i32.const 8) (i32.const 4))
     *     (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))
     *     (data.drop 0)
     *     (table.init 1 0 (i32.const 0) (i32.const 0) (i32.const 1))
     *     (elem.drop 0)
     *     (drop (table.grow 0 (ref.null extern) (i32.const 1)))
     *     (drop (i32.trunc_sat_f32_s (f32.const 1.5)))
     *     (drop (i64.extend8_s (i64.const 7)))
     *     (drop (select (result funcref) (ref.func $f) (ref.null func) (local.get 0)))
     *     (drop (ref.is_null (table.get 0 (i32.const 0))))
     *     (i32.const 5) (block (param i32) (result i32 i32) (i32.const 2)) (drop) (drop)
     *     (i32.const 1) (i32.const 2) (call $f) (drop) (drop))
     *   (elem func $f)
     *   (data "abc")
     *   (global (export "g") (mut f32) (f32.const 2.5))
     * )
     */
    public static readonly byte[] ModuleB = Convert.FromHexString(
        "0061736d0100000001120360027f7f027f7f60017f0060017f027f7f0303" +
        "0200010407026f000270000205030100010609017d0143000020400b070c" +
        "020462756c6b000101670300090501010001000c01010a6d020600200120" +
        "000b6400410041012000fc0b00410041084104fc0a0000410041004101fc" +
        "080000fc0900410041004101fc0c0001fc0d00d06f4101fc0f001a430000" +
        "c03ffc001a4207c21ad200d07020001c01701a41002500d11a4105020241" +
        "020b1a1a4101410210001a1a0b0b060101036162630012046e616d650104" +
        "0100016602050200000100" +
        "");

}
