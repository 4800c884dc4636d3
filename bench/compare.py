#!/usr/bin/env python3
"""Check that two rendered streams hold the same Kubernetes documents.

    compare.py HELM_OUTPUT STRATA_OUTPUT

Both are multi-document YAML streams (`helm template`, `strata render`).
Documents are compared as data, keyed by (apiVersion, kind, namespace, name):
key order, quoting style and `# Source` comments do not matter, and the
`app.kubernetes.io/managed-by` label (Helm / strata) is ignored. Prints what
differs and exits 1 if anything does; prints a one-line summary and exits 0
otherwise. A difference in document order is reported but is not a failure.

Needs PyYAML (bench/run.sh installs it into a venv under bench/out/).
"""

from __future__ import annotations

import difflib
import json
import sys

import yaml

IGNORED_LABEL = "app.kubernetes.io/managed-by"


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    for d in docs:
        labels = (d.get("metadata") or {}).get("labels")
        if isinstance(labels, dict):
            labels.pop(IGNORED_LABEL, None)
    return docs


def ident(d: dict) -> tuple:
    meta = d.get("metadata") or {}
    return (d.get("apiVersion"), d.get("kind"), meta.get("namespace"), meta.get("name"))


def index(docs: list[dict], label: str, problems: list[str]) -> dict:
    out: dict = {}
    for d in docs:
        k = ident(d)
        if k in out:
            problems.append(f"{label}: duplicate document {k}")
        out[k] = d
    return out


def pretty(d: dict) -> list[str]:
    return json.dumps(d, indent=2, sort_keys=True).splitlines()


def compare(a_path: str, b_path: str, a_label: str = "helm", b_label: str = "strata") -> list[str]:
    problems: list[str] = []
    a_docs, b_docs = load(a_path), load(b_path)
    a, b = index(a_docs, a_label, problems), index(b_docs, b_label, problems)
    for k in a.keys() - b.keys():
        problems.append(f"only in {a_label}: {k}")
    for k in b.keys() - a.keys():
        problems.append(f"only in {b_label}: {k}")
    for k in sorted(a.keys() & b.keys(), key=str):
        if a[k] != b[k]:
            diff = difflib.unified_diff(
                pretty(a[k]), pretty(b[k]), a_label, b_label, lineterm="", n=2
            )
            problems.append(f"different: {k}\n" + "\n".join(list(diff)[:40]))
    return problems


def same_order(a_path: str, b_path: str) -> bool:
    return [ident(d) for d in load(a_path)] == [ident(d) for d in load(b_path)]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = compare(argv[0], argv[1])
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print(f"... and {len(problems) - 20} more differences")
    if problems:
        return 1
    n = len(load(argv[0]))
    order = "same order" if same_order(argv[0], argv[1]) else "order differs"
    print(f"same {n} documents ({order})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
