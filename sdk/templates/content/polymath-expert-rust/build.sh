#!/usr/bin/env bash
# Builds my_expert.wasm (wasm32-unknown-unknown, release, no crates.io) and writes its sha256 into expert.json: this
# folder is then the expert package. CARGO / RUSTC choose the toolchain (Debian: apt-get install rustc cargo
# libstd-rust-dev-wasm32; rustup: rustup target add wasm32-unknown-unknown).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
CARGO="${CARGO:-cargo}"
command -v "$CARGO" >/dev/null 2>&1 || { echo "build.sh: required tool '$CARGO' not found (apt-get install rustc cargo libstd-rust-dev-wasm32)" >&2; exit 2; }
"$CARGO" build --offline --release --target wasm32-unknown-unknown --target-dir "$HERE/target"
cp target/wasm32-unknown-unknown/release/my_expert.wasm my_expert.wasm
sum="$(sha256sum my_expert.wasm | cut -d' ' -f1)"
sed -i -E "s/(\"sha256\": *\")[0-9a-f]*\"/\1$sum\"/" expert.json
echo "built my_expert.wasm sha256 $sum"
