//! strata's filters and functions beyond minijinja's builtins, with Helm's
//! semantics unless the docs (docs/templates.md) say otherwise.
//!
//! Filters: `toyaml`, `default`, `fromyaml`, `fromjson`, `indent`,
//! `nindent`, `quote`, `squote`, `b64encode`, `b64decode`, `sha256`,
//! `trunc`, `trimprefix`, `trimsuffix`, `required`, `tpl`.
//! Functions: `fail`, `tpl`, `semver_compare`, `lookup` (always an error:
//! rendering is offline).

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use base64::Engine as _;
use minijinja::value::{Value as TValue, ValueKind};
use minijinja::{Environment, Error as TError, ErrorKind, State};
use sha2::Digest as _;

use crate::budget;
use crate::convert::{from_template, to_template, tree_of};

mod yaml;

/// How deeply `tpl` may call itself (through values that call `tpl`).
pub(crate) const MAX_TPL_DEPTH: usize = 16;

/// Register every strata filter and function on `env`.
pub(crate) fn add_to_environment(env: &mut Environment<'_>) {
    env.add_filter("toyaml", toyaml);
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("fromyaml", fromyaml);
    env.add_filter("fromjson", fromjson);
    env.add_filter("tojson", tojson);
    env.add_filter("string", string);
    env.add_filter("asconfig", asconfig);
    env.add_filter("assecrets", assecrets);
    env.add_filter("join", join);
    // minijinja builtins that can build large results, with the budget.
    env.add_filter("replace", replace);
    env.add_filter("format", format);
    env.add_filter("pprint", pprint);
    env.add_filter("batch", batch);
    env.add_filter("slice", slice);
    env.add_filter("indent", indent);
    env.add_filter("nindent", nindent);
    env.add_filter("quote", quote);
    env.add_filter("squote", squote);
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("sha256", sha256);
    env.add_filter("trunc", trunc);
    env.add_filter("trimprefix", trimprefix);
    env.add_filter("trimsuffix", trimsuffix);
    env.add_filter("required", required);
    env.add_filter("tpl", tpl);
    env.add_function("tpl", tpl);
    env.add_function("fail", fail);
    env.add_function("semver_compare", semver_compare);
    env.add_function("lookup", lookup);
}

fn invalid(msg: impl Into<String>) -> TError {
    TError::new(ErrorKind::InvalidOperation, msg.into())
}

fn undefined(what: &str) -> TError {
    TError::new(
        ErrorKind::UndefinedError,
        format!(
            "{what} got an undefined value; test it with `is defined` or give a `| default(...)`"
        ),
    )
}

/// A scalar as the string Helm's functions would see; undefined is an error,
/// null is the empty string, maps and lists are refused.
fn text_of(what: &str, v: &TValue) -> Result<String, TError> {
    text_ref(what, v).map(Cow::into_owned)
}

/// [`text_of`], borrowing the text of a string value instead of copying it.
fn text_ref<'a>(what: &str, v: &'a TValue) -> Result<Cow<'a, str>, TError> {
    match v.kind() {
        ValueKind::Undefined => Err(undefined(what)),
        ValueKind::None => Ok(Cow::Borrowed("")),
        ValueKind::String => Ok(Cow::Borrowed(v.as_str().unwrap_or_default())),
        ValueKind::Bool | ValueKind::Number => Ok(Cow::Owned(scalar_string(v))),
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable => Err(invalid(format!(
            "{what} takes a string, not a {}; print structures with `| toyaml`",
            v.kind()
        ))),
        _ => Ok(Cow::Owned(v.to_string())),
    }
}

/// How a scalar prints: YAML's `true`/`false`/`null`, numbers as written.
pub(crate) fn scalar_string(v: &TValue) -> String {
    match v.kind() {
        ValueKind::None => "null".into(),
        ValueKind::Bool => if v.is_true() { "true" } else { "false" }.into(),
        ValueKind::Number => match from_template(v) {
            Ok(strata_chart::Value::Float(f)) => strata_yaml::float_to_string(f),
            _ => v.to_string(),
        },
        _ => v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
    }
}

