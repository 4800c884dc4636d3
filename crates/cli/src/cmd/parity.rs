//! `strata parity`: what differs between environments, and whether it is
//! declared in `parity.allow`.

use strata_chart::parity::{self, Report};
use strata_chart::Result;

use crate::args::{ParityCmd, ParityOutput};
use crate::Outcome;

pub fn run(c: ParityCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    // `--envs "dev, prod"` means dev and prod.
    let envs: Option<Vec<String>> = c.envs.map(|l| {
        l.iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect()
    });
    let report = parity::compare(&chart, envs.as_deref())?;
    let stdout = match c.output {
        ParityOutput::Table => table(&report),
        ParityOutput::Markdown => markdown(&report),
        ParityOutput::Json => json(&report),
    };
    let mut diagnostics = report.warnings.clone();
    let drift = report.drift_diagnostics(&chart);
    let fail = !drift.is_empty();
    diagnostics.extend(drift);
    Ok(Outcome {
        stdout,
        diagnostics,
        fail,
        ..Outcome::default()
    })
}

fn cell(v: Option<&strata_chart::Node>) -> String {
    v.map_or_else(|| "(absent)".to_string(), |n| n.value.inline())
}

fn summary(r: &Report) -> String {
    let undeclared = r.undeclared().count();
    format!(
        "{} environments compared ({}): {} difference{}, {} declared in parity.allow, {} undeclared\n",
        r.environments.len(),
        r.environments.join(", "),
        r.differences.len(),
        if r.differences.len() == 1 { "" } else { "s" },
        r.differences.len() - undeclared,
        undeclared
    )
}

fn table(r: &Report) -> String {
    let mut rows: Vec<Vec<String>> = vec![{
        let mut h = vec!["PATH".to_string()];
        h.extend(r.environments.iter().cloned());
        h.push("ALLOWED".to_string());
        h
    }];
    for d in &r.differences {
        let mut row = vec![d.path.to_string()];
        row.extend(d.values.values().map(|v| cell(v.as_ref())));
        row.push(if d.allowed { "yes" } else { "NO" }.to_string());
        rows.push(row);
    }
    let mut out = String::new();
    if r.differences.is_empty() {
        out.push_str(&summary(r));
        return out;
    }
    let cols = rows[0].len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == cols {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&summary(r));
    out
}

/// A Markdown table cell: code-formatted, pipes escaped.
fn md(s: &str) -> String {
    let s = s.replace('|', "\\|");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

fn markdown(r: &Report) -> String {
    let mut out = String::new();
    if r.differences.is_empty() {
        out.push_str(&summary(r));
        return out;
    }
    out.push_str("| Path |");
    for e in &r.environments {
        out.push_str(&format!(" {e} |"));
    }
    out.push_str(" Allowed |\n|---|");
    for _ in &r.environments {
        out.push_str("---|");
    }
    out.push_str(":-:|\n");
    for d in &r.differences {
        out.push_str(&format!("| {} |", md(&d.path.to_string())));
        for v in d.values.values() {
            match v {
                Some(n) => out.push_str(&format!(" {} |", md(&n.value.inline()))),
                None => out.push_str(" *absent* |"),
            }
        }
        out.push_str(if d.allowed { " yes |\n" } else { " **no** |\n" });
    }
    out.push('\n');
    out.push_str(&summary(r));
    out
}

fn json(r: &Report) -> String {
    let diffs: Vec<serde_json::Value> = r
        .differences
        .iter()
        .map(|d| {
            let values: serde_json::Map<String, serde_json::Value> = d
                .values
                .iter()
                .filter_map(|(e, v)| v.as_ref().map(|n| (e.clone(), n.to_json())))
                .collect();
            serde_json::json!({
                "path": d.path.to_string(),
                "values": values,
                "allowed": d.allowed,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "environments": r.environments,
        "differences": diffs,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
