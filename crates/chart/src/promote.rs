//! Promotion: copy values from one environment's merged values into the
//! next environment's own values file, editing that file in place.
//!
//! The edit keeps the rest of the file byte for byte: comments, key order,
//! quoting, blank lines. A changed scalar is replaced in its own text span
//! (one line changes, the quoting style kept when the new value allows it);
//! a missing key is added after the last entry of the deepest map that
//! exists, at that map's indentation; a map or list is written as block
//! YAML ([`yaml::to_yaml`]) under its key. The edited file is checked by
//! merging the target environment's values again (so every check of
//! [`values::merge`], schema validation included, applies) and by making
//! sure the target now has exactly the promoted values; only then is it
//! written, atomically ([`write`](fn@write)).
//!
//! The target file is the last of the target environment's own `values`
//! files. An environment without one gets `environments/<name>.yaml`,
//! which it layers by default; when its `values:` list is explicitly empty
//! the promotion is refused with a note to add a file.

use std::path::Path as FsPath;
use std::sync::Arc;

use crate::chart::Chart;
use crate::diag::{Code, Diagnostic, Error, Result};
use crate::env::ENVIRONMENTS_DIR;
use crate::value::{Map, Node, Path, Value};
use crate::values::{self, Request};
use crate::yaml::{self, Outline, OutlineKind, Style};

/// What to promote.
#[derive(Clone, Debug)]
pub struct PromoteRequest {
    /// The environment values are copied from.
    pub from: String,
    /// The environment whose values file is edited.
    pub to: String,
    /// The value paths to copy.
    pub keys: Vec<Path>,
}

/// One promoted path.
#[derive(Clone, Debug)]
pub struct Change {
    /// The path.
    pub path: Path,
    /// The target's value before (merged), if it had one.
    pub old: Option<Value>,
    /// The value copied from the source environment.
    pub new: Value,
}

/// The edit a promotion makes.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The source environment.
    pub from: String,
    /// The target environment.
    pub to: String,
    /// The target file, chart-relative.
    pub file: String,
    /// Whether the file does not exist yet.
    pub created: bool,
    /// Its text before.
    pub before: String,
    /// Its text after.
    pub after: String,
    /// Its bytes as loaded (without a BOM), to check before writing that
    /// nobody changed it meanwhile; empty for a new file.
    pub original: Vec<u8>,
    /// What changes; empty when the target already has every value.
    pub changes: Vec<Change>,
    /// The chart with the edited file and the target's merged values from
    /// it (when something changes), for callers that check more (render).
    pub edited: Option<(Chart, Node)>,
    /// Other environments that layer the edited file (they extend the
    /// target, or list the file): the edit reaches them too, and they were
    /// checked with it.
    pub also: Vec<String>,
}

