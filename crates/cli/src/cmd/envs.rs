//! `strata envs`: environments, namespaces and layer chains.

use strata_chart::chart::VALUES_FILE;
use strata_chart::Result;

use crate::args::{EnvsCmd, ListOutput};
use crate::Outcome;

pub fn run(c: EnvsCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    let envs = &chart.environments;
    let mut rows = Vec::new();
    for name in envs.ordered_names() {
        let env = envs.get(&name)?;
        let mut layers = vec![VALUES_FILE.to_string()];
        layers.extend(envs.layer_files(&name)?);
        rows.push((name, env.namespace.clone(), layers));
    }
    let stdout = match c.output {
        ListOutput::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(n, ns, l)| {
                    serde_json::json!({"name": n, "namespace": ns, "layers": l, "dialect": chart.dialect.word()})
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
            s.push('\n');
            s
        }
        ListOutput::Text => {
            let w_name = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(11);
            let w_ns = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(9);
            let mut s = format!("{:w_name$}  {:w_ns$}  LAYERS\n", "ENVIRONMENT", "NAMESPACE");
            for (n, ns, l) in &rows {
                s.push_str(&format!("{n:w_name$}  {ns:w_ns$}  {}\n", l.join(" -> ")));
            }
            s.push_str(&format!("\ntemplates: {}\n", dialect_line(&chart)));
            s
        }
    };
    Ok(Outcome {
        stdout,
        ..Outcome::default()
    })
}

/// The chart's dialect, and its subcharts' where they differ.
fn dialect_line(chart: &strata_chart::chart::Chart) -> String {
    let mut line = match chart.dialect {
        strata_chart::dialect::Dialect::Go => {
            "go (rendered as helm template renders it)".to_string()
        }
        strata_chart::dialect::Dialect::Jinja => "jinja (strata's dialect)".to_string(),
    };
    for sub in &chart.subcharts {
        if sub.dialect != chart.dialect {
            line.push_str(&format!(
                "; {}: {}",
                sub.prefix.trim_end_matches('/'),
                sub.dialect.word()
            ));
        }
    }
    line
}