/// `x | string`: a scalar as it prints (`true`, `null`), unlike minijinja's
/// Python-style `True`/`None`.
pub fn string(v: &TValue) -> Result<String, TError> {
    match v.kind() {
        ValueKind::Undefined => Err(undefined("string")),
        ValueKind::None | ValueKind::Bool | ValueKind::Number | ValueKind::String => {
            Ok(scalar_string(v))
        }
        _ => {
            budget::shape("string", v)?;
            budget::display("string", v)
        }
    }
}

/// `list | join(sep)`: items printed as YAML scalars (`true`, `null`).
pub fn join(v: &TValue, sep: Option<&str>) -> Result<String, TError> {
    if v.is_undefined() {
        return Err(undefined("join"));
    }
    let sep = sep.unwrap_or("");
    if let Some(s) = v.as_str() {
        // A string joins its characters, as in minijinja.
        budget::string(
            "join",
            s.len()
                .saturating_add(s.chars().count().saturating_mul(sep.len())),
        )?;
        return Ok(s.chars().map(String::from).collect::<Vec<_>>().join(sep));
    }
    let mut parts = Vec::new();
    let mut len: usize = 0;
    for item in v.try_iter()? {
        let part = string(&item)?;
        len = len.saturating_add(part.len()).saturating_add(sep.len());
        if len > budget::MAX_STRING {
            budget::string("join", len)?;
        }
        parts.push(part);
    }
    budget::string("join", len)?;
    Ok(parts.join(sep))
}

/// `text | replace(from, to)` (minijinja's), its result's size checked
/// before it is built.
pub fn replace(v: &TValue, from: &str, to: &str) -> Result<String, TError> {
    let text = match v.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(budget::display("replace", v)?),
    };
    let hits = if from.is_empty() {
        text.chars().count() + 1
    } else {
        text.matches(from).count()
    };
    let len = (text.len() - hits.saturating_mul(from.len()).min(text.len()))
        .saturating_add(hits.saturating_mul(to.len()));
    budget::string("replace", len)?;
    Ok(text.replace(from, to))
}

/// `fmt | format(args…)` (minijinja's printf-style), refusing a field
/// width or precision over a million before formatting.
pub fn format(fmt: &str, args: minijinja::value::Rest<TValue>) -> Result<String, TError> {
    let mut run: u64 = 0;
    for b in fmt.bytes().chain(std::iter::once(b' ')) {
        if b.is_ascii_digit() {
            run = run.saturating_mul(10).saturating_add(u64::from(b - b'0'));
            if run > 1_000_000 {
                return Err(invalid(
                    "format: a field width or precision over 1000000 is refused (the result would be too large)",
                ));
            }
        } else {
            run = 0;
        }
    }
    for a in args.iter() {
        budget::shape("format", a)?;
    }
    let out = minijinja::format_filter(minijinja::FormatStyle::Printf, fmt, &args)?;
    budget::string("format", out.len())?;
    Ok(out)
}

/// `x | pprint` (minijinja's), bounded.
pub fn pprint(v: &TValue) -> Result<String, TError> {
    budget::shape("pprint", v)?;
    let mut out = String::new();
    std::fmt::Write::write_fmt(&mut out, format_args!("{v:#?}"))
        .map_err(|_| invalid("pprint: cannot print this value"))?;
    budget::string("pprint", out.len())?;
    Ok(out)
}

fn check_count(what: &str, count: usize) -> Result<(), TError> {
    if count > budget::MAX_ITEMS {
        return Err(invalid(format!(
            "{what}({count}): over the limit of {} items",
            budget::MAX_ITEMS
        )));
    }
    Ok(())
}

/// `list | batch(n, fill)` (minijinja's), `n` bounded.
pub fn batch(
    state: &State,
    v: TValue,
    count: usize,
    fill: Option<TValue>,
) -> Result<TValue, TError> {
    check_count("batch", count)?;
    minijinja::filters::batch(state, v, count, fill)
}

/// `list | slice(n, fill)` (minijinja's), `n` bounded.
pub fn slice(
    state: &State,
    v: TValue,
    count: usize,
    fill: Option<TValue>,
) -> Result<TValue, TError> {
    check_count("slice", count)?;
    minijinja::filters::slice(state, v, count, fill)
}

