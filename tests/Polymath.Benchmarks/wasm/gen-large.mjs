#!/usr/bin/env node
// Generates large.wat: a larger module for compile/instantiate benchmarks (1000 functions with
// arithmetic, loops, branches and calls; a table holding all of them; a 64 KiB data segment).
// usage: node gen-large.mjs > large.wat && wat2wasm large.wat -o large.wasm
const FUNCS = 1000;
const out = ['(module', '  (type $t (func (param i32 i32) (result i32)))', '  (memory (export "memory") 2)',
  `  (table (export "table") ${FUNCS} funcref)`];
for (let i = 0; i < FUNCS; i++) {
  const callee = i > 0 && i % 10 ? `    local.get 0\n    local.get 1\n    call $f${i - 1}\n    local.set 1\n` : '';
  const k = Number((BigInt(i) * 2654435761n) % 2147483648n);
  out.push(`  (func $f${i} (type $t) (param i32 i32) (result i32)
    (local i32 i64 f64)
${callee}    (block $done
      (loop $l
        local.get 0
        i32.eqz
        br_if $done
        local.get 1
        i32.const ${k}
        i32.xor
        i32.const ${i % 31 + 1}
        i32.rotl
        local.set 1
        local.get 3
        local.get 1
        i64.extend_i32_u
        i64.add
        local.set 3
        local.get 4
        local.get 1
        f64.convert_i32_s
        f64.const ${i}.5
        f64.mul
        f64.add
        local.set 4
        local.get 0
        i32.load8_u offset=${i % 4096}
        local.get 2
        i32.add
        local.set 2
        local.get 0
        i32.const 1
        i32.sub
        local.set 0
        br $l))
    local.get 1
    local.get 2
    i32.add
    local.get 3
    i32.wrap_i64
    i32.add
    local.get 4
    i32.trunc_sat_f64_s
    i32.add)`);
}
out.push('  (elem (i32.const 0) func ' + Array.from({ length: FUNCS }, (_, i) => `$f${i}`).join(' ') + ')');
let data = '';
for (let i = 0; i < 65536; i++) data += '\\' + ((i * 131 + 7) % 256).toString(16).padStart(2, '0');
out.push(`  (data (i32.const 1024) "${data}")`);
out.push(`  (export "run" (func $f${FUNCS - 1}))`);
out.push(')');
console.log(out.join('\n'));
