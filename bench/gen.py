#!/usr/bin/env python3
"""Generate a synthetic chart of N apps in two dialects, for benchmarks.

    python3 bench/gen.py N [--out bench/out] [--tag TAG]

writes
    OUT/helm-TAG/      the chart in Helm's Go-template dialect
    OUT/strata-TAG/    the same chart in strata's minijinja dialect
    OUT/values-TAG/    three layered override files, 1-platform.yaml,
                       2-region.yaml, 3-release.yaml (pass them with -f in order)

TAG defaults to N. Both charts share Chart.yaml, values.yaml and the
environments (environments.yaml, environments/{dev,staging,prod,prod-eu}.yaml,
which Helm ignores unless they are passed with -f), and must render the same
documents, except for the app.kubernetes.io/managed-by label (Helm / strata).

Each app has its own template file (templates/app-NNNN.yaml) holding a
Deployment and a Service built from the _helpers macros (name, fullname,
labels, selector labels), with `toyaml | nindent` of resources, a loop over 5
environment variables with `upper | quote`, conditional pod annotations and
`default`s. Everything is deterministic: same N, same bytes.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys

CHART_NAME = "bench"
CHART_VERSION = "0.1.0"
APP_VERSION = "1.0.0"

ENV_NAMES = ["log_level", "region", "feature_flags", "cache_ttl", "upstream_url"]
ENVIRONMENTS = ["dev", "staging", "prod", "prod-eu"]


# --------------------------------------------------------------------------
# Values, written as block YAML by `dump` below. Strings are always
# double-quoted (JSON string syntax is YAML's), so their typing is the same
# for a YAML 1.1 (Helm) and a YAML 1.2 (strata) reader.
# --------------------------------------------------------------------------


def key(i: int) -> str:
    return f"app{i:04d}"


def app_values(i: int) -> dict:
    app: dict = {
        "image": f"team{i % 7}/service-{i:04d}",
        "port": 8000 + (i % 100),
        "env": [
            {"name": "log_level", "value": "info"},
            {"name": "region", "value": "eu-west-1"},
            {"name": "feature_flags", "value": f"search,checkout-{i % 3}"},
            {"name": "cache_ttl", "value": 300 + i % 60},
            {"name": "upstream_url", "value": f"http://svc-{(i + 1):04d}:8080"},
        ],
    }
    if i % 4 == 0:
        app["replicas"] = 3
    if i % 5 == 0:
        app["tag"] = f"2.{i % 10}.0"
    if i % 6 == 0:
        app["resources"] = {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": 1, "memory": "512Mi"},
        }
    if i % 8 == 0:
        app["nameOverride"] = f"svc{i:04d}"
    if i % 9 == 0:
        app["serviceType"] = "NodePort"
    if i % 10 == 0:
        app["podAnnotations"] = {"sidecar.istio.io/inject": "false"}
    return app


def values(n: int) -> dict:
    return {
        "global": {
            "registry": "registry.example.com",
            "pullPolicy": "IfNotPresent",
        },
        "defaults": {
            "replicas": 1,
            "resources": {
                "requests": {"cpu": "50m", "memory": "64Mi"},
                "limits": {"cpu": "200m", "memory": "128Mi"},
            },
        },
        "apps": {key(i): app_values(i) for i in range(1, n + 1)},
    }


def override_platform(n: int) -> dict:
    """Layer 1: the platform team raises defaults and moves the registry."""
    return {
        "global": {"registry": "mirror.example.com"},
        "defaults": {
            "replicas": 2,
            "resources": {"limits": {"memory": "192Mi"}},
        },
    }


def override_region(n: int) -> dict:
    """Layer 2: a region scrapes every third app and retargets every fifth."""
    apps: dict = {}
    for i in range(1, n + 1):
        a: dict = {}
        if i % 3 == 0:
            a["podAnnotations"] = {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
            }
        if i % 5 == 0:
            a["env"] = [
                {"name": "log_level", "value": "warn"},
                {"name": "region", "value": "eu-central-1"},
                {"name": "feature_flags", "value": "search"},
                {"name": "cache_ttl", "value": 60},
                {"name": "upstream_url", "value": f"http://svc-{i:04d}.eu:8080"},
            ]
        if a:
            apps[key(i)] = a
    return {"apps": apps}


def override_release(n: int) -> dict:
    """Layer 3: a release pins image tags of every other app."""
    apps: dict = {}
    for i in range(1, n + 1):
        a: dict = {}
        if i % 2 == 0:
            a["tag"] = f"3.{i % 4}.{i % 7}"
        if i % 7 == 0:
            a["replicas"] = 5
        if a:
            apps[key(i)] = a
    return {"apps": apps}


def environment_values(name: str, n: int) -> dict:
    replicas = {"dev": 1, "staging": 2, "prod": 3, "prod-eu": 4}[name]
    apps = {key(i): {"tag": f"{name}-{i % 5}"} for i in range(1, n + 1, 3)}
    return {"defaults": {"replicas": replicas}, "apps": apps}


def scalar(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    raise TypeError(f"unsupported value {v!r}")


def dump(data: dict) -> str:
    """Block-style YAML for dicts, lists, strings, ints and bools."""
    lines: list[str] = []

    def emit(v: object, indent: int) -> None:
        pad = " " * indent
        if isinstance(v, dict):
            for k, x in v.items():
                name = k if k.replace("-", "").replace("_", "").isalnum() else json.dumps(k)
                if isinstance(x, (dict, list)) and x:
                    lines.append(f"{pad}{name}:")
                    emit(x, indent + 2)
                elif isinstance(x, dict):
                    lines.append(f"{pad}{name}: {{}}")
                elif isinstance(x, list):
                    lines.append(f"{pad}{name}: []")
                else:
                    lines.append(f"{pad}{name}: {scalar(x)}")
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict) and x:
                    start = len(lines)
                    emit(x, indent + 2)
                    lines[start] = f"{pad}- " + lines[start][indent + 2 :]
                else:
                    lines.append(f"{pad}- {scalar(x)}")
        else:
            raise TypeError(f"unsupported value {v!r}")

    emit(data, 0)
    return "\n".join(lines) + "\n"


CHART_YAML = f"""apiVersion: v2
name: {CHART_NAME}
description: Synthetic chart for strata's benchmarks (generated by bench/gen.py)
type: application
version: {CHART_VERSION}
appVersion: "{APP_VERSION}"
"""

ENVIRONMENTS_YAML = """environments:
  dev: { namespace: dev }
  staging: { namespace: staging }
  prod: { namespace: prod }
  prod-eu:
    extends: prod
    namespace: prod
    values: [environments/prod-eu.yaml]
