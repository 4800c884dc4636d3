//! `strata diff`: what differs between two environments.

use std::io::IsTerminal;

use strata_chart::values::{self, Request};
use strata_chart::{yaml, Error, Result};

use crate::args::{ColorChoice, DiffCmd};
use crate::Outcome;

pub fn run(c: DiffCmd) -> Result<Outcome> {
    let [a, b] = c.env.as_slice() else {
        return Err(Error::Usage(format!(
            "diff compares two environments: give --env A --env B (got {})",
            c.env.len()
        )));
    };
    let chart = super::load_chart(&c.chart)?;
    chart.environments.get(a)?;
    chart.environments.get(b)?;
    let color = match c.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    if !c.values {
        return Err(Error::Usage(
            "rendered diff is not available in this build yet (the template engine has not landed); use --values to diff the merged values"
                .to_string(),
        ));
    }
    let mut diagnostics = Vec::new();
    let mut texts = Vec::new();
    for env in [a, b] {
        let m = values::merge(
            &chart,
            &Request {
                env: Some(env.clone()),
                ..Request::default()
            },
        )
        .map_err(|e| e.in_env(env))?;
        diagnostics.extend(m.warnings);
        texts.push(yaml::to_yaml(&m.values.value));
    }
    let diff = unified(
        &texts[0],
        &texts[1],
        &format!("{a} values"),
        &format!("{b} values"),
        color,
    );
    let differ = !diff.is_empty();
    let stdout = if differ {
        diff
    } else {
        format!("no differences between the values of \"{a}\" and \"{b}\"\n")
    };
    Ok(Outcome {
        stdout,
        diagnostics,
        fail: c.exit_code && differ,
    })
}

/// A unified diff of two texts (3 lines of context) with `---`/`+++`
/// headers; empty when they are equal. `color` paints removals red,
/// additions green and hunk headers cyan.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, color: bool) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    if !color {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let code = if body.starts_with("---") || body.starts_with("+++") {
            Some("1")
        } else if body.starts_with("@@") {
            Some("36")
        } else if body.starts_with('-') {
            Some("31")
        } else if body.starts_with('+') {
            Some("32")
        } else {
            None
        };
        match code {
            Some(c) => out.push_str(&format!("\x1b[{c}m{body}\x1b[0m{nl}")),
            None => out.push_str(line),
        }
    }
    out
}
