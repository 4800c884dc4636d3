//! Tracing a finding in a rendered document back to the template line
//! that wrote it and the value behind it (DESIGN §6).
//!
//! Neither template engine records which template line printed which
//! output line, so [`TemplateTracer`] works from texts alone, the same way
//! for both dialects:
//!
//! 1. **Template line.** Every line of the rendered document and of its
//!    template is reduced to a *signature*: its YAML key with any `- `
//!    before it (`replicas:`, `- name:`), or, for a line without a key, its
//!    whole trimmed text. Template lines whose key is itself templated, and
//!    lines that are only template code (`{% if %}`, `{{- include … }}`),
//!    have no signature. The two sequences are aligned with a Myers diff;
//!    a rendered line paired with a template line was written by it. Lines
//!    that come out of an expression (`toyaml`, `indent`, `include`, a
//!    macro) match nothing and are not traced: the finding then keeps its
//!    place in the rendered document.
//! 2. **Value.** When the template line holds an expression (`{{`), the
//!    value paths it names (`values.a.b` in Jinja, `.Values.a.b` in Go) are
//!    looked up in the merged values; one whose text is the field's text
//!    is the value behind it, and its origin (file:line:col, or the `--set`
//!    flag) is reported. When the line names no such path (a variable, a
//!    macro argument), the value is reported only when exactly one value
//!    of all the merged values has that text, and the note says it is a
//!    guess.
//!
//! What an engine could supply to make this exact instead: for each
//! rendered document, the template line (and column) that produced each
//! output line, and for each printed scalar the values path it was read
//! from. [`Tracer`] is the seam: an engine with that information
//! implements it directly.

use strata_chart::value::{Node, Value};
use strata_chart::Location;

/// What a finding's field is: a value, or a key (unknown and missing
/// fields).
#[derive(Clone, Copy, Debug)]
pub enum Field<'a> {
    /// The value at the finding's place.
    Value,
    /// The key `.0` of the map at the finding's place.
    Key(&'a str),
}

/// Where a finding in a rendered document comes from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traced {
    /// The template line (and column) that wrote the field.
    pub template: Option<Location>,
    /// That line's text.
    pub snippet: Option<String>,
    /// Further notes (the value's origin).
    pub notes: Vec<String>,
}

/// Where a line of a rendered stream came from.
pub(crate) trait Tracer: Sync {
    /// Trace a finding at `at` (its place in the rendered text) about
    /// `node`.
    fn trace(&self, at: &Location, node: &Node, field: Field<'_>) -> Traced;
}

/// [`Tracer`] for one rendered document and the template that rendered
/// it, from their texts (see the module documentation).
pub(crate) struct TemplateTracer<'a> {
    /// The template's path as reported (`templates/deployment.yaml`).
    path: String,
    template: Vec<&'a str>,
    /// For each line of the rendered document (0-based), the template
    /// line (0-based) that wrote it.
    lines: Vec<Option<usize>>,
    values: &'a Node,
}

impl<'a> TemplateTracer<'a> {
    /// A tracer for `rendered` (one document's text) made by `template`
    /// (its source, reported as `path`), with the merged `values`.
    pub fn new(path: &str, template: &'a str, rendered: &str, values: &'a Node) -> Self {
        let tlines: Vec<&str> = template.lines().collect();
        let rlines: Vec<&str> = rendered.lines().collect();
        let tsig: Vec<(usize, String)> = tlines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| template_signature(l).map(|s| (i, s)))
            .collect();
        let rsig: Vec<(usize, String)> = rlines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| rendered_signature(l).map(|s| (i, s)))
            .collect();
        let a: Vec<&str> = tsig.iter().map(|(_, s)| s.as_str()).collect();
        let b: Vec<&str> = rsig.iter().map(|(_, s)| s.as_str()).collect();
        let mut lines = vec![None; rlines.len()];
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b) {
            if let similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                for k in 0..len {
                    if let (Some((t, _)), Some((r, _))) =
                        (tsig.get(old_index + k), rsig.get(new_index + k))
                    {
                        if let Some(slot) = lines.get_mut(*r) {
                            *slot = Some(*t);
                        }
                    }
                }
            }
        }
        TemplateTracer {
            path: path.to_string(),
            template: tlines,
            lines,
            values,
        }
    }
}

