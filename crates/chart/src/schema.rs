//! JSON Schema validation of merged values, every violation traced to the
//! layer that set the offending value (DESIGN §6).
//!
//! A chart's `values.schema.json` and an environment's `schema` files
//! (its own and its ancestors') are compiled with [`jsonschema`], draft 7
//! unless `$schema` says otherwise. There is no network: `$ref`s resolve
//! only to files inside the chart (relative to the referring schema); a
//! remote `$ref` is an error that names it. A schema that is not JSON, or
//! not a valid JSON Schema, is an error naming its file.
//!
//! Properties marked `"writeOnly": true` are secrets: `SchemaSet::secret_paths`
//! lists where they are so `values` can redact them and lint can reject
//! them in values files; violation messages never echo their values.

use std::collections::BTreeMap;
use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::Value as J;

use crate::chart::{Chart, SCHEMA_FILE};
use crate::diag::{Code, Diagnostic, Error, Location, Result};
use crate::value::{Node, Origin, Path, Value};
use crate::values::{Merged, Request};

/// Base of the URIs chart files get, so relative `$ref`s resolve in the chart.
const BASE: &str = "json-schema:///";

/// Longest echo of an offending value in a message.
const MAX_ECHO: usize = 120;

/// One compiled schema file.
pub struct Schema {
    /// Chart-relative path of the schema file.
    pub file: String,
    /// The schema document.
    pub json: J,
    /// The values path it applies to: empty for the chart's own schemas,
    /// `web` for the schema of subchart `web` (its alias, when it has one).
    pub at: Vec<String>,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("file", &self.file).finish()
    }
}

/// Serves `$ref`s from the chart's own files, and refuses everything else.
struct ChartRetriever {
    files: BTreeMap<String, Vec<u8>>,
}

impl jsonschema::Retrieve for ChartRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> std::result::Result<J, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        let Some(path) = s.strip_prefix(BASE) else {
            return Err(format!(
                "remote $ref \"{s}\" is not allowed: strata never uses the network; \
                 copy the schema into the chart and refer to it by a relative path"
            )
            .into());
        };
        let path = path.split('#').next().unwrap_or(path);
        let Some(bytes) = self.files.get(path) else {
            return Err(format!("$ref \"{path}\": no such file in the chart").into());
        };
        serde_json::from_slice(bytes)
            .map_err(|e| format!("$ref \"{path}\": not valid JSON: {e}").into())
    }
}

