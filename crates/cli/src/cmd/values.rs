//! `strata values`: the merged values, optionally with their origins.

use strata_chart::values::{self, SetFlag};
use strata_chart::{yaml, Result};

use crate::args::{ValuesCmd, ValuesOutput};
use crate::Outcome;

pub fn run(c: ValuesCmd, sets: Vec<SetFlag>) -> Result<Outcome> {
    let chart = super::load_chart(&c.flags.chart)?;
    let req = super::request(&c.flags, sets)?;
    let mut merged = values::merge(&chart, &req)?;
    let note = chart.environments.defaults_note(c.flags.env.as_deref());
    // Secrets (`writeOnly` in the schema) never reach the output.
    strata_chart::schema::redact(&mut merged.values, &merged.secrets);
    let stdout = match (c.explain, c.output) {
        (false, ValuesOutput::Yaml) => yaml::to_yaml(&merged.values.value),
        (false, ValuesOutput::Json) => pretty(&merged.values.to_json()),
        (true, ValuesOutput::Yaml) => explain_text(&merged),
        (true, ValuesOutput::Json) => explain_json(&merged),
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

fn explain_text(m: &values::Merged) -> String {
    let mut out = String::new();
    for (path, node) in m.values.leaves() {
        if path.segments().is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{path}: {}  # {}\n",
            node.value.inline(),
            node.origin
        ));
    }
    for d in &m.deleted {
        out.push_str(&format!("# {}: removed by null  # {}\n", d.path, d.by));
    }
    out
}

fn explain_json(m: &values::Merged) -> String {
    let list: Vec<serde_json::Value> = m
        .values
        .leaves()
        .into_iter()
        .filter(|(p, _)| !p.segments().is_empty())
        .map(|(path, node)| {
            serde_json::json!({
                "path": path.to_string(),
                "value": node.to_json(),
                "source": node.origin.to_string(),
            })
        })
        .collect();
    pretty(&serde_json::Value::Array(list))
}
