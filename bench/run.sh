#!/usr/bin/env bash
# Benchmark strata against a real helm: see docs/performance.md.
#
#   bench/run.sh [--sizes 10,100,1000] [--runs 5] [...harness options]
#   bench/run.sh --go [--runs 5] [--size 1000]   Go charts (bench/go.py)
#
# Builds strata --release, fetches helm (bench/get-helm.sh) and PyYAML into a
# venv under bench/out/, then runs bench/harness.py, which generates the
# charts, checks that both tools render the same documents and prints the
# timing tables (Markdown) on stdout. Everything it writes is under bench/out/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out"
mkdir -p "$out"

helm="$(bash "$root/bench/get-helm.sh")"

venv="$out/venv"
if ! "$venv/bin/python" -c 'import yaml' 2>/dev/null; then
    echo "run.sh: creating $venv with PyYAML (to compare documents as data)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyyaml >&2
fi

echo "run.sh: cargo build --release" >&2
(cd "$root" && cargo build --release --locked --quiet --bin strata)
strata="$root/target/release/strata"

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); $("$helm" version --short); strata $(git -C "$root" rev-parse --short HEAD)"
if [[ "${1:-}" == "--go" ]]; then
    # Go-template charts: the Helm corpus and the N-app chart in Helm's dialect.
    shift
    exec "$venv/bin/python" "$root/bench/go.py" --helm "$helm" --strata "$strata" "$@"
fi
exec "$venv/bin/python" "$root/bench/harness.py" --helm "$helm" --strata "$strata" "$@"
