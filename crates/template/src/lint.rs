//! `strata lint` orchestration: the chart checks of
//! [`strata_chart::lint`] for each chart, then per environment the merged
//! values' validation, rendering, and the output checks rendering applies
//! (every document parses and has apiVersion, kind and metadata.name; no
//! duplicates), charts and environments in parallel. Templates are
//! compiled once per chart and reused for every environment.

use std::collections::BTreeMap;

use rayon::prelude::*;
use strata_chart::lint::{self as chart_lint, Prepared};
use strata_chart::reads::ReadSet;
use strata_chart::values::Merged;
use strata_chart::{Diagnostic, Severity};

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
}

/// One chart to lint: its files and how the user named it.
pub struct Input {
    /// Chart-relative path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// How the user named the chart.
    pub source: String,
}

/// Lint several charts in parallel; the findings of each, in input order.
pub fn lint_all(inputs: Vec<Input>, opts: &LintOptions) -> Vec<Vec<Diagnostic>> {
    inputs
        .into_par_iter()
        .map(|i| lint_chart(i.files, &i.source, opts))
        .collect()
}

/// Lint one chart: static checks, then every selected environment.
pub fn lint_chart(
    files: BTreeMap<String, Vec<u8>>,
    source: &str,
    opts: &LintOptions,
) -> Vec<Diagnostic> {
    let (mut out, prepared) = chart_lint::static_checks(files, source);
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
            let (mut ds, merged) = chart_lint::env_checks(&p, env.as_deref());
            let valid = !ds.iter().any(|d| d.severity == Severity::Error);
            let mut reads = None;
            let mut subs = Vec::new();
            if let (Some(m), Some(engine), true) = (merged, &engine, valid) {
                let (found, r) = render_checks(&p, engine, env.as_deref(), &m);
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
        out.extend(chart_lint::unused_values(&p, &envs, every, &reads, subs));
    }
    chart_lint::fold(out)
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
        ..RenderOptions::default()
    };
    match engine.render(&p.chart, environment, &merged.values, &opts) {
        Ok(r) => (Vec::new(), r.reads),
        Err(e) => {
            let e = match env {
                Some(name) => e.in_env(name),
                None => e,
            };
            (e.diagnostics(), None)
        }
    }
}