impl Schema {
    /// Read and compile the chart's schema file `file`.
    pub fn load(chart: &Chart, file: &str) -> Result<Schema> {
        let Some(bytes) = chart.file(file) else {
            return Err(Error::invalid(Diagnostic::error(
                Code::Schema,
                format!("schema file {file} does not exist in the chart"),
            )));
        };
        let text = String::from_utf8_lossy(bytes);
        let json: J = serde_json::from_str(&text).map_err(|e| {
            let line = u32::try_from(e.line()).unwrap_or(1).max(1);
            let column = u32::try_from(e.column()).unwrap_or(1).max(1);
            Error::invalid(
                Diagnostic::error(
                    Code::Schema,
                    format!("{file} is not valid JSON: {}", json_msg(&e)),
                )
                .at(Location::new(file, line, column))
                .with_source(&text),
            )
        })?;
        let files = chart
            .files
            .iter()
            .filter(|(k, _)| k.ends_with(".json"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut opts = jsonschema::options()
            .with_retriever(ChartRetriever { files })
            .with_base_uri(format!("{BASE}{file}"));
        if json.get("$schema").is_none() {
            opts = opts.with_draft(jsonschema::Draft::Draft7);
        }
        let validator = opts.build(&json).map_err(|e| {
            let d = match e.kind() {
                ValidationErrorKind::Referencing(r) => {
                    let d = Diagnostic::error(
                        Code::Schema,
                        format!("{file}: {}", referencing_msg(r, &chart.files)),
                    );
                    // Point at the `$ref` that names it.
                    if let jsonschema::ReferencingError::Unretrievable { uri, .. } = r {
                        let needle = format!("\"{}\"", uri.strip_prefix(BASE).unwrap_or(uri));
                        if let Some(at) = text.find(&needle) {
                            let line = text[..at].matches('\n').count() + 1;
                            let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
                            return Error::invalid(
                                d.at(Location::new(
                                    file,
                                    u32::try_from(line).unwrap_or(1),
                                    u32::try_from(col).unwrap_or(1),
                                ))
                                .with_source(&text),
                            );
                        }
                    }
                    d
                }
                _ => {
                    let at = e.instance_path().as_str();
                    let at = if at.is_empty() { "/" } else { at };
                    Diagnostic::error(
                        Code::Schema,
                        format!(
                            "{file} is not a valid JSON Schema: at {at}: {}",
                            truncate(&e.to_string())
                        ),
                    )
                }
            };
            let loc = pointer_line(&text, e.instance_path().as_str())
                .map(|(l, c)| Location::new(file, l, c));
            let d = match loc {
                Some(l) => d.at(l).with_source(&text),
                None => d.at(Location::new(file, 1, 1)),
            };
            Error::invalid(d)
        })?;
        Ok(Schema {
            file: file.to_string(),
            json,
            at: Vec::new(),
            validator,
        })
    }
}

/// The `values.schema.json` of every subchart in use, each applying to its
/// own section (`web`, `web.metrics`), named `charts/<sub>/values.schema.json`.
pub fn subchart_schemas(chart: &Chart, subs: &[crate::deps::Enabled]) -> Result<Vec<Arc<Schema>>> {
    let mut out = Vec::new();
    collect_subchart_schemas(chart, subs, &[], &mut out)?;
    Ok(out)
}

fn collect_subchart_schemas(
    chart: &Chart,
    subs: &[crate::deps::Enabled],
    at: &[String],
    out: &mut Vec<Arc<Schema>>,
) -> Result<()> {
    for e in subs {
        let Some(sub) = chart.subcharts.get(e.index) else {
            continue;
        };
        let mut here = at.to_vec();
        here.push(e.name.clone());
        if sub.files.contains_key(SCHEMA_FILE) {
            let mut schema = Schema::load(sub, SCHEMA_FILE).map_err(|err| {
                let err = crate::chart::relocate_error(err, &sub.prefix);
                let name = |mut d: Diagnostic| {
                    if d.message.starts_with(SCHEMA_FILE) {
                        d.message = format!("{}{}", sub.prefix, d.message);
                    }
                    d
                };
                match err {
                    Error::Invalid(d) => Error::invalid(name(*d)),
                    Error::Many(ds) => Error::Many(ds.into_iter().map(name).collect()),
                    other => other,
                }
            })?;
            schema.file = sub.display_path(SCHEMA_FILE);
            schema.at = here.clone();
            out.push(Arc::new(schema));
        }
        collect_subchart_schemas(sub, &e.subcharts, &here, out)?;
    }
    Ok(())
}

fn json_msg(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn referencing_msg(r: &jsonschema::ReferencingError, files: &BTreeMap<String, Vec<u8>>) -> String {
    match r {
        jsonschema::ReferencingError::Unretrievable { source, uri } => {
            let path = uri.strip_prefix(BASE).unwrap_or(uri);
            let path = path.split('#').next().unwrap_or(path);
            if path.contains("://") || files.contains_key(path) {
                source.to_string()
            } else {
                format!("$ref \"{path}\": no such file in the chart")
            }
        }
        other => format!("cannot resolve $ref: {other}"),
    }
}

/// Where a rule is written, `file#/pointer`, following the `$ref`s of its
/// evaluation path (`/properties/port/$ref/type`) into the files they name.
fn rule_location(
    file: &str,
    root: &J,
    eval_path: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Option<String> {
    let mut cur_file = file.to_string();
    let mut doc = root.clone();
    let mut ptr = String::new();
    for raw in eval_path.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        let node = doc.pointer(&ptr)?;
        if seg == "$ref" {
            let r = node.get("$ref")?.as_str()?.to_string();
            let (target, frag) = r.split_once('#').unwrap_or((&r, ""));
            if !target.is_empty() {
                let dir = cur_file.rsplit_once('/').map_or("", |(d, _)| d);
                let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
                for p in target.split('/') {
                    match p {
                        "" | "." => {}
                        ".." => {
                            parts.pop()?;
                        }
                        p => parts.push(p),
                    }
                }
                cur_file = parts.join("/");
                doc = serde_json::from_slice(files.get(&cur_file)?).ok()?;
            }
            ptr = frag.to_string();
        } else {
            ptr.push('/');
            ptr.push_str(raw);
        }
    }
    Some(format!("{cur_file}#{ptr}"))
}

/// A best-effort position of a JSON pointer's last key in the schema text:
/// each key is searched after the previous one, so nested keys are found
/// under their parents.
fn pointer_line(text: &str, pointer: &str) -> Option<(u32, u32)> {
    let mut from = None;
    for seg in pointer.split('/').filter(|s| !s.is_empty()) {
        if seg.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let needle = format!("\"{seg}\"");
        let start = from.unwrap_or(0);
        from = Some(start + text[start..].find(&needle)?);
    }
    let from = from?;
    let line = text[..from].matches('\n').count() + 1;
    let col = from - text[..from].rfind('\n').map_or(0, |i| i + 1) + 1;
    Some((u32::try_from(line).ok()?, u32::try_from(col).ok()?))
}

/// A value quoted in a message: at most [`MAX_ECHO`] characters, its
/// middle replaced by `…`.
fn truncate_value(s: &str) -> String {
    let n = s.chars().count();
    if n <= MAX_ECHO {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX_ECHO / 2).collect();
    let tail: String = s.chars().skip(n - MAX_ECHO / 2).collect();
    format!("{head}…{tail}")
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_ECHO * 2 {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_ECHO * 2).collect();
    t.push('…');
    t
}

/// One segment of a secret-property pattern: a key, or any key/index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// This map key.
    Key(String),
    /// Any map key or list index.
    Any,
}

/// Where `writeOnly` properties are, as path patterns.
pub(crate) type SecretPattern = Vec<Seg>;

/// The schemas that apply to one environment (or to no environment).
#[derive(Debug, Default)]
pub struct SchemaSet {
    /// values.schema.json first, then the environment chain's schema files.
    pub schemas: Vec<Arc<Schema>>,
}

/// The schema files that apply to `env`: values.schema.json when present,
/// then the environment's and its ancestors' schema files.
pub(crate) fn files_for(chart: &Chart, env: Option<&str>) -> Result<Vec<String>> {
    let mut files = Vec::new();
    if chart.files.contains_key(SCHEMA_FILE) {
        files.push(SCHEMA_FILE.to_string());
    }
    if let Some(env) = env {
        files.extend(chart.environments.schema_files(env)?);
    }
    Ok(files)
}

impl SchemaSet {
    /// Compile the schemas that apply to `env`.
    pub fn for_env(chart: &Chart, env: Option<&str>) -> Result<SchemaSet> {
        let schemas = files_for(chart, env)?
            .iter()
            .map(|f| Schema::load(chart, f).map(Arc::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(SchemaSet { schemas })
    }

    /// Every `writeOnly` property pattern of every schema.
    pub(crate) fn secret_patterns(&self) -> Vec<SecretPattern> {
        let mut out = Vec::new();
        for s in &self.schemas {
            let mut path: Vec<Seg> = s.at.iter().map(|k| Seg::Key(k.clone())).collect();
            collect_secrets(&s.json, &s.json, &mut path, &mut out);
        }
        out
    }

    /// The concrete paths of `values` that hold secrets.
    pub(crate) fn secret_paths(&self, values: &Node) -> Vec<Path> {
        let pats = self.secret_patterns();
        let mut out = Vec::new();
        if !pats.is_empty() {
            find_matches(values, &mut Vec::new(), &pats, &mut out);
        }
        out
    }

    /// Validate merged values; every violation becomes one diagnostic,
    /// located at the origin of the offending value.
    pub fn validate(&self, chart: &Chart, req: &Request, merged: &Merged) -> Vec<Diagnostic> {
        if self.schemas.is_empty() {
            return Vec::new();
        }
        let pats = self.secret_patterns();
        let mut out = Vec::new();
        for s in &self.schemas {
            // A subchart's schema validates its own section.
            let Some(section) = merged.values.get_path(&s.at) else {
                continue;
            };
            let instance = section.to_json();
            for e in s.validator.iter_errors(&instance) {
                let segs: Vec<Step> =
                    s.at.iter()
                        .map(|k| Step::Key(k.clone()))
                        .chain(e.instance_path().iter().map(|seg| match seg {
                            LocationSegment::Property(p) => Step::Key(p.to_string()),
                            LocationSegment::Index(i) => Step::Index(i),
                        }))
                        .collect();
                // A value that is a secret, or holds one (a rule on the
                // secret's parent map: `maxProperties`, `not`, `const`):
                // name the path and the rule, never the value or its line.
                let secret = is_secret(&segs, &pats) || holds_secret(&segs, &pats);
                // The rule where it is written: a `$ref`'d file's own.
                let rule = format!(
                    "rule: {}",
                    rule_location(&s.file, &s.json, e.evaluation_path().as_str(), &chart.files)
                        .unwrap_or_else(|| format!("{}#{}", s.file, e.schema_path().as_str()))
                );
                match e.kind() {
                    ValidationErrorKind::Required { property } => {
                        let key = property
                            .as_str()
                            .map_or_else(|| property.to_string(), str::to_string);
                        let mut path = segs.clone();
                        path.push(Step::Key(key));
                        out.push(missing(chart, req, merged, &path, rule));
                    }
                    ValidationErrorKind::AdditionalProperties { unexpected }
                    | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                        // The keys it allows that the values have: a typo's
                        // likely intent.
                        let known: Vec<&str> = e
                            .instance()
                            .as_object()
                            .into_iter()
                            .flat_map(|m| m.keys())
                            .map(String::as_str)
                            .filter(|k| !unexpected.iter().any(|u| u == k))
                            .collect();
                        for key in unexpected {
                            let mut path = segs.clone();
                            path.push(Step::Key(key.clone()));
                            let mut message = format!(
                                "{}: unknown key: the schema allows no other keys here",
                                show(&path)
                            );
                            if let Some(near) = crate::reads::suggest(key, &known) {
                                message.push_str(&format!("; did you mean `{near}`?"));
                            }
                            let d = Diagnostic::error(Code::Schema, message);
                            let d = locate(d, chart, req, merged, &path, secret);
                            out.push(at_key(d, chart, req, key, secret).note(rule.clone()));
                        }
                    }
                    _ => {
                        let what = if secret {
                            e.masked_with("<redacted>").to_string()
                        } else {
                            // The reason whole; the value shortened.
                            let value = serde_json::to_string(&**e.instance()).unwrap_or_default();
                            let masked = e.masked_with("\u{1}").to_string();
                            if masked.contains('\u{1}') {
                                masked.replacen('\u{1}', &truncate_value(&value), 1)
                            } else {
                                truncate(&e.to_string())
                            }
                        };
                        let d = Diagnostic::error(Code::Schema, format!("{}: {what}", show(&segs)));
                        out.push(locate(d, chart, req, merged, &segs, secret).note(rule));
                    }
                }
            }
        }
        if let Some(env) = &req.env {
            out = out.into_iter().map(|d| d.in_env(env.clone())).collect();
        }
        out
    }
}

/// One step of an instance path.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn show(path: &[Step]) -> String {
    if path.is_empty() {
        return "(root)".to_string();
    }
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(&k.replace('.', "\\."));
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn node_at<'a>(root: &'a Node, path: &[Step]) -> Option<&'a Node> {
    let mut cur = root;
    for step in path {
        cur = match (step, &cur.value) {
            (Step::Key(k), Value::Map(m)) => m.get(k)?,
            (Step::Index(i), Value::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The text of a file a value came from: a chart file or a `-f` file.
pub(crate) fn source_text(chart: &Chart, req: &Request, file: &str) -> Option<String> {
    if let Some(b) = chart.file(file) {
        return Some(String::from_utf8_lossy(b).into_owned());
    }
    req.files
        .iter()
        .find(|f| f.name == file)
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
}

fn with_origin(
    d: Diagnostic,
    chart: &Chart,
    req: &Request,
    origin: &Origin,
    secret: bool,
) -> Diagnostic {
    match origin {
        Origin::File(loc) => {
            let d = d.at(loc.clone());
            match (secret, source_text(chart, req, &loc.file)) {
                (false, Some(text)) => d.with_source(&text),
                _ => d,
            }
        }
        Origin::Flag { flag, arg } => {
            if secret {
                let key = arg.split('=').next().unwrap_or("");
                d.note(format!("set by {flag} {key}=…"))
            } else {
                d.note(format!("set by {flag} {arg}"))
            }
        }
        Origin::Generated => d,
    }
}

fn locate(
    d: Diagnostic,
    chart: &Chart,
    req: &Request,
    merged: &Merged,
    path: &[Step],
    secret: bool,
) -> Diagnostic {
    match node_at(&merged.values, path) {
        Some(n) => {
            let d = with_origin(d, chart, req, &n.origin, secret);
            let chars = match (&d.snippet, &d.location) {
                (Some(line), Some(loc)) => scalar_chars(line, loc.column, &n.value),
                _ => 0,
            };
            d.spanning(chars)
        }
        None => d,
    }
}

/// A finding about a key itself (an unknown key, a typo) points at the
/// key, not at its value.
fn at_key(d: Diagnostic, chart: &Chart, req: &Request, key: &str, secret: bool) -> Diagnostic {
    let Some(loc) = d.location.clone() else {
        return d;
    };
    let Some(text) = source_text(chart, req, &loc.file) else {
        return d;
    };
    match crate::reads::key_position(&text, loc.line, key) {
        Some((line, column)) => {
            let mut d = d.at(Location::new(loc.file, line, column));
            // The key underlined, with its quotes when it has them.
            let quoted = crate::diag::source_line(&text, line)
                .and_then(|l| {
                    l.chars()
                        .nth(usize::try_from(column).ok()?.saturating_sub(1))
                })
                .is_some_and(|c| c == '"' || c == '\'');
            d.length = None;
            let d = d.spanning(key.chars().count() + if quoted { 2 } else { 0 });
            if secret {
                d
            } else {
                d.with_source(&text)
            }
        }
        None => d,
    }
}

/// How many characters the scalar `value` takes on `line` from `column`
/// (1-based), when the line spells it there as strata prints it (plain, or
/// quoted without escapes) up to where a scalar ends; 0 otherwise (a list,
/// a map, `0x1F`, an escaped string: one caret).
fn scalar_chars(line: &str, column: u32, value: &Value) -> usize {
    let text = match value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::yaml::float_to_string(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Seq(_) | Value::Map(_) => return 0,
    };
    let skip = usize::try_from(column)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    let Some((at, _)) = line.char_indices().nth(skip) else {
        return 0;
    };
    let rest = &line[at..];
    [text.clone(), format!("\"{text}\""), format!("'{text}'")]
        .into_iter()
        .filter(|spelt| !spelt.is_empty())
        .find(|spelt| {
            rest.strip_prefix(spelt.as_str()).is_some_and(|after| {
                after.is_empty() || after.starts_with([' ', '\t', ',', ']', '}', '#'])
            })
        })
        .map_or(0, |spelt| spelt.chars().count())
}

fn missing(
    chart: &Chart,
    req: &Request,
    merged: &Merged,
    path: &[Step],
    rule: String,
) -> Diagnostic {
    let shown = show(path);
    let keys: Option<Vec<String>> = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Index(_) => None,
        })
        .collect();
    let deleted = keys.and_then(|k| {
        let p = Path(k);
        merged.deleted.iter().find(|d| d.path == p)
    });
    let d = match deleted {
        Some(del) => {
            let d = Diagnostic::error(
                Code::Schema,
                format!("{shown}: required key is missing: it was removed by a null"),
            );
            match &del.by {
                Origin::File(_) => with_origin(d, chart, req, &del.by, false),
                other => d.note(format!("removed by {other}")),
            }
        }
        None => {
            let d = Diagnostic::error(Code::Schema, format!("{shown}: required key is missing"));
            let parent = &path[..path.len().saturating_sub(1)];
            let d = if parent.is_empty() {
                d
            } else {
                locate(d, chart, req, merged, parent, false)
            };
            d.note(format!(
                "no layer sets it; the layers were: {}",
                merged.layers.join(", ")
            ))
        }
    };
    d.note(rule)
}

fn resolve_local<'a>(root: &'a J, schema: &'a J) -> &'a J {
    let mut cur = schema;
    for _ in 0..16 {
        let Some(r) = cur.get("$ref").and_then(J::as_str) else {
            break;
        };
        let Some(ptr) = r.strip_prefix('#') else {
            break;
        };
        match root.pointer(ptr) {
            Some(t) => cur = t,
            None => break,
        }
    }
    cur
}

/// What [`walk_schema`] calls on each subschema (an object) and its path.
type SchemaVisit<'a> = dyn FnMut(&serde_json::Map<String, J>, &[Seg]) + 'a;

/// Visit every subschema of `schema` with the values path it describes
/// (`Seg::Any` for items and additional or pattern properties): through
/// `properties`, `additionalProperties`, `items`, `additionalItems`,
/// `unevaluatedProperties`, `patternProperties`, `allOf`/`anyOf`/`oneOf`
/// and `if`/`then`/`else`, local `$ref`s followed, 64 levels at most.
fn walk_schema(
    root: &J,
    schema: &J,
    path: &mut Vec<Seg>,
    depth: usize,
    visit: &mut SchemaVisit<'_>,
) {
    if depth > 64 {
        return;
    }
    let schema = resolve_local(root, schema);
    let Some(obj) = schema.as_object() else {
        return;
    };
    visit(obj, path);
    if let Some(props) = obj.get("properties").and_then(J::as_object) {
        for (k, v) in props {
            path.push(Seg::Key(k.clone()));
            walk_schema(root, v, path, depth + 1, visit);
            path.pop();
        }
    }
    let any = [
        "additionalProperties",
        "items",
        "additionalItems",
        "unevaluatedProperties",
    ]
    .into_iter()
    .filter_map(|key| obj.get(key).filter(|v| v.is_object()));
    let patterns = obj
        .get("patternProperties")
        .and_then(J::as_object)
        .into_iter()
        .flat_map(|pp| pp.values());
    for v in any.chain(patterns) {
        path.push(Seg::Any);
        walk_schema(root, v, path, depth + 1, visit);
        path.pop();
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for v in obj.get(key).and_then(J::as_array).into_iter().flatten() {
            walk_schema(root, v, path, depth + 1, visit);
        }
    }
    for key in ["if", "then", "else"] {
        if let Some(v) = obj.get(key) {
            walk_schema(root, v, path, depth + 1, visit);
        }
    }
}

fn collect_secrets(root: &J, schema: &J, path: &mut Vec<Seg>, out: &mut Vec<SecretPattern>) {
    walk_schema(root, schema, path, 0, &mut |obj, path| {
        if obj.get("writeOnly").and_then(J::as_bool) == Some(true)
            && !out.iter().any(|p| p.as_slice() == path)
        {
            out.push(path.to_vec());
        }
    });
}

fn is_secret(path: &[Step], pats: &[SecretPattern]) -> bool {
    pats.iter().any(|p| {
        p.len() <= path.len()
            && p.iter().zip(path).all(|(seg, step)| match (seg, step) {
                (Seg::Any, _) => true,
                (Seg::Key(a), Step::Key(b)) => a == b,
                _ => false,
            })
    })
}

/// Whether a map-key path lies at or below a secret pattern.
pub(crate) fn matches_secret(path: &Path, pats: &[SecretPattern]) -> bool {
    let steps: Vec<Step> = path.0.iter().map(|k| Step::Key(k.clone())).collect();
    is_secret(&steps, pats)
}

fn find_matches(node: &Node, path: &mut Vec<String>, pats: &[SecretPattern], out: &mut Vec<Path>) {
    let steps: Vec<Step> = path.iter().map(|k| Step::Key(k.clone())).collect();
    if !path.is_empty() && is_secret(&steps, pats) {
        out.push(Path(path.clone()));
        return;
    }
    match &node.value {
        Value::Map(m) => {
            for (k, v) in m {
                path.push(k.clone());
                find_matches(v, path, pats, out);
                path.pop();
            }
        }
        // A list holding secrets (`items: {writeOnly: true}`, or a secret
        // property of its items) is a secret as a whole: paths here name
        // map keys only, and hiding the list hides every item.
        Value::Seq(items) if !path.is_empty() && !items.is_empty() => {
            let mut below = steps;
            below.push(Step::Index(0));
            if holds_secret(&below, pats) {
                out.push(Path(path.clone()));
            }
        }
        _ => {}
    }
}

/// Whether a secret lies at or below `path` (a pattern starts with it).
fn holds_secret(path: &[Step], pats: &[SecretPattern]) -> bool {
    pats.iter().any(|p| {
        p.iter().zip(path).all(|(seg, step)| match (seg, step) {
            (Seg::Any, _) => true,
            (Seg::Key(a), Step::Key(b)) => a == b,
            _ => false,
        }) && p.len() >= path.len()
    })
}

/// Replace the values at `paths` by the string `<redacted>`, and every
/// flag argument that carried one of them (`--set a=1,password=x`, a
/// `--set-json` object) by the path it set, so no origin shows the text:
/// `--set password=<redacted>`, `--set a=…`. Returns the redacted flag
/// arguments, for `redact_layers`.
pub fn redact(values: &mut Node, paths: &[Path]) -> Vec<Arc<str>> {
    let mut args = Vec::new();
    for p in paths {
        redact_one(values, &p.0, &mut args);
    }
    if !args.is_empty() {
        scrub_args(values, &mut Vec::new(), &args);
    }
    args
}

/// The texts of the secrets at `paths` (every scalar at or below them, as
/// a template would print it), to hide wherever rendered output is shown.
pub fn secret_texts(values: &Node, paths: &[Path]) -> Vec<String> {
    fn walk(n: &Node, out: &mut Vec<String>) {
        match &n.value {
            Value::Map(m) => m.values().for_each(|c| walk(c, out)),
            Value::Seq(items) => items.iter().for_each(|c| walk(c, out)),
            Value::Null => {}
            Value::Str(s) => out.push(s.clone()),
            other => out.push(crate::yaml::scalar_text(other)),
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if let Some(n) = values.get_path(p.segments()) {
            walk(n, &mut out);
        }
    }
    out
}

/// [`redact`] on merged values, their layer list included.
pub fn redact_merged(m: &mut Merged) {
    let args = redact(&mut m.values, &m.secrets);
    redact_layers(&mut m.layers, &args);
}

/// Replace the layers (`--set ARG`) whose argument carried a secret.
pub(crate) fn redact_layers(layers: &mut [String], args: &[Arc<str>]) {
    for l in layers.iter_mut() {
        if let Some((flag, arg)) = l.split_once(' ') {
            if args.iter().any(|a| &**a == arg) {
                *l = format!("{flag} <an argument holding a secret>");
            }
        }
    }
}

fn collect_args(node: &Node, args: &mut Vec<Arc<str>>) {
    if let Origin::Flag { arg, .. } = &node.origin {
        if !args.contains(arg) {
            args.push(arg.clone());
        }
    }
    match &node.value {
        Value::Map(m) => m.values().for_each(|n| collect_args(n, args)),
        Value::Seq(items) => items.iter().for_each(|n| collect_args(n, args)),
        _ => {}
    }
}

/// A value's origin as it may be shown when flag arguments in `args`
/// carried secrets ([`redact`] returns them): such an argument is replaced
/// by the value's own path and `<redacted>` (a secret) or `…` (a value set
/// beside one: `--set a=1,password=x` shows `a=…`); a file position, or a
/// flag that carried no secret, is shown as it is.
pub(crate) fn redact_origin(
    origin: &Origin,
    path: &str,
    secret: bool,
    args: &[Arc<str>],
) -> Origin {
    match origin {
        Origin::Flag { flag, arg } if secret || args.contains(arg) => Origin::Flag {
            flag,
            arg: Arc::from(format!(
                "{path}={}",
                if secret { "<redacted>" } else { "…" }
            )),
        },
        other => other.clone(),
    }
}

fn scrub_args(node: &mut Node, path: &mut Vec<String>, args: &[Arc<str>]) {
    if let Origin::Flag { flag, arg } = &node.origin {
        if args.contains(arg) {
            let shown = Path(path.clone()).to_string();
            let value = if matches!(&node.value, Value::Str(s) if s == "<redacted>") {
                "<redacted>"
            } else {
                "…"
            };
            node.origin = Origin::Flag {
                flag,
                arg: Arc::from(format!("{shown}={value}")),
            };
        }
    }
    match &mut node.value {
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                path.push(k.clone());
                scrub_args(v, path, args);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                path.push(format!("[{i}]"));
                scrub_args(v, path, args);
                path.pop();
            }
        }
        _ => {}
    }
}

fn redact_one(node: &mut Node, path: &[String], args: &mut Vec<Arc<str>>) {
    match path.split_first() {
        None => {
            collect_args(node, args);
            if !node.value.is_null() {
                node.value = Value::Str("<redacted>".to_string());
            }
        }
        Some((first, rest)) => {
            if let Value::Map(m) = &mut node.value {
                if let Some(child) = m.get_mut(first) {
                    redact_one(child, rest, args);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::chart::test_chart as chart;

    #[test]
    fn a_scalar_is_underlined_only_where_the_line_spells_it() {
        let s = |t: &str| Value::Str(t.to_string());
        assert_eq!(scalar_chars("  tag: 5 # five", 8, &Value::Int(5)), 1);
        assert_eq!(scalar_chars("  tag: 55", 8, &Value::Int(5)), 0);
        assert_eq!(scalar_chars("名前: héllo", 5, &s("héllo")), 5);
        assert_eq!(scalar_chars("a: \"x y\"", 4, &s("x y")), 5);
        assert_eq!(scalar_chars("a: [x, 'y']", 8, &s("y")), 3);
        assert_eq!(scalar_chars("a: 0x1F", 4, &Value::Int(31)), 0);
        assert_eq!(scalar_chars("a: \"\\u0041\"", 4, &s("A")), 0);
        assert_eq!(scalar_chars("a: true", 4, &Value::Bool(true)), 4);
        assert_eq!(scalar_chars("a: 1", 9, &Value::Int(1)), 0);
        assert_eq!(scalar_chars("a: ", 4, &s("")), 0);
    }

    #[test]
    fn draft7_is_the_default_and_2020_12_is_chosen_by_schema() {
        // `$defs` + `$ref` siblings behave per draft; simplest observable
        // difference: draft 7 ignores `dependentRequired`.
        let s7 = r#"{"dependentRequired": {"a": ["b"]}}"#;
        let s2020 = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "dependentRequired": {"a": ["b"]}}"#;
        let values = "a: 1\n";
        for (schema, errors) in [(s7, 0), (s2020, 1)] {
            let c = chart(&[("values.schema.json", schema), ("values.yaml", values)]);
            let set = SchemaSet::for_env(&c, None).unwrap();
            let req = Request::default();
            let m = crate::values::merge_unchecked(&c, &req).unwrap();
            assert_eq!(set.validate(&c, &req, &m).len(), errors, "{schema}");
        }
    }

    #[test]
    fn remote_ref_is_refused_by_name() {
        let c = chart(&[(
            "values.schema.json",
            r#"{"$ref": "https://example.com/s.json"}"#,
        )]);
        let e = SchemaSet::for_env(&c, None).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("remote $ref \"https://example.com/s.json\""),
            "{m}"
        );
    }

    #[test]
    fn local_ref_to_a_chart_file_works() {
        let c = chart(&[
            (
                "values.schema.json",
                r#"{"properties": {"port": {"$ref": "schemas/port.json"}}}"#,
            ),
            ("schemas/port.json", r#"{"type": "integer"}"#),
            ("values.yaml", "port: x\n"),
        ]);
        let set = SchemaSet::for_env(&c, None).unwrap();
        let req = Request::default();
        let m = crate::values::merge_unchecked(&c, &req).unwrap();
        let ds = set.validate(&c, &req, &m);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].message, "port: \"x\" is not of type \"integer\"");
        assert_eq!(
            ds[0].location.as_ref().unwrap().to_string(),
            "values.yaml:1:7"
        );
    }

    #[test]
    fn invalid_schema_names_the_file_and_line() {
        let c = chart(&[(
            "values.schema.json",
            "{\n  \"properties\": {\n    \"a\": {\"type\": \"objekt\"}\n  }\n}\n",
        )]);
        let e = SchemaSet::for_env(&c, None).unwrap_err();
        let d = e.diagnostics().remove(0);
        assert!(
            d.message
                .starts_with("values.schema.json is not a valid JSON Schema"),
            "{}",
            d.message
        );
        assert_eq!(d.location.unwrap().line, 3);
    }

    #[test]
    fn secrets_are_found_through_refs_and_redacted() {
        let c = chart(&[
            (
                "values.schema.json",
                r##"{"properties": {"db": {"$ref": "#/$defs/db"}}, "$defs": {"db": {"properties": {"password": {"type": "string", "writeOnly": true}}}}}"##,
            ),
            ("values.yaml", "db:\n  password: hunter2\n  user: app\n"),
        ]);
        let set = SchemaSet::for_env(&c, None).unwrap();
        let mut v = c.values.clone();
        let paths = set.secret_paths(&v);
        assert_eq!(paths, vec![Path::parse("db.password")]);
        redact(&mut v, &paths);
        assert_eq!(
            crate::yaml::to_yaml(&v.value),
            "db:\n  password: <redacted>\n  user: app\n"
        );
    }

    #[test]
    fn list_items_are_shown_with_their_index_and_origin() {
        let c = chart(&[
            (
                "values.schema.json",
                r#"{"properties": {"ports": {"type": "array", "items": {"type": "integer"}}}}"#,
            ),
            ("values.yaml", "ports:\n  - 80\n  - http\n"),
        ]);
        let set = SchemaSet::for_env(&c, None).unwrap();
        let req = Request::default();
        let m = crate::values::merge_unchecked(&c, &req).unwrap();
        let ds = set.validate(&c, &req, &m);
        assert_eq!(ds.len(), 1);
        assert_eq!(
            ds[0].message,
            "ports[1]: \"http\" is not of type \"integer\""
        );
        assert_eq!(
            ds[0].location.as_ref().unwrap().to_string(),
            "values.yaml:3:5"
        );
        assert_eq!(ds[0].snippet.as_deref(), Some("  - http"));
    }
}

/// The values paths the schemas declare, for [`crate::reads::unused`]: a
/// value a schema names is not reported as unused (it may be read by
/// something other than the templates), nor is anything below a property
/// whose schema lists no keys of its own (an open object).
#[derive(Debug, Default)]
pub struct Declarations {
    /// Each declared path, and whether its schema lists no keys (open).
    patterns: Vec<(Vec<Seg>, bool)>,
}

impl Declarations {
    /// What every schema of `set` declares.
    pub fn of(set: &SchemaSet) -> Declarations {
        let mut out = Declarations::default();
        for s in &set.schemas {
            let mut path: Vec<Seg> = s.at.iter().map(|k| Seg::Key(k.clone())).collect();
            collect_declared(&s.json, &s.json, &mut path, &mut out.patterns);
        }
        out
    }

    /// Add what `other` declares.
    pub fn extend(&mut self, other: Declarations) {
        self.patterns.extend(other.patterns);
    }
}

impl crate::reads::Declared for Declarations {
    fn declares(&self, path: &[String]) -> bool {
        let matches = |p: &[Seg], path: &[String]| {
            p.len() == path.len()
                && p.iter().zip(path).all(|(seg, k)| match seg {
                    Seg::Any => true,
                    Seg::Key(a) => a == k,
                })
        };
        self.patterns.iter().any(|(p, open)| {
            // An empty pattern is the root: it declares nothing by itself.
            !p.is_empty()
                && if *open {
                    path.len() >= p.len() && matches(p, &path[..p.len()])
                } else {
                    matches(p, path)
                }
        })
    }
}

fn collect_declared(root: &J, schema: &J, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, bool)>) {
    walk_schema(root, schema, path, 0, &mut |obj, path| {
        let lists_keys = [
            "properties",
            "patternProperties",
            "additionalProperties",
            "items",
        ]
        .iter()
        .any(|k| obj.get(*k).is_some_and(|v| v.is_object()))
            || ["allOf", "anyOf", "oneOf", "then", "else"]
                .iter()
                .any(|k| obj.contains_key(*k));
        out.push((path.to_vec(), !lists_keys));
    });
}
