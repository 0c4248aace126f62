#!/usr/bin/env bash
# Builds the SIMD test expert twice from simd_kernels.c with experts/build.sh's pinned toolchain and flags
# (clang 14 + wasi-libc, reactor, then wasm-opt 108 -O2): simd/simd_kernels/ with -msimd128 (requires
# wasm.simd128) and scalar/simd_kernels_scalar/ without it (wasm.core only). The .wasm files are committed, so the
# tests need no clang; `build.sh --check` rebuilds and fails if a byte differs.
# apt: clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
check=0; [[ "${1:-}" == "--check" ]] && check=1
need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: required tool '$1' not found ($2)" >&2; exit 2; }; }
need clang "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
need wasm-opt "apt-get install binaryen"
need wasm-ld "apt-get install lld"
case "$(clang --version | head -1)" in *"clang version 14."*) ;; *) echo "build.sh: expected clang 14 (pinned)" >&2; exit 2 ;; esac
case "$(wasm-opt --version | head -1)" in *"version 108"*) ;; *) echo "build.sh: expected wasm-opt version 108 (pinned)" >&2; exit 2 ;; esac
clang_bin="$(readlink -f "$(command -v clang)")"; wasm_ld="$(readlink -f "$(command -v wasm-ld)")"; wasm_opt="$(command -v wasm-opt)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# clang runs a wasm-opt it finds on PATH by itself: hide every one (as experts/build.sh does), run the pinned one after.
mkdir "$tmp/bin"; ln -s "$wasm_ld" "$tmp/bin/wasm-ld-14"; ln -s "$wasm_ld" "$tmp/bin/wasm-ld"
clang_path="$tmp/bin:$(printf '%s' "$PATH" | tr ':' '\n' | while IFS= read -r d; do [ -n "$d" ] && [ ! -e "$d/wasm-opt" ] && printf '%s\n' "$d"; done | paste -sd: -)"
flags=(--target=wasm32-wasi -mcpu=mvp -O2 -std=c11 -mexec-model=reactor -Wall -Wextra -Werror -fno-ident
       -ffile-prefix-map="$root"=. -I "$root/sdk/expert-kit" -Wl,--strip-debug -Wl,--no-export-dynamic -Wl,--stack-first -Wl,-z,stack-size=1048576)
status=0
for variant in simd_kernels:-msimd128:--enable-simd simd_kernels_scalar::; do
  IFS=: read -r id extra optextra <<<"$variant"
  PATH="$clang_path" "$clang_bin" "${flags[@]}" $extra -o "$tmp/$id.wasm" "$here/simd_kernels.c"
  "$wasm_opt" "$tmp/$id.wasm" -O2 $optextra -o "$tmp/$id.wasm"
  dir="$here/$([[ $id == simd_kernels ]] && echo simd || echo scalar)/$id"; out="$dir/$id.wasm"; h="$(sha256sum "$tmp/$id.wasm" | cut -d' ' -f1)"
  if [[ $check == 1 ]]; then
    if cmp -s "$tmp/$id.wasm" "$out" && grep -q "\"sha256\": \"$h\"" "$dir/expert.json"; then echo "ok       $id $h"; else echo "DIFFERS  $id"; status=1; fi
  else
    cp "$tmp/$id.wasm" "$out"
    sed -i -E "/\"wasm\"/ s/\"sha256\": \"[0-9a-f]*\"/\"sha256\": \"$h\"/" "$dir/expert.json"
    echo "built    $id $(stat -c %s "$out") bytes $h"
  fi
done
exit $status
