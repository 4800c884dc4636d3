//! Writing: block YAML as Helm's `toYaml` lays it out. The one emitter of
//! strata's own output: values printing (`strata values`, diffs) and the
//! Jinja engine's `toyaml` (over its template values, through [`Emit`]).
//!
//! The Go engine's `toYaml` (strata-gotemplate's `funcs/yaml.rs`) does not
//! share it, because its output is go-yaml v2's and differs in bytes, not
//! in style options: a value goes through encoding/json first (numbers
//! re-typed, NaN an error); keys are sorted in go-yaml's "natural" order
//! (digit runs by number); strings are quoted by libyaml's scalar analysis
//! (single quotes where this one writes double, different escapes); plain
//! and quoted strings longer than 80 columns are folded, which needs the
//! column bookkeeping of libyaml's emitter that module ports; `toYamlPretty`
//! indents lists under their key. A style parameter here would be a second
//! emitter behind an `if`; the Go one stays a port checked against Helm's
//! output (the Helm corpus), this one stays strata's.

use crate::scalar::{float_to_string, is_core_float};
use std::borrow::Cow;

use crate::value::Value;

/// Print a value as block YAML, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    match emit(value) {
        Ok(text) => text,
        Err(never) => match never {},
    }
}

/// What the emitter needs of a tree, so that one layout prints both
/// strata's values ([`Value`]) and a template engine's own values (the
/// Jinja engine's `toyaml` prints those without first building a tree).
pub trait Emit: Clone {
    /// Why a node cannot be printed (a template value that is undefined, a
    /// map key that is not a string, …); printing stops at the first.
    type Error;
    /// The node's shape: a non-empty map or list, or anything else.
    fn shape(&self) -> Result<Shape<'_, Self>, Self::Error>;
}

/// A node as the emitter lays it out.
pub enum Shape<'a, N: Clone> {
    /// A non-empty map: its keys and values, in order.
    Map(Vec<(Cow<'a, str>, Cow<'a, N>)>),
    /// A non-empty list: its items.
    Seq(Vec<Cow<'a, N>>),
    /// A scalar, or an empty map or list, as a [`Value`].
    Scalar(Cow<'a, Value>),
}

impl Emit for Value {
    type Error = std::convert::Infallible;

    fn shape(&self) -> Result<Shape<'_, Value>, Self::Error> {
        Ok(match self {
            Value::Map(m) if !m.is_empty() => Shape::Map(
                m.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(&v.value)))
                    .collect(),
            ),
            Value::Seq(s) if !s.is_empty() => {
                Shape::Seq(s.iter().map(|n| Cow::Borrowed(&n.value)).collect())
            }
            other => Shape::Scalar(Cow::Borrowed(other)),
        })
    }
}

/// Print a node as block YAML, ending in a newline: the layout of Helm's
/// `toYaml` (lists not indented under their key, multi-line strings as
/// literal blocks), with strings quoted where a YAML 1.1 reader would type
/// them otherwise.
pub fn emit<N: Emit>(node: &N) -> Result<String, N::Error> {
    let mut out = String::new();
    match node.shape()? {
        Shape::Map(m) => emit_map(&mut out, m, 0, false)?,
        Shape::Seq(s) => emit_seq(&mut out, s, 0, false)?,
        Shape::Scalar(v) => emit_scalar(&mut out, &v, 0),
    }
    Ok(out)
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn emit_map<N: Emit>(
    out: &mut String,
    map: Vec<(Cow<'_, str>, Cow<'_, N>)>,
    ind: usize,
    first_inline: bool,
) -> Result<(), N::Error> {
    for (i, (k, v)) in map.into_iter().enumerate() {
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str(&quote_if_needed(&k));
        out.push(':');
        match v.shape()? {
            Shape::Map(m) => {
                out.push('\n');
                emit_map(out, m, ind + 2, false)?;
            }
            Shape::Seq(s) => {
                out.push('\n');
                emit_seq(out, s, ind, false)?;
            }
            Shape::Scalar(v) => {
                out.push(' ');
                emit_scalar(out, &v, ind + 2);
            }
        }
    }
    Ok(())
}

fn emit_seq<N: Emit>(
    out: &mut String,
    items: Vec<Cow<'_, N>>,
    ind: usize,
    first_inline: bool,
) -> Result<(), N::Error> {
    for (i, item) in items.into_iter().enumerate() {
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str("- ");
        match item.shape()? {
            Shape::Map(m) => emit_map(out, m, ind + 2, true)?,
            Shape::Seq(s) => emit_seq(out, s, ind + 2, true)?,
            Shape::Scalar(v) => emit_scalar(out, &v, ind + 2),
        }
    }
    Ok(())
}

/// A scalar (or an empty map or list) and its newline; a multi-line
/// string as a literal block indented by `ind`.
fn emit_scalar(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Str(s) if is_block_candidate(s) => emit_block_str(out, s, ind),
        other => {
            out.push_str(&scalar_text(other));
            out.push('\n');
        }
    }
}

