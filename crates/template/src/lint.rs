//! `strata lint` orchestration: the chart checks of
//! [`strata_chart::lint`] for each chart, then per environment the merged
//! values' validation, rendering, and the output checks rendering applies
//! (every document parses and has apiVersion, kind and metadata.name; no
//! duplicates), charts and environments in parallel. Templates are
//! compiled once per chart and reused for every environment.

use std::collections::BTreeMap;

use rayon::prelude::*;
use strata_chart::env::SharedFile;
use strata_chart::lint::{self as chart_lint, Prepared};
use strata_chart::reads::ReadSet;
use strata_chart::values::Merged;
use strata_chart::{Code, Diagnostic, Severity};

use crate::{Engine, RenderOptions};

/// Which environments to check.
#[derive(Clone, Debug, Default)]
pub enum Envs {
    /// Every environment of each chart (no environment when it has none).
    #[default]
    All,
    /// Only this one (a chart that lacks it gets an `unknown environment` error).
    One(String),
}

/// What to lint.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// The environments.
    pub envs: Envs,
    /// Values layered over each environment's (`-f` files, `--set` flags;
    /// `env` is not read), as `helm lint -f … --set …`.
    pub values: strata_chart::values::Request,
    /// The Kubernetes version to render and validate at, over each
    /// environment's `kubeVersion` (`--kube-version`).
    pub kube_version: Option<String>,
}

/// One chart to lint: its files and how the user named it.
pub struct Input {
    /// Chart-relative path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// How the user named the chart.
    pub source: String,
    /// The repository's environments.yaml the chart uses, if any.
    pub shared: Option<SharedFile>,
}

/// Lint several charts in parallel; the findings of each, in input order.
pub fn lint_all(inputs: Vec<Input>, opts: &LintOptions) -> Vec<Vec<Diagnostic>> {
    inputs
        .into_par_iter()
        .map(|i| lint_chart(i.files, &i.source, i.shared, opts))
        .collect()
}

/// Lint one chart: static checks, then every selected environment.
pub fn lint_chart(
    files: BTreeMap<String, Vec<u8>>,
    source: &str,
    shared: Option<SharedFile>,
    opts: &LintOptions,
) -> Vec<Diagnostic> {
    let (mut out, prepared) = chart_lint::static_checks(files, source, shared);
    let Some(p) = prepared else {
        return chart_lint::fold(out);
    };
    let envs: Vec<Option<String>> = match &opts.envs {
        Envs::One(e) => vec![Some(e.clone())],
        Envs::All if p.chart.environments.list.is_empty() => vec![None],
        Envs::All => p
            .chart
            .environments
            .ordered_names()
            .into_iter()
            .map(Some)
            .collect(),
    };
    if p.chart.dialect == strata_chart::dialect::Dialect::Go {
        out.extend(go_findings(&p.chart));
    }
    // Templates compile once; a chart whose templates do not compile is
    // reported once, not per environment.
    let engine = match Engine::new(&p.chart) {
        Ok(e) => Some(e),
        Err(e) => {
            out.extend(e.diagnostics());
            None
        }
    };
    let per_env: Vec<EnvResult> = envs
        .par_iter()
        .map(|env| {
            let (mut ds, merged) = chart_lint::env_checks(&p, env.as_deref(), &opts.values);
            let valid = !ds.iter().any(|d| d.severity == Severity::Error);
            let mut reads = None;
            let mut subs = Vec::new();
            if let (Some(m), Some(engine), true) = (merged, &engine, valid) {
                let (found, r) = render_checks(&p, engine, env.as_deref(), &m, opts);
                ds.extend(found);
                reads = r;
                subs = strata_chart::schema::subchart_schemas(&p.chart, &m.subcharts)
                    .unwrap_or_default();
            }
            EnvResult {
                findings: ds,
                reads,
                subchart_schemas: subs,
            }
        })
        .collect();
    // Values nobody reads: judged only when every environment rendered
    // (an environment that failed read nothing), against what all of them
    // read. Chart defaults only when every environment was checked.
    let complete = per_env.iter().all(|r| r.reads.is_some());
    let mut reads = ReadSet::new();
    let mut subs = Vec::new();
    for r in per_env {
        out.extend(r.findings);
        if let Some(set) = &r.reads {
            reads.union(set);
        }
        subs.extend(r.subchart_schemas);
    }
    if complete {
        let every = matches!(opts.envs, Envs::All);
        out.extend(chart_lint::unused_values(
            &p,
            &envs,
            every,
            &reads,
            subs,
            &opts.values,
        ));
    }
    chart_lint::fold(out)
}

