#!/usr/bin/env bash
# Builds every expert in experts/ from its C source with pinned flags.
#   experts/build.sh           build each <id>/<id>.wasm and refresh the sha256 in <id>/expert.json
#   experts/build.sh --check   rebuild into a temp dir; fail if any byte differs from the committed .wasm
#                              or any expert.json sha256 does not match
#   experts/build.sh --native [outdir]   build native shared libraries with gcc (default: experts/out/native/linux-<arch>)
#   experts/build.sh --native --packages DIR   copy each expert's package (expert.json, <id>.wasm) to DIR/<id>/ with its kernel
#                              built into native/linux-<arch>/lib<id>.so and declared (path + sha256) in that copy's
#                              expert.json under payloads.native — a catalogue that 'polymath experts --dir DIR --native
#                              ID' serves natively. The committed packages are not changed (kernels are built, not committed).
#   experts/build.sh <id>...   restrict to the named experts (any mode)
# Toolchain (pinned): Debian clang 14 + wasi-libc, and binaryen's wasm-opt 108, run explicitly after linking
# (apt: clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen).
# clang runs wasm-opt by itself whenever it finds one on PATH; the output would then depend on what happens to be
# installed. So clang runs with every PATH directory holding a wasm-opt removed, and the pinned wasm-opt runs as a
# separate, declared step: the same bytes whatever is on PATH, and a clear error when binaryen is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXPERTS=(arithmetic date unit hash string_ops statistics sql geometry trig finance logic element http_status isbn luhn markov conway dijkstra graph)
CLANG="${CLANG:-clang}"
# Pinned flags. -mcpu=mvp: WebAssembly 1.0 instructions only (no bulk-memory, sign-ext, nontrapping-fptoint),
# so every runtime can run the result. Reactor model: no _start; exports _initialize. No debug info and no
# name section (wasm-ld drops debug info; wasm-opt -O2 drops the name section); the producers section names clang 14.0.6 only. -ffile-prefix-map keeps
# paths out of the output even if something embeds __FILE__. --stack-first with a 1 MiB stack: a stack overflow
# runs below address 0 and traps instead of silently overwriting static data.
WASM_FLAGS=(--target=wasm32-wasi -mcpu=mvp -O2 -std=c11 -mexec-model=reactor -Wall -Wextra -Werror
            -fno-ident -ffile-prefix-map="$ROOT"=. -I sdk/expert-kit -Wl,--strip-debug -Wl,--no-export-dynamic -Wl,--stack-first -Wl,-z,stack-size=1048576)
NATIVE_FLAGS=(-O2 -std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -ffile-prefix-map="$ROOT"=. -I sdk/expert-kit)

mode=build; outdir=""; packages=""; sel=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --native) mode=native; if [ $# -gt 1 ] && [[ "$2" != -* ]] && [ ! -d "experts/$2" ]; then outdir="$2"; shift; fi ;;
    --packages) [ $# -gt 1 ] || { echo "build.sh: --packages needs a directory" >&2; exit 2; }; packages="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) sel+=("$1") ;;
  esac
  shift
done
[ ${#sel[@]} -gt 0 ] && EXPERTS=("${sel[@]}")

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: required tool '$1' not found ($2)" >&2; exit 2; }; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

[ -z "$packages" ] || [ "$mode" = native ] || { echo "build.sh: --packages goes with --native" >&2; exit 2; }
if [ "$mode" = native ]; then
  need gcc "apt-get install gcc"
  arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  if [ -n "$packages" ]; then
    rid="linux-$arch"
    mkdir -p "$packages"
    for id in "${EXPERTS[@]}"; do
      [ -f "experts/$id/expert.json" ] || { echo "build.sh: experts/$id/expert.json missing" >&2; exit 1; }
      dest="$packages/$id"
      rm -rf "$dest"; mkdir -p "$dest/native/$rid"
      cp "experts/$id/expert.json" "experts/$id/$id.wasm" "$dest/"
      gcc "${NATIVE_FLAGS[@]}" -o "$dest/native/$rid/lib$id.so" "experts/$id/$id.c" -lm
      h="$(sha "$dest/native/$rid/lib$id.so")"
      # The manifests keep payloads.wasm on one line: add payloads.native after it.
      sed -i -E "s#(\"wasm\": \{[^}]*\})#\1,\n    \"native\": { \"$rid\": { \"path\": \"native/$rid/lib$id.so\", \"sha256\": \"$h\" } }#" "$dest/expert.json"
      grep -q "\"sha256\": \"$h\"" "$dest/expert.json" || { echo "build.sh: could not declare the kernel in $dest/expert.json" >&2; exit 1; }
      echo "native $id -> $dest/native/$rid/lib$id.so $h"
    done
    exit 0
  fi
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
WASM_OPT="${WASM_OPT:-wasm-opt}"
need "$WASM_OPT" "apt-get install binaryen"
WASM_OPT="$(command -v "$WASM_OPT")"
optver="$("$WASM_OPT" --version | head -1)"
case "$optver" in *"version 108"*) ;; *) echo "build.sh: expected binaryen's wasm-opt version 108 (pinned), found: $optver" >&2; exit 2 ;; esac
need wasm-ld "apt-get install lld"
WASM_LD="$(readlink -f "$(command -v wasm-ld)")"
CLANG="$(readlink -f "$(command -v "$CLANG")")"   # the real binary: clang also looks for wasm-opt in its own directory
[ -f /usr/lib/wasm32-wasi/libc.a ] || [ -n "${WASI_SYSROOT:-}" ] || { echo "build.sh: wasi-libc not found (apt-get install wasi-libc)" >&2; exit 2; }
[ -n "${WASI_SYSROOT:-}" ] && WASM_FLAGS+=(--sysroot="$WASI_SYSROOT")

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# PATH for clang: every directory without a wasm-opt, after one that holds only the linker under the names
# Debian's clang looks for (wasm-ld-14, wasm-ld).
mkdir "$tmp/bin"; ln -s "$WASM_LD" "$tmp/bin/wasm-ld-14"; ln -s "$WASM_LD" "$tmp/bin/wasm-ld"
CLANG_PATH="$tmp/bin:$(printf '%s' "$PATH" | tr ':' '\n' | while IFS= read -r d; do [ -n "$d" ] && [ ! -e "$d/wasm-opt" ] && printf '%s\n' "$d"; done | paste -sd: -)"
status=0
for id in "${EXPERTS[@]}"; do
  [ -f "experts/$id/$id.c" ] || { echo "build.sh: experts/$id/$id.c missing" >&2; status=1; continue; }
  PATH="$CLANG_PATH" "$CLANG" "${WASM_FLAGS[@]}" -o "$tmp/$id.wasm" "experts/$id/$id.c"
  "$WASM_OPT" "$tmp/$id.wasm" -O2 -o "$tmp/$id.wasm"   # what clang 14 runs at -O2 when it finds wasm-opt
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
