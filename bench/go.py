#!/usr/bin/env python3
"""Time `helm template` against `strata render` on Go-template charts.

Run through `bench/run.sh --go` (which builds strata, fetches helm and a
PyYAML venv first). Two comparisons, each interleaved (helm, strata, helm,
strata, ...) RUNS times, medians reported:

1. the Helm conformance corpus (../shared/helm-charts, README there): all
   sixty cases, each rendered by both tools with its values file and
   arguments; the total wall time of the sixty, and the largest peak RSS;
2. the generated chart of N apps in Helm's dialect (bench/gen.py's
   `helm-N`), the same directory and `-f` files given to both tools, the
   documents checked equal first (bench/compare.py).
"""

from __future__ import annotations

import argparse
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import gen  # noqa: E402
from harness import OVERRIDES, RELEASE, interleaved, log, mb, ms, ratio, run_checked  # noqa: E402


def corpus_cmds(helm: str, strata: str, corpus: pathlib.Path) -> tuple[list[list[str]], list[list[str]]]:
    hs, ss = [], []
    for chart in sorted(p for p in corpus.iterdir() if (p / "cases").is_dir()):
        for expected in sorted((chart / "cases").glob("*.helm.yaml")):
            case = expected.name[: -len(".helm.yaml")]
            args = [a for a in (chart / "cases" / f"{case}.args").read_text().split("\n") if a.strip()]
            values = str(chart / "cases" / f"{case}.values.yaml")
            c = str(chart / "chart")
            hs.append([helm, "template", "rel", c, "-f", values, *args])
            ss.append([strata, "render", c, "--release", "rel", "-f", values, *args])
    return hs, ss


def row(name: str, res: dict[str, tuple[float, int, float]]) -> str:
    (hw, hr, hc), (sw, sr, sc) = res["helm"], res["strata"]
    return (
        f"| {name} | {ms(hw)} | {ms(hc)} | {mb(hr)} | {ms(sw)} | {ms(sc)} | {mb(sr)} "
        f"| {ratio(hw, sw)} | {ratio(hc, sc)} | {sr / hr:.2f} |"
    )


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="helm template vs strata render on Go charts")
    p.add_argument("--helm", required=True)
    p.add_argument("--strata", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-corpus", action="store_true", help="time only the N-app chart")
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--corpus", default=str(HERE.parent.parent / "shared" / "helm-charts"))
    p.add_argument("--out", default=str(HERE / "out"))
    args = p.parse_args(argv)
    out = pathlib.Path(args.out)
    print(f"\n### Go charts: helm template vs strata render (median of {args.runs}, interleaved)\n")
    print(
        "| workload | helm wall | helm CPU | helm peak RSS | strata wall | strata CPU | strata peak RSS "
        "| speed-up (wall) | speed-up (CPU) | RSS ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    corpus = pathlib.Path(args.corpus)
    if args.no_corpus:
        log("--no-corpus: corpus not timed")
    elif corpus.is_dir():
        hs, ss = corpus_cmds(args.helm, args.strata, corpus)
        log(f"corpus: {len(hs)} cases, timing {args.runs} runs each")
        res = interleaved({"helm": hs, "strata": ss}, args.runs)
        print(row(f"corpus, {len(hs)} cases (total)", res))
    else:
        log(f"{corpus} is not present: corpus not timed")

    tag = f"go{args.size}"
    gen.generate(args.size, out, tag)
    # Without environments.yaml: strata refuses a chart with environments
    # without --env, and helm is given the layers as -f files instead.
    chart = str(out / f"helm-{tag}-flat")
    h = [args.helm, "template", RELEASE, chart]
    s = [args.strata, "render", chart, "--release", RELEASE]
    for f in OVERRIDES:
        h += ["-f", str(out / f"values-{tag}" / f)]
        s += ["-f", str(out / f"values-{tag}" / f)]
    helm_out, strata_out = out / f"helm-{tag}.out.yaml", out / f"strata-{tag}.out.yaml"
    run_checked(h, helm_out)
    run_checked(s, strata_out)
    problems = compare.compare(str(helm_out), str(strata_out))
    if problems:
        for pr in problems[:10]:
            log(pr)
        raise SystemExit(f"N={args.size}: helm and strata disagree ({len(problems)} differences)")
    same = helm_out.read_bytes() == strata_out.read_bytes()
    log(f"N={args.size}: same documents ({'byte-identical' if same else 'as data'}); timing {args.runs} runs each")
    res = interleaved({"helm": [h], "strata": [s]}, args.runs)
    print(row(f"N={args.size} Helm-dialect chart", res))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
