#!/usr/bin/env bash
# Public API tracking for the sdk/ assemblies (Microsoft.CodeAnalysis.PublicApiAnalyzers).
#   sdk/public-api.sh           after an intended API change: record every public symbol the analyzer reports as
#                               new (RS0016) in PublicAPI.Unshipped.txt and drop removed ones (RS0017) from both files
#   sdk/public-api.sh --ship    move Unshipped into Shipped (at a release)
# The build itself fails on any undeclared change (warnings are errors), so CI needs no separate check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
projects=(Polymath.Wasm Polymath.Sdk Polymath.Experts Polymath.Client)
for p in "${projects[@]}"; do
  [ -f "$p/$p.csproj" ] || continue
  if [ "${1:-}" = "--ship" ]; then
    { cat "$p/PublicAPI.Shipped.txt"; grep -v '^#' "$p/PublicAPI.Unshipped.txt" || true; } | { read -r first; echo "$first"; sort -u; } > "$p/.api.tmp"
    mv "$p/.api.tmp" "$p/PublicAPI.Shipped.txt"; printf '#nullable enable\n' > "$p/PublicAPI.Unshipped.txt"
    continue
  fi
  log="$(dotnet build "$p/$p.csproj" -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)"
  mine="$(printf '%s\n' "$log" | grep -F "/$p/$p.csproj]" || true)"   # this project's diagnostics, not its references'
  added="$(printf '%s\n' "$mine" | { grep -E 'RS0016' || true; } | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" | sort -u)"
  removed="$(printf '%s\n' "$mine" | { grep -E 'RS0017' || true; } | sed -E "s/.*Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/" | sort -u)"
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$p/$f" ] || printf '#nullable enable\n' > "$p/$f"
    if [ -n "$removed" ]; then grep -vxF -f <(printf '%s\n' "$removed") "$p/$f" > "$p/.api.tmp" || true; mv "$p/.api.tmp" "$p/$f"; fi
  done
  if [ -n "$added" ]; then
    { cat "$p/PublicAPI.Unshipped.txt"; printf '%s\n' "$added"; } | { read -r first; echo "$first"; sort -u; } > "$p/.api.tmp"
    mv "$p/.api.tmp" "$p/PublicAPI.Unshipped.txt"
  fi
  echo "$p: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed"
done
