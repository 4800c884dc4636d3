#!/usr/bin/env bash
# `strata validate` against kubernetes-validate on the sixty rendered outputs
# of the Helm corpus (../shared/helm-charts/*/cases/*.helm.yaml), each tool
# called once on all sixty files, side by side: see docs/performance.md.
#
#   bench/validate.sh [RUNS]      (default 3 runs of each, interleaved)
#
# Builds strata --release, installs kubernetes-validate (the version the
# bundled schemas come from, pinned in schemas/kubernetes/regen.py) into a
# venv under bench/out/, checks that both find the same schema error, and
# prints a Markdown table of median wall and CPU times.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out"
corpus="$root/../shared/helm-charts"
[[ -d "$corpus" ]] || corpus="$root/../../shared/helm-charts"   # a worktree under wt/
runs="${1:-3}"
mkdir -p "$out"
[[ -d "$corpus" ]] || { echo "validate.sh: $corpus is absent" >&2; exit 2; }

version="$(sed -n 's/^VERSION = "\(.*\)"/\1/p' "$root/schemas/kubernetes/regen.py")"
venv="$out/kv-venv"
if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$version"; then
    echo "validate.sh: installing kubernetes-validate==$version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "kubernetes-validate==$version" >&2
fi

# STRATA=path/to/strata skips the build (a release binary of this commit).
strata="${STRATA:-}"
if [[ -z "$strata" ]]; then
    echo "validate.sh: cargo build --release" >&2
    (cd "$root" && cargo build --release --locked --quiet --bin strata)
    strata="$root/target/release/strata"
fi

cd "$corpus"
files=(*/cases/*.helm.yaml)
ref=("$venv/bin/kubernetes-validate" --strict --quiet -k 1.31.0 "${files[@]}")
ours=("$strata" validate --kube-version 1.31.0 "${files[@]}")

# Same finding: the reference's one ERROR is strata's one schema error.
"${ref[@]}" > "$out/kv.txt" 2>&1 || true
"${ours[@]}" > /dev/null 2> "$out/strata.txt" || true
grep -q '^ERROR cert-manager/cases/features.helm.yaml .*job/rel-cert-manager-startupapicheck.*env.1.value' "$out/kv.txt"
grep -q '^error\[kube\]: Job rel-cert-manager-startupapicheck: spec.template.spec.containers\[0\].env\[1\].value' "$out/strata.txt"
[[ "$(grep -c '^ERROR' "$out/kv.txt")" == 1 ]]

exec python3 - "$runs" "${#files[@]}" "$(nproc)" <<'PY' "${ref[@]}" --- "${ours[@]}"
import os, resource, statistics, subprocess, sys, time
runs, nfiles, cores = int(sys.argv[1]), sys.argv[2], sys.argv[3]
args = sys.argv[4:]
cut = args.index("---")
cmds = {"kubernetes-validate": args[:cut], "strata validate": args[cut + 1:]}
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
for _ in range(runs):
    for name, cmd in cmds.items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall[name].append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
load = open("/proc/loadavg").read().split()[:3]
print(f"{nfiles} files, 1000 documents, 11 MB; {cores} cores, load average {' '.join(load)}; median of {runs}\n")
print("| tool | wall | CPU (user+sys) |")
print("|---|---:|---:|")
for name in cmds:
    print(f"| {name} | {statistics.median(wall[name]):.3f} s | {statistics.median(cpu[name]):.3f} s |")
ratio = statistics.median(wall["kubernetes-validate"]) / statistics.median(wall["strata validate"])
cratio = statistics.median(cpu["kubernetes-validate"]) / statistics.median(cpu["strata validate"])
print(f"\nstrata is {ratio:.0f}x faster (wall), {cratio:.0f}x less CPU.")
PY
