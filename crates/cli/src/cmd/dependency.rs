//! `strata dependency list`: each dependency and what satisfies it.

use strata_chart::deps;
use strata_chart::Result;

use crate::args::{DependencyListCmd, ListOutput};
use crate::Outcome;

pub fn list(c: DependencyListCmd) -> Result<Outcome> {
    let chart = super::load_chart(&c.chart)?;
    let statuses = deps::status(&chart);
    let diagnostics: Vec<_> = statuses
        .iter()
        .filter_map(|s| deps::problem(&chart, s))
        .collect();
    let vendored = |s: &deps::Status| {
        if s.vendored.is_empty() {
            "-".to_string()
        } else {
            s.vendored
                .iter()
                .map(|(e, v)| format!("{e} ({v})"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let stdout = match c.output {
        ListOutput::Json => {
            let list: Vec<serde_json::Value> = statuses
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "name": s.name,
                        "alias": s.alias,
                        "version": s.constraint,
                        "repository": s.repository,
                        "vendored": s.vendored.iter().map(|(e, v)| serde_json::json!({"path": e, "version": v})).collect::<Vec<_>>(),
                        "status": s.state.word(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
            s.push('\n');
            s
        }
        ListOutput::Text => {
            let rows: Vec<[String; 5]> = statuses
                .iter()
                .map(|s| {
                    [
                        match &s.alias {
                            Some(a) => format!("{} (alias {a})", s.name),
                            None => s.name.clone(),
                        },
                        s.constraint.clone().unwrap_or_else(|| "*".into()),
                        s.repository.clone().unwrap_or_default(),
                        vendored(s),
                        s.state.word().to_string(),
                    ]
                })
                .collect();
            let head = ["NAME", "VERSION", "REPOSITORY", "VENDORED", "STATUS"];
            let mut w = head.map(str::len);
            for r in &rows {
                for (i, cell) in r.iter().enumerate() {
                    w[i] = w[i].max(cell.len());
                }
            }
            let line = |cells: [&str; 5]| {
                let mut l = String::new();
                for (i, cell) in cells.iter().enumerate() {
                    if i == 4 {
                        l.push_str(cell);
                    } else {
                        l.push_str(&format!("{cell:w$}  ", w = w[i]));
                    }
                }
                l.push('\n');
                l
            };
            let mut s = line(head);
            for r in &rows {
                s.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
            }
            s
        }
    };
    let fail = !diagnostics.is_empty();
    Ok(Outcome {
        stdout,
        diagnostics,
        fail,
        ..Outcome::default()
    })
}
