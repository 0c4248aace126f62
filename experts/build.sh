#!/usr/bin/env bash
# Builds every expert in experts/ from its C source with pinned flags.
#   experts/build.sh           build each <id>/<id>.wasm and refresh the sha256 in <id>/expert.json
#   experts/build.sh --check   rebuild into a temp dir; fail if any byte differs from the committed .wasm
#                              or any expert.json sha256 does not match
#   experts/build.sh --native [outdir]   build native shared libraries (default: experts/out/native/linux-<arch>) with the
#                              same clang 14 and the WebAssembly build's own libm (wasi-libc's math objects translated
#                              by wasm2c, sdk/expert-kit/native/README.md), so a kernel answers bit for bit like its .wasm
#   experts/build.sh --native --packages DIR   copy each expert's package (expert.json, <id>.wasm) to DIR/<id>/ with its kernel
#                              built into native/linux-<arch>/lib<id>.so and declared (path + sha256) in that copy's
#                              expert.json under payloads.native — a catalogue that 'polymath experts --dir DIR --native
#                              ID' serves natively. The committed packages are not changed (kernels are built, not committed).
#   experts/build.sh <id>...   restrict to the named experts (any mode)
# Toolchain (pinned): Debian clang 14 + wasi-libc, and binaryen's wasm-opt 108, run explicitly after linking
# (apt: clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen; --native also wabt for wasm2c).
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
# Native kernels: the wasm build's clang and -O2 -std=c11, no math errno (the wasm32 default), no contraction (wasm has
# no fused multiply-add) and no fast-math; fmin/fmax stay calls (into the wasm libm, which orders -0 < +0) instead of
# the target's min instructions. Linked with --no-undefined; the only libm functions a kernel may take from the host are
# the exact ones (NATIVE_EXACT: one correct answer, so any libm gives it).
NATIVE_FLAGS=(-O2 -std=c11 -fno-math-errno -ffp-contract=off -fno-fast-math -fno-builtin-fmin -fno-builtin-fmax
              -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -ffile-prefix-map="$ROOT"=. -I sdk/expert-kit)
# The wasm libm functions a kernel gets (every double function of <math.h> that is not exact; sincos is built from
# sin and cos in sdk/expert-kit/native/wasm_libm.c).
NATIVE_LIBM1=(acos acosh asin asinh atan atanh cbrt cos cosh erf erfc exp exp2 expm1 lgamma log log10 log1p log2 sin sinh tan tanh tgamma)
NATIVE_LIBM2=(atan2 fdim fmax fmin fmod hypot pow remainder)
NATIVE_EXACT=(ceil copysign fabs floor nearbyint rint round sqrt trunc)

