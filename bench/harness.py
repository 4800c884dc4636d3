#!/usr/bin/env python3
"""Time `helm template` against `strata render` on generated charts.

Run through bench/run.sh, which builds strata, fetches helm and a PyYAML
venv first. Steps:

1. generate the chart of N apps in both dialects (bench/gen.py), for each N;
2. render it with both tools using the three layered `-f` files and check
   that the documents are the same (bench/compare.py);
3. time both tools, interleaved (helm, strata, helm, strata, ...), RUNS times
   each; report the median wall time and the median peak RSS;
4. time rendering every environment of one chart, and linting 50 charts with
   4 environments each, when strata has those commands.

Wall time is measured here with a monotonic clock around the child process
(from posix_spawn to wait4), CPU time and peak RSS from wait4's rusage of
that child (microseconds; kilobytes). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import gen  # noqa: E402

OVERRIDES = ["1-platform.yaml", "2-region.yaml", "3-release.yaml"]
RELEASE = "bench"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_checked(cmd: list[str], stdout_path: pathlib.Path | None = None) -> None:
    with open(stdout_path or os.devnull, "wb") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise SystemExit(
            f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode(errors='replace')}"
        )


def measure(cmd: list[str]) -> tuple[float, int, float]:
    """One run: (wall seconds, peak RSS in KiB, user+system CPU seconds).
    Output is discarded.

    The child is started with posix_spawn and reaped with wait4, whose
    rusage gives its CPU time in microseconds and its peak RSS: no
    /usr/bin/time in between (its %U/%S have 10 ms resolution, which read
    a 5 ms render as 0 or 10 ms)."""
    with tempfile.TemporaryFile() as err:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
            start = time.perf_counter()
            pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
        finally:
            os.close(null)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(
                f"command failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}\n"
                + err.read().decode(errors="replace")
            )
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure_seq(cmds: list[list[str]]) -> tuple[float, int, float]:
    """Several commands one after the other: total wall, max peak RSS,
    total CPU."""
    total, peak, cpu = 0.0, 0, 0.0
    for c in cmds:
        w, r, u = measure(c)
        total += w
        peak = max(peak, r)
        cpu += u
    return total, peak, cpu


def interleaved(
    cases: dict[str, list[list[str]]], runs: int
) -> dict[str, tuple[float, int, float]]:
    """Run each case `runs` times, alternating between cases; medians of
    wall time, peak RSS and CPU time."""
    walls: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, list[int]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(runs):
        for name, cmds in cases.items():
            w, r, u = measure_seq(cmds)
            walls[name].append(w)
            rss[name].append(r)
            cpu[name].append(u)
    return {
        k: (statistics.median(walls[k]), int(statistics.median(rss[k])), statistics.median(cpu[k]))
        for k in cases
    }


def has_command(strata: str, sub: str) -> bool:
    p = subprocess.run(
        [strata, sub, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return p.returncode == 0


def ms(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def mb(kib: int) -> str:
    return f"{kib / 1024:.1f} MB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "n/a"


def print_cases(res: dict[str, tuple[float, int, float]], base: str) -> None:
    print("| command | wall | peak RSS | CPU | vs helm (wall) |")
    print("|---|---:|---:|---:|---:|")
    hw = res[base][0]
    for name, (w, r, c) in res.items():
        print(f"| {name} | {ms(w)} | {mb(r)} | {ms(c)} | {ratio(hw, w)} |")


def render_cmds(helm: str, strata: str, out: pathlib.Path, tag: str) -> tuple[list[str], list[str]]:
    vals = out / f"values-{tag}"
    h = [helm, "template", RELEASE, str(out / f"helm-{tag}")]
    s = [strata, "render", str(out / f"strata-{tag}-flat"), "--release", RELEASE]
    for f in OVERRIDES:
        h += ["-f", str(vals / f)]
        s += ["-f", str(vals / f)]
    return h, s


def env_layers(env: str) -> list[str]:
    return ["environments/prod.yaml", "environments/prod-eu.yaml"] if env == "prod-eu" else [
        f"environments/{env}.yaml"
    ]


def env_namespace(env: str) -> str:
    return "prod" if env == "prod-eu" else env


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="helm template vs strata render")
    p.add_argument("--helm", required=True)
    p.add_argument("--strata", required=True)
    p.add_argument("--sizes", default="10,100,1000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=str(HERE / "out"))
    p.add_argument("--env-size", type=int, default=100, help="apps in the all-environments chart")
    p.add_argument("--lint-charts", type=int, default=50)
    p.add_argument("--lint-size", type=int, default=20, help="apps in each linted chart")
    p.add_argument("--lint-runs", type=int, default=3, help="runs of the (slow) lint comparison")
    p.add_argument("--no-lint", action="store_true", help="skip the lint comparison")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    has_render = has_command(args.strata, "render")
    has_lint = has_command(args.strata, "lint")
    if not has_render:
        log("strata has no `render` command yet: timing helm only, no equality check")

    rows = []
    for n in sizes:
        tag = str(n)
        log(f"N={n}: generating")
        gen.generate(n, out, tag)
        h, s = render_cmds(args.helm, args.strata, out, tag)
        helm_out = out / f"helm-{tag}.out.yaml"
        run_checked(h, helm_out)
        docs = len(compare.load(str(helm_out)))
        size = helm_out.stat().st_size
        cases = {"helm": [h]}
        check = "not run"
        if has_render:
            strata_out = out / f"strata-{tag}.out.yaml"
            run_checked(s, strata_out)
            problems = compare.compare(str(helm_out), str(strata_out))
            if problems:
                for pr in problems[:10]:
                    log(pr)
                raise SystemExit(f"N={n}: helm and strata disagree ({len(problems)} differences)")
            order = "same order" if compare.same_order(str(helm_out), str(strata_out)) else "order differs"
            check = f"same documents ({order})"
            cases["strata"] = [s]
        log(f"N={n}: {docs} documents, {size} bytes; {check}; timing {args.runs} runs each")
        res = interleaved(cases, args.runs)
        rows.append((n, docs, size, res, check))

    print(f"\n### helm template vs strata render (median of {args.runs}, interleaved)\n")
    print(
        "| N | documents | output | helm wall | helm RSS | strata wall | strata RSS "
        "| speed-up (wall) | RSS ratio | helm CPU | strata CPU | speed-up (CPU) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, docs, size, res, _ in rows:
        hw, hr, hc = res["helm"]
        if "strata" in res:
            sw, sr, sc = res["strata"]
            cells = [ms(sw), mb(sr), ratio(hw, sw), f"{sr / hr:.2f}", ms(hc), ms(sc), ratio(hc, sc)]
        else:
            cells = ["—", "—", "—", "—", ms(hc), "—", "—"]
        print(f"| {n} | {docs} | {size / 1024:.0f} KiB | {ms(hw)} | {mb(hr)} | " + " | ".join(cells) + " |")
    if has_render and len(rows) >= 2:
        (n0, *_, r0, _), (n1, *_, r1, _) = rows[-2], rows[-1]
        grow_s = r1["strata"][0] / r0["strata"][0]
        # CPU time has 10 ms resolution: 0 for small charts.
        grow_sc = r1["strata"][2] / r0["strata"][2] if r0["strata"][2] > 0 else float("nan")
        grow_h = r1["helm"][0] / r0["helm"][0]
        print(
            f"\nGrowth from N={n0} to N={n1} ({n1 / n0:.0f}× the apps): "
            f"helm {grow_h:.1f}×, strata {grow_s:.1f}× wall time ({grow_sc:.1f}× CPU time)."
        )

    # Every environment of one chart.
    envs = ["dev", "staging", "prod", "prod-eu"]
    tag = f"env{args.env_size}"
    gen.generate(args.env_size, out, tag)
    hdir, sdir = out / f"helm-{tag}", out / f"strata-{tag}"
    helm_envs = []
    for e in envs:
        c = [args.helm, "template", RELEASE, str(hdir), "--namespace", env_namespace(e)]
        for f in env_layers(e):
            c += ["-f", str(hdir / f)]
        helm_envs.append(c)
    cases = {"helm template ×4": helm_envs}
    if has_render:
        cases["strata render --env ×4"] = [
            [args.strata, "render", str(sdir), "--env", e, "--release", RELEASE] for e in envs
        ]
    if has_lint:
        cases["strata lint (all envs)"] = [[args.strata, "lint", str(sdir)]]
    has_all_envs = has_command(args.strata, "render") and "--all-envs" in subprocess.run(
        [args.strata, "render", "--help"], capture_output=True, text=True
    ).stdout
    rendered = out / f"rendered-{tag}"
    if has_all_envs:
        all_envs = [args.strata, "render", str(sdir), "--all-envs", "--release", RELEASE]
        # helm writing files too, for the same comparison from nothing.
        helm_dir = out / f"helm-rendered-{tag}"
        cases["helm template --output-dir ×4 (new folder)"] = [
            ["sh", "-c", 'rm -rf "$0" && exec "$@" --output-dir "$0"', str(helm_dir / e), *c]
            for e, c in zip(envs, helm_envs)
        ]
        # From nothing: the folder is removed first (`rm` is in the time).
        cases["strata render --all-envs --output-dir (new folder)"] = [
            ["sh", "-c", 'rm -rf "$0" && exec "$@" --output-dir "$0"', str(rendered), *all_envs]
        ]
        # Again over its own output: every file compared, none rewritten.
        cases["strata render --all-envs --output-dir (up to date)"] = [
            [*all_envs, "--output-dir", str(rendered)]
        ]
        cases["strata render --all-envs --output-dir --check"] = [
            [*all_envs, "--output-dir", str(rendered), "--check"]
        ]
        run_checked([*all_envs, "--output-dir", str(rendered)])
        # The files hold what helm prints for each environment.
        for e, c in zip(envs, helm_envs):
            h_out = out / f"helm-{tag}-{e}.out.yaml"
            run_checked(c, h_out)
            s_out = out / f"rendered-{tag}-{e}.out.yaml"
            files = sorted((rendered / e / "bench").rglob("*.yaml"))
            s_out.write_text("".join(f.read_text() for f in files))
            problems = compare.compare(str(h_out), str(s_out))
            if problems:
                log(f"--all-envs {e}: differs from helm template:\n" + "\n".join(problems[:20]))
                return 1
    log(f"all environments of one {args.env_size}-app chart: timing")
    res = interleaved(cases, args.runs)
    print(f"\n### All 4 environments of one chart of {args.env_size} apps (median of {args.runs})\n")
    print_cases(res, "helm template ×4")

    if args.no_lint:
        return 0
    # Lint many charts.
    lint_dirs_h, lint_dirs_s = [], []
    log(f"generating {args.lint_charts} charts of {args.lint_size} apps for lint")
    for i in range(1, args.lint_charts + 1):
        t = f"lint{i:02d}"
        gen.generate(args.lint_size, out / "lint", t)
        lint_dirs_h.append(str(out / "lint" / f"helm-{t}"))
        lint_dirs_s.append(str(out / "lint" / f"strata-{t}"))
    helm_lint = []
    for e in envs:
        c = [args.helm, "lint", *lint_dirs_h, "--namespace", env_namespace(e)]
        for f in env_layers(e):
            # helm resolves -f against the working directory: every chart has
            # the same environment files, so the first chart's do for all.
            c += ["-f", str(pathlib.Path(lint_dirs_h[0]) / f)]
        helm_lint.append(c)
    cases = {"helm lint ×4 envs": helm_lint}
    if has_lint:
        cases["strata lint (all envs)"] = [[args.strata, "lint", *lint_dirs_s]]
    log("lint: timing")
    res = interleaved(cases, args.lint_runs)
    print(
        f"\n### Lint {args.lint_charts} charts × {len(envs)} environments "
        f"({args.lint_size} apps each, median of {args.lint_runs})\n"
    )
    print_cases(res, "helm lint ×4 envs")
    if not has_lint:
        print("\n(strata has no `lint` command in this build: strata side not measured)")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load} (other work on the machine slows both tools).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
