//! Micro-benchmarks of rendering: compiling a chart's templates
//! (`Engine::new`), rendering them (`Engine::render`: templates, then
//! splitting, checking and ordering the output), the output stage alone
//! (templates that are plain YAML text), and printing the stream.
//!
//! Run with `cargo bench -p strata-template --bench render`. The chart has
//! the shape of bench/gen.py's: one template per app holding a Deployment
//! and a Service built with `_helpers.tpl` macros.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use strata_chart::chart::Chart;
use strata_template::{to_stream, Engine, RenderOptions};

fn main() {
    divan::main();
}

const HELPERS: &str = r#"{% macro app_name(key) -%}
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
app.kubernetes.io/managed-by: {{ release.service }}
{%- endmacro %}
"#;

const APP: &str = r#"{% import "_helpers.tpl" as h %}
{% set app = values.apps["@KEY@"] %}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ h.fullname("@KEY@") }}
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
          image: "{{ app.image }}:{{ app.tag | default(chart.appVersion) }}"
          env:
{% for e in app.env %}
            - name: {{ e.name | upper | quote }}
              value: {{ e.value | quote }}
{% endfor %}
          resources:
            {{- app.resources | default(values.defaults.resources) | toyaml | nindent(12) }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ h.fullname("@KEY@") }}
  labels:
    {{- h.labels("@KEY@") | nindent(4) }}
spec:
  ports:
    - port: 80
      targetPort: http
  selector:
    {{- h.selector_labels("@KEY@") | nindent(4) }}
"#;

fn values(n: usize) -> String {
    let mut out = String::from(
        "defaults:\n  replicas: 1\n  resources:\n    requests: {cpu: 50m, memory: 64Mi}\napps:\n",
    );
    for i in 1..=n {
        let _ = write!(
            out,
            "  app{i:04}:\n    image: team/service-{i:04}\n    env:\n"
        );
        for k in ["log_level", "region", "flags", "ttl", "upstream"] {
            let _ = writeln!(out, "      - {{name: {k}, value: \"v{i}\"}}");
        }
        if i % 3 == 0 {
            out.push_str("    podAnnotations: {prometheus.io/scrape: \"true\"}\n");
        }
    }
    out
}

fn chart(n: usize, template: impl Fn(&str) -> String) -> Chart {
    let mut files = BTreeMap::new();
    files.insert(
        "Chart.yaml".to_string(),
        b"apiVersion: v2\nname: bench\nversion: 0.1.0\nappVersion: \"1.0.0\"\n".to_vec(),
    );
    files.insert("values.yaml".to_string(), values(n).into_bytes());
    files.insert(
        "templates/_helpers.tpl".to_string(),
        HELPERS.as_bytes().to_vec(),
    );
    for i in 1..=n {
        let key = format!("app{i:04}");
        files.insert(
            format!("templates/app-{i:04}.yaml"),
            template(&key).into_bytes(),
        );
    }
    Chart::from_files(files, "bench").expect("the synthetic chart loads")
}

fn templated(n: usize) -> Chart {
    chart(n, |key| APP.replace("@KEY@", key))
}

/// The same documents as plain text: rendering is then only the output
/// stage (split on `---`, YAML check, head fields, install order).
fn static_output(n: usize) -> Chart {
    let c = templated(n);
    let engine = Engine::new(&c).expect("compiles");
    let rendered = engine
        .render(None, &c.values, &RenderOptions::default())
        .expect("renders");
    let mut by_source: BTreeMap<String, String> = BTreeMap::new();
    for d in &rendered.documents {
        let text = by_source.entry(d.source.clone()).or_default();
        text.push_str("---\n");
        text.push_str(&d.body);
    }
    chart(n, |key| {
        let source = format!("bench/templates/app-{}.yaml", &key[3..]);
        by_source.get(&source).cloned().unwrap_or_default()
    })
}

const SIZES: [usize; 3] = [10, 100, 1000];

/// Compile every template of the chart once.
#[divan::bench(args = SIZES)]
fn compile(bencher: divan::Bencher, n: usize) {
    let c = templated(n);
    bencher.bench(|| Engine::new(divan::black_box(&c)).is_ok());
}

/// Render N apps (2N documents) with an engine compiled beforehand.
#[divan::bench(args = SIZES)]
fn render(bencher: divan::Bencher, n: usize) {
    let c = templated(n);
    let engine = Engine::new(&c).expect("compiles");
    let opts = RenderOptions::default();
    bencher.bench(|| engine.render(None, &c.values, &opts).is_ok());
}

/// Split, check and order 2N documents that need no templating.
#[divan::bench(args = SIZES)]
fn output_only(bencher: divan::Bencher, n: usize) {
    let c = static_output(n);
    let engine = Engine::new(&c).expect("compiles");
    let opts = RenderOptions::default();
    bencher.bench(|| engine.render(None, &c.values, &opts).is_ok());
}

/// Print 2N documents as one stream.
#[divan::bench(args = SIZES)]
fn stream(bencher: divan::Bencher, n: usize) {
    let c = templated(n);
    let engine = Engine::new(&c).expect("compiles");
    let docs = engine
        .render(None, &c.values, &RenderOptions::default())
        .expect("renders")
        .documents;
    bencher.bench(|| to_stream(divan::black_box(&docs)));
}
