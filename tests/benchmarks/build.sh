#!/usr/bin/env bash
# Builds every benchmark program twice: to WebAssembly with clang (committed next to the sources,
# so the benchmarks run on machines without clang) and natively with gcc -O2 into build/.
# usage: tests/benchmarks/build.sh [--native-only]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/programs"
out="$here/build"
mkdir -p "$out"
native_only=0
[[ "${1:-}" == "--native-only" ]] && native_only=1

for c in "$src"/*.c; do
  name="$(basename "$c" .c)"
  [[ "$name" == native_main ]] && continue
  gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$out/$name.native" "$c" "$src/native_main.c"
  if [[ $native_only == 0 ]]; then
    command -v clang >/dev/null || { echo "build.sh: clang not found (apt-get install clang lld)" >&2; exit 1; }
    # MVP wasm32, no libc; -fno-builtin keeps clang from turning loops into memset/memcpy calls
    # that would need a libc. The 64 KiB shadow stack is plenty for these programs.
    clang --target=wasm32 -O2 -std=c11 -Wall -Wextra -Werror -fno-builtin -nostdlib \
      -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536 \
      -o "$src/$name.wasm" "$c"
  fi
  echo "built $name"
done
