;; Micro-benchmark module: call overhead from C#, wasm-to-wasm calls and host calls from wasm.
(module
  (import "host" "noop" (func $host_noop))
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  (func $empty)
  (func (export "empty"))
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)

  ;; Calls $empty n times.
  (func (export "call_wasm") (param $n i32)
    (loop $l
      call $empty
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $l))

  ;; Calls host.noop n times.
  (func (export "call_host_noop") (param $n i32)
    (loop $l
      call $host_noop
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $l))

  ;; acc = host.add(acc, n) for n, n-1, ..., 1; returns acc.
  (func (export "call_host_add") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      local.get $acc
      local.get $n
      call $host_add
      local.set $acc
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $l)
    local.get $acc))