promotion: [dev, staging, prod]
"""

# --------------------------------------------------------------------------
# Helm dialect
# --------------------------------------------------------------------------

HELM_HELPERS = """{{/* Helpers take a dict: root (the top context), key (the app's key). */}}
{{- define "bench.name" -}}
{{- $app := index .root.Values.apps .key -}}
{{- default .key $app.nameOverride -}}
{{- end -}}

{{- define "bench.fullname" -}}
{{- printf "%s-%s" .root.Release.Name (include "bench.name" .) -}}
{{- end -}}

{{- define "bench.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bench.name" . }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "bench.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{ include "bench.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}
"""

HELM_APP = """{{- $ctx := dict "root" $ "key" "@KEY@" }}
{{- $app := index .Values.apps "@KEY@" }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bench.fullname" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "bench.labels" $ctx | nindent 4 }}
spec:
  replicas: {{ $app.replicas | default .Values.defaults.replicas }}
  selector:
    matchLabels:
      {{- include "bench.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      {{- with $app.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "bench.selectorLabels" $ctx | nindent 8 }}
    spec:
      containers:
        - name: {{ include "bench.name" $ctx }}
          image: "{{ .Values.global.registry }}/{{ $app.image }}:{{ $app.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.global.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $app.port }}
              protocol: TCP
          env:
          {{- range $app.env }}
            - name: {{ .name | upper | quote }}
              value: {{ .value | quote }}
          {{- end }}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            {{- toYaml ($app.resources | default .Values.defaults.resources) | nindent 12 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "bench.fullname" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "bench.labels" $ctx | nindent 4 }}
spec:
  type: {{ $app.serviceType | default "ClusterIP" }}
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "bench.selectorLabels" $ctx | nindent 4 }}
"""

# --------------------------------------------------------------------------
# strata dialect (minijinja, trim_blocks and lstrip_blocks on)
# --------------------------------------------------------------------------

STRATA_HELPERS = """{# Helpers take the app's key and read the render context. #}
{% macro app_name(key) -%}
{{ values.apps[key].nameOverride | default(key) }}
{%- endmacro %}

{% macro fullname(key) -%}
{{ release.name }}-{{ app_name(key) }}
{%- endmacro %}

{% macro selector_labels(key) -%}
app.kubernetes.io/name: {{ app_name(key) }}
app.kubernetes.io/instance: {{ release.name }}
{%- endmacro %}

{% macro labels(key) -%}
helm.sh/chart: {{ chart.name }}-{{ chart.version }}
{{ selector_labels(key) }}
app.kubernetes.io/version: {{ chart.appVersion | quote }}
app.kubernetes.io/managed-by: {{ release.service }}
{%- endmacro %}
"""

STRATA_APP = """{% import "_helpers.tpl" as h %}
{% set app = values.apps["@KEY@"] %}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ h.fullname("@KEY@") }}
  namespace: {{ release.namespace }}
  labels:
    {{- h.labels("@KEY@") | nindent(4) }}
