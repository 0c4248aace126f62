;; wat_fib — a Polymath/larql expert written by hand in WebAssembly text. Zero imports.
;; ABI (../../docs/experts.md, larql's expert ABI): memory, larql_alloc, larql_dealloc, larql_metadata, larql_call.
;; One op: fib {"n": <non-negative integer ≤ 93>} -> the n-th Fibonacci number as a JSON integer (u64).
;; Anything else (other op, missing or non-integer n, n > 93) is declined (larql_call returns 0).
;;
;; Memory: static data below 8192; a bump heap from 8192 up. Every block has a 4-byte length header.
;; $live counts blocks not yet freed; when it drops to 0 the heap resets, so guest memory stays flat over
;; any number of calls as long as the host frees op, args and the result (which it must, by the ABI).
(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 8192))
  (global $live (mut i32) (i32.const 0))

  (data (i32.const 256) "fib\00")
  (data (i32.const 272) "{\22value\22:\00")
  (data (i32.const 288) ",\22confidence\22:1.0,\22latency_ns\22:0,\22expert_id\22:\22wat_fib\22,\22op\22:\22fib\22}\00")
  (data (i32.const 1024) "{\22id\22:\22wat_fib\22,\22tier\22:1,\22description\22:\22Fibonacci numbers, written by hand in WAT\22,\22version\22:\220.1.0\22,\22ops\22:[{\22name\22:\22fib\22,\22args\22:[\22n\22]}]}\00")

  ;; larql_alloc(len) -> ptr, 0 when memory cannot grow
  (func $alloc (export "larql_alloc") (param $len i32) (result i32) (local $p i32) (local $end i32) (local $pages i32)
    (local.set $p (i32.add (global.get $top) (i32.const 4)))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.lt_u (local.get $end) (local.get $p)) (then (return (i32.const 0)))) ;; overflow
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (local.set $pages (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
        (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1)) (then (return (i32.const 0))))))
    (i32.store (global.get $top) (local.get $len))
    (global.set $top (i32.and (i32.add (local.get $end) (i32.const 3)) (i32.const -4)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))

  ;; larql_dealloc(ptr, len): length is advisory (like free); the heap resets when nothing is live
  (func (export "larql_dealloc") (param $p i32) (param $len i32)
    (if (i32.eqz (local.get $p)) (then (return)))
    (if (i32.gt_u (global.get $live) (i32.const 0)) (then (global.set $live (i32.sub (global.get $live) (i32.const 1)))))
    (if (i32.eqz (global.get $live)) (then (global.set $top (i32.const 8192)))))

  (func (export "larql_metadata") (result i32) (call $dup (i32.const 1024)))

  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))

  ;; copies the NUL-terminated string at s (with its NUL) to dst; returns dst + strlen
  (func $put (param $dst i32) (param $s i32) (result i32) (local $n i32) (local $i i32)
    (local.set $n (call $strlen (local.get $s)))
    (local.set $i (i32.const 0))
    (loop $c ;; byte copy (WebAssembly 1.0 only: no bulk-memory instructions, so every runtime can run it)
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $s) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $c (i32.le_u (local.get $i) (local.get $n))))
    (i32.add (local.get $dst) (local.get $n)))

  ;; a fresh heap copy of a NUL-terminated string (the host frees it with len = strlen + 1)
  (func $dup (param $s i32) (result i32) (local $d i32)
    (local.set $d (call $alloc (i32.add (call $strlen (local.get $s)) (i32.const 1))))
    (if (i32.eqz (local.get $d)) (then (return (i32.const 0))))
    (drop (call $put (local.get $d) (local.get $s)))
    (local.get $d))

  (func $ws (param $c i32) (result i32)
    (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
            (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))))

  ;; args must be exactly an object {"n": DIGITS} (whitespace allowed); returns n, or -1 to decline
  (func $parse_n (param $p i32) (param $len i32) (result i64)
    (local $i i32) (local $end i32) (local $n i64) (local $digits i32) (local $c i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $i (local.get $p))
    (block $bad
      ;; skip whitespace, expect '{', whitespace, '"n"', whitespace, ':', whitespace
      (loop $s1 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s1))))))
      (br_if $bad (i32.ge_u (i32.add (local.get $i) (i32.const 4)) (local.get $end)))
      (br_if $bad (i32.ne (i32.load8_u (local.get $i)) (i32.const 123)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (loop $s2 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s2))))))
      (br_if $bad (i32.gt_u (i32.add (local.get $i) (i32.const 3)) (local.get $end)))
      (br_if $bad (i32.ne (i32.load8_u (local.get $i)) (i32.const 34)))
      (br_if $bad (i32.ne (i32.load8_u offset=1 (local.get $i)) (i32.const 110)))
      (br_if $bad (i32.ne (i32.load8_u offset=2 (local.get $i)) (i32.const 34)))
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (loop $s3 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s3))))))
      (br_if $bad (i32.ge_u (local.get $i) (local.get $end)))
      (br_if $bad (i32.ne (i32.load8_u (local.get $i)) (i32.const 58)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (loop $s4 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s4))))))
      ;; digits (at most 3: n ≤ 93)
      (block $nd (loop $d
        (br_if $nd (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $nd (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (br_if $bad (i32.gt_u (local.get $digits) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $d)))
      (br_if $bad (i32.eqz (local.get $digits)))
      (loop $s5 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s5))))))
      (br_if $bad (i32.ge_u (local.get $i) (local.get $end)))
      (br_if $bad (i32.ne (i32.load8_u (local.get $i)) (i32.const 125)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (loop $s6 (if (i32.lt_u (local.get $i) (local.get $end)) (then (if (call $ws (i32.load8_u (local.get $i))) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $s6))))))
      (br_if $bad (i32.ne (local.get $i) (local.get $end)))
      (br_if $bad (i64.gt_u (local.get $n) (i64.const 93)))
      (return (local.get $n)))
    (i64.const -1))

  (func $fib (param $n i64) (result i64) (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done (loop $l
      (br_if $done (i64.eqz (local.get $n)))
      (local.set $t (i64.add (local.get $a) (local.get $b)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $t))
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br $l)))
    (local.get $a))

  ;; writes v in decimal at dst (no NUL); returns dst + digits
  (func $utoa (param $dst i32) (param $v i64) (result i32) (local $n i32) (local $t i64) (local $i i32)
    (local.set $t (local.get $v))
    (loop $count
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $t (i64.div_u (local.get $t) (i64.const 10)))
      (br_if $count (i64.ne (local.get $t) (i64.const 0))))
    (local.set $i (local.get $n))
    (loop $w
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $w (i32.gt_u (local.get $i) (i32.const 0))))
    (i32.add (local.get $dst) (local.get $n)))

  ;; larql_call(op, op_len, args, args_len) -> NUL-terminated ExpertResult JSON, or 0 = declined
  (func (export "larql_call") (param $op i32) (param $op_len i32) (param $args i32) (param $args_len i32) (result i32)
    (local $n i64) (local $r i32) (local $q i32)
    (if (i32.ne (local.get $op_len) (i32.const 3)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $op)) (i32.const 102)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u offset=1 (local.get $op)) (i32.const 105)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u offset=2 (local.get $op)) (i32.const 98)) (then (return (i32.const 0))))
    (local.set $n (call $parse_n (local.get $args) (local.get $args_len)))
    (if (i64.lt_s (local.get $n) (i64.const 0)) (then (return (i32.const 0))))
    ;; size the result exactly: prefix + digits + suffix + NUL (the host frees strlen + 1)
    ;; count the digits by writing them to scratch space at 512..535 (static area, unused)
    (local.set $q (i32.sub (call $utoa (i32.const 512) (call $fib (local.get $n))) (i32.const 512)))
    (local.set $r (call $alloc (i32.add (i32.add (call $strlen (i32.const 272)) (local.get $q))
                                        (i32.add (call $strlen (i32.const 288)) (i32.const 1)))))
    (if (i32.eqz (local.get $r)) (then (return (i32.const 0))))
    (local.set $q (call $put (local.get $r) (i32.const 272)))
    (local.set $q (call $utoa (local.get $q) (call $fib (local.get $n))))
    (drop (call $put (local.get $q) (i32.const 288)))
    (local.get $r)))