/// Resolve `--from`/`--to` against the `promotion` order: a missing end is
/// the neighbour of the given one.
pub fn resolve_pair(
    chart: &Chart,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(String, String)> {
    let order = &chart.environments.promotion;
    let shown = || {
        if order.is_empty() {
            "environments.yaml declares no `promotion` order".to_string()
        } else {
            format!("promotion: {}", order.join(" -> "))
        }
    };
    let pos = |n: &str| order.iter().position(|o| o == n);
    match (from, to) {
        (Some(f), Some(t)) => {
            chart.environments.get(f)?;
            chart.environments.get(t)?;
            if f == t {
                return Err(Error::Usage(format!(
                    "--from and --to are both \"{f}\": nothing to promote"
                )));
            }
            Ok((f.to_string(), t.to_string()))
        }
        (None, Some(t)) => {
            chart.environments.get(t)?;
            match pos(t) {
                Some(i) if i > 0 => Ok((order[i - 1].clone(), t.to_string())),
                Some(_) => Err(Error::Usage(format!(
                    "\"{t}\" is first in the promotion order: nothing comes before it; give --from ({})",
                    shown()
                ))),
                None => Err(Error::Usage(format!(
                    "\"{t}\" is not in the promotion order; give --from ({})",
                    shown()
                ))),
            }
        }
        (Some(f), None) => {
            chart.environments.get(f)?;
            match pos(f) {
                Some(i) if i + 1 < order.len() => Ok((f.to_string(), order[i + 1].clone())),
                Some(_) => Err(Error::Usage(format!(
                    "\"{f}\" is last in the promotion order: nothing comes after it; give --to ({})",
                    shown()
                ))),
                None => Err(Error::Usage(format!(
                    "\"{f}\" is not in the promotion order; give --to ({})",
                    shown()
                ))),
            }
        }
        (None, None) => Err(Error::Usage(format!(
            "say where to promote: --to ENV (from the environment before it), or --from A --to B ({})",
            shown()
        ))),
    }
}

fn merged(chart: &Chart, env: &str) -> Result<Node> {
    Ok(merged_full(chart, env)?.values)
}

fn merged_full(chart: &Chart, env: &str) -> Result<values::Merged> {
    values::merge(
        chart,
        &Request {
            env: Some(env.to_string()),
            ..Request::default()
        },
    )
    .map_err(|e| e.in_env(env))
}

/// Work out the edit promoting `req` in `chart`, and check its result.
pub fn plan(chart: &Chart, req: &PromoteRequest) -> Result<Plan> {
    if req.keys.is_empty() {
        return Err(Error::Usage(
            "no keys to promote: give --key PATH, or list defaults under `promote:` in environments.yaml"
                .to_string(),
        ));
    }
    let target_env = chart.environments.get(&req.to)?;
    let source_full = merged_full(chart, &req.from)?;
    let target_full = merged_full(chart, &req.to)?;
    let secrets: Vec<&Path> = source_full
        .secrets
        .iter()
        .chain(&target_full.secrets)
        .collect();
    let (source, target) = (source_full.values, target_full.values);
    let mut changes = Vec::new();
    for key in &req.keys {
        if key.segments().is_empty() || key.segments().iter().any(String::is_empty) {
            return Err(Error::Usage(format!("\"{key}\" is not a value path")));
        }
        let Some(new) = source.get_path(key.segments()) else {
            return Err(Error::invalid(
                Diagnostic::error(
                    Code::Promote,
                    format!("{key}: no such value in environment \"{}\"", req.from),
                )
                .note(format!(
                    "`strata values CHART --env {}` lists its values",
                    req.from
                )),
            ));
        };
        if let Some(s) = secrets
            .iter()
            .find(|s| key.starts_with(s) || s.starts_with(key))
        {
            return Err(Error::invalid(
                Diagnostic::error(
                    Code::Promote,
                    format!(
                        "{key}: refusing to copy a secret ({s} is writeOnly in the schema) into a values file"
                    ),
                )
                .note("secrets belong in a secret store, not in values files (lint rejects them there too)"),
            ));
        }
        let old = target.get_path(key.segments());
        if old.is_some_and(|o| o.value == new.value) {
            continue;
        }
        changes.push(Change {
            path: key.clone(),
            old: old.map(|o| o.value.clone()),
            new: new.value.clone(),
        });
    }
    // A file of the repository's environments.yaml (`../…`) is shared by
    // every chart below it: promote edits this chart's own file instead,
    // `environments/<to>.yaml`, which is layered after the repository's.
    let (file, created) = match target_env.values.last() {
        Some(f) if !f.starts_with("../") => (f.clone(), false),
        _ => (format!("{ENVIRONMENTS_DIR}/{}.yaml", req.to), true),
    };
    let before = if created {
        String::new()
    } else {
        chart.text(&file)?
    };
    if changes.is_empty() {
        return Ok(Plan {
            from: req.from.clone(),
            to: req.to.clone(),
            file,
            created: false,
            after: before.clone(),
            original: Vec::new(),
            before,
            changes,
            edited: None,
            also: Vec::new(),
        });
    }
    let mut after = before.clone();
    for c in &changes {
        let value = match &c.old {
            Some(old) => needed(&c.new, old),
            None => c.new.clone(),
        };
        let next = set(&after, &file, c.path.segments(), &value)?;
        refuse_aliased(&after, &next, &file, &c.path)?;
        after = next;
    }
    let edited = check(chart, req, &file, &after, &changes)?;
    let mut also = Vec::new();
    for name in edited.0.environments.ordered_names() {
        if name != req.to && edited.0.environments.layer_files(&name)?.contains(&file) {
            merged(&edited.0, &name).map_err(|e| refused(e, &name))?;
            also.push(name);
        }
    }
    let original = chart.files.get(&file).cloned().unwrap_or_default();
    Ok(Plan {
        from: req.from.clone(),
        to: req.to.clone(),
        file,
        created,
        original,
        before,
        after,
        changes,
        edited: Some(edited),
        also,
    })
}

/// Refuse an edit (`before` -> `after`) that falls inside an anchored node
/// (`&name`) that an alias (`*name`) repeats elsewhere: the edit would
/// change the aliases too, silently. The user decides (docs/environments.md).
fn refuse_aliased(before: &str, after: &str, file: &str, path: &Path) -> Result<()> {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(before.len() - prefix);
    let (from, to) = (prefix, before.len() - suffix);
    for a in yaml::aliased_anchors(before) {
        if from >= a.start && to <= a.end && from < a.end {
            let line = before[..a.start].matches('\n').count() + 1;
            let lines: Vec<String> = a
                .alias_lines
                .iter()
                .map(|l| format!("{file}:{l}"))
                .collect();
            return Err(Error::invalid(
                Diagnostic::error(
                    Code::Promote,
                    format!(
                        "{path}: refusing to edit a YAML anchor that other keys alias: the edit would change them too"
                    ),
                )
                .at(crate::diag::Location::new(
                    Arc::from(file),
                    u32::try_from(line).unwrap_or(u32::MAX),
                    1,
                ))
                .note(format!("aliased at {}", lines.join(", ")))
                .note("write the value out where it should differ (replace the alias), then promote again; nothing was written"),
            ));
        }
    }
    Ok(())
}

/// Merge the target's values with the edited file and make sure it now
/// holds the promoted values; the edited chart and those values.
fn check(
    chart: &Chart,
    req: &PromoteRequest,
    file: &str,
    after: &str,
    changes: &[Change],
) -> Result<(Chart, Node)> {
    let mut files = chart.files.clone();
    files.insert(file.to_string(), after.as_bytes().to_vec());
    let edited = Chart::from_files_with(files, &chart.source, chart.shared_file())?;
    if !edited
        .environments
        .layer_files(&req.to)?
        .iter()
        .any(|f| f == file)
    {
        return Err(Error::invalid(
            Diagnostic::error(
                Code::Promote,
                format!(
                    "environment \"{}\" has no values file of its own to promote into",
                    req.to
                ),
            )
            .note(format!(
                "list one under environments.{}.values in environments.yaml",
                req.to
            )),
        ));
    }
    let values = merged(&edited, &req.to).map_err(|e| refused(e, &req.to))?;
    for c in changes {
        let now = values.get_path(c.path.segments());
        if now.is_none_or(|n| n.value != c.new) {
            // Keys the target has below the path and the source does not.
            let source = Node::generated(c.new.clone());
            let extra: Vec<String> = now
                .map(|n| n.leaves())
                .unwrap_or_default()
                .into_iter()
                .filter(|(p, _)| source.get_path(p.segments()).is_none())
                .map(|(p, n)| {
                    let mut full = c.path.clone();
                    full.0.extend(p.0);
                    format!("{full} ({})", n.origin)
                })
                .collect();
            let mut d = Diagnostic::error(
                Code::Promote,
                format!(
                    "{}: after the edit, \"{}\" would still differ from \"{}\"",
                    c.path, req.to, req.from
                ),
            );
            if extra.is_empty() {
                d = d.note(format!(
                    "a layer of \"{}\" sets values under {} that the edit cannot replace",
                    req.to, c.path
                ));
            } else {
                d = d.note(format!(
                    "\"{}\" has keys \"{}\" does not: {}; remove them first",
                    req.to,
                    req.from,
                    extra.join(", ")
                ));
            }
            return Err(Error::invalid(d));
        }
    }
    Ok((edited, values))
}

/// The plan's text before and after with the lines holding secrets
/// (values the target environment's schemas mark `writeOnly`) of the file
/// redacted, for `--dry-run`: its diff shows context lines, which may hold
/// secrets the promotion does not touch.
pub fn redacted_texts(chart: &Chart, plan: &Plan) -> Result<(String, String)> {
    let values = merged(chart, &plan.to)?;
    let before = redact_lines(
        &plan.before,
        &secret_lines(chart, &values, &plan.to, &plan.file)?,
    );
    let after = match &plan.edited {
        Some((edited, values)) => redact_lines(
            &plan.after,
            &secret_lines(edited, values, &plan.to, &plan.file)?,
        ),
        None => plan.after.clone(),
    };
    Ok((before, after))
}

/// Lines of `file` where secrets of `values` (and everything below them)
/// are written.
fn secret_lines(chart: &Chart, values: &Node, env: &str, file: &str) -> Result<Vec<u32>> {
    fn walk(n: &Node, file: &str, out: &mut Vec<u32>) {
        if let Some(loc) = n.origin.location() {
            if &*loc.file == file {
                out.push(loc.line);
            }
        }
        match &n.value {
            Value::Map(m) => m.values().for_each(|c| walk(c, file, out)),
            Value::Seq(items) => items.iter().for_each(|c| walk(c, file, out)),
            _ => {}
        }
    }
    let set = crate::schema::SchemaSet::for_env(chart, Some(env))?;
    let mut out = Vec::new();
    for p in set.secret_paths(values) {
        if let Some(n) = values.get_path(p.segments()) {
            walk(n, file, &mut out);
        }
    }
    Ok(out)
}

/// `text` with the value part of each line in `lines` (1-based) replaced
/// by `<redacted>`, and the more-indented lines after it (a block
/// scalar's, a map's) too.
pub(crate) fn redact_lines(text: &str, lines: &[u32]) -> String {
    if lines.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut under: Option<usize> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let end = &line[body.len()..];
        let indent = body.len() - body.trim_start().len();
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if let Some(level) = under {
            if body.trim().is_empty() || indent > level {
                if !body.trim().is_empty() {
                    out.push_str(&body[..indent]);
                    out.push_str(crate::parity::REDACTED);
                }
                out.push_str(end);
                continue;
            }
            under = None;
        }
        if lines.contains(&n) {
            let keep = match body.find(": ") {
                Some(at) if !body.trim_start().starts_with('-') => at + 1,
                _ => match body.trim_start().strip_prefix("- ") {
                    Some(_) => indent + 1,
                    None if body.trim_end().ends_with(':') => body.len(),
                    None => indent,
                },
            };
            out.push_str(&body[..keep]);
            if keep < body.len() || !body.trim_end().ends_with(':') {
                out.push(' ');
                out.push_str(crate::parity::REDACTED);
            }
            out.push_str(end);
            under = Some(indent);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `e` with a note that the promotion into `env` was refused and nothing
/// was written.
pub fn refused(e: Error, env: &str) -> Error {
    let note = format!(
        "promotion refused: \"{env}\" would fail this with the promoted values; nothing was written"
    );
    match e {
        Error::Invalid(d) => Error::invalid(d.note(note)),
        Error::Many(mut ds) => {
            if let Some(last) = ds.pop() {
                ds.push(last.note(note));
            }
            Error::Many(ds)
        }
        other => other,
    }
}

/// `text` with the value at `path` set to `value`, the rest unchanged.
pub fn set(text: &str, file: &str, path: &[String], value: &Value) -> Result<String> {
    let name: Arc<str> = Arc::from(file);
    // Full checks (duplicate keys, limits) and positions for errors.
    yaml::load_values(text, &name)?;
    let root = yaml::outline(text)?;
    let Some(root) = root else {
        // Empty (or comments only): append the whole path.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&yaml::to_yaml(&nest(path, value)));
        return Ok(out);
    };
    if !matches!(&root.kind, OutlineKind::Map { flow: false, .. }) {
        return Err(Error::invalid(Diagnostic::error(
            Code::Promote,
            format!("{file}: only a file whose top level is a block map can be edited in place"),
        )));
    }
    // Walk down as far as the file has the path.
    let mut node = &root;
    let mut parent_entry: Option<&yaml::OutlineEntry> = None;
    for (depth, seg) in path.iter().enumerate() {
        match &node.kind {
            OutlineKind::Map { flow: false, .. } => match node.entry(seg) {
                Some(e) => {
                    parent_entry = Some(e);
                    node = &e.value;
                }
                None => {
                    // Add `seg: …` after the map's last entry.
                    return Ok(insert(text, node, &nest(&path[depth..], value)));
                }
            },
            _ => {
                // A scalar, list or flow map on the way: rewrite it whole.
                let Some(entry) = parent_entry else {
                    return Err(Error::msg(Code::Promote, "cannot edit the top level"));
                };
                let current = yaml::load_values(text, &name)?;
                let mut merged_value = current
                    .get_path(&path[..depth])
                    .map(|n| n.value.clone())
                    .filter(Value::is_map)
                    .unwrap_or(Value::Map(Map::default()));
                put(&mut merged_value, &path[depth..], value);
                return Ok(replace_value(text, entry, &merged_value));
            }
        }
    }
    let Some(entry) = parent_entry else {
        return Err(Error::msg(Code::Promote, "cannot replace the whole file"));
    };
    match (&entry.value.kind, value) {
        (OutlineKind::Map { flow: false, .. }, Value::Map(m)) if !m.is_empty() => {
            // Key by key, so what the file already has stays where it is.
            let mut out = text.to_string();
            for (k, v) in m {
                let mut p = path.to_vec();
                p.push(k.clone());
                out = set(&out, file, &p, &v.value)?;
            }
            Ok(out)
        }
        (OutlineKind::Scalar(t, style @ (Style::Plain | Style::Single | Style::Double)), v)
            if !(matches!(v, Value::Map(_) | Value::Seq(_))
                || (t.is_empty() && *style == Style::Plain)) =>
        {
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..entry.value.start]);
            out.push_str(&scalar_in_style(v, *style));
            out.push_str(&text[entry.value.end..]);
            Ok(out)
        }
        _ => Ok(replace_value(text, entry, value)),
    }
}

/// What of `new` the target must write to get from `old` to `new`: for two
/// maps, only the keys whose values differ (recursively), since values
/// merge key by key; anything else whole.
fn needed(new: &Value, old: &Value) -> Value {
    match (new, old) {
        (Value::Map(n), Value::Map(o)) if !n.is_empty() => {
            let mut out = Map::default();
            for (k, v) in n {
                match o.get(k) {
                    Some(ov) if ov.value == v.value => {}
                    Some(ov) => {
                        out.insert(k.clone(), Node::generated(needed(&v.value, &ov.value)));
                    }
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Map(out)
        }
        _ => new.clone(),
    }
}

/// `{a: {b: value}}` for the path `a.b`.
fn nest(path: &[String], value: &Value) -> Value {
    let mut v = value.clone();
    for seg in path.iter().rev() {
        let mut m = Map::default();
        m.insert(seg.clone(), Node::generated(v));
        v = Value::Map(m);
    }
    v
}

/// Set `path` inside the map `target` to `value`.
fn put(target: &mut Value, path: &[String], value: &Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = value.clone();
        return;
    };
    if !target.is_map() {
        *target = Value::Map(Map::default());
    }
    if let Value::Map(m) = target {
        let slot = m
            .entry(first.clone())
            .or_insert_with(|| Node::generated(Value::Map(Map::default())));
        if rest.is_empty() {
            slot.value = value.clone();
        } else {
            put(&mut slot.value, rest, value);
        }
    }
}

/// A scalar's new text, in the old text's quoting style when possible.
fn scalar_in_style(v: &Value, style: Style) -> String {
    match (v, style) {
        (Value::Str(s), Style::Double) => yaml::double_quote(s),
        (Value::Str(s), Style::Single) if !s.chars().any(char::is_control) => {
            format!("'{}'", s.replace('\'', "''"))
        }
        (Value::Str(s), Style::Single) => yaml::double_quote(s),
        _ => yaml::scalar_text(v),
    }
}

/// Column (in characters) of the byte offset `at` within its line.
fn column(text: &str, at: usize) -> usize {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].chars().count()
}

/// Indent every line after the first by `n` spaces (empty lines stay empty).
fn indent_rest(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::new();
    for (i, line) in s.split_inclusive('\n').enumerate() {
        if i > 0 && line != "\n" {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// Replace an entry's value (everything after its `:` up to the value's
/// end) with `value` written as block YAML under the key.
fn replace_value(text: &str, entry: &yaml::OutlineEntry, value: &Value) -> String {
    let col = column(text, entry.key_start);
    let mut m = Map::default();
    m.insert("k".to_string(), Node::generated(value.clone()));
    let y = yaml::to_yaml(&Value::Map(m));
    let body = y.strip_prefix("k:").unwrap_or(&y);
    let body = body.strip_suffix('\n').unwrap_or(body);
    let body = crlf_like(text, &indent_rest(body, col));
    // An empty plain scalar (`key:` alone) ends where it starts; keep what
    // follows the colon (a comment) after the new value.
    let end = match &entry.value.kind {
        OutlineKind::Scalar(t, Style::Plain) if t.is_empty() => entry.colon_end,
        _ => entry.value.end.max(entry.colon_end),
    };
    let mut out = String::with_capacity(text.len() + body.len());
    out.push_str(&text[..entry.colon_end]);
    out.push_str(&body);
    out.push_str(&text[end..]);
    out
}

/// `generated` with `\r\n` line ends when `text` uses them.
fn crlf_like(text: &str, generated: &str) -> String {
    if text.contains("\r\n") {
        generated.replace('\n', "\r\n")
    } else {
        generated.to_string()
    }
}

/// Add the entries of `add` (a map) after the last entry of the block map
/// `map`, at its indentation.
fn insert(text: &str, map: &Outline, add: &Value) -> String {
    let (col, at) = match &map.kind {
        OutlineKind::Map { entries, .. } if !entries.is_empty() => {
            let col = column(text, entries[0].key_start);
            let last_end = map.end;
            let at = text[last_end..]
                .find('\n')
                .map_or(text.len(), |i| last_end + i + 1);
            (col, at)
        }
        _ => (0, text.len()),
    };
    let y = yaml::to_yaml(add);
    let pad = " ".repeat(col);
    let mut block = String::new();
    for line in y.split_inclusive('\n') {
        if line != "\n" {
            block.push_str(&pad);
        }
        block.push_str(line);
    }
    let block = crlf_like(text, &block);
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
    }
    out.push_str(&block);
    out.push_str(&text[at..]);
    out
}

/// Write `plan.after` to `plan.file` under `dir`, whole or not at all
/// (`crate::fsutil::write_atomic_checked`): through a symbolic link to its
/// target, in place for a hard-linked file, keeping its mode, owner and a
/// UTF-8 BOM (line endings are kept by the edit itself). Just before the
/// rename the file is read again: if it changed since the plan was made
/// (or appeared, for a new file), nothing is written and the promotion is
/// refused.
pub fn write(dir: &FsPath, plan: &Plan) -> Result<()> {
    let shown = plan.file.clone();
    if !crate::fsutil::stays_inside(FsPath::new(&plan.file)) {
        return Err(Error::Usage(format!(
            "{shown}: a path outside the chart; refusing to write it"
        )));
    }
    let target = dir.join(&plan.file);
    if plan.created {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(&shown, e))?;
        }
    }
    // The chart loader drops a BOM (as Helm's does): look at the file.
    let had_bom = !plan.created
        && std::fs::read(&target)
            .map_err(|e| Error::io(&shown, e))?
            .starts_with(yaml::BOM);
    let mut bytes = Vec::with_capacity(plan.after.len() + 3);
    if had_bom {
        bytes.extend_from_slice(yaml::BOM);
    }
    bytes.extend_from_slice(plan.after.as_bytes());
    let created = plan.created;
    crate::fsutil::write_atomic_checked(&target, &bytes, |current| {
        let same = match current {
            None => created,
            Some(cur) => {
                !created
                    && cur.starts_with(yaml::BOM) == had_bom
                    && cur.strip_prefix(yaml::BOM).unwrap_or(cur) == plan.original.as_slice()
            }
        };
        if same {
            Ok(())
        } else {
            Err(Error::invalid(
                Diagnostic::error(
                    Code::Promote,
                    format!(
                        "{shown} changed while strata was promoting into it; nothing was written"
                    ),
                )
                .note("run promote again to edit the file as it is now"),
            ))
        }
    })
    .map(|_| ())
    .map_err(|e| match e {
        Error::Io { source, .. } => Error::io(format!("writing {shown} (left unchanged)"), source),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        Path::parse(s).0
    }

    fn str_(s: &str) -> Value {
        Value::Str(s.into())
    }

    fn set_ok(text: &str, path: &str, v: &Value) -> String {
        set(text, "f.yaml", &p(path), v).unwrap_or_else(|e| panic!("{e}"))
    }

    const FILE: &str = "# top comment\nimage:\n  # the tag\n  tag: \"2.4.0\"   # released\n  pull: 'x'\n\nreplicaCount: 5\n";

    #[test]
    fn scalar_replaced_in_its_span_keeping_quotes() {
        let out = set_ok(FILE, "image.tag", &str_("2.5.0"));
        assert_eq!(out, FILE.replace("\"2.4.0\"", "\"2.5.0\""));
        let out = set_ok(FILE, "image.pull", &str_("it's"));
        assert_eq!(out, FILE.replace("'x'", "'it''s'"));
        let out = set_ok(FILE, "replicaCount", &Value::Int(7));
        assert_eq!(out, FILE.replace("Count: 5", "Count: 7"));
        // A plain scalar becomes quoted only when it must.
        let out = set_ok("a: x\n", "a", &str_("yes"));
        assert_eq!(out, "a: \"yes\"\n");
    }

    #[test]
    fn missing_keys_are_added_at_the_maps_indentation() {
        let out = set_ok(FILE, "image.policy", &str_("Always"));
        assert_eq!(
            out,
            FILE.replace("  pull: 'x'\n", "  pull: 'x'\n  policy: Always\n")
        );
        let out = set_ok(FILE, "env.LOG.level", &str_("warn"));
        assert_eq!(out, format!("{FILE}env:\n  LOG:\n    level: warn\n"));
        let out = set_ok("", "a.b", &Value::Int(1));
        assert_eq!(out, "a:\n  b: 1\n");
        let out = set_ok("# nothing yet", "a", &Value::Int(1));
        assert_eq!(out, "# nothing yet\na: 1\n");
    }

    #[test]
    fn maps_lists_and_flow_values_are_written_as_block() {
        let mut m = Map::default();
        m.insert("cpu".into(), Node::generated(str_("1")));
        m.insert("memory".into(), Node::generated(str_("1Gi")));
        let out = set_ok("limits: {}\nz: 1\n", "limits", &Value::Map(m.clone()));
        assert_eq!(out, "limits:\n  cpu: \"1\"\n  memory: 1Gi\nz: 1\n");
        let out = set_ok(
            "a:\n  limits:\n    cpu: 2  # c\nz: 1\n",
            "a.limits",
            &Value::Map(m),
        );
        assert_eq!(
            out,
            "a:\n  limits:\n    cpu: \"1\"  # c\n    memory: 1Gi\nz: 1\n"
        );
        let list = Value::Seq(vec![Node::generated(str_("a")), Node::generated(str_("b"))]);
        let out = set_ok("x:\n  args: [z]\n  y: 1\n", "x.args", &list);
        assert_eq!(out, "x:\n  args:\n  - a\n  - b\n  y: 1\n");
        let out = set_ok("x:\n  args:\n  - z\n  y: 1\n", "x.args", &Value::Int(3));
        assert_eq!(out, "x:\n  args: 3\n  y: 1\n");
        let out = set_ok("x:  # empty\ny: 1\n", "x.k", &Value::Int(3));
        assert_eq!(out, "x:\n  k: 3  # empty\ny: 1\n");
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let out = set_ok("a:\r\n  b: 1\r\n", "a.c", &Value::Int(2));
        assert_eq!(out, "a:\r\n  b: 1\r\n  c: 2\r\n");
        let out = set_ok("a:\r\n  b: 1\r\n", "a.b", &Value::Int(3));
        assert_eq!(out, "a:\r\n  b: 3\r\n");
    }

    #[test]
    fn quoted_keys_and_flow_parents() {
        let out = set_ok("ann:\n  'a.b/c': x  # k\n", r"ann.a\.b/c", &str_("yy"));
        assert_eq!(out, "ann:\n  'a.b/c': yy  # k\n");
        let out = set_ok("r: {req: {cpu: 1}}\nz: 0\n", "r.lim.cpu", &Value::Int(2));
        assert_eq!(out, "r:\n  req:\n    cpu: 1\n  lim:\n    cpu: 2\nz: 0\n");
        let out = set_ok("s: |\n  old\n  text\n\nz: 0\n", "s", &str_("new"));
        assert_eq!(out, "s: new\n\nz: 0\n");
    }

    #[test]
    fn unicode_before_the_value_keeps_offsets_right() {
        let out = set_ok("# ünïcødé ✓\nname: \"é\"\n", "name", &str_("ø"));
        assert_eq!(out, "# ünïcødé ✓\nname: \"ø\"\n");
    }

    #[test]
    fn a_file_changed_while_promoting_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        let w = |p: &str, t: &str| {
            let f = d.join(p);
            std::fs::create_dir_all(f.parent().unwrap_or(d)).unwrap_or_default();
            std::fs::write(f, t).unwrap_or_default();
        };
        w("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
        w(
            "environments.yaml",
            "environments:\n  dev: {}\n  prod: {}\n",
        );
        w("environments/dev.yaml", "tag: b\n");
        w("environments/prod.yaml", "tag: a\n");
        let chart = Chart::load_dir(d, "c").unwrap_or_else(|e| panic!("{e}"));
        let req = PromoteRequest {
            from: "dev".into(),
            to: "prod".into(),
            keys: vec![Path::parse("tag")],
        };
        let plan = plan(&chart, &req).unwrap_or_else(|e| panic!("{e}"));
        // Someone saves the file between the plan and the write.
        w("environments/prod.yaml", "tag: a\nmine: 1\n");
        let err = write(d, &plan)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("changed while strata was promoting"), "{err}");
        let now = std::fs::read_to_string(d.join("environments/prod.yaml")).unwrap_or_default();
        assert_eq!(now, "tag: a\nmine: 1\n");
        // Unchanged, it is written.
        w("environments/prod.yaml", "tag: a\n");
        write(d, &plan).unwrap_or_else(|e| panic!("{e}"));
        let now = std::fs::read_to_string(d.join("environments/prod.yaml")).unwrap_or_default();
        assert_eq!(now, "tag: b\n");
    }
}
