#!/usr/bin/env bash
# Builds every benchmark program twice: to WebAssembly with clang 14 + wasm-opt 108 (pinned) (committed next to the sources,
# so the benchmarks run on machines without clang) and natively with gcc -O2 into build/.
# usage: tests/benchmarks/build.sh [--native-only]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/programs"
out="$here/build"
mkdir -p "$out"
native_only=0
[[ "${1:-}" == "--native-only" ]] && native_only=1

if [[ $native_only == 0 ]]; then
  # Pinned toolchain, as experts/build.sh: clang 14 with every wasm-opt hidden from it (clang runs one by itself
  # when it finds it on PATH, so the output would depend on what is installed), then binaryen's wasm-opt 108
  # explicitly with -O2 (what clang 14 runs at -O2). apt: clang lld binaryen.
  command -v clang >/dev/null || { echo "build.sh: clang not found (apt-get install clang lld)" >&2; exit 1; }
  command -v wasm-opt >/dev/null || { echo "build.sh: wasm-opt not found (apt-get install binaryen)" >&2; exit 1; }
  command -v wasm-ld >/dev/null || { echo "build.sh: wasm-ld not found (apt-get install lld)" >&2; exit 1; }
  case "$(clang --version | head -1)" in *"clang version 14."*) ;; *) echo "build.sh: expected clang 14 (pinned)" >&2; exit 1 ;; esac
  case "$(wasm-opt --version | head -1)" in *"version 108"*) ;; *) echo "build.sh: expected wasm-opt version 108 (pinned)" >&2; exit 1 ;; esac
  wasm_opt="$(command -v wasm-opt)"
  clang_bin="$(readlink -f "$(command -v clang)")"   # the real binary: clang also looks for wasm-opt in its own directory
  wasm_ld="$(readlink -f "$(command -v wasm-ld)")"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/bin"; ln -s "$wasm_ld" "$tmp/bin/wasm-ld-14"; ln -s "$wasm_ld" "$tmp/bin/wasm-ld"
  clang_path="$tmp/bin:$(printf '%s' "$PATH" | tr ':' '\n' | while IFS= read -r d; do [ -n "$d" ] && [ ! -e "$d/wasm-opt" ] && printf '%s\n' "$d"; done | paste -sd: -)"
fi

for c in "$src"/*.c; do
  name="$(basename "$c" .c)"
  [[ "$name" == native_main ]] && continue
  gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$out/$name.native" "$c" "$src/native_main.c"
  if [[ $native_only == 0 ]]; then
    # MVP wasm32, no libc; -fno-builtin keeps clang from turning loops into memset/memcpy calls
    # that would need a libc. The 64 KiB shadow stack is plenty for these programs.
    PATH="$clang_path" "$clang_bin" --target=wasm32 -O2 -std=c11 -Wall -Wextra -Werror -fno-builtin -nostdlib \
      -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536 \
      -o "$tmp/$name.wasm" "$c"
    "$wasm_opt" "$tmp/$name.wasm" -O2 -o "$src/$name.wasm"
  fi
  echo "built $name"
done
