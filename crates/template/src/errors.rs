//! minijinja errors as diagnostics pointing at the template source.

use std::error::Error as _;

use minijinja::{Error as TError, ErrorKind};
use strata_chart::{Code, Diagnostic, Location};

use crate::functions::TplText;

/// A template error as a diagnostic: `templates/<name>:line:col`, the
/// source line, and a message without minijinja's location suffix.
/// `source_of` gives a template's text by name when the error carries none.
///
/// An error inside an included or imported template arrives wrapped once
/// per level of inclusion; the diagnostic points at the innermost error,
/// where the mistake is, and notes the chain of includes that led there.
/// Text given to `tpl` is told by the [`TplText`] `tpl` puts in the chain.
pub fn diagnostic(err: &TError, source_of: &dyn Fn(&str) -> Option<String>) -> Diagnostic {
    let mut chain = vec![err];
    let mut tpl: Vec<&TplText> = Vec::new();
    let mut cause = err.source();
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<TplText>() {
            tpl.push(t);
        } else if let Some(inner) = c.downcast_ref::<TError>() {
            chain.push(inner);
        } else {
            break;
        }
        cause = c.source();
    }
    let (root, outer) = chain.split_last().unwrap_or((&err, &[]));
    // The root error is in text given to tpl when it carries the name a
    // `tpl` call rendered that text under.
    let tpl_caller = root
        .name()
        .and_then(|n| tpl.iter().rev().find(|t| t.name == n))
        .map(|t| t.caller.as_str());
    let mut diag = single(root, tpl_caller, source_of);
    // Outer errors are "could not render include" at each include site,
    // innermost first once reversed.
    let sites: Vec<String> = outer
        .iter()
        .rev()
        .filter_map(|e| {
            let how = if e.source().is_some_and(|s| s.is::<TplText>()) {
                "rendered by tpl at"
            } else {
                "included from"
            };
            Some(format!("{how} templates/{}:{}", e.name()?, e.line()?))
        })
        .collect();
    const SHOWN: usize = 4;
    for site in sites.iter().take(SHOWN) {
        diag = diag.note(site.clone());
    }
    if sites.len() > SHOWN {
        diag = diag.note(format!(
            "… and {} more levels of include (a template that includes itself?)",
            sites.len() - SHOWN
        ));
    }
    let mut cause = root.source();
    while let Some(c) = cause {
        diag = diag.note(format!("caused by: {c}"));
        cause = c.source();
    }
    diag
}

fn single(
    err: &TError,
    tpl_caller: Option<&str>,
    source_of: &dyn Fn(&str) -> Option<String>,
) -> Diagnostic {
    let text = err.name().and_then(|name| {
        err.template_source()
            .map(str::to_string)
            .or_else(|| source_of(name))
    });
    let mut msg = message(err);
    if err.kind() == ErrorKind::UndefinedError && err.detail().is_none() {
        // Name the expression that is undefined: the text the error spans.
        let span = text
            .as_deref()
            .zip(err.range())
            .and_then(|(t, r)| t.get(expression_start(t, r.start)..r.end))
            .filter(|s| !s.contains('\n') && !s.is_empty());
        if let Some(expr) = span {
            msg = format!("undefined value: `{expr}`");
        }
    }
    let mut diag = Diagnostic::error(Code::Template, msg);
    if let Some(name) = err.name() {
        let line = err.line().unwrap_or(1);
        let column = match (&text, err.range()) {
            (Some(text), Some(range)) => column_of(text, range.start),
            _ => 1,
        };
        let (file, note) = match tpl_caller {
            Some(caller) => (
                format!("templates/{caller} (text given to tpl)"),
                Some(format!(
                    "the line is in the text that templates/{caller} passed to tpl, not in the template itself"
                )),
            ),
            None => (format!("templates/{name}"), None),
        };
        diag = diag.at(Location::new(file, to_u32(line), to_u32(column)));
        if let Some(text) = &text {
            diag = diag.with_source(text);
            if let Some(range) = err.range() {
                diag = diag.spanning(chars_on_line(text, range.start, range.end));
            }
        }
        if let Some(n) = note {
            diag = diag.note(n);
        }
    }
    for hint in hints(err) {
        diag = diag.note(hint);
    }
    diag
}

