#!/usr/bin/env bash
# Side-by-side load run (docs/performance.md, "Cluster"): one plain `polymath serve`, then clusters of 1, 2 and 3
# `polymath serve --cluster redis://…` silos, all driven by node/load.js (vscode-jsonrpc) with gcd calls; and the
# cluster hop: a front end without experts (every call goes to the other silo) against a plain serve, one call at a time.
# Usage: tests/Polymath.Cluster.Tests/bench.sh [CALLS] [IN_FLIGHT] [hop]   (needs redis-server, node, `npm ci` in
# node/, and a built CLI: dotnet build host/Polymath.Cli -c Release, or POLYMATH_CLI=path). With `hop`, only the rows
# the hop is computed from: the plain serve and the every-call-remote cluster, one call at a time (a short locked run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="${POLYMATH_CLI:-$root/host/Polymath.Cli/bin/Release/net10.0/polymath}"
calls="${1:-20000}"
inflight="${2:-32}"
only="${3:-}"
for tool in redis-server node; do command -v "$tool" >/dev/null || { echo "bench.sh needs $tool (Debian package: ${tool/node/nodejs})" >&2; exit 2; }; done
[ -x "$cli" ] || { echo "no CLI at $cli: dotnet build host/Polymath.Cli -c Release" >&2; exit 2; }
[ -d "$here/node/node_modules/vscode-jsonrpc" ] || { echo "run: npm ci --prefix $here/node" >&2; exit 2; }

work="$(mktemp -d /tmp/pm-bench-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(( 20000 + RANDOM % 20000 ))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
mkdir -p "$work/empty"
cluster_settings=(--Cluster:RefreshMs=200)

wait_socket() {  # wait_socket SOCKET [ACTIVE_SILOS]: until health answers (and sees that many active silos)
  for _ in $(seq 1 600); do
    if [ -S "$1" ] && out="$("$cli" status --server "$1" --json 2>/dev/null)"; then
      [ -z "${2:-}" ] && return 0
      n="$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s).cluster;console.log(c?c.silos.filter(x=>x.status==="Active"&&x.experts.length>0).length:0)})')"
      [ "$n" = "$2" ] && return 0
    fi
    sleep 0.2
  done
  echo "timed out waiting for $1" >&2; exit 1
}
start_serve() {  # start_serve NAME EXPERTS_DIR [ARGS...]: a serve process on $work/NAME.sock
  local name="$1" dir="$2"; shift 2
  "$cli" serve --socket "$work/$name.sock" "--Experts:Directory=$dir" "$@" >"$work/$name.log" 2>&1 & pids+=($!)
}
stop_all_serves() { for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done; pids=("${pids[0]}"); }
load() {  # load LABEL IN_FLIGHT SOCKET...: one warm-up, then the measured run; prints a table row
  local label="$1" total_inflight="$2"; shift 2
  local per=$(( (total_inflight + $# - 1) / $# ))
  node "$here/node/load.js" 2000 "$per" "$@" >/dev/null
  node "$here/node/load.js" "$calls" "$per" "$@" | tail -1 | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
    if (r.failed||r.mismatched) { console.error("failed calls:", s); process.exit(1); }
    console.log(`| ${process.argv[1]} | ${process.argv[2]} | ${r.callsPerSecond} | ${r.p50Us} | ${r.p99Us} |`)})' "$label" "$total_inflight" \
    | tee -a "$work/rows"
}
p50() { grep -F "| $1 | 1 |" "$work/rows" | cut -d'|' -f5 | tr -d ' '; }  # p50 µs of a row, one call at a time

echo "| configuration | in flight | calls/s | p50 µs | p99 µs |"
echo "|---|---|---|---|---|"
start_serve plain "$root/experts"; wait_socket "$work/plain.sock"
[ "$only" = hop ] || load "1 × polymath serve (no cluster)" "$inflight" "$work/plain.sock"
load "1 × polymath serve (no cluster)" 1 "$work/plain.sock"
stop_all_serves

for n in 1 2 3; do
  [ "$only" = hop ] && break
  id="bench$n-$RANDOM"
  socks=()
  for i in $(seq 1 "$n"); do
    start_serve "c$n-$i" "$root/experts" --cluster "redis://127.0.0.1:$port" --cluster-id "$id" --silo-port 0 --gateway-port 0 "${cluster_settings[@]}"
    socks+=("$work/c$n-$i.sock")
  done
  for s in "${socks[@]}"; do wait_socket "$s" "$n"; done
  load "$n silo(s), load on every front end" "$inflight" "${socks[@]}"
  load "$n silo(s), load on every front end" 1 "${socks[0]}"
  stop_all_serves
done

# The hop: the front end serves no expert, so every call crosses silo to silo.
id="hop-$RANDOM"
start_serve hop-back "$root/experts" --cluster "redis://127.0.0.1:$port" --cluster-id "$id" --silo-port 0 --gateway-port 0 "${cluster_settings[@]}"
start_serve hop-front "$work/empty" --cluster "redis://127.0.0.1:$port" --cluster-id "$id" --silo-port 0 --gateway-port 0 "${cluster_settings[@]}"
wait_socket "$work/hop-back.sock" 1; wait_socket "$work/hop-front.sock"; sleep 2
load "2 silos, front end without experts (every call remote)" 1 "$work/hop-front.sock"
[ "$only" = hop ] || load "2 silos, front end without experts (every call remote)" "$inflight" "$work/hop-front.sock"
stop_all_serves
plain="$(p50 "1 × polymath serve (no cluster)")"; remote="$(p50 "2 silos, front end without experts (every call remote)")"
echo "cluster hop (p50 every call remote − p50 plain serve, one call at a time): $remote − $plain = $(( remote - plain )) µs"