/// Functions whose output changes from one render to the next (as in
/// Helm): a chart that calls them does not render reproducibly.
const NON_DETERMINISTIC: &[&str] = &[
    "now",
    "date",
    "dateInZone",
    "randAlphaNum",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "randBytes",
    "randInt",
    "uuidv4",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "htpasswd",
    "bcrypt",
    "shuffle",
];

/// What lint says of a Go chart: its dialect, and each template calling a
/// non-deterministic function (once per template, at its first call).
fn go_findings(chart: &strata_chart::chart::Chart) -> Vec<Diagnostic> {
    let mut out = vec![Diagnostic::info(
        Code::Dialect,
        format!(
            "{}: Go templates, rendered as `helm template` renders them (values read as YAML 1.1, numbers as float64)",
            chart.name()
        ),
    )
    .note("set `annotations: {strata.dev/templates: go}` in Chart.yaml to make it explicit")];
    for (path, bytes) in chart
        .files
        .range::<String, _>("templates/".to_string().."templates0".to_string())
    {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let found = text.lines().enumerate().find_map(|(i, line)| {
            let mut at = 0;
            while let Some(open) = line[at..].find("{{") {
                let start = at + open;
                let end = line[start..].find("}}").map_or(line.len(), |e| start + e);
                let action = &line[start..end];
                if let Some(f) = NON_DETERMINISTIC.iter().find(|f| {
                    action
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .any(|w| w == **f)
                }) {
                    // The whole action, `}}` included, is underlined; the
                    // column counts characters, not bytes.
                    let shown = line.get(start..(end + 2).min(line.len())).unwrap_or("");
                    let column = line[..start].chars().count() + 1;
                    return Some((i + 1, column, shown.chars().count(), *f, line));
                }
                at = end.max(start + 2);
            }
            None
        });
        if let Some((line, column, width, f, text)) = found {
            let mut d = Diagnostic::warning(
                Code::Reproducible,
                format!("{path} calls {f}: its output differs on every render (as with helm)"),
            )
            .at(strata_chart::Location::new(
                path.as_str(),
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            ))
            .spanning(width)
            .note("`strata diff` and `--output-dir --check` will report changes on every run");
            d.snippet = Some(text.to_string());
            out.push(d);
        }
    }
    out
}

/// What linting one environment found and read.
struct EnvResult {
    findings: Vec<Diagnostic>,
    /// What its render read (`None`: not rendered, or not recorded).
    reads: Option<ReadSet>,
    subchart_schemas: Vec<std::sync::Arc<strata_chart::schema::Schema>>,
}

/// Render one environment with its merged values; rendering checks its
/// output (YAML, apiVersion/kind/metadata.name, duplicates), so its errors
/// are the findings; with what the render read. Environments whose values are invalid are not
/// rendered (their schema findings say why).
fn render_checks(
    p: &Prepared,
    engine: &Engine,
    env: Option<&str>,
    merged: &Merged,
    lint: &LintOptions,
) -> (Vec<Diagnostic>, Option<ReadSet>) {
    let environment = match env {
        Some(name) => match p.chart.environments.get(name) {
            Ok(e) => Some(e),
            Err(e) => return (e.diagnostics(), None),
        },
        None => None,
    };
    let opts = RenderOptions {
        notes: true,
        kube_version: lint.kube_version.clone(),
        ..RenderOptions::default()
    };
    let values = crate::TemplateValues::new(merged.values.clone());
    match engine.render_values(environment, &values, &merged.subcharts, &opts) {
        Ok(r) => {
            // The manifests against Kubernetes' schemas, at the
            // environment's kubeVersion.
            let kube = crate::kube::Options {
                kube_version: opts
                    .for_env(environment, p.chart.dialect)
                    .kube_version
                    .clone(),
                strict: false,
                api_versions: opts
                    .for_env(environment, p.chart.dialect)
                    .api_versions
                    .clone(),
            };
            let found =
                crate::kube::validate_render(engine, &p.chart, &r.documents, &merged.values, &kube)
                    .unwrap_or_else(|e| e.diagnostics());
            let found = match env {
                Some(name) => found.into_iter().map(|d| d.in_env(name)).collect(),
                None => found,
            };
            (found, r.reads)
        }
        Err(e) => {
            let e = match env {
                Some(name) => e.in_env(name),
                None => e,
            };
            (e.diagnostics(), None)
        }
    }
}