/// Where the dotted name ending in the span at `start` begins (the span of
/// an attribute error covers only `.attr`).
fn expression_start(text: &str, start: usize) -> usize {
    let before = &text[..start.min(text.len())];
    let keep = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"' | '\''))
        .last()
        .map_or(before.len(), |(i, _)| i);
    if text.is_char_boundary(keep) {
        keep
    } else {
        start
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How many characters the byte range `start..end` of `text` covers on the
/// line where it starts (0 when it is not a range of `text`).
fn chars_on_line(text: &str, start: usize, end: usize) -> usize {
    text.get(start..end.max(start))
        .map_or(0, |s| s.chars().take_while(|c| *c != '\n').count())
}

/// The 1-based character column of byte `offset` in `text`.
fn column_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text.get(start..offset).map_or(1, |s| s.chars().count() + 1)
}

/// The error's own words, without the `(in name:line)` minijinja adds.
pub fn message(err: &TError) -> String {
    match (err.kind(), err.detail()) {
        (ErrorKind::InvalidOperation, Some(d)) => d.to_string(),
        (ErrorKind::UndefinedError, Some(d)) => d.to_string(),
        (ErrorKind::UndefinedError, None) => "undefined value".to_string(),
        (ErrorKind::OutOfFuel, _) => {
            "the template ran too long and was stopped (an unbounded or very large loop?)"
                .to_string()
        }
        (kind, Some(d)) => format!("{kind}: {d}"),
        (kind, None) => kind.to_string(),
    }
}

fn hints(err: &TError) -> Vec<String> {
    match (err.kind(), err.detail()) {
        (ErrorKind::UndefinedError, _) => vec![
            "a value the template uses is not set; guard it with `{% if x is defined %}`, `{% if x %}` or `x | default(...)`".to_string(),
        ],
        (ErrorKind::InvalidOperation, Some(d)) if d.contains("recursion limit") => vec![
            "a macro, include or loop calls itself without end; check its stopping condition".to_string(),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{context, Environment};

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        crate::engine::configure(&mut env);
        env
    }

    fn file(d: &Diagnostic) -> String {
        d.location
            .as_ref()
            .map(|l| l.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn text_given_to_tpl_is_told_by_the_error_tpl_returns() {
        let mut env = env();
        env.add_template_owned("cm.yaml", "a\n{{ tpl(values.t) }}")
            .unwrap_or_else(|e| panic!("{e}"));
        let tmpl = env
            .get_template("cm.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = tmpl
            .render(context! { values => context!{ t => "x {{ values.nme.a }}" } })
            .unwrap_err();
        let d = diagnostic(&err, &|_| None);
        assert_eq!(file(&d), "templates/cm.yaml (text given to tpl):1:12");
        assert!(d
            .notes
            .contains(&"rendered by tpl at templates/cm.yaml:2".to_string()));
    }

    #[test]
    fn a_template_named_like_tpl_text_is_a_template() {
        // Only the name a `tpl` call registered counts, not its wording.
        let mut env = env();
        env.add_template_owned("tpl in cm.yaml", "a\n{{ values.nme.a }}")
            .unwrap_or_else(|e| panic!("{e}"));
        let tmpl = env
            .get_template("tpl in cm.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = tmpl.render(context! { values => context!{} }).unwrap_err();
        let d = diagnostic(&err, &|_| None);
        assert_eq!(file(&d), "templates/tpl in cm.yaml:2:10");
        assert!(d.notes.iter().all(|n| !n.contains("tpl")), "{:?}", d.notes);
    }

    #[test]
    fn a_span_counts_characters_up_to_the_end_of_its_line() {
        assert_eq!(chars_on_line("{{ héllo }}", 3, 9), 5);
        assert_eq!(chars_on_line("{{ a\n b }}", 3, 8), 1);
        assert_eq!(chars_on_line("ab", 1, 99), 0);
        assert_eq!(chars_on_line("ab", 2, 1), 0);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(column_of("ab\ncdé f", 3), 1);
        assert_eq!(column_of("ab\ncdé f", 8), 5);
        assert_eq!(column_of("x", 99), 2);
    }
}