impl Tracer for TemplateTracer<'_> {
    fn trace(&self, at: &Location, node: &Node, field: Field<'_>) -> Traced {
        let mut out = Traced::default();
        let Some(r) = usize::try_from(at.line).ok().and_then(|l| l.checked_sub(1)) else {
            return out;
        };
        let Some(t) = self.lines.get(r).copied().flatten() else {
            return out;
        };
        let Some(line) = self.template.get(t).copied() else {
            return out;
        };
        let key_col = line.len() - line.trim_start().len();
        let key_col = if line[key_col..].starts_with("- ") {
            key_col + 2
        } else {
            key_col
        };
        let col = match field {
            Field::Key(_) => key_col,
            Field::Value => line.find("{{").unwrap_or_else(|| {
                // Static text: the value after `key: `.
                line.find(": ").map_or(key_col, |i| i + 2)
            }),
        };
        let column = line[..col.min(line.len())].chars().count() + 1;
        out.template = Some(Location::new(
            self.path.as_str(),
            u32::try_from(t + 1).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        ));
        out.snippet = Some(line.trim_end_matches('\r').to_string());
        if matches!(field, Field::Value) && line.contains("{{") {
            if let Some(note) = self.value_note(line, node) {
                out.notes.push(note);
            }
        }
        out
    }
}

impl TemplateTracer<'_> {
    fn value_note(&self, line: &str, node: &Node) -> Option<String> {
        let text = scalar_text(&node.value)?;
        for path in value_paths(line) {
            let Some(v) = self.values.get_path(&path) else {
                continue;
            };
            if scalar_text(&v.value).as_deref() == Some(text.as_str()) {
                return Some(format!("value {} from {}", path.join("."), v.origin));
            }
        }
        let mut found = Vec::new();
        find_text(self.values, &mut Vec::new(), &text, &mut found);
        match found.as_slice() {
            [(path, v)] => Some(format!(
                "value probably {} from {} (the only value with this text)",
                path.join("."),
                v.origin
            )),
            _ => None,
        }
    }
}

/// A scalar's text as a template would have printed it.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Seq(_) | Value::Map(_) => None,
        other => Some(strata_yaml::scalar_text(other)),
    }
}

fn find_text<'n>(
    n: &'n Node,
    path: &mut Vec<String>,
    text: &str,
    out: &mut Vec<(Vec<String>, &'n Node)>,
) {
    if out.len() > 1 {
        return;
    }
    match &n.value {
        Value::Map(m) => {
            for (k, v) in m {
                path.push(k.clone());
                find_text(v, path, text, out);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                find_text(v, path, text, out);
                path.pop();
            }
        }
        v => {
            if scalar_text(v).as_deref() == Some(text) {
                out.push((path.clone(), n));
            }
        }
    }
}

/// The values paths a template line names: `values.a.b` (Jinja) and
/// `.Values.a.b` (Go).
fn value_paths(line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for prefix in [".Values.", "values."] {
        let mut rest = line;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().next_back();
            let after = &rest[i + prefix.len()..];
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
                .unwrap_or(after.len());
            // `xvalues.a` is another name; `.Values.` is matched apart.
            let standalone = prefix.starts_with('.')
                || !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            let path: Vec<String> = after[..end]
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if standalone && !path.is_empty() && !out.contains(&path) {
                out.push(path);
            }
            rest = &after[end..];
        }
    }
    out
}

/// A rendered line's signature: `key:` (with `- ` before it when it starts
/// a list item), or its trimmed text.
fn rendered_signature(line: &str) -> Option<String> {
    let t = line.trim();
    if t.is_empty() {
        return None;
    }
    Some(signature(t))
}

/// A template line's signature, or `None` for lines that are template
/// code only or whose key is templated.
fn template_signature(line: &str) -> Option<String> {
    let t = line.trim();
    if t.is_empty() || t.starts_with("{%") || t.starts_with("{#") {
        return None;
    }
    if t.starts_with("{{") && t.ends_with("}}") && !t[2..].contains("}}:") {
        // An expression alone on its line: its output has no fixed text.
        return None;
    }
    let sig = signature(t);
    if sig.contains("{{") || sig.contains("{%") {
        return None;
    }
    Some(sig)
}

