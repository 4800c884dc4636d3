#!/usr/bin/env bash
# Check the strata pre-commit hooks with the real pre-commit framework.
#
# Builds a throwaway git repository holding a chart, then runs
#   1. strata-lint-system (language: system) with this checkout's strata
#      binary on PATH, and
#   2. strata-lint (language: rust), which pre-commit installs with
#      `cargo install --path .` from this repository's HEAD commit
#      (slow: a release build; skip it with STRATA_PRECOMMIT_SKIP_RUST=1),
# each installed as the charts repository's git pre-commit hook: a commit
# with a values mistake in one environment must be refused with the file
# and line named, and the fixed commit must go through. Only committed
# changes of this repository are tested (pre-commit clones HEAD).
#
# Needs python3 + pip (pre-commit is installed from PyPI into a temporary
# virtualenv unless it is already on PATH) and git. When pre-commit cannot
# be installed, it says so and exits 0.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say() { printf 'precommit-check: %s\n' "$*"; }

# --- pre-commit itself
if command -v pre-commit >/dev/null 2>&1; then
  PRE_COMMIT=("$(command -v pre-commit)")
else
  if ! python3 -m venv "$work/venv" >/dev/null 2>&1 ||
     ! "$work/venv/bin/pip" install --quiet pre-commit >/dev/null 2>&1; then
    say "SKIP: could not install pre-commit from PyPI (offline or no python3 venv/pip)"
    exit 0
  fi
  PRE_COMMIT=("$work/venv/bin/pre-commit")
fi
export PRE_COMMIT_HOME="$work/cache"
say "using $("${PRE_COMMIT[@]}" --version)"

# --- the strata binary for the system hook
(cd "$repo" && cargo build --quiet --bin strata)
bindir="$repo/target/debug"

# --- a repository of charts
charts="$work/charts-repo"
mkdir -p "$charts/charts"
cp -R "$repo/charts/api" "$charts/charts/api"
cd "$charts"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
git config commit.gpgsign false
git add -A
git commit --quiet -m "a chart"

head_rev="$(git -C "$repo" rev-parse HEAD)"
fixed=2

check() { # hook-id [env...]: install the hook in the charts repo, then commit
  local hook="$1"
  shift
  cat >.pre-commit-config.yaml <<CFG
repos:
  - repo: $repo
    rev: $head_rev
    hooks:
      - id: $hook
CFG
  git add .pre-commit-config.yaml
  git commit --quiet --no-verify -m "use $hook"
  env "$@" "${PRE_COMMIT[@]}" install --install-hooks >/dev/null
  # A values mistake in one environment: the commit must be refused, and
  # the message must name the file and line.
  printf '# Staging.\nimage:\n  tag: "2.4.0"\nreplicaCount: three\n' >charts/api/environments/staging.yaml
  git add -A
  local out
  if out="$(env "$@" git commit -m "three replicas" 2>&1)"; then
    printf '%s\n' "$out"
    say "FAIL: $hook let a values mistake be committed"
    exit 1
  fi
  if ! grep -q 'charts/api/environments/staging.yaml:4:15' <<<"$out"; then
    printf '%s\n' "$out"
    say "FAIL: $hook did not name the file and line"
    exit 1
  fi
  say "ok: $hook refuses the commit and names the file and line:"
  grep -E 'error\[|-->' <<<"$out" | sed 's/^/    /'
  # Fixed: the commit goes through.
  # (a different valid count each run, so there is something to commit)
  fixed=$((fixed + 1))
  printf '# Staging.\nimage:\n  tag: "2.4.0"\nreplicaCount: %s\n' "$fixed" >charts/api/environments/staging.yaml
  git add -A
  if ! out="$(env "$@" git commit -m "three replicas" 2>&1)"; then
    printf '%s\n' "$out"
    say "FAIL: $hook refuses a clean chart"
    exit 1
  fi
  say "ok: $hook accepts the fixed chart"
  "${PRE_COMMIT[@]}" uninstall >/dev/null
}

start=$(date +%s)
check strata-lint-system PATH="$bindir:$PATH"
say "system hook checked in $(($(date +%s) - start))s"

if [ "${STRATA_PRECOMMIT_SKIP_RUST:-}" = 1 ]; then
  say "SKIP: language: rust hook (STRATA_PRECOMMIT_SKIP_RUST=1)"
  exit 0
fi
start=$(date +%s)
# Keep the system binary off PATH so the rust hook must use its own build.
cargo_dir="$(dirname "$(command -v cargo)")"
git_dir="$(dirname "$(command -v git)")"
check strata-lint PATH="$cargo_dir:$git_dir:/usr/local/bin:/usr/bin:/bin"
say "rust hook checked in $(($(date +%s) - start))s (includes pre-commit's cargo install, a release build)"
