//! `strata values`: the merged values, optionally with their origins.

use strata_chart::values::{self, SetFlag};
use strata_chart::{Path, Result};
use strata_yaml as yaml;

use crate::args::{ValuesCmd, ValuesOutput};
use crate::Outcome;

pub fn run(c: ValuesCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let chart = super::load_chart(&c.flags.chart)?;
    let req = super::request(&c.flags, sets)?;
    let mut merged = values::merge(&chart, &req)?;
    let note = chart.environments.defaults_note(c.flags.env.as_deref());
    let stdout = match &c.explain {
        Some(prefix) => {
            let prefix = (!prefix.is_empty()).then(|| Path::parse(prefix));
            let story = values::explain(&chart, &req, &merged, prefix.as_ref())?;
            match c.output {
                ValuesOutput::Yaml => explain_text(&story, &merged, prefix.as_ref()),
                ValuesOutput::Json => explain_json(&story),
            }
        }
        None => {
            // Secrets (`writeOnly` in the schema) never reach the output.
            strata_chart::schema::redact_merged(&mut merged);
            match c.output {
                ValuesOutput::Yaml => yaml::to_yaml(&merged.values.value),
                ValuesOutput::Json => pretty(&merged.values.to_json()),
            }
        }
    };
    Ok(Outcome {
        stdout,
        diagnostics: note.into_iter().chain(merged.warnings).collect(),
        fail: false,
        ..Outcome::default()
    })
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `path: value  # origin` per value; for a value more than one layer
/// set, every layer's setting below it, in layer order, the winner marked
/// `*`.
fn explain_text(story: &[values::Explained], m: &values::Merged, prefix: Option<&Path>) -> String {
    let mut out = String::new();
    for e in story {
        out.push_str(&format!(
            "{}: {}  # {}\n",
            e.path,
            e.value.value.inline(),
            e.value.origin
        ));
        if e.settings.len() > 1 {
            for s in &e.settings {
                let mark = if s.wins { "*" } else { " " };
                out.push_str(&format!("  # {mark} {}  {}\n", s.value.inline(), s.origin));
            }
        }
    }
    for d in m
        .deleted
        .iter()
        .filter(|d| prefix.is_none_or(|p| d.path.starts_with(p)))
    {
        out.push_str(&format!("# {}: removed by null  # {}\n", d.path, d.by));
    }
    out
}

fn explain_json(story: &[values::Explained]) -> String {
    let list: Vec<serde_json::Value> = story
        .iter()
        .map(|e| {
            let overridden: Vec<serde_json::Value> = e
                .overridden()
                .map(|s| {
                    serde_json::json!({
                        "value": s.value.to_json(),
                        "source": s.origin.to_string(),
                    })
                })
                .collect();
            serde_json::json!({
                "path": e.path.to_string(),
                "value": e.value.to_json(),
                "source": e.value.origin.to_string(),
                "overridden": overridden,
            })
        })
        .collect();
    pretty(&serde_json::Value::Array(list))
}
