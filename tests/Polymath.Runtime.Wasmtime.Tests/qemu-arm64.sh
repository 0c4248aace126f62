#!/usr/bin/env bash
# A real non-x64 process: publishes the polymath CLI self-contained for linux-arm64 (with its plugins) and runs it
# under qemu-user: `probe --json` must report arm64 with Wasmtime available, and `call gcd` must answer on Wasmtime.
# Needs qemu-user and the arm64 C/C++ runtime and OpenSSL (dpkg --add-architecture arm64; libc6:arm64
# libstdc++6:arm64 libgcc-s1:arm64 libssl3:arm64) — .ci/run installs them. Usage: qemu-arm64.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-$(mktemp -d)}"
rm -rf "$work"; mkdir -p "$work/experts"
fail() { echo "qemu-arm64: $*" >&2; exit 1; }
command -v qemu-aarch64 >/dev/null 2>&1 || fail "qemu-aarch64 not found: apt-get install qemu-user"
arm64_install="dpkg --add-architecture arm64 && apt-get update && apt-get install libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 libssl3:arm64"
[ -e /lib/ld-linux-aarch64.so.1 ] || fail "the arm64 loader is missing: $arm64_install"
for lib in libstdc++.so.6 libgcc_s.so.1 libssl.so.3; do
  [ -e "/usr/lib/aarch64-linux-gnu/$lib" ] || [ -e "/lib/aarch64-linux-gnu/$lib" ] || fail "arm64 $lib is missing: $arm64_install"
done

dotnet publish host/Polymath.Cli -c Release -r linux-arm64 --self-contained -o "$work/polymath" -nologo -v:q >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; fail "dotnet publish -r linux-arm64 failed"; }
file "$work/polymath/polymath" 2>/dev/null | grep -q 'ARM aarch64' || [ "$(head -c 20 "$work/polymath/polymath" | od -An -tx1 -j18 -N2 | tr -d ' ')" = "b700" ] \
  || fail "$work/polymath/polymath is not an arm64 executable"
[ -f "$work/polymath/plugins/wasmtime/runtimes/linux-arm64/native/libwasmtime.so" ] || fail "libwasmtime.so for linux-arm64 was not published"

# One expert keeps the run short: Cranelift under qemu is about 10x slower than native.
cp -r experts/arithmetic "$work/experts/"

probe="$(qemu-aarch64 "$work/polymath/polymath" probe --json)" || fail "probe exited with $?"
echo "$probe" | grep -q '"architecture": "arm64"' || { echo "$probe"; fail "probe does not report arm64"; }
echo "$probe" | grep -A3 '"id": "wasmtime"' | grep -q '"status": "available"' || { echo "$probe"; fail "Wasmtime is not available on arm64"; }
echo "$probe" | grep -A4 '"id": "wasmtime"' | grep -m1 '"reason"'

# Tier-up off: the call waits for Cranelift instead of answering on the interpreter meanwhile.
call="$(POLYMATH_Experts__TierUp=false qemu-aarch64 "$work/polymath/polymath" call gcd '{"a":12,"b":18}' --json --dir "$work/experts")" || { echo "$call"; fail "call gcd exited with $?"; }
echo "$call"
echo "$call" | grep -q '"outcome":"result","value":6,' || fail "call gcd did not answer 6"
echo "$call" | grep -q '"runtime":"wasmtime"' || fail "call gcd did not run on Wasmtime"
echo "qemu-arm64: arm64 polymath probed and answered gcd on Wasmtime"