spec:
  replicas: {{ app.replicas | default(values.defaults.replicas) }}
  selector:
    matchLabels:
      {{- h.selector_labels("@KEY@") | nindent(6) }}
  template:
    metadata:
{% if app.podAnnotations %}
      annotations:
        {{- app.podAnnotations | toyaml | nindent(8) }}
{% endif %}
      labels:
        {{- h.selector_labels("@KEY@") | nindent(8) }}
    spec:
      containers:
        - name: {{ h.app_name("@KEY@") }}
          image: "{{ values.global.registry }}/{{ app.image }}:{{ app.tag | default(chart.appVersion) }}"
          imagePullPolicy: {{ values.global.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ app.port }}
              protocol: TCP
          env:
{% for e in app.env %}
            - name: {{ e.name | upper | quote }}
              value: {{ e.value | quote }}
{% endfor %}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            {{- app.resources | default(values.defaults.resources) | toyaml | nindent(12) }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ h.fullname("@KEY@") }}
  namespace: {{ release.namespace }}
  labels:
    {{- h.labels("@KEY@") | nindent(4) }}
spec:
  type: {{ app.serviceType | default("ClusterIP") }}
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- h.selector_labels("@KEY@") | nindent(4) }}
"""


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_chart(root: pathlib.Path, n: int, helpers: str, app: str, envs: bool = True) -> None:
    if root.exists():
        shutil.rmtree(root)
    write(root / "Chart.yaml", CHART_YAML)
    write(root / "values.yaml", dump(values(n)))
    if envs:
        write(root / "environments.yaml", ENVIRONMENTS_YAML)
        for env in ENVIRONMENTS:
            write(root / "environments" / f"{env}.yaml", dump(environment_values(env, n)))
    write(root / "templates" / "_helpers.tpl", helpers)
    for i in range(1, n + 1):
        write(root / "templates" / f"app-{i:04d}.yaml", app.replace("@KEY@", key(i)))


def generate(n: int, out: pathlib.Path, tag: str) -> None:
    write_chart(out / f"helm-{tag}", n, HELM_HELPERS, HELM_APP)
    write_chart(out / f"strata-{tag}", n, STRATA_HELPERS, STRATA_APP)
    # The same chart without environments, for `render -f …` against
    # `helm template -f …`: strata refuses to render a chart with
    # environments without --env.
    write_chart(out / f"strata-{tag}-flat", n, STRATA_HELPERS, STRATA_APP, envs=False)
    write_chart(out / f"helm-{tag}-flat", n, HELM_HELPERS, HELM_APP, envs=False)
    vals = out / f"values-{tag}"
    if vals.exists():
        shutil.rmtree(vals)
    write(vals / "1-platform.yaml", dump(override_platform(n)))
    write(vals / "2-region.yaml", dump(override_region(n)))
    write(vals / "3-release.yaml", dump(override_release(n)))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of apps (each a Deployment and a Service)")
    p.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent / "out"))
    p.add_argument("--tag", help="suffix of the output directories (default: N)")
    args = p.parse_args(argv)
    if not 1 <= args.n <= 9999:
        p.error("N must be between 1 and 9999")
    generate(args.n, pathlib.Path(args.out), args.tag or str(args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
