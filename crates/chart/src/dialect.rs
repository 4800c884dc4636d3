//! A chart's template dialect (DESIGN §2 "Template dialect"): strata's own
//! (minijinja) or Go's text/template as Helm renders it. Each chart and each
//! subchart has one, decided from its own files.

use std::collections::BTreeMap;

use crate::chart::Metadata;
use crate::diag::{Code, Diagnostic, Error, Location, Result};

/// The Chart.yaml annotation that names a chart's dialect.
pub(crate) const ANNOTATION: &str = "strata.dev/templates";

/// A chart's template dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// strata's own: minijinja with strata's filters, YAML 1.2 values.
    #[default]
    Jinja,
    /// Go templates with Sprig and Helm's functions, rendered as `helm
    /// template` does, with Helm's value semantics (YAML 1.1, float64).
    Go,
}

impl Dialect {
    /// The word `strata envs` and `lint` print, and the annotation takes.
    pub fn word(self) -> &'static str {
        match self {
            Dialect::Jinja => "jinja",
            Dialect::Go => "go",
        }
    }

    /// How values files of a chart in this dialect are typed.
    pub fn typing(self) -> crate::yaml::Typing {
        match self {
            Dialect::Jinja => crate::yaml::Typing::Core,
            Dialect::Go => crate::yaml::Typing::Helm,
        }
    }
}

/// Go's keywords an action may start with (besides `.`, `$`, `/*`).
const GO_KEYWORDS: &[&str] = &[
    "if", "range", "with", "define", "include", "template", "end", "else", "block",
];

/// Where a signal of one dialect was seen.
struct Signal {
    file: String,
    line: u32,
    column: u32,
}

/// The dialect of a chart from its Chart.yaml annotation, else from its
/// templates: `{%` or `{#` mean Jinja; an action starting with `.`, `$`,
/// `/*` or a Go keyword, or passing `.Values` (one of Helm's objects) as an
/// argument, means Go; both at once is an error that asks for
/// the annotation; neither is Jinja. `prefix` places the chart's files in
/// diagnostics (`charts/<sub>/`).
pub fn detect(metadata: &Metadata, files: &BTreeMap<String, Vec<u8>>) -> Result<Dialect> {
    if let Some(word) = metadata.annotations.get(ANNOTATION) {
        return match word.trim() {
            "go" => Ok(Dialect::Go),
            "jinja" => Ok(Dialect::Jinja),
            other => Err(Error::invalid(
                Diagnostic::error(
                    Code::Chart,
                    format!("Chart.yaml: annotation {ANNOTATION}: {other:?} is neither \"go\" nor \"jinja\""),
                )
                .at(Location::new("Chart.yaml", 1, 1)),
            )),
        };
    }
    let mut jinja: Option<Signal> = None;
    let mut go: Option<Signal> = None;
    for (path, bytes) in
        files.range::<String, _>("templates/".to_string().."templates0".to_string())
    {
        if jinja.is_some() && go.is_some() {
            break;
        }
        scan(path, bytes, &mut jinja, &mut go);
    }
    match (jinja, go) {
        (Some(j), Some(g)) => Err(Error::invalid(
            Diagnostic::error(
                Code::Chart,
                "the chart's templates mix strata's dialect ({% or {#) and Go templates; say which they are in Chart.yaml: annotations: {strata.dev/templates: go} (or jinja)",
            )
            .at(Location::new(j.file.as_str(), j.line, j.column))
            .note(format!(
                "a Go template action is at {}:{}:{}",
                g.file, g.line, g.column
            )),
        )),
        (None, Some(_)) => Ok(Dialect::Go),
        _ => Ok(Dialect::Jinja),
    }
}