/// Whether a string prints as a literal block (`|`): multi-line, and
/// lossless that way. `toyaml` of template values uses it too.
pub fn is_block_candidate(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && !s.chars().any(|c| c != '\n' && c != '\t' && c.is_control())
        && !s.contains('\u{feff}')
        && s.split('\n').all(|l| !l.ends_with([' ', '\t']))
}

/// Print `s` as a literal block (`|`, `|-` or `|+` by its trailing newlines)
/// with its lines indented by `ind`; see [`is_block_candidate`].
pub fn emit_block_str(out: &mut String, s: &str, ind: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    let body = if trailing == 1 { &s[..s.len() - 1] } else { s };
    let body = if trailing > 1 {
        body.strip_suffix('\n').unwrap_or(body)
    } else {
        body
    };
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, ind);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A scalar's YAML text (strings quoted when needed).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_to_string(*f),
        Value::Str(s) => quote_if_needed(s),
        Value::Seq(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

/// A string as a YAML scalar: plain when every reader takes it for the same
/// string, double-quoted otherwise.
pub fn quote_if_needed(s: &str) -> String {
    if needs_quotes(s) {
        double_quote(s)
    } else {
        s.to_string()
    }
}

/// Whether a plain scalar `s` would not read back as the same string, in
/// YAML 1.2 or in YAML 1.1 (which Kubernetes and Helm use).
pub fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return true;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    if first == '-' && (s.len() == 1 || s[1..].starts_with(' ') || s.starts_with("---")) {
        return true;
    }
    // `...` at the start of a line ends the document (found by fuzzing:
    // the key `... ...` printed plain did not read back).
    if s.starts_with("...") {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return true;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return true;
    }
    is_yaml11_special(s) || looks_numeric(s)
}

/// Words a YAML 1.1 or 1.2 reader takes for booleans or null.
pub fn is_yaml11_special(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "null"
            | "Null"
            | "NULL"
            | "~"
            | "="
            | "<<"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    )
}

/// Whether some YAML reader (1.1 octal `0755`, `1_000`, hex, `1e3`, `.5`,
/// sexagesimal `1:20`) would take `s` for a number.
pub fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    // Every numeric form starts (underscores aside) with a digit or a dot:
    // words, the usual case, are answered without allocating.
    if !body
        .bytes()
        .find(|b| *b != b'_')
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        return false;
    }
    let body: String = body.chars().filter(|c| *c != '_').collect();
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return !rest.is_empty() && rest.chars().all(|c| c.is_digit(radix));
        }
    }
    if body.contains(':') {
        // YAML 1.1 sexagesimal: 1:20, 190:20:30.15
        let mut parts = body.split(':');
        let head_ok = parts
            .next()
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()));
        return head_ok
            && parts.all(|p| {
                let int = p.split('.').next().unwrap_or("");
                !int.is_empty()
                    && int.len() <= 2
                    && p.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            });
    }
    is_core_float(&body)
}

/// `s` as a double-quoted YAML scalar.
pub fn double_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{feff}' => out.push_str("\\ufeff"),
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