mode=build; outdir=""; packages=""; sel=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --native) mode=native; if [ $# -gt 1 ] && [[ "$2" != -* ]] && [ ! -d "experts/$2" ]; then outdir="$2"; shift; fi ;;
    --packages) [ $# -gt 1 ] || { echo "build.sh: --packages needs a directory" >&2; exit 2; }; packages="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) sel+=("$1") ;;
  esac
  shift
done
[ ${#sel[@]} -gt 0 ] && EXPERTS=("${sel[@]}")

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: required tool '$1' not found ($2)" >&2; exit 2; }; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

[ -z "$packages" ] || [ "$mode" = native ] || { echo "build.sh: --packages goes with --native" >&2; exit 2; }
# The wasm libm for native kernels, once per run in $1: wasi-libc's math objects linked into a module of two fixed
# pages (no imports), translated to C by wasm2c and compiled with sdk/expert-kit/native/wasm_libm.c (its runtime and the
# C names over it).
native_libm() {
  local dir="$1" args=() f
  for f in "${NATIVE_LIBM1[@]}" "${NATIVE_LIBM2[@]}"; do args+=(-u "$f" --export="$f"); done
  wasm-ld --no-entry --strip-all --stack-first -z stack-size=16384 --initial-memory=131072 --max-memory=131072 \
    "${args[@]}" -o "$dir/lxm.wasm" "$WASI_LIB/crt1-reactor.o" "$WASI_LIB/libc.a"
  wasm2c -n lxm "$dir/lxm.wasm" -o "$dir/lx_wasm_libm.c"
  { for f in "${NATIVE_LIBM1[@]}"; do echo "F1($f)"; done; for f in "${NATIVE_LIBM2[@]}"; do echo "F2($f)"; done; } > "$dir/lx_wasm_libm_list.h"
  # Generated code: its own warnings are not ours (-w); the same float rules as the kernels; bounds checks, no signal handler.
  "$CLANG" -c -O2 -std=c11 -fno-math-errno -ffp-contract=off -fno-fast-math -fPIC -fvisibility=hidden -ffunction-sections -fdata-sections -w \
    -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I "$dir" -o "$dir/lx_wasm_libm.o" "$dir/lx_wasm_libm.c"
  "$CLANG" -c -O2 -std=c11 -fno-math-errno -ffp-contract=off -fno-fast-math -fno-builtin -fPIC -fvisibility=hidden -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
    -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I "$dir" -o "$dir/wasm_libm.o" sdk/expert-kit/native/wasm_libm.c
}
# Builds kernel $2 from experts/$1/$1.c with the wasm libm in $3, then refuses it if it takes a libm function from the
# host that is not exact (a kernel must compute what its .wasm computes).
native_kernel() {
  local id="$1" out="$2" dir="$3" libm bad
  "$CLANG" "${NATIVE_FLAGS[@]}" -o "$out" "experts/$id/$id.c" "$dir/lx_wasm_libm.o" "$dir/wasm_libm.o" -Wl,--no-undefined -Wl,--gc-sections -lm
  libm="$(ldd "$out" | awk '/libm\.so/ {print $3}')"
  [ -z "$libm" ] && return 0
  bad="$(comm -12 <(nm -D --undefined-only "$out" | awk '{print $2}' | sed 's/@.*//' | sort -u) \
                  <(nm -D --defined-only "$libm" | awk '{print $3}' | sed 's/@.*//' | sort -u) \
         | grep -vxF -f <(printf '%s\n' "${NATIVE_EXACT[@]}") || true)"
  [ -z "$bad" ] || { echo "build.sh: $out takes $(echo $bad) from the host's libm; add them to NATIVE_LIBM1/2 (the wasm build's libm)" >&2; rm -f "$out"; exit 1; }
}

if [ "$mode" = native ]; then
  need "$CLANG" "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
  ver="$("$CLANG" --version | head -1)"
  case "$ver" in *"clang version 14."*) ;; *) echo "build.sh: expected clang 14 (pinned), found: $ver" >&2; exit 2 ;; esac
  need wasm-ld "apt-get install lld"
  need wasm2c "apt-get install wabt"
  need nm "apt-get install binutils"
  WASI_LIB="${WASI_SYSROOT:-/usr}/lib/wasm32-wasi"
  [ -f "$WASI_LIB/libc.a" ] || { echo "build.sh: wasi-libc not found at $WASI_LIB (apt-get install wasi-libc)" >&2; exit 2; }
  libm_dir="$(mktemp -d)"; trap 'rm -rf "$libm_dir"' EXIT
  native_libm "$libm_dir"
  arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  if [ -n "$packages" ]; then
    rid="linux-$arch"
    mkdir -p "$packages"
    for id in "${EXPERTS[@]}"; do
      [ -f "experts/$id/expert.json" ] || { echo "build.sh: experts/$id/expert.json missing" >&2; exit 1; }
      dest="$packages/$id"
      rm -rf "$dest"; mkdir -p "$dest/native/$rid"
      cp "experts/$id/expert.json" "experts/$id/$id.wasm" "$dest/"
      native_kernel "$id" "$dest/native/$rid/lib$id.so" "$libm_dir"
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
    native_kernel "$id" "$outdir/lib$id.so" "$libm_dir"
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
