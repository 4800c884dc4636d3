//! `strata lint` orchestration: the chart checks of
//! [`strata_chart::lint`] for each chart, then per environment the merged
//! values' validation (and, once rendering lands, rendering and output
//! checks), charts and environments in parallel.

use std::collections::BTreeMap;

use rayon::prelude::*;
use strata_chart::lint::{self as chart_lint, Prepared};
use strata_chart::values::Merged;
use strata_chart::Diagnostic;

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
    let per_env: Vec<Vec<Diagnostic>> = envs
        .par_iter()
        .map(|env| {
            let (mut ds, merged) = chart_lint::env_checks(&p, env.as_deref());
            if let Some(m) = merged {
                ds.extend(render_checks(&p, env.as_deref(), &m));
            }
            ds
        })
        .collect();
    out.extend(per_env.into_iter().flatten());
    chart_lint::fold(out)
}

/// Where rendering and the output checks plug in: render the environment
/// with the merged values and check the documents. The renderer is not
/// in this crate yet, so there is nothing to check.
fn render_checks(_p: &Prepared, _env: Option<&str>, _merged: &Merged) -> Vec<Diagnostic> {
    Vec::new()
}
