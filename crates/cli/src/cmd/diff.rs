//! `strata diff`: what differs between two environments.

use std::io::IsTerminal;

use strata_chart::chart::Chart;
use strata_chart::values::{self, Request};
use strata_chart::{Code, Diagnostic, Error, Result};
use strata_template::diff::{self, Resource, Side, NAMESPACE_PLACEHOLDER};
use strata_template::{Engine, RenderOptions};
use strata_yaml as yaml;

use crate::args::{ColorChoice, DiffCmd};
use crate::Outcome;

pub fn run(c: DiffCmd) -> Result<Outcome> {
    if c.env.is_empty() {
        super::load_chart(&c.chart)?.environments.require(
            None,
            "diff",
            "give two with --env A --env B",
        )?;
    }
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
        return rendered(&chart, a, b, c.exit_code, color);
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
        let mut values = m.values;
        strata_chart::schema::redact(&mut values, &m.secrets);
        texts.push(yaml::to_yaml(&values.value));
    }
    let diff = unified(
        &texts[0],
        &texts[1],
        &format!("{a} values"),
        &format!("{b} values"),
        color,
    );
    let differ = !diff.is_empty();
    // As `diff` and `git diff`: nothing on stdout when nothing differs, so
    // scripts can test for empty output; the note is for people.
    if !differ {
        diagnostics.push(Diagnostic::info(
            Code::Diff,
            format!("no differences between the values of \"{a}\" and \"{b}\""),
        ));
    }
    Ok(Outcome {
        stdout: diff,
        diagnostics,
        fail: c.exit_code && differ,
        ..Outcome::default()
    })
}

/// Render both environments with one engine and diff them resource by resource.
fn rendered(chart: &Chart, a: &str, b: &str, exit_code: bool, color: bool) -> Result<Outcome> {
    let engine = Engine::new(chart)?;
    let mut diagnostics = Vec::new();
    let mut docs = Vec::new();
    for name in [a, b] {
        let env = chart.environments.get(name)?;
        let m = values::merge(
            chart,
            &Request {
                env: Some(name.to_string()),
                ..Request::default()
            },
        )
        .map_err(|e| e.in_env(name))?;
        diagnostics.extend(m.warnings);
        let r = engine
            .render(Some(env), &m.values, &RenderOptions::default())
            .map_err(|e| e.in_env(name))?;
        // The secret values themselves, to hide wherever they are printed.
        let secrets = strata_chart::schema::secret_texts(&m.values, &m.secrets);
        docs.push((env, r.documents, secrets));
    }
    let side = |i: usize| -> Side<'_> {
        let (env, list, secrets) = &docs[i];
        Side {
            env: &env.name,
            namespace: &env.namespace,
            secrets: secrets.clone(),
            resources: list
                .iter()
                .map(|d| Resource {
                    kind: &d.kind,
                    namespace: d.namespace.as_deref(),
                    name: &d.name,
                    body: &d.body,
                })
                .collect(),
        }
    };
    let (old, new) = (side(0), side(1));
    let diffs = diff::diff(&old, &new);
    // Notes go to stderr: stdout holds the differences only, and nothing
    // when there are none (as `diff` and `git diff`).
    diagnostics.push(Diagnostic::info(
        Code::Diff,
        if old.namespace == new.namespace {
            format!(
                "namespace {} ({a} and {b}) is shown as {NAMESPACE_PLACEHOLDER}",
                old.namespace
            )
        } else {
            format!(
                "namespaces normalised: {} ({a}) and {} ({b}) are shown as {NAMESPACE_PLACEHOLDER}",
                old.namespace, new.namespace
            )
        },
    ));
    let stdout = if diffs.is_empty() {
        diagnostics.push(Diagnostic::info(
            Code::Diff,
            format!("no differences between the rendered resources of \"{a}\" and \"{b}\""),
        ));
        String::new()
    } else {
        paint(&diff::to_text(&old, &new, &diffs), color)
    };
    Ok(Outcome {
        stdout,
        diagnostics,
        fail: exit_code && !diffs.is_empty(),
        ..Outcome::default()
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
    paint(&text, color)
}

/// Colour a unified diff: removals red, additions green, hunk headers cyan.
fn paint(text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
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
