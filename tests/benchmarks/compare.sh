#!/usr/bin/env bash
# Side-by-side benchmark: every program in programs/ run natively (gcc -O2), under Node's
# WebAssembly (V8), under Polymath's managed interpreter, its compiler runtime (WebAssembly -> CIL -> RyuJIT)
# and its Wasmtime plugin, in one run; checks the checksums agree and prints markdown tables
# (also written to results/compare-<date>.md).
#
# usage: tests/benchmarks/compare.sh [--reps R] [--only NAME] [--no-cli]
#   --reps R    calls of run(n) per process (default 5)
#   --only NAME run one program (fib, sieve, matmul, sha256, coremark)
#   --no-cli    skip the whole-process `polymath run` column even when host/Polymath.Cli exists
#   --no-interp native and V8 only (e.g. to check the programs where the interpreter is not built)
#
# Two measures, reported separately:
#   call time      wall time of one run(n) call inside an already started process, excluding
#                  process start, compilation and instantiation (median and min over R calls);
#   whole process  wall time of a fresh process that loads the module and makes ONE call
#                  (native binary / node run-wasm.mjs / interpreter runner / polymath run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
reps=5
only=""
use_cli=1
use_interp=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --no-cli) use_cli=0; shift ;;
    --no-interp) use_interp=0; use_cli=0; shift ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Program name and its n (sized so V8 takes roughly 10-30 ms per call on a 2020s x86-64 core).
programs=("fib 32" "sieve 1" "matmul 4" "sha256 4" "coremark 3000")

art="${POLYMATH_BENCH_ARTIFACTS:-/tmp/polymath-bench-artifacts}"
results="$here/results"
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
raw="$results/raw-$stamp.jsonl"
: > "$raw"

for tool in gcc node dotnet; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required but not found" >&2; exit 1; }
done

echo "== building native programs (gcc -O2)" >&2
"$here/build.sh" --native-only >&2
runner_dll=""
if [[ $use_interp == 1 ]]; then
  echo "== building the interpreter runner (Release)" >&2
  dotnet build "$here/runner/Polymath.Benchmarks.Runner.csproj" -c Release --artifacts-path "$art" -v q -nologo >&2
  runner_dll="$art/bin/Polymath.Benchmarks.Runner/release/Polymath.Benchmarks.Runner.dll"
  [[ -f "$runner_dll" ]] || { echo "compare.sh: runner not built at $runner_dll" >&2; exit 1; }
fi

cli_dll=""
if [[ $use_cli == 1 && -f "$root/host/Polymath.Cli/Polymath.Cli.csproj" ]]; then
  echo "== building the polymath CLI (Release)" >&2
  dotnet build "$root/host/Polymath.Cli/Polymath.Cli.csproj" -c Release --artifacts-path "$art" -v q -nologo >&2
  outdir="$art/bin/Polymath.Cli/release"
  for name in polymath Polymath.Cli; do
    [[ -f "$outdir/$name.dll" ]] && { cli_dll="$outdir/$name.dll"; break; }
  done
  [[ -n "$cli_dll" ]] || { echo "compare.sh: CLI built but no polymath.dll/Polymath.Cli.dll in $outdir" >&2; exit 1; }
fi

now_ns() { date +%s%N; }

# measure KIND PROGRAM N CMD...: runs CMD (which prints one JSON line), records it with the whole-process time.
measure() {
  local kind="$1" prog="$2" n="$3"; shift 3
  local t0 t1 out
  t0=$(now_ns)
  if ! out="$("$@")"; then
    echo "compare.sh: $kind failed on $prog: $*" >&2
    exit 1
  fi
  t1=$(now_ns)
  printf '{"kind":"%s","program":"%s","n":%s,"process_ms":%s,"result":%s}\n' \
    "$kind" "$prog" "$n" "$(( (t1 - t0) / 1000 )).0e-3" "$out" >> "$raw"
}

# measure_cli PROGRAM N: whole-process `polymath run FILE --invoke run N`; records the printed value.
measure_cli() {
  local prog="$1" n="$2" t0 t1 out value
  t0=$(now_ns)
  if ! out="$(dotnet "$cli_dll" run "$here/programs/$prog.wasm" --invoke run "$n")"; then
    echo "compare.sh: polymath run failed on $prog" >&2
    exit 1
  fi
  t1=$(now_ns)
  value="$(printf '%s\n' "$out" | grep -Eo -- '-?[0-9]+' | tail -1)"
  [[ -n "$value" ]] || { echo "compare.sh: no number in polymath run output: $out" >&2; exit 1; }
  printf '{"kind":"cli","program":"%s","n":%s,"process_ms":%s,"result":{"checksum":%s}}\n' \
    "$prog" "$n" "$(( (t1 - t0) / 1000 )).0e-3" "$(( value & 0xFFFFFFFF ))" >> "$raw"
}

for entry in "${programs[@]}"; do
  read -r prog n <<< "$entry"
  [[ -n "$only" && "$only" != "$prog" ]] && continue
  wasm="$here/programs/$prog.wasm"
  echo "== $prog (n=$n, $reps calls per process)" >&2
  measure native "$prog" "$n" "$here/build/$prog.native" "$n" "$reps"
  measure v8 "$prog" "$n" node "$here/run-wasm.mjs" "$wasm" "$n" "$reps"
  [[ -n "$runner_dll" ]] && measure interp "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" "$reps" --count-instructions
  [[ -n "$runner_dll" ]] && measure compiler "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" "$reps" --count-instructions --runtime compiler
  [[ -n "$runner_dll" ]] && measure wasmtime "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" "$reps" --runtime wasmtime
  # Whole-process figures: a fresh process making one call.
  measure native1 "$prog" "$n" "$here/build/$prog.native" "$n" 1
  measure v81 "$prog" "$n" node "$here/run-wasm.mjs" "$wasm" "$n" 1
  [[ -n "$runner_dll" ]] && measure interp1 "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" 1
  [[ -n "$runner_dll" ]] && measure compiler1 "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" 1 --runtime compiler
  [[ -n "$runner_dll" ]] && measure wasmtime1 "$prog" "$n" dotnet "$runner_dll" "$wasm" "$n" 1 --runtime wasmtime
  [[ -n "$cli_dll" ]] && measure_cli "$prog" "$n"
done

report="$results/compare-$stamp.md"
node "$here/summarize.mjs" "$raw" | tee "$report"
echo "(raw: $raw, table: $report)" >&2
