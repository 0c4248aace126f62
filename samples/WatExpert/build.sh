#!/usr/bin/env bash
# Assembles wat_fib.wasm from wat_fib.wat (wabt: apt-get install wabt) and writes its sha256 into expert.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v wat2wasm >/dev/null 2>&1 || { echo "build.sh: wat2wasm not found (apt-get install wabt)" >&2; exit 2; }
wat2wasm wat_fib.wat -o wat_fib.wasm
sum="$(sha256sum wat_fib.wasm | cut -d' ' -f1)"
sed -i -E "s/(\"sha256\": *\")[0-9a-f]*\"/\1$sum\"/" expert.json
echo "built wat_fib.wasm sha256 $sum"