/// The (file name, content) pairs of a `files.glob(...)` map, keyed by
/// base name as Helm's `AsConfig`/`AsSecrets` do.
fn file_pairs(what: &str, files: &TValue) -> Result<Vec<(String, String)>, TError> {
    if files.kind() != ValueKind::Map {
        return Err(invalid(format!(
            "{what} takes the map files.glob(...) returns, not {}",
            files.kind()
        )));
    }
    let mut out = Vec::new();
    for key in files.try_iter()? {
        let path = text_of(what, &key)?;
        let base = path.rsplit('/').next().unwrap_or(&path).to_string();
        out.push((base, text_of(what, &files.get_item(&key)?)?));
    }
    Ok(out)
}

/// `files.glob("config/*") | asconfig`: ConfigMap `data` lines (Helm's
/// `.AsConfig`), file base names to contents, as YAML without trailing newline.
pub(crate) fn asconfig(files: &TValue) -> Result<String, TError> {
    let map = file_pairs("asconfig", files)?
        .into_iter()
        .map(|(k, v)| (k, TValue::from(v)));
    toyaml(&TValue::from_iter(map))
}

/// `files.glob("secrets/*") | assecrets`: Secret `data` lines (Helm's
/// `.AsSecrets`), base names to base64 contents.
pub(crate) fn assecrets(files: &TValue) -> Result<String, TError> {
    let map = file_pairs("assecrets", files)?.into_iter().map(|(k, v)| {
        (
            k,
            TValue::from(base64::engine::general_purpose::STANDARD.encode(v)),
        )
    });
    toyaml(&TValue::from_iter(map))
}

/// `x | toyaml`: block YAML, Helm's layout, no trailing newline; strings a
/// YAML 1.1 reader would retype come out quoted.
pub fn toyaml(v: &TValue) -> Result<String, TError> {
    if v.is_undefined() {
        return Err(undefined("toyaml"));
    }
    budget::shape("toyaml", v)?;
    // Values straight from the tree; the layout is the tree's.
    let mut s = match tree_of(v) {
        Some(node) => strata_yaml::to_yaml(&node.value),
        None => match yaml::to_yaml(v)? {
            Some(s) => s,
            None => strata_yaml::to_yaml(&from_template(v)?),
        },
    };
    while s.ends_with('\n') {
        s.pop();
    }
    budget::string("toyaml", s.len())?;
    Ok(s)
}

/// Whether `default` replaces `v`: undefined, null, "", [] and {} — not
/// `false` or `0`.
fn is_empty(v: &TValue) -> bool {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => true,
        ValueKind::String => v.as_str().is_some_and(str::is_empty),
        ValueKind::Seq | ValueKind::Map => v.len() == Some(0),
        _ => false,
    }
}

/// `x | default(fallback)`.
pub fn default(v: &TValue, fallback: Option<TValue>) -> TValue {
    if is_empty(v) {
        fallback.unwrap_or_else(|| TValue::from(""))
    } else {
        v.clone()
    }
}

/// `text | fromyaml`: one YAML document to a value (YAML 1.2, strata's reader).
pub(crate) fn fromyaml(text: &TValue) -> Result<TValue, TError> {
    let text = text_of("fromyaml", text)?;
    let doc = strata_yaml::load_one(&text, &Arc::from("fromyaml"))
        .map_err(|d| invalid(format!("fromyaml: {}", d.message)))?;
    Ok(match doc {
        Some(node) => to_template(node),
        None => TValue::from(()),
    })
}

/// `x | tojson`: compact JSON (Helm's toJson); `tojson(2)` indents.
pub fn tojson(v: &TValue, indent: Option<usize>) -> Result<String, TError> {
    if v.is_undefined() {
        return Err(undefined("tojson"));
    }
    budget::shape("tojson", v)?;
    if indent.is_some_and(|n| n > 64) {
        return Err(invalid("tojson: indent more than 64 spaces is refused"));
    }
    let json = match tree_of(v) {
        Some(node) => node.to_json(),
        None => strata_chart::Node::generated(from_template(v)?).to_json(),
    };
    let text = match indent {
        None => serde_json::to_string(&json),
        Some(n) => {
            let pad = " ".repeat(n);
            let fmt = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
            let mut buf = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            serde::Serialize::serialize(&json, &mut ser)
                .map(|()| String::from_utf8_lossy(&buf).into_owned())
        }
    };
    let text = text.map_err(|e| invalid(format!("tojson: {e}")))?;
    budget::string("tojson", text.len())?;
    Ok(text)
}

