#!/usr/bin/env python3
"""Generates large.wat: a larger module for compile/instantiate benchmarks (1000 functions with
arithmetic, loops, branches and calls; a table holding all of them; a 64 KiB data segment).
usage: python3 gen-large.py > large.wat && wat2wasm large.wat -o large.wasm"""

FUNCS = 1000
out = ['(module', '  (type $t (func (param i32 i32) (result i32)))', '  (memory (export "memory") 2)',
       f'  (table (export "table") {FUNCS} funcref)']
for i in range(FUNCS):
    callee = f'    local.get 0\n    local.get 1\n    call $f{i - 1}\n    local.set 1\n' if i > 0 and i % 10 else ''
    out.append(f'''  (func $f{i} (type $t) (param i32 i32) (result i32)
    (local i32 i64 f64)
{callee}    (block $done
      (loop $l
        local.get 0
        i32.eqz
        br_if $done
        local.get 1
        i32.const {i * 2654435761 % 2**31}
        i32.xor
        i32.const {i % 31 + 1}
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
        f64.const {i}.5
        f64.mul
        f64.add
        local.set 4
        local.get 0
        i32.load8_u offset={i % 4096}
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
    i32.add)''')
out.append('  (elem (i32.const 0) func ' + ' '.join(f'$f{i}' for i in range(FUNCS)) + ')')
data = ''.join(f'\\{(i * 131 + 7) % 256:02x}' for i in range(65536))
out.append(f'  (data (i32.const 1024) "{data}")')
out.append(f'  (export "run" (func $f{FUNCS - 1}))')
out.append(')')
print('\n'.join(out))