/// Look for the first signal of each dialect in one template.
fn scan(path: &str, bytes: &[u8], jinja: &mut Option<Signal>, go: &mut Option<Signal>) {
    // Only `{` matters: jump from one to the next (a Go chart is read to
    // its end looking for a Jinja signal), and count lines only for the
    // signal found.
    let at = |i: usize| {
        let before = &bytes[..i];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |nl| nl + 1);
        Signal {
            file: path.to_string(),
            line: u32::try_from(memchr::memchr_iter(b'\n', before).count() + 1).unwrap_or(u32::MAX),
            column: u32::try_from(i - line_start + 1).unwrap_or(u32::MAX),
        }
    };
    let mut i = 0usize;
    while let Some(found) = memchr::memchr(b'{', &bytes[i..]) {
        i += found;
        if i + 1 >= bytes.len() {
            break;
        }
        match bytes[i + 1] {
            b'%' => {
                if jinja.is_none() {
                    *jinja = Some(at(i));
                }
                // `{% raw %}` holds text Jinja prints as it is, often Go
                // templates for another tool: not a signal.
                if let Some(end) = raw_block_end(&bytes[i..]) {
                    i += end;
                    continue;
                }
            }
            b'#' if jinja.is_none() => *jinja = Some(at(i)),
            b'{' => {
                if go.is_none() && is_go_action(&bytes[i + 2..]) {
                    *go = Some(at(i));
                }
                // The action's text is not looked at again: `{{ "{{ .x }}" }}`
                // holds a string, not a second action.
                i += 2 + action_len(&bytes[i + 2..]);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// The length of an action's text up to and including its `}}`, strings
/// (`"…"` with `\` escapes, `'…'`, `` `…` ``) skipped; the rest of the text
/// when it has none.
fn action_len(text: &[u8]) -> usize {
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match quote {
            Some(q) if b == b'\\' && q != b'`' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
            None if b == b'}' && text.get(i + 1) == Some(&b'}') => return i + 2,
            None => {}
        }
        i += 1;
    }
    text.len()
}

/// For text starting with `{% raw %}` (any `-` and spaces), the length up
/// to the end of its `{% endraw %}`.
fn raw_block_end(text: &[u8]) -> Option<usize> {
    let tag = |t: &[u8], word: &[u8]| -> Option<usize> {
        let mut j = 2;
        while j < t.len() && (t[j] == b'-' || t[j] == b'+' || t[j].is_ascii_whitespace()) {
            j += 1;
        }
        if !t[j..].starts_with(word) {
            return None;
        }
        let close = t[j..].windows(2).position(|w| w == b"%}")?;
        Some(j + close + 2)
    };
    let open = tag(text, b"raw")?;
    let mut k = open;
    while k + 1 < text.len() {
        if text[k] == b'{' && text[k + 1] == b'%' {
            if let Some(n) = tag(&text[k..], b"endraw") {
                return Some(k + n);
            }
        }
        k += 1;
    }
    Some(text.len())
}

/// Whether the text after `{{` starts a Go action.
fn is_go_action(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"-").unwrap_or(rest);
    let start = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let rest = &rest[start..];
    if rest.starts_with(b".") || rest.starts_with(b"$") || rest.starts_with(b"/*") {
        return true;
    }
    // A keyword, then a space or the end of the action: `{{ template.name
    // }}` and `{{ range(3) }}` are Jinja expressions.
    GO_KEYWORDS.iter().any(|k| {
        rest.starts_with(k.as_bytes())
            && rest
                .get(k.len())
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'}' || *b == b'-')
    }) || names_helm_object(rest)
}

/// Helm's objects an argument may name (`{{ required "x" .Values.name }}`,
/// `{{ printf "%s" (.Release.Name) }}`).
const HELM_OBJECTS: &[&str] = &[
    ".Values",
    ".Release",
    ".Chart",
    ".Capabilities",
    ".Files",
    ".Template",
];