/// `text | fromjson`.
pub(crate) fn fromjson(text: &TValue) -> Result<TValue, TError> {
    let text = text_of("fromjson", text)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("fromjson: {e}")))?;
    Ok(to_template(strata_chart::Node::from_json(
        &json,
        &strata_chart::Origin::Generated,
    )))
}

/// `text | indent(n)`: pads every line with `n` spaces (Helm's indent: the
/// first line too, empty lines too).
pub fn indent(text: &TValue, n: usize) -> Result<String, TError> {
    indented("", text, n)
}

/// `text | nindent(n)`: a newline, then `indent(n)`.
pub fn nindent(text: &TValue, n: usize) -> Result<String, TError> {
    indented("\n", text, n)
}

/// `first`, then every line of `text` after `n` spaces, in one allocation
/// (these filters run on every `toyaml` and every helper's output).
/// Errors name `indent` for both filters, as they always have.
fn indented(first: &str, text: &TValue, n: usize) -> Result<String, TError> {
    const SPACES: &str = "                                                                ";
    let text = text_ref("indent", text)?;
    let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
    budget::string(
        "indent",
        first
            .len()
            .saturating_add(text.len())
            .saturating_add(lines.saturating_mul(n)),
    )?;
    let long;
    let pad = match SPACES.get(..n) {
        Some(pad) => pad,
        None => {
            long = " ".repeat(n);
            &long
        }
    };
    let bytes = text.as_bytes();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut out = String::with_capacity(first.len() + text.len() + lines * n);
    out.push_str(first);
    out.push_str(pad);
    let mut from = 0;
    while let Some(at) = crate::output::find_newline(bytes, from) {
        out.push_str(&text[from..=at]);
        out.push_str(pad);
        from = at + 1;
    }
    out.push_str(&text[from..]);
    Ok(out)
}

/// `x | quote`: a double-quoted string with Go's escapes (`%q`); null gives
/// the empty string, as in Helm.
pub fn quote(v: &TValue) -> Result<String, TError> {
    if v.is_none() {
        return Ok(String::new());
    }
    Ok(strata_yaml::go::quote(&text_ref("quote", v)?))
}

/// `x | squote`: single quotes, nothing escaped (as sprig's squote).
pub fn squote(v: &TValue) -> Result<String, TError> {
    if v.is_none() {
        return Ok(String::new());
    }
    Ok(format!("'{}'", text_of("squote", v)?))
}

/// `x | b64encode`: standard base64 with padding.
pub fn b64encode(v: &TValue) -> Result<String, TError> {
    Ok(base64::engine::general_purpose::STANDARD.encode(text_of("b64encode", v)?))
}

