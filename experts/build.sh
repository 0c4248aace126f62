#!/usr/bin/env bash
# Builds every expert in experts/ from its C source with pinned flags.
#   experts/build.sh           build each <id>/<id>.wasm and refresh the sha256 in <id>/expert.json
#   experts/build.sh --check   rebuild into a temp dir; fail if any byte differs from the committed .wasm
#                              or any expert.json sha256 does not match
#   experts/build.sh --native [outdir]   build native shared libraries with gcc (default: experts/out/native/linux-<arch>)
#   experts/build.sh <id>...   restrict to the named experts (any mode)
# Toolchain (pinned): Debian clang 14 + wasi-libc (apt: clang lld wasi-libc libclang-rt-14-dev-wasm32).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXPERTS=(arithmetic date unit hash string_ops statistics sql geometry trig finance logic element http_status isbn luhn markov conway dijkstra graph)
CLANG="${CLANG:-clang}"
# Pinned flags. -mcpu=mvp: WebAssembly 1.0 instructions only (no bulk-memory, sign-ext, nontrapping-fptoint),
# so every runtime can run the result. Reactor model: no _start; exports _initialize. No debug info and no
# name section (wasm-ld's --strip-debug drops both); the producers section names clang 14.0.6 only. -ffile-prefix-map keeps
# paths out of the output even if something embeds __FILE__. --stack-first with a 1 MiB stack: a stack overflow
# runs below address 0 and traps instead of silently overwriting static data.
WASM_FLAGS=(--target=wasm32-wasi -mcpu=mvp -O2 -std=c11 -mexec-model=reactor -Wall -Wextra -Werror
            -fno-ident -ffile-prefix-map="$ROOT"=. -I sdk/expert-kit -Wl,--strip-debug -Wl,--no-export-dynamic -Wl,--stack-first -Wl,-z,stack-size=1048576)
NATIVE_FLAGS=(-O2 -std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -ffile-prefix-map="$ROOT"=. -I sdk/expert-kit)

mode=build; outdir=""; sel=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --native) mode=native; if [ $# -gt 1 ] && [[ "$2" != -* ]] && [ ! -d "experts/$2" ]; then outdir="$2"; shift; fi ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) sel+=("$1") ;;
  esac
  shift
done
[ ${#sel[@]} -gt 0 ] && EXPERTS=("${sel[@]}")

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: required tool '$1' not found ($2)" >&2; exit 2; }; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ "$mode" = native ]; then
  need gcc "apt-get install gcc"
  arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  outdir="${outdir:-experts/out/native/linux-$arch}"
  mkdir -p "$outdir"
  for id in "${EXPERTS[@]}"; do
    gcc "${NATIVE_FLAGS[@]}" -o "$outdir/lib$id.so" "experts/$id/$id.c" -lm
    echo "native $id -> $outdir/lib$id.so"
  done
  exit 0
fi

need "$CLANG" "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
ver="$("$CLANG" --version | head -1)"
case "$ver" in *"clang version 14."*) ;; *) echo "build.sh: expected clang 14 (pinned), found: $ver" >&2; exit 2 ;; esac
[ -f /usr/lib/wasm32-wasi/libc.a ] || [ -n "${WASI_SYSROOT:-}" ] || { echo "build.sh: wasi-libc not found (apt-get install wasi-libc)" >&2; exit 2; }
[ -n "${WASI_SYSROOT:-}" ] && WASM_FLAGS+=(--sysroot="$WASI_SYSROOT")

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
status=0
for id in "${EXPERTS[@]}"; do
  [ -f "experts/$id/$id.c" ] || { echo "build.sh: experts/$id/$id.c missing" >&2; status=1; continue; }
  "$CLANG" "${WASM_FLAGS[@]}" -o "$tmp/$id.wasm" "experts/$id/$id.c"
  h="$(sha "$tmp/$id.wasm")"
  if [ "$mode" = check ]; then
    if ! cmp -s "$tmp/$id.wasm" "experts/$id/$id.wasm"; then echo "DIFFERS  $id: rebuilt $h, committed $( [ -f "experts/$id/$id.wasm" ] && sha "experts/$id/$id.wasm" || echo missing)"; status=1
    elif ! grep -q "\"sha256\": \"$h\"" "experts/$id/expert.json"; then echo "MANIFEST $id: expert.json sha256 is not $h"; status=1
    else echo "ok       $id $h"; fi
  else
    cp "$tmp/$id.wasm" "experts/$id/$id.wasm"
    sed -i -E "/\"wasm\"/ s/\"sha256\": \"[0-9a-f]*\"/\"sha256\": \"$h\"/" "experts/$id/expert.json"
    grep -q "\"sha256\": \"$h\"" "experts/$id/expert.json" || { echo "build.sh: could not update sha256 in experts/$id/expert.json" >&2; status=1; }
    echo "built    $id $(stat -c %s "experts/$id/$id.wasm") bytes $h"
  fi
done
exit $status