fn signature(t: &str) -> String {
    let (dash, rest) = match t.strip_prefix("- ") {
        Some(r) => ("- ", r.trim_start()),
        None => ("", t),
    };
    match key_of(rest) {
        Some(k) => format!("{dash}{k}:"),
        None => format!("{dash}{rest}"),
    }
}

/// The key of `key: value` or `key:`, when the line starts with one.
fn key_of(t: &str) -> Option<&str> {
    let i = t.find(':')?;
    let after = &t[i + 1..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
        return None;
    }
    let key = &t[..i];
    if key.is_empty() || key.contains(' ') && !key.starts_with('"') && !key.starts_with('\'') {
        return None;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn values(src: &str) -> Node {
        strata_yaml::load_values(src, &Arc::from("environments/prod.yaml")).unwrap()
    }

    #[test]
    fn aligns_rendered_lines_with_their_template_lines() {
        let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ release.name }}\nspec:\n{% if values.replicas %}\n  replicas: {{ values.replicas | quote }}\n{% endif %}\n  template:\n    spec:\n      containers: {{ values.containers | tojson }}\n";
        let rendered = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \"3\"\n  template:\n    spec:\n      containers: []\n";
        let v = values("replicas: 3\ncontainers: []\n");
        let t = TemplateTracer::new("templates/deployment.yaml", template, rendered, &v);
        let node = Node::generated(Value::Str("3".into()));
        let traced = t.trace(&Location::new("x", 6, 13), &node, Field::Value);
        assert_eq!(
            traced.template,
            Some(Location::new("templates/deployment.yaml", 7, 13))
        );
        assert_eq!(
            traced.snippet.as_deref(),
            Some("  replicas: {{ values.replicas | quote }}")
        );
        assert_eq!(
            traced.notes,
            ["value replicas from environments/prod.yaml:1:11"]
        );
        let traced = t.trace(&Location::new("x", 8, 5), &node, Field::Key("spec"));
        assert_eq!(
            traced.template,
            Some(Location::new("templates/deployment.yaml", 10, 5))
        );
        assert!(traced.notes.is_empty());
    }

    #[test]
    fn lines_from_expressions_are_not_traced() {
        let template = "spec:\n  {{ values.spec | toyaml | indent(2) }}\n";
        let rendered = "spec:\n  replicas: 3\n";
        let v = values("spec: {replicas: 3}\n");
        let t = TemplateTracer::new("templates/x.yaml", template, rendered, &v);
        let node = Node::generated(Value::Int(3));
        let traced = t.trace(&Location::new("x", 2, 13), &node, Field::Value);
        assert!(traced.template.is_none());
    }

    #[test]
    fn a_value_without_a_path_on_the_line_is_a_guess_only_when_unique() {
        let template = "  image: {{ img }}\n";
        let rendered = "  image: 5\n";
        let v = values("image:\n  tag: 5\n");
        let t = TemplateTracer::new("templates/x.yaml", template, rendered, &v);
        let node = Node::generated(Value::Int(5));
        let traced = t.trace(&Location::new("x", 1, 10), &node, Field::Value);
        assert_eq!(
            traced.notes,
            ["value probably image.tag from environments/prod.yaml:2:8 (the only value with this text)"]
        );
        let v = values("a: 5\nb: 5\n");
        let t = TemplateTracer::new("templates/x.yaml", template, rendered, &v);
        assert!(t
            .trace(&Location::new("x", 1, 10), &node, Field::Value)
            .notes
            .is_empty());
    }

    #[test]
    fn finds_value_paths_of_both_dialects() {
        assert_eq!(
            value_paths("a: {{ values.image.tag }} {{ .Values.b_c.d | quote }} {{ myvalues.x }}"),
            vec![
                vec!["b_c".to_string(), "d".to_string()],
                vec!["image".to_string(), "tag".to_string()]
            ]
        );
    }
}