/// `x | b64decode`: standard base64 to UTF-8 text.
pub(crate) fn b64decode(v: &TValue) -> Result<String, TError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text_of("b64decode", v)?.trim())
        .map_err(|e| invalid(format!("b64decode: not valid base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| invalid("b64decode: the decoded bytes are not UTF-8 text"))
}

/// `x | sha256`: the hex SHA-256 of the text (Helm's sha256sum).
pub fn sha256(v: &TValue) -> Result<String, TError> {
    let digest = sha2::Sha256::digest(text_of("sha256", v)?.as_bytes());
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// `x | trunc(n)`: the first `n` characters; a negative `n` keeps the last `-n`.
pub fn trunc(v: &TValue, n: i64) -> Result<String, TError> {
    let s = text_of("trunc", v)?;
    let count = s.chars().count();
    let keep = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
    Ok(if n >= 0 {
        s.chars().take(keep).collect()
    } else {
        s.chars().skip(count.saturating_sub(keep)).collect()
    })
}

/// `x | trimprefix(p)`.
pub(crate) fn trimprefix(v: &TValue, prefix: &str) -> Result<String, TError> {
    let s = text_of("trimprefix", v)?;
    Ok(s.strip_prefix(prefix).unwrap_or(&s).to_string())
}

/// `x | trimsuffix(p)`.
pub(crate) fn trimsuffix(v: &TValue, suffix: &str) -> Result<String, TError> {
    let s = text_of("trimsuffix", v)?;
    Ok(s.strip_suffix(suffix).unwrap_or(&s).to_string())
}

/// `x | required("message")`: fails with the message when `x` is
/// undefined, null or the empty string (as Helm's required).
pub fn required(v: &TValue, message: &str) -> Result<TValue, TError> {
    let missing = match v.kind() {
        ValueKind::Undefined | ValueKind::None => true,
        ValueKind::String => v.as_str().is_some_and(str::is_empty),
        _ => false,
    };
    if missing {
        Err(invalid(format!("required: {message}")))
    } else {
        Ok(v.clone())
    }
}

/// `fail("message")`: stops the render with the message.
pub fn fail(message: &str) -> Result<String, TError> {
    Err(invalid(format!("fail: {message}")))
}

/// `semver_compare(">=1.2.0 <2.0.0", version)`: Helm's semverCompare.
pub(crate) fn semver_compare(constraint: &str, version: &TValue) -> Result<bool, TError> {
    let version = text_of("semver_compare", version)?;
    strata_chart::semver::compare(constraint, &version)
        .map_err(|e| invalid(format!("semver_compare({constraint:?}, {version:?}): {e}")))
}

/// `lookup(...)`: there is no cluster; always an error.
pub fn lookup(_args: minijinja::value::Rest<TValue>) -> Result<TValue, TError> {
    Err(invalid(
        "lookup is not available: strata renders offline and deterministically, without a cluster, so output depends only on the chart and its values; pass what you need as values instead",
    ))
}

thread_local! {
    static TPL_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// The context names `tpl` passes on to the text it renders.
const CONTEXT_NAMES: &[&str] = &[
    "values",
    "release",
    "chart",
    "env",
    "capabilities",
    "files",
    "template",
];

/// `tpl(text)` / `text | tpl`: renders `text` as a template with the current
/// context (Helm's `tpl .Values.x .`).
pub fn tpl(state: &State<'_, '_>, text: &TValue) -> Result<String, TError> {
    let text = text_of("tpl", text)?;
    let depth = TPL_DEPTH.with(Cell::get);
    if depth >= MAX_TPL_DEPTH {
        return Err(invalid(format!(
            "tpl: nested more than {MAX_TPL_DEPTH} levels deep (a value that renders itself?)"
        )));
    }
    let ctx = TValue::from_iter(
        CONTEXT_NAMES
            .iter()
            .filter_map(|n| state.lookup(n).map(|v| (*n, v))),
    );
    TPL_DEPTH.with(|d| d.set(depth + 1));
    let name = format!("tpl in {}", state.name());
    let out = state.env().render_named_str(&name, &text, ctx);
    TPL_DEPTH.with(|d| d.set(depth));
    // A fresh error without location gets the call site's; the error in
    // the text stays attached as its source, wrapped in a [`TplText`] that
    // says which name the text was rendered under and for whom.
    out.map_err(|error| {
        TError::new(ErrorKind::InvalidOperation, TPL_CALL).with_source(TplText {
            name,
            caller: state.name().to_string(),
            error,
        })
    })
}

/// The detail of the error `tpl` returns when its text fails.
const TPL_CALL: &str = "tpl: the text failed to render";

/// Between the error `tpl` returns and the error in its text: the name the
/// text was rendered under (errors in it carry that name) and the template
/// that called `tpl`. [`crate::errors`] finds it in the chain of sources to
/// tell text given to `tpl` from a template, by type rather than by wording.
#[derive(Debug)]
pub(crate) struct TplText {
    /// The name the text was rendered under.
    pub(crate) name: String,
    /// The template that called `tpl`.
    pub(crate) caller: String,
    /// What went wrong in the text.
    pub(crate) error: TError,
}

impl std::fmt::Display for TplText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "in the text templates/{} passed to tpl", self.caller)
    }
}

impl std::error::Error for TplText {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        crate::engine::configure(&mut env);
        env
    }

    fn render(src: &str) -> String {
        env()
            .render_str(src, context! { v => context!{ s => "a\nb", n => 0, f => false, e => "", l => Vec::<i32>::new(), yes => "yes" } })
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn toyaml_quotes_yaml11_strings_and_has_no_trailing_newline() {
        assert_eq!(
            render("{{ v | toyaml }}"),
            "s: |-\n  a\n  b\n\"n\": 0\nf: false\ne: \"\"\nl: []\n\"yes\": \"yes\""
        );
        assert_eq!(render("{{ '0755' | toyaml }}"), "\"0755\"");
        assert_eq!(
            render("{{ ['on', '1_000', 'n'] | toyaml }}"),
            "- \"on\"\n- \"1_000\"\n- \"n\""
        );
        assert!(render("{{ nope | toyaml }}").starts_with("ERR"));
    }

    #[test]
    fn default_keeps_false_and_zero() {
        assert_eq!(
            render("{{ v.n | default(5) }} {{ v.f | default(true) }}"),
            "0 false"
        );
        assert_eq!(render("{{ v.e | default('x') }} {{ v.l | default('y') }} {{ nope | default('z') }} {{ none | default('w') }}"), "x y z w");
        assert_eq!(render("{{ {} | default('m') }}"), "m");
    }

    #[test]
    fn fromyaml_and_fromjson() {
        assert_eq!(render("{{ ('a: 1\\nb: [x]' | fromyaml).b[0] }}"), "x");
        assert_eq!(render("{{ ('a: yes' | fromyaml).a }}"), "yes");
        assert_eq!(
            render("{{ ('{\"a\": 12345678901}' | fromjson).a }}"),
            "12345678901"
        );
        assert!(render("{{ 'a: [' | fromyaml }}").starts_with("ERR"));
        assert!(render("{{ '{' | fromjson }}").starts_with("ERR"));
    }

    #[test]
    fn tojson_is_compact_or_indented() {
        assert_eq!(
            render("{{ v | tojson }}"),
            "{\"s\":\"a\\nb\",\"n\":0,\"f\":false,\"e\":\"\",\"l\":[],\"yes\":\"yes\"}"
        );
        assert_eq!(render("{{ [1] | tojson(2) }}"), "[\n  1\n]");
        assert!(render("{{ nope | tojson }}").starts_with("ERR"));
    }

    #[test]
    fn string_and_join_print_yaml_scalars() {
        assert_eq!(
            render("{{ true | string }} {{ none | string }} {{ 2 | string }}"),
            "true null 2"
        );
        assert_eq!(
            render("{{ [1, none, true, 'x'] | join(',') }}"),
            "1,null,true,x"
        );
        assert_eq!(
            render("{{ 'ab' | join('-') }} {{ [1, 2] | join }}"),
            "a-b 12"
        );
        assert!(render("{{ nope | join(',') }}").starts_with("ERR"));
    }

    #[test]
    fn asconfig_and_assecrets_key_by_base_name() {
        let files = TValue::from_iter([("conf/a.txt", "x: 1\n"), ("conf/b.txt", "hi")]);
        let ctx = context! { g => files };
        let out = env()
            .render_str("{{ g | asconfig }}|{{ g | assecrets }}", ctx)
            .unwrap();
        assert_eq!(
            out,
            "a.txt: |\n  x: 1\nb.txt: hi|a.txt: eDogMQo=\nb.txt: aGk="
        );
        assert!(env().render_str("{{ 'x' | asconfig }}", ()).is_err());
    }

    #[test]
    fn indent_and_nindent_pad_every_line() {
        assert_eq!(render("{{ v.s | indent(2) }}"), "  a\n  b");
        assert_eq!(render("x:{{ v.s | nindent(4) }}"), "x:\n    a\n    b");
        assert_eq!(render("{{ 'a\\n\\nb' | indent(1) }}"), " a\n \n b");
        assert_eq!(render("{{ 'a\\n' | indent(2) }}"), "  a\n  ");
        let pad = " ".repeat(70);
        assert_eq!(
            render("{{ 'a\\nb' | nindent(70) }}"),
            format!("\n{pad}a\n{pad}b")
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(render("{{ 'a\"b\\\\' | quote }}"), "\"a\\\"b\\\\\"");
        assert_eq!(render("{{ v.s | quote }}"), "\"a\\nb\"");
        assert_eq!(
            render("{{ 5 | quote }} {{ true | quote }}"),
            "\"5\" \"true\""
        );
        assert_eq!(render("[{{ none | quote }}]"), "[]");
        assert_eq!(render("{{ 'it' | squote }}"), "'it'");
        assert!(render("{{ nope | quote }}").starts_with("ERR"));
        let q = |s: &str| quote(&TValue::from(s)).unwrap();
        assert_eq!(q("héllo ✓"), "\"héllo ✓\"");
        // Go's %q: C1 controls, separators and format characters escaped
        // (`strconv.Quote("\u0085")` is `"\u0085"`); Helm's YAML reader
        // would otherwise read U+0085/U+2028 as line breaks.
        assert_eq!(q("é\u{1}\u{7f}\u{85}ü"), "\"é\\x01\\x7f\\u0085ü\"");
        assert_eq!(
            q("a\u{2028}b\u{2029}c\u{a0}d\u{feff}\u{10fffd}"),
            "\"a\\u2028b\\u2029c\\u00a0d\\ufeff\\U0010fffd\""
        );
        assert_eq!(q(""), "\"\"");
    }

    #[test]
    fn base64_and_sha256() {
        assert_eq!(render("{{ 'hello' | b64encode }}"), "aGVsbG8=");
        assert_eq!(render("{{ 'aGVsbG8=' | b64decode }}"), "hello");
        assert!(render("{{ '%%%' | b64decode }}").contains("not valid base64"));
        assert_eq!(
            render("{{ 'hello' | sha256 }}"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn trunc_and_trims() {
        assert_eq!(render("{{ 'abcdef' | trunc(3) }}"), "abc");
        assert_eq!(render("{{ 'abcdef' | trunc(-2) }}"), "ef");
        assert_eq!(render("{{ 'abc' | trunc(10) }}"), "abc");
        assert_eq!(render("{{ 'v1.2' | trimprefix('v') }}"), "1.2");
        assert_eq!(render("{{ 'a.yaml' | trimsuffix('.yaml') }}"), "a");
        assert_eq!(render("{{ 'a' | trimsuffix('x') }}"), "a");
    }

    #[test]
    fn required_and_fail() {
        assert_eq!(render("{{ v.n | required('need n') }}"), "0");
        assert!(render("{{ v.e | required('need e') }}").contains("required: need e"));
        assert!(render("{{ nope | required('need it') }}").contains("required: need it"));
        assert!(render("{{ fail('stop here') }}").contains("fail: stop here"));
    }

    #[test]
    fn semver_compare_uses_helm_constraints() {
        assert_eq!(
            render("{{ semver_compare('>=1.2.0 <2.0.0', '1.5.0') }}"),
            "true"
        );
        assert_eq!(
            render("{{ semver_compare('~1.2 || ^2.0', 'v2.3') }}"),
            "true"
        );
        assert_eq!(
            render("{{ semver_compare('1.2.3 - 2.3.4', '2.4.0') }}"),
            "false"
        );
        assert!(render("{{ semver_compare('>>1', '1.0.0') }}").starts_with("ERR"));
    }

    #[test]
    fn lookup_explains_why_it_fails() {
        assert!(render("{{ lookup('v1', 'Secret', 'ns', 'x') }}").contains("renders offline"));
    }

    #[test]
    fn tpl_renders_with_the_current_context() {
        let out = env()
            .render_str(
                "{{ tpl(values.t) }}|{{ values.t | tpl }}",
                context! { values => context!{ t => "{{ values.x }}", x => 7 } },
            )
            .unwrap();
        assert_eq!(out, "7|7");
        let err = env()
            .render_str(
                "{{ tpl(values.t) }}",
                context! { values => context!{ t => "{{ tpl(values.t) }}" } },
            )
            .unwrap_err();
        let mut chain = Vec::new();
        let mut cause: Option<&dyn std::error::Error> = Some(&err);
        while let Some(e) = cause {
            chain.push(e.to_string());
            cause = e.source();
        }
        assert!(
            chain.iter().any(|m| m.contains("nested more than")),
            "{chain:?}"
        );
    }
}
