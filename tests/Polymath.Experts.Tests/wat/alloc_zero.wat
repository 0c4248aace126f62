;; A hostile expert whose larql_alloc always returns 0. Zero imports.
(module
  (memory (export "memory") 1)
  (data (i32.const 1024) "{\22id\22:\22alloc_zero\22,\22tier\22:1,\22description\22:\22alloc returns 0\22,\22version\22:\221.0.0\22,\22ops\22:[\22anything\22]}\00")
  (func (export "larql_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "larql_dealloc") (param i32 i32))
  (func (export "larql_call") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "larql_metadata") (result i32) (i32.const 1024)))