/// Whether the action (up to its `}}`) passes one of Helm's objects as an
/// argument: `.Values` after a space or `(`, which no Jinja expression
/// can hold.
fn names_helm_object(rest: &[u8]) -> bool {
    let action = &rest[..action_len(rest)];
    // Outside strings only: `{{ "see .Values" }}` is Jinja.
    let mut quote: Option<u8> = None;
    for i in 0..action.len() {
        let b = action[i];
        match quote {
            Some(q) if b == q && (i == 0 || action[i - 1] != b'\\' || q == b'`') => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
            None if i > 0 && (action[i - 1].is_ascii_whitespace() || action[i - 1] == b'(') => {
                let named = HELM_OBJECTS.iter().any(|o| {
                    action[i..].starts_with(o.as_bytes())
                        && action
                            .get(i + o.len())
                            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                });
                if named {
                    return true;
                }
            }
            None => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(templates: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        templates
            .iter()
            .map(|(n, t)| (format!("templates/{n}"), t.as_bytes().to_vec()))
            .collect()
    }

    fn dialect(templates: &[(&str, &str)]) -> Result<Dialect> {
        detect(&Metadata::default(), &files(templates))
    }

    #[test]
    fn signals_decide() {
        assert_eq!(
            dialect(&[("a.yaml", "x: {{ values.a }}")]).unwrap(),
            Dialect::Jinja
        );
        assert_eq!(
            dialect(&[("a.yaml", "{% if x %}{% endif %}")]).unwrap(),
            Dialect::Jinja
        );
        assert_eq!(dialect(&[]).unwrap(), Dialect::Jinja);
        for go in [
            "x: {{ .Values.a }}",
            "{{- $x := 1 }}",
            "{{/* c */}}",
            "{{ include \"x\" . }}",
            "{{- if .Values.a }}{{ end }}",
            "{{ template \"x\" }}",
            "{{ define \"x\" }}{{ end }}",
            "{{ range .Values.a }}{{ end }}",
            "{{ with .x }}{{ end }}",
            "name: {{ required \"name is required\" .Values.name }}",
            "{{ printf \"%s-x\" (.Release.Name) }}",
            "{{ default \"a\" .Chart.Name | quote }}",
        ] {
            assert_eq!(dialect(&[("a.yaml", go)]).unwrap(), Dialect::Go, "{go}");
        }
        // Go templates inside `{% raw %}` are text for another tool.
        assert_eq!(
            dialect(&[(
                "a.yaml",
                "{%- raw %}\n{{ .password }}\n{% endraw -%}\n{{ values.x }}"
            )])
            .unwrap(),
            Dialect::Jinja
        );
        // Jinja's own names and strings that mention Helm's objects are not
        // Go: `.Values` counts only as an argument.
        for jinja in [
            "{{ values.Values }}",
            "{{ x.Release }}",
            "{{ \"see.Values\" }}",
            "{{ f(.5) }}",
            "{{ \"see .Values\" }}",
            "{{ 'a .Chart' ~ x }}",
            "t: '{{ \"{{ .x }}\" }}'",
            "{{ \"}} {{ .Values.x\" }}",
            "{{ default(\"a\", x) }} .Values",
        ] {
            assert_eq!(
                dialect(&[("a.yaml", jinja)]).unwrap(),
                Dialect::Jinja,
                "{jinja}"
            );
        }
        // A word that merely starts like a keyword is not one.
        assert_eq!(
            dialect(&[("a.yaml", "{{ ifx }}{{ ending }}")]).unwrap(),
            Dialect::Jinja
        );
    }

    #[test]
    fn both_signals_ask_for_the_annotation() {
        let e = dialect(&[
            ("a.yaml", "{% set x = 1 %}\n"),
            ("b.yaml", "a\n  {{ \"multi\nline\" }} {{ .Values.x }}"),
        ])
        .unwrap_err()
        .diagnostics()
        .remove(0);
        assert!(
            e.message.contains("strata.dev/templates: go"),
            "{}",
            e.message
        );
        assert_eq!(e.location.unwrap().to_string(), "templates/a.yaml:1:1");
        assert_eq!(
            e.notes,
            ["a Go template action is at templates/b.yaml:3:10"]
        );
    }

    #[test]
    fn the_annotation_decides() {
        let mut m = Metadata::default();
        m.annotations
            .insert(ANNOTATION.to_string(), "go".to_string());
        let f = files(&[("a.yaml", "{% if x %}{% endif %}")]);
        assert_eq!(detect(&m, &f).unwrap(), Dialect::Go);
        m.annotations
            .insert(ANNOTATION.to_string(), "jinja".to_string());
        let f = files(&[("a.yaml", "{{ .Values.x }}")]);
        assert_eq!(detect(&m, &f).unwrap(), Dialect::Jinja);
        m.annotations
            .insert(ANNOTATION.to_string(), "erb".to_string());
        let e = detect(&m, &f).unwrap_err().diagnostics().remove(0);
        assert!(
            e.message.contains("neither \"go\" nor \"jinja\""),
            "{}",
            e.message
        );
    }
}
