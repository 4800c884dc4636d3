#!/usr/bin/env bash
# Lint a generated repository of 50 charts x 4 environments (copies of
# charts/api) and report the wall time, best of 5 runs.
#   bench/lint.sh [path/to/strata]   (default: target/release/strata)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/target/release/strata}"
n="${CHARTS:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq -w 1 "$n"); do
  cp -R "$root/charts/api" "$work/api-$i"
  sed -i "s/^name: api$/name: api-$i/" "$work/api-$i/Chart.yaml"
done
cd "$work"
"$bin" lint >/dev/null # warm the file cache; must pass
best=""
for _ in 1 2 3 4 5; do
  s=$(date +%s%N)
  "$bin" lint >/dev/null
  e=$(( ($(date +%s%N) - s) / 1000000 ))
  if [ -z "$best" ] || [ "$e" -lt "$best" ]; then best=$e; fi
done
echo "strata lint: $n charts x 4 environments in ${best} ms (best of 5, $(nproc) cores, $bin)"
