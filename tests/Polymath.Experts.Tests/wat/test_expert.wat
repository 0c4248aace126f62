;; A larql-ABI test expert with hostile ops. Template: {{ID}}, {{TIER}}, {{VERSION}} are substituted by the
;; tests; lines marked ;;WASI are removed to build the zero-import variant.
;; Allocator: bump allocation with a 4-byte length header; larql_dealloc traps unless len equals the
;; allocated length; when every allocation is freed the heap resets, so memory stays flat only when the host
;; frees exactly what the ABI says (op, args, result with len + 1).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32))) ;;WASI
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32))) ;;WASI
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32))) ;;WASI
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32))) ;;WASI
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 8192))
  (global $live (mut i32) (i32.const 0))
  (global $initialized (mut i32) (i32.const 0))

  (data (i32.const 256) "echo\00")
  (data (i32.const 272) "decline\00")
  (data (i32.const 288) "loop\00")
  (data (i32.const 304) "grow\00")
  (data (i32.const 320) "recurse\00")
  (data (i32.const 336) "huge\00")
  (data (i32.const 352) "wild\00")
  (data (i32.const 368) "nonul\00")
  (data (i32.const 384) "trap\00")
  (data (i32.const 400) "badjson\00")
  (data (i32.const 416) "version\00")
  (data (i32.const 432) "not json\00")
  (data (i32.const 448) "print\00")
  (data (i32.const 464) "clock\00")
  (data (i32.const 480) "random\00")
  (data (i32.const 496) "exit\00")
  (data (i32.const 512) "{\22value\22:\00")
  (data (i32.const 544) ",\22confidence\22:1.0,\22latency_ns\22:0,\22expert_id\22:\22{{ID}}\22,\22op\22:\22\00")
  (data (i32.const 768) "\22}\00")
  (data (i32.const 800) "\22{{VERSION}}\22\00")
  (data (i32.const 864) "hello from wasm\0a\00")
  (data (i32.const 1024) "{\22id\22:\22{{ID}}\22,\22tier\22:{{TIER}},\22description\22:\22test expert\22,\22version\22:\22{{VERSION}}\22,\22ops\22:[{\22name\22:\22echo\22,\22args\22:[\22x\22]},{\22name\22:\22decline\22,\22args\22:[]},{\22name\22:\22loop\22,\22args\22:[]},{\22name\22:\22grow\22,\22args\22:[]},{\22name\22:\22recurse\22,\22args\22:[]},{\22name\22:\22huge\22,\22args\22:[]},{\22name\22:\22wild\22,\22args\22:[]},{\22name\22:\22nonul\22,\22args\22:[]},{\22name\22:\22trap\22,\22args\22:[]},{\22name\22:\22badjson\22,\22args\22:[]},{\22name\22:\22version\22,\22args\22:[]},{\22name\22:\22print\22,\22args\22:[]},{\22name\22:\22clock\22,\22args\22:[]},{\22name\22:\22random\22,\22args\22:[]},{\22name\22:\22exit\22,\22args\22:[]}]}\00")

  (func (export "_initialize") (global.set $initialized (i32.const 1)))

  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))

  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))))

  ;; op bytes (p, len) equal the NUL-terminated string at s
  (func $is (param $p i32) (param $len i32) (param $s i32) (result i32) (local $i i32)
    (if (i32.ne (local.get $len) (call $strlen (local.get $s))) (then (return (i32.const 0))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.load8_u (i32.add (local.get $s) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.const 1))

  (func $alloc (export "larql_alloc") (param $len i32) (result i32) (local $p i32) (local $end i32)
    (local.set $p (i32.add (global.get $top) (i32.const 4)))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (block $ok (loop $l
      (br_if $ok (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
      (br $l)))
    (i32.store (global.get $top) (local.get $len))
    (global.set $top (i32.and (i32.add (local.get $end) (i32.const 3)) (i32.const -4)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))

  (func (export "larql_dealloc") (param $p i32) (param $len i32)
    (if (i32.ne (i32.load (i32.sub (local.get $p) (i32.const 4))) (local.get $len)) (then unreachable))
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $top (i32.const 8192)))))

  ;; a fresh allocation holding a copy of the NUL-terminated string at s (with its NUL)
  (func $emit (param $s i32) (result i32) (local $n i32) (local $p i32)
    (local.set $n (call $strlen (local.get $s)))
    (local.set $p (call $alloc (i32.add (local.get $n) (i32.const 1))))
    (call $copy (local.get $p) (local.get $s) (i32.add (local.get $n) (i32.const 1)))
    (local.get $p))

  ;; ExpertResult {"value":<value>,...,"op":"<op>"}
  (func $result (param $op i32) (param $oplen i32) (param $v i32) (param $vlen i32) (result i32)
    (local $l1 i32) (local $l2 i32) (local $l3 i32) (local $p i32) (local $q i32)
    (local.set $l1 (call $strlen (i32.const 512)))
    (local.set $l2 (call $strlen (i32.const 544)))
    (local.set $l3 (call $strlen (i32.const 768)))
    (local.set $p (call $alloc (i32.add (i32.add (i32.add (local.get $l1) (local.get $vlen)) (i32.add (local.get $l2) (local.get $oplen))) (i32.add (local.get $l3) (i32.const 1)))))
    (local.set $q (local.get $p))
    (call $copy (local.get $q) (i32.const 512) (local.get $l1)) (local.set $q (i32.add (local.get $q) (local.get $l1)))
    (call $copy (local.get $q) (local.get $v) (local.get $vlen)) (local.set $q (i32.add (local.get $q) (local.get $vlen)))
    (call $copy (local.get $q) (i32.const 544) (local.get $l2)) (local.set $q (i32.add (local.get $q) (local.get $l2)))
    (call $copy (local.get $q) (local.get $op) (local.get $oplen)) (local.set $q (i32.add (local.get $q) (local.get $oplen)))
    (call $copy (local.get $q) (i32.const 768) (i32.add (local.get $l3) (i32.const 1)))
    (local.get $p))

  ;; a result whose value is the decimal number n
  (func $number (param $op i32) (param $oplen i32) (param $n i32) (result i32) (local $len i32) (local $i i32)
    ;; digits written backwards into scratch 4000..4015, then used from the first digit
    (local.set $i (i32.const 4016))
    (loop $l
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $l (local.get $n)))
    (call $result (local.get $op) (local.get $oplen) (local.get $i) (i32.sub (i32.const 4016) (local.get $i))))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "larql_metadata") (result i32) (call $emit (i32.const 1024)))

  (func (export "larql_call") (param $op i32) (param $oplen i32) (param $args i32) (param $argslen i32) (result i32)
    (local $p i32) (local $e i32) (local $end i32)
    (if (i32.eqz (global.get $initialized)) (then unreachable))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 256))
      (then (return (call $result (local.get $op) (local.get $oplen) (local.get $args) (local.get $argslen)))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 272)) (then (return (i32.const 0))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 288)) (then (loop $l (br $l))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 304))
      (then
        (loop $g (br_if $g (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
        unreachable))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 320)) (then (return (call $recurse (i32.const 0)))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 336))
      (then
        ;; 2 MiB of digits: valid JSON, but larger than a 1 MiB result cap
        (local.set $p (call $alloc (i32.const 2097153)))
        (if (i32.eqz (local.get $p)) (then unreachable))
        (local.set $end (i32.add (local.get $p) (i32.const 2097152)))
        (local.set $e (local.get $p))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $e) (local.get $end)))
          (i32.store8 (local.get $e) (i32.const 55))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $l)))
        (i32.store8 (local.get $end) (i32.const 0))
        (return (local.get $p))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 352)) (then (return (i32.const -16))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 368))
      (then
        (local.set $end (i32.mul (memory.size) (i32.const 65536)))
        (local.set $p (i32.sub (local.get $end) (i32.const 100)))
        (local.set $e (local.get $p))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $e) (local.get $end)))
          (i32.store8 (local.get $e) (i32.const 97))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $l)))
        (return (local.get $p))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 384)) (then unreachable))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 400)) (then (return (call $emit (i32.const 432)))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 416))
      (then (return (call $result (local.get $op) (local.get $oplen) (i32.const 800) (call $strlen (i32.const 800))))))
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 448)) (then ;;WASI
      (i32.store (i32.const 3900) (i32.const 864)) ;;WASI
      (i32.store (i32.const 3904) (call $strlen (i32.const 864))) ;;WASI
      (return (call $number (local.get $op) (local.get $oplen) (call $fd_write (i32.const 1) (i32.const 3900) (i32.const 1) (i32.const 3908)))))) ;;WASI
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 464)) (then ;;WASI
      (i64.store (i32.const 3920) (i64.const 0)) ;;WASI
      (local.set $e (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 3920))) ;;WASI
      ;; value = errno * 10 + (time != 0) ;;WASI
      (return (call $number (local.get $op) (local.get $oplen) (i32.add (i32.mul (local.get $e) (i32.const 10)) (i64.ne (i64.load (i32.const 3920)) (i64.const 0))))))) ;;WASI
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 480)) (then ;;WASI
      (i64.store (i32.const 3936) (i64.const 0)) (i64.store (i32.const 3944) (i64.const 0)) ;;WASI
      (local.set $e (call $random_get (i32.const 3936) (i32.const 16))) ;;WASI
      (return (call $number (local.get $op) (local.get $oplen) (i32.add (i32.mul (local.get $e) (i32.const 10)) ;;WASI
        (i64.ne (i64.or (i64.load (i32.const 3936)) (i64.load (i32.const 3944))) (i64.const 0))))))) ;;WASI
    (if (call $is (local.get $op) (local.get $oplen) (i32.const 496)) (then (call $proc_exit (i32.const 3)))) ;;WASI
    (i32.const 0))
)
