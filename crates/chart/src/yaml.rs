//! The one place strata reads and writes YAML.
//!
//! Reading goes through `saphyr-parser`'s event stream, so every node keeps
//! its line and column, and typing follows the YAML 1.2 core schema whatever
//! the file (`yes` is a string, `0755` is the integer 755). The loader
//! refuses duplicate keys, nesting deeper than [`MAX_DEPTH`], and alias
//! expansion beyond [`MAX_NODES`] nodes (billion-laughs documents), before
//! doing the work. `<<` merge keys are honoured, as Helm's YAML reader does.
//!
//! Writing ([`to_yaml`]) prints block YAML the way Helm's `toYaml` lays it
//! out (lists not indented under their key), and quotes every string that a
//! YAML 1.1 reader — Kubernetes — would take for a boolean, null or number.

// Clippy 1.95 flags every `Result<_, Diagnostic>` here as a large error;
// errors are the rare path, and boxing would ripple through every caller.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use crate::diag::{Code, Diagnostic, Location};

mod fast;
use crate::value::{Map, Node, Origin, Value};

/// How deep maps and lists may nest.
pub const MAX_DEPTH: usize = 200;
/// How many nodes one document may produce, aliases expanded.
pub const MAX_NODES: usize = 1_000_000;

/// A UTF-8 byte order mark, dropped from the start of files (as Helm does).
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// File bytes as UTF-8 text (a leading BOM is dropped), borrowed; the
/// error names the file and the line of the first bad byte.
pub fn decode_utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| not_utf8(&bytes[..e.valid_up_to()], file))
}

/// [`decode_utf8`] of bytes the caller gives up: the text keeps them
/// instead of a copy (the same text, the same error).
pub fn decode_utf8_owned(mut bytes: Vec<u8>, file: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        not_utf8(&e.as_bytes()[..valid], file)
    })
}

/// The error for a file whose text (after any BOM) is valid up to the end
/// of `valid` only.
fn not_utf8(valid: &[u8], file: &str) -> Diagnostic {
    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
    let col = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    Diagnostic::error(
        Code::Yaml,
        format!("{file} is not valid UTF-8 (byte offset {})", valid.len()),
    )
    .at(Location::new(file, to_u32(line), to_u32(col)))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parse one YAML document. An empty file gives `None`; more than one
/// document is an error.
pub fn load_one(src: &str, file: &Arc<str>) -> Result<Option<Node>, Diagnostic> {
    load_one_typed(src, file, Typing::Core)
}

/// [`load_one`] with plain scalars typed by `typing`.
pub fn load_one_typed(
    src: &str,
    file: &Arc<str>,
    typing: Typing,
) -> Result<Option<Node>, Diagnostic> {
    let mut docs = load_stream_typed(src, file, typing)?;
    if docs.len() > 1 {
        let second = docs.swap_remove(1);
        let loc = second.origin.location().cloned();
        return Err(Diagnostic::error(
            Code::Yaml,
            format!("{file} holds more than one YAML document; values files hold one map"),
        )
        .at_opt(loc)
        .with_source(src));
    }
    Ok(docs.pop())
}

/// Parse every document of a YAML stream. Empty documents are kept out.
pub fn load_stream(src: &str, file: &Arc<str>) -> Result<Vec<Node>, Diagnostic> {
    load_stream_typed(src, file, Typing::Core)
}

/// How plain scalars are typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Typing {
    /// YAML 1.2's core schema: strata's own (`yes` is a string, `0755` is
    /// 755).
    #[default]
    Core,
    /// YAML 1.1 as Helm reads values (go-yaml v2 through sigs.k8s.io/yaml):
    /// `y`/`yes`/`on`/`n`/`no`/`off` are booleans, `0755` is octal (493),
    /// `1_000`, `0b101`, `0x1F`, `0o17` are integers. Keys are
    /// typed too (`on:` is the key `"true"`). Numbers stay integers here;
    /// the Go template pipeline makes them float64 as Helm's JSON round
    /// trip does.
    Helm,
}

/// [`load_stream`] with plain scalars typed by `typing`.
pub fn load_stream_typed(
    src: &str,
    file: &Arc<str>,
    typing: Typing,
) -> Result<Vec<Node>, Diagnostic> {
    Events::read(src, |events| {
        Loader {
            events,
            file: file.clone(),
            anchors: HashMap::new(),
            nodes: 0,
            typing,
        }
        .stream()
    })
    .map_err(|d| d.with_source(src))
}

/// Where events come from: the fast reader, or saphyr-parser. (One of
/// each per text read: the size difference does not matter.)
#[allow(clippy::large_enum_variant)]
enum Events<'a> {
    Fast(fast::Fast<'a>),
    Saphyr(Parser<'a, saphyr_parser::StrInput<'a>>),
}

impl<'a> Events<'a> {
    /// `read` over the fast reader's events, and when that gives no result
    /// (it declined the text, or any error at all), over saphyr-parser's:
    /// saphyr's result and diagnostics are the reference (see `fast`).
    fn read<T, E>(src: &'a str, mut read: impl FnMut(Events<'a>) -> Result<T, E>) -> Result<T, E> {
        read(Events::Fast(fast::Fast::new(src)))
            .or_else(|_| read(Events::Saphyr(Parser::new_from_str(src))))
    }

    /// The next event: `None` at the end of saphyr's stream, or where the
    /// fast reader declines the text.
    fn next(&mut self) -> Option<Result<(Ev<'a>, Pos), ScanError>> {
        match self {
            Events::Fast(f) => f.next().map(Ok),
            Events::Saphyr(p) => loop {
                match p.next_event()? {
                    Ok((ev, span)) => {
                        if let Some(ev) = Ev::from_saphyr(ev) {
                            return Some(Ok((ev, Pos::of(&span.start))));
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
            },
        }
    }
}

/// A YAML event as strata's readers use it: saphyr-parser's `Event` without
/// its span (the start position is enough) and with the rare tag boxed.
/// Saphyr's events with spans were ~140 bytes, and copying them was a third
/// of the time of checking rendered output; these are 48.
#[derive(Debug, PartialEq)]
enum Ev<'a> {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    /// `tagged`: the collection has a tag (which the loader ignores).
    MappingStart {
        anchor: usize,
        tagged: bool,
    },
    MappingEnd,
    SequenceStart {
        anchor: usize,
        tagged: bool,
    },
    SequenceEnd,
    Scalar {
        text: Cow<'a, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Box<Tag>>,
    },
    Alias(usize),
}

impl<'a> Ev<'a> {
    /// The start of a map without anchor or tag.
    const PLAIN_MAP: Ev<'static> = Ev::MappingStart {
        anchor: 0,
        tagged: false,
    };

    /// Saphyr's event as ours (`None` for its `Nothing`).
    fn from_saphyr(ev: Event<'a>) -> Option<Ev<'a>> {
        Some(match ev {
            Event::Nothing => return None,
            Event::StreamStart => Ev::StreamStart,
            Event::StreamEnd => Ev::StreamEnd,
            Event::DocumentStart(_) => Ev::DocumentStart,
            Event::DocumentEnd => Ev::DocumentEnd,
            Event::MappingStart(anchor, tag) => Ev::MappingStart {
                anchor,
                tagged: tag.is_some(),
            },
            Event::MappingEnd => Ev::MappingEnd,
            Event::SequenceStart(anchor, tag) => Ev::SequenceStart {
                anchor,
                tagged: tag.is_some(),
            },
            Event::SequenceEnd => Ev::SequenceEnd,
            Event::Scalar(text, style, anchor, tag) => Ev::Scalar {
                text,
                style,
                anchor,
                tag: tag.map(|t| Box::new(t.into_owned())),
            },
            Event::Alias(id) => Ev::Alias(id),
        })
    }

    /// A plain scalar without anchor or tag.
    fn plain(text: &'a str) -> Ev<'a> {
        Ev::Scalar {
            text: Cow::Borrowed(text),
            style: ScalarStyle::Plain,
            anchor: 0,
            tag: None,
        }
    }
}

/// Where an event starts: 1-based line, 0-based column (in characters), as
/// saphyr-parser counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    line: u32,
    col: u32,
}

impl Pos {
    fn of(m: &saphyr_parser::Marker) -> Pos {
        Pos {
            line: to_u32(m.line()),
            col: to_u32(m.col()),
        }
    }
}

/// A plain (unquoted, untagged) scalar of a YAML text and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainScalar {
    /// The scalar's text.
    pub text: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Every plain scalar (keys and values) of a YAML stream, in order. Lint
/// uses it to find scalars a YAML 1.1 reader types differently; a text
/// that does not parse gives the scalars before the error.
pub fn plain_scalars(src: &str) -> Vec<PlainScalar> {
    let mut out = Vec::new();
    let mut parser = Parser::new_from_str(src);
    while let Some(Ok((ev, span))) = parser.next_event() {
        match ev {
            Event::Scalar(text, ScalarStyle::Plain, _, None) => out.push(PlainScalar {
                text: text.into_owned(),
                line: to_u32(span.start.line()),
                column: to_u32(span.start.col() + 1),
            }),
            Event::StreamEnd => break,
            _ => {}
        }
    }
    out
}

/// Parse a values file: one document that is a map (or empty).
pub fn load_values(src: &str, file: &Arc<str>) -> Result<Node, Diagnostic> {
    load_values_typed(src, file, Typing::Core)
}

/// [`load_values`] with plain scalars typed by `typing` (a Go chart's
/// values files are read as Helm reads them: [`Typing::Helm`]).
pub fn load_values_typed(src: &str, file: &Arc<str>, typing: Typing) -> Result<Node, Diagnostic> {
    match load_one_typed(src, file, typing)? {
        None => Ok(Node::empty_map(Origin::file(file, 1, 1))),
        Some(n) if n.value.is_null() => Ok(Node::empty_map(n.origin)),
        Some(n) if n.value.is_map() => Ok(n),
        Some(n) => {
            let loc = n.origin.location().cloned();
            Err(Diagnostic::error(
                Code::Values,
                format!(
                    "{file} must hold a map of values, but its top level is {} {}",
                    article(n.value.type_name()),
                    n.value.type_name()
                ),
            )
            .at_opt(loc)
            .with_source(src))
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

struct Loader<'a> {
    events: Events<'a>,
    file: Arc<str>,
    /// Anchored nodes and their sizes in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes produced so far in this document.
    nodes: usize,
    typing: Typing,
}

type Item<'a> = (Ev<'a>, Pos);

impl<'a> Loader<'a> {
    fn origin(&self, pos: &Pos) -> Origin {
        Origin::file(&self.file, pos.line, pos.col.saturating_add(1))
    }

    fn loc(&self, pos: &Pos) -> Location {
        Location::new(self.file.clone(), pos.line, pos.col.saturating_add(1))
    }

    fn scan_error(&self, e: &ScanError) -> Diagnostic {
        let m = e.marker();
        Diagnostic::error(Code::Yaml, format!("invalid YAML: {}", e.info())).at(Location::new(
            self.file.clone(),
            to_u32(m.line()),
            to_u32(m.col() + 1),
        ))
    }

    fn next(&mut self) -> Result<Item<'a>, Diagnostic> {
        match self.events.next() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(self.scan_error(&e)),
            None => Err(
                Diagnostic::error(Code::Yaml, "invalid YAML: unexpected end of input")
                    .at(Location::new(self.file.clone(), 1, 1)),
            ),
        }
    }

    fn stream(&mut self) -> Result<Vec<Node>, Diagnostic> {
        let mut docs = Vec::new();
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Ev::StreamStart | Ev::DocumentEnd => {}
                Ev::StreamEnd => return Ok(docs),
                Ev::DocumentStart => {
                    self.anchors.clear();
                    self.nodes = 0;
                    let (ev, span) = self.next()?;
                    if matches!(ev, Ev::DocumentEnd) {
                        continue;
                    }
                    let node = self.node(ev, span, 0)?;
                    // An empty document (`---` alone) is a null scalar.
                    if !(node.value.is_null() && is_empty_scalar_doc(&node)) {
                        docs.push(node);
                    }
                }
                _ => {
                    return Err(
                        Diagnostic::error(Code::Yaml, "invalid YAML: unexpected event")
                            .at(self.loc(&span)),
                    )
                }
            }
        }
    }

    fn count(&mut self, n: usize, span: &Pos) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::error(
                Code::Yaml,
                format!(
                    "YAML document expands to more than {MAX_NODES} nodes (aliases of aliases?); refusing to expand it"
                ),
            )
            .at(self.loc(span)));
        }
        Ok(())
    }

    fn node(&mut self, ev: Ev<'a>, span: Pos, depth: usize) -> Result<Node, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                Code::Yaml,
                format!("YAML nests deeper than {MAX_DEPTH} levels"),
            )
            .at(self.loc(&span)));
        }
        match ev {
            Ev::Scalar {
                text,
                style,
                anchor,
                tag,
            } => {
                self.count(1, &span)?;
                let value = self.scalar(&text, style, tag.as_deref(), &span)?;
                let node = Node::new(value, self.origin(&span));
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                Ok(node)
            }
            Ev::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(|a| a.1) else {
                    return Err(Diagnostic::error(Code::Yaml, "invalid YAML: unknown alias")
                        .at(self.loc(&span)));
                };
                // Count before copying: a bomb is refused before it expands.
                self.count(size, &span)?;
                Ok(self.anchors[&id].0.clone())
            }
            Ev::SequenceStart { anchor, .. } => {
                let start_nodes = self.nodes;
                self.count(1, &span)?;
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Ev::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                }
                let node = Node::new(Value::Seq(items), self.origin(&span));
                if anchor > 0 {
                    let size = self.nodes - start_nodes;
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                Ok(node)
            }
            Ev::MappingStart { anchor, .. } => {
                let start_nodes = self.nodes;
                self.count(1, &span)?;
                let map = self.mapping(depth)?;
                let node = Node::new(Value::Map(map), self.origin(&span));
                if anchor > 0 {
                    let size = self.nodes - start_nodes;
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                Ok(node)
            }
            _ => Err(
                Diagnostic::error(Code::Yaml, "invalid YAML: unexpected event").at(self.loc(&span)),
            ),
        }
    }

    fn mapping(&mut self, depth: usize) -> Result<Map, Diagnostic> {
        let mut map = Map::default();
        // Where each entry's key is written, by entry index; `None` for
        // entries merged in by `<<` (which explicit keys may override).
        let mut keys_at: Vec<Option<(u32, u32)>> = Vec::new();
        loop {
            let (kev, kspan) = self.next()?;
            if matches!(kev, Ev::MappingEnd) {
                return Ok(map);
            }
            let is_merge = matches!(&kev, Ev::Scalar { text, style: ScalarStyle::Plain, tag: None, .. } if text == "<<");
            // A plain string key is spelt as read (its width underlines it).
            let plain = matches!(
                &kev,
                Ev::Scalar {
                    style: ScalarStyle::Plain,
                    tag: None,
                    ..
                }
            );
            let key_node = self.node(kev, kspan, depth + 1)?;
            let spelt = plain && matches!(key_node.value, Value::Str(_));
            let key = match key_node.value {
                Value::Str(s) => s,
                Value::Null => "null".to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => float_to_string(f),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(Diagnostic::error(
                        Code::Yaml,
                        "a map key must be a scalar, not a list or map",
                    )
                    .at(self.loc(&kspan)))
                }
            };
            let (vev, vspan) = self.next()?;
            let value = self.node(vev, vspan, depth + 1)?;
            if is_merge {
                self.merge_into(&mut map, &mut keys_at, value, &kspan)?;
                continue;
            }
            let here = (kspan.line, kspan.col.saturating_add(1));
            match map.get_index_of(&key) {
                Some(i) => {
                    if let Some((line, column)) = keys_at[i] {
                        return Err(Diagnostic::error(
                            Code::Yaml,
                            format!("duplicate key \"{key}\" in one mapping"),
                        )
                        .at(self.loc(&kspan))
                        .spanning(if spelt { key.chars().count() } else { 0 })
                        .note(format!(
                            "first defined at {}",
                            Location::new(self.file.clone(), line, column)
                        )));
                    }
                    // An explicit key overrides one merged in by `<<`.
                    keys_at[i] = Some(here);
                    map.insert(key, value);
                }
                None => {
                    keys_at.push(Some(here));
                    map.insert(key, value);
                }
            }
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: keys not written explicitly are taken
    /// from the merged maps, earlier maps first.
    fn merge_into(
        &self,
        map: &mut Map,
        keys_at: &mut Vec<Option<(u32, u32)>>,
        value: Node,
        span: &Pos,
    ) -> Result<(), Diagnostic> {
        let sources = match value.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => {
                let mut maps = Vec::new();
                for item in items {
                    match item.value {
                        Value::Map(m) => maps.push(m),
                        _ => return Err(self.bad_merge(span)),
                    }
                }
                maps
            }
            _ => return Err(self.bad_merge(span)),
        };
        for src in sources {
            for (k, v) in src {
                if map.contains_key(&k) {
                    continue;
                }
                keys_at.push(None);
                map.insert(k, v);
            }
        }
        Ok(())
    }

    fn bad_merge(&self, span: &Pos) -> Diagnostic {
        Diagnostic::error(Code::Yaml, "a `<<` merge key takes a map or a list of maps")
            .at(self.loc(span))
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: &Pos,
    ) -> Result<Value, Diagnostic> {
        if let Some(tag) = tag {
            if tag.is_yaml_core_schema() {
                let bad = |what: &str| {
                    Diagnostic::error(
                        Code::Yaml,
                        format!("\"{text}\" is not a valid {what} for tag !!{}", tag.suffix),
                    )
                    .at(self.loc(span))
                };
                return match tag.suffix.as_str() {
                    "str" | "binary" | "timestamp" => Ok(Value::Str(text.to_string())),
                    "int" => match resolve_plain(text) {
                        v @ Value::Int(_) => Ok(v),
                        _ => Err(bad("integer")),
                    },
                    "float" => match resolve_plain(text) {
                        Value::Int(i) => Ok(Value::Float(i as f64)),
                        v @ Value::Float(_) => Ok(v),
                        _ => Err(bad("float")),
                    },
                    "bool" => match resolve_plain(text) {
                        v @ Value::Bool(_) => Ok(v),
                        _ => Err(bad("boolean")),
                    },
                    "null" => Ok(Value::Null),
                    _ => Ok(self.resolve(text, style)),
                };
            }
        }
        Ok(self.resolve(text, style))
    }

    fn resolve(&self, text: &str, style: ScalarStyle) -> Value {
        match (self.typing, style) {
            (Typing::Helm, ScalarStyle::Plain) => resolve_plain_yaml11(text),
            _ => resolve_by_style(text, style),
        }
    }
}

/// What a Kubernetes manifest says about itself: the fields strata needs to
/// name, check and order it. A field is `Some` only when it is a non-empty
/// string, as [`load_one`] would type it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestHead {
    /// `apiVersion`.
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: Option<String>,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// Whether `metadata.annotations` has a `helm.sh/hook` key.
    pub hook: bool,
}

/// Read the head of one YAML document that is a map, in one pass over the
/// parser's events without building a values tree (rendered output is
/// checked this way: building and dropping a tree per document was most of
/// the cost of checking it).
///
/// Returns `None` whenever the document is not a plain, valid,
/// single-document map: syntax errors, duplicate keys, anchors and aliases,
/// tags, `<<` merge keys, non-string keys, excessive depth, empty or scalar
/// documents. Callers then use [`load_one`], which gives the exact result or
/// diagnostic; so `Some` always agrees with what [`load_one`] would read.
pub fn manifest_head(src: &str) -> Option<ManifestHead> {
    // Most rendered documents are in the fast reader's subset: read them
    // line by line, without events.
    fast::head(src).or_else(|| head_by_events(src))
}

/// [`manifest_head`] by walking events pulled from either reader: for
/// documents outside the fast reader's subset (flow collections, …) or
/// with large mappings.
fn head_by_events(src: &str) -> Option<ManifestHead> {
    Events::read(src, |events| {
        Skim {
            events,
            nodes: 0,
            spare: Vec::new(),
        }
        .head()
        .ok_or(())
    })
    .ok()
}

impl<'a> Skim<'a> {
    fn head(&mut self) -> Option<ManifestHead> {
        if !matches!(self.next()?, Ev::StreamStart) {
            return None;
        }
        if !matches!(self.next()?, Ev::DocumentStart) {
            return None;
        }
        if !matches!(self.next()?, Ev::PLAIN_MAP) {
            return None;
        }
        let mut head = ManifestHead::default();
        let mut keys = self.keys();
        while let Some(key) = self.key(&mut keys)? {
            match &*key {
                "apiVersion" => head.api_version = self.string_or_skip(1)?,
                "kind" => head.kind = self.string_or_skip(1)?,
                "metadata" => match self.next()? {
                    Ev::PLAIN_MAP => self.metadata(&mut head)?,
                    ev => self.skip(ev, 1)?,
                },
                _ => {
                    let ev = self.next()?;
                    self.skip(ev, 1)?;
                }
            }
        }
        match self.next()? {
            Ev::DocumentEnd => {}
            _ => return None,
        }
        match self.next()? {
            Ev::StreamEnd => Some(head),
            _ => None,
        }
    }
}

/// The keys of one mapping, to refuse duplicates: a short list scanned
/// linearly (manifests' maps are small), a hash set past that.
#[derive(Default)]
struct Keys<'a> {
    few: Vec<Cow<'a, str>>,
    many: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> Keys<'a> {
    const FEW: usize = 16;

    /// Record `key`; false if the mapping already has it.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&key) {
                return false;
            }
            self.few.push(key);
            return true;
        }
        self.many
            .get_or_insert_with(|| self.few.iter().cloned().collect())
            .insert(key)
    }
}

/// The event walker behind [`manifest_head`]: `None` means "not simple,
/// ask the loader".
struct Skim<'a> {
    events: Events<'a>,
    nodes: usize,
    /// Key lists of finished mappings, to reuse (one allocation per
    /// mapping of every document added up).
    spare: Vec<Keys<'a>>,
}

impl<'a> Skim<'a> {
    fn next(&mut self) -> Option<Ev<'a>> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return None;
        }
        match self.events.next()? {
            Ok((ev, _)) => Some(ev),
            Err(_) => None,
        }
    }

    /// The next key of the current mapping (`Ok(None)` at its end, `None`
    /// if the key is not a plain string or repeats one).
    fn key(&mut self, keys: &mut Keys<'a>) -> Option<Option<Cow<'a, str>>> {
        match self.next()? {
            Ev::MappingEnd => Some(None),
            Ev::Scalar {
                text,
                style,
                anchor: 0,
                tag: None,
            } => {
                let is_str = style != ScalarStyle::Plain || plain_is_string(&text);
                if !is_str || text == "<<" || !keys.insert(text.clone()) {
                    return None;
                }
                Some(Some(text))
            }
            _ => None,
        }
    }

    /// The next value as a non-empty string; anything else is skipped and
    /// reads as `None` (the outer `None`: not simple).
    fn string_or_skip(&mut self, depth: usize) -> Option<Option<String>> {
        match self.next()? {
            Ev::Scalar {
                text,
                style,
                anchor: 0,
                tag: None,
            } => {
                let is_str = style != ScalarStyle::Plain || plain_is_string(&text);
                Some((is_str && !text.is_empty()).then(|| text.into_owned()))
            }
            ev => {
                self.skip(ev, depth)?;
                Some(None)
            }
        }
    }

    /// An empty key list.
    fn keys(&mut self) -> Keys<'a> {
        self.spare.pop().unwrap_or_default()
    }

    /// A key list no longer needed.
    fn recycle(&mut self, mut keys: Keys<'a>) {
        keys.few.clear();
        keys.many = None;
        self.spare.push(keys);
    }

    fn metadata(&mut self, head: &mut ManifestHead) -> Option<()> {
        let mut keys = self.keys();
        while let Some(key) = self.key(&mut keys)? {
            match &*key {
                "name" => head.name = self.string_or_skip(2)?,
                "namespace" => head.namespace = self.string_or_skip(2)?,
                "annotations" => match self.next()? {
                    Ev::PLAIN_MAP => {
                        let mut keys = self.keys();
                        while let Some(k) = self.key(&mut keys)? {
                            head.hook |= k == "helm.sh/hook";
                            let ev = self.next()?;
                            self.skip(ev, 3)?;
                        }
                        self.recycle(keys);
                    }
                    ev => self.skip(ev, 2)?,
                },
                _ => {
                    let ev = self.next()?;
                    self.skip(ev, 2)?;
                }
            }
        }
        self.recycle(keys);
        Some(())
    }

    /// Walk past the node that `ev` starts, checking its keys.
    fn skip(&mut self, ev: Ev<'a>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ev {
            Ev::Scalar {
                anchor: 0,
                tag: None,
                ..
            } => Some(()),
            Ev::SequenceStart {
                anchor: 0,
                tagged: false,
            } => loop {
                match self.next()? {
                    Ev::SequenceEnd => return Some(()),
                    ev => self.skip(ev, depth + 1)?,
                }
            },
            Ev::PLAIN_MAP => {
                let mut keys = self.keys();
                while self.key(&mut keys)?.is_some() {
                    let ev = self.next()?;
                    self.skip(ev, depth + 1)?;
                }
                self.recycle(keys);
                Some(())
            }
            _ => None,
        }
    }
}

/// Whether a plain scalar types as a string (YAML 1.2 core schema), without
/// allocating for the usual case of a word.
#[inline(always)]
fn plain_is_string(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => !matches!(
            s,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        ),
        _ => matches!(resolve_plain(s), Value::Str(_)),
    }
}

fn is_empty_scalar_doc(node: &Node) -> bool {
    matches!(node.value, Value::Null)
}

fn resolve_by_style(text: &str, style: ScalarStyle) -> Value {
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_string()),
    }
}

/// Type a plain scalar by the YAML 1.2 core schema.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => s
                .parse::<f64>()
                .map_or_else(|_| Value::Str(s.to_string()), Value::Float),
        };
    }
    if !neg && s.len() == digits.len() {
        if let Some(hex) = s.strip_prefix("0x") {
            if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                if let Ok(i) = i64::from_str_radix(hex, 16) {
                    return Value::Int(i);
                }
            }
        }
        if let Some(oct) = s.strip_prefix("0o") {
            if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                if let Ok(i) = i64::from_str_radix(oct, 8) {
                    return Value::Int(i);
                }
            }
        }
    }
    if is_core_float(digits) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Type a plain scalar as go-yaml v2 (YAML 1.1) does for Helm's values:
/// its boolean and null words, `strconv.ParseInt(s, 0, 64)` after removing
/// underscores (so `0755` is octal, `0x`/`0o`/`0b` prefixes work), then
/// its float pattern, then `0b`/`-0b` binary. Anything else is a string
/// (dates included: Helm 4 keeps `2020-01-01` a string).
pub fn resolve_plain_yaml11(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        _ => {}
    }
    match s.as_bytes().first() {
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => {}
        _ => return resolve_plain(s),
    }
    match resolve_plain(s) {
        v @ (Value::Null | Value::Bool(_)) => return v,
        Value::Float(f) if f.is_nan() || f.is_infinite() => return Value::Float(f),
        _ => {}
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return i;
    }
    let digits = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if is_core_float(digits) {
        if let Ok(f) = plain.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`, whose values past
/// i64 become floats as JSON makes them): sign, then `0x`, `0o`, `0b` or a
/// leading `0` for octal.
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Value::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    Some(match i64::try_from(magnitude) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(magnitude as f64),
    })
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (sign already removed).
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// A float as YAML prints it: always recognisable as a float.
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let abs = f.abs();
    let s = if abs != 0.0 && !(1e-5..1e16).contains(&abs) {
        format!("{f:e}")
    } else {
        format!("{f}")
    };
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

// ---------------------------------------------------------------------------
// Outline: where things are in the text, for in-place edits (`promote`).

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `plain`
    Plain,
    /// `'single'`
    Single,
    /// `"double"`
    Double,
    /// `|` literal block
    Literal,
    /// `>` folded block
    Folded,
}

/// A node of a YAML document with its place in the text: byte offsets
/// (`end` exclusive, trailing blanks and comments excluded).
#[derive(Clone, Debug)]
pub struct Outline {
    /// What it is.
    pub kind: OutlineKind,
    /// Byte offset of its first character (for a block map or list, the
    /// first key or item).
    pub start: usize,
    /// Byte offset just after its last character.
    pub end: usize,
}

/// The kinds of outlined nodes.
#[derive(Clone, Debug)]
pub enum OutlineKind {
    /// A scalar, its text (the value read) and style.
    Scalar(String, Style),
    /// A map (`flow`: written `{…}`).
    Map {
        /// Written in flow style.
        flow: bool,
        /// Its entries in order.
        entries: Vec<OutlineEntry>,
    },
    /// A list (`flow`: written `[…]`).
    Seq {
        /// Written in flow style.
        flow: bool,
        /// Its items.
        items: Vec<Outline>,
    },
    /// An alias (`*name`).
    Alias,
}

/// A map entry: its key's text and place, and its value.
#[derive(Clone, Debug)]
pub struct OutlineEntry {
    /// The key as read.
    pub key: String,
    /// Byte offset of the key's first character.
    pub key_start: usize,
    /// Byte offset just after the `:` that ends the key.
    pub colon_end: usize,
    /// The value.
    pub value: Outline,
}

impl Outline {
    /// The entry `key` of a map node.
    pub fn entry(&self, key: &str) -> Option<&OutlineEntry> {
        match &self.kind {
            OutlineKind::Map { entries, .. } => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }
}

/// The outline of the first document of `src` (`None` when empty). Errors
/// are the loader's: call [`load_values`] first for full checks.
pub fn outline(src: &str) -> Result<Option<Outline>, Diagnostic> {
    let mut offsets: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
    offsets.push(src.len());
    let mut o = Outliner {
        parser: Parser::new_from_str(src),
        src,
        offsets,
        depth: 0,
    };
    loop {
        let (ev, span) = o.next()?;
        match ev {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::StreamEnd | Event::DocumentEnd => return Ok(None),
            ev => {
                let node = o.node(ev, span)?;
                if matches!(&node.kind, OutlineKind::Scalar(t, Style::Plain) if t.is_empty()) {
                    return Ok(None);
                }
                return Ok(Some(node));
            }
        }
    }
}

/// An anchored node (`&name`) that some alias (`*name`) repeats: editing
/// text inside `start..end` changes every alias too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasedAnchor {
    /// Byte offset where the anchored node starts.
    pub start: usize,
    /// Byte offset just after it ends.
    pub end: usize,
    /// Line (1-based) of each alias of it.
    pub alias_lines: Vec<usize>,
}

/// The anchored nodes of `src` that are aliased somewhere. Invalid YAML
/// gives what was found up to the error (the loader reports the error).
pub fn aliased_anchors(src: &str) -> Vec<AliasedAnchor> {
    let offsets: Vec<usize> = src
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(src.len()))
        .collect();
    let byte = |c: usize| offsets.get(c).copied().unwrap_or(src.len());
    let mut parser = Parser::new_from_str(src);
    // Anchor id -> (start, end); open collections: (anchor id, start).
    let mut anchors: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut aliases: Vec<(usize, usize)> = Vec::new();
    // The end of the last scalar, alias or flow collection: a block
    // collection ends there (its end event comes at the next token).
    let mut last_end = 0;
    while let Some(Ok((ev, span))) = parser.next_event() {
        let (start, end) = (byte(span.start.index()), byte(span.end.index()));
        match ev {
            Event::MappingStart(a, _) | Event::SequenceStart(a, _) => open.push((a, start)),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some((a, s)) = open.pop() {
                    let flow = matches!(src.as_bytes().get(s), Some(b'{' | b'['));
                    if flow {
                        last_end = end.max(s);
                    }
                    if a > 0 {
                        anchors.insert(a, (s, last_end.max(s)));
                    }
                }
            }
            Event::Scalar(_, _, a, _) => {
                last_end = end.max(start);
                if a > 0 {
                    anchors.insert(a, (start, last_end));
                }
            }
            Event::Alias(id) => {
                last_end = end.max(start);
                aliases.push((id, span.start.line()));
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    let mut out: Vec<AliasedAnchor> = Vec::new();
    let mut ids: Vec<usize> = aliases.iter().map(|a| a.0).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        if let Some(&(start, end)) = anchors.get(&id) {
            out.push(AliasedAnchor {
                start,
                end,
                alias_lines: aliases.iter().filter(|a| a.0 == id).map(|a| a.1).collect(),
            });
        }
    }
    out
}

struct Outliner<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    src: &'a str,
    /// Byte offset of each character (and of the end).
    offsets: Vec<usize>,
    depth: usize,
}

impl<'a> Outliner<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(Diagnostic::error(
                Code::Yaml,
                format!("invalid YAML: {}", e.info()),
            )),
            None => Err(Diagnostic::error(
                Code::Yaml,
                "invalid YAML: unexpected end of input",
            )),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.offsets
            .get(char_index)
            .copied()
            .unwrap_or(self.src.len())
    }

    fn node(&mut self, ev: Event<'a>, span: Span) -> Result<Outline, Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                Code::Yaml,
                format!("YAML nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let start = self.byte(span.start.index());
        let out = match ev {
            Event::Scalar(text, style, _, _) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::Single,
                    ScalarStyle::DoubleQuoted => Style::Double,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let end = match style {
                    Style::Single => quoted_end(self.src, start, b'\''),
                    Style::Double => quoted_end(self.src, start, b'"'),
                    _ => {
                        let e = self.byte(span.end.index()).max(start);
                        start + self.src[start..e].trim_end().len()
                    }
                };
                Outline {
                    kind: OutlineKind::Scalar(text.to_string(), style),
                    start,
                    end,
                }
            }
            Event::Alias(_) => Outline {
                kind: OutlineKind::Alias,
                start,
                end: self.byte(span.end.index()).max(start),
            },
            Event::SequenceStart(..) => {
                let flow = self.src[start..].starts_with('[');
                let mut items = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break if flow {
                            self.byte(sp.end.index())
                        } else {
                            items.last().map_or(start, |i: &Outline| i.end)
                        };
                    }
                    items.push(self.node(ev, sp)?);
                };
                Outline {
                    kind: OutlineKind::Seq { flow, items },
                    start,
                    end,
                }
            }
            Event::MappingStart(..) => {
                let flow = self.src[start..].starts_with('{');
                let mut entries = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break if flow {
                            self.byte(sp.end.index())
                        } else {
                            entries.last().map_or(start, |e: &OutlineEntry| e.value.end)
                        };
                    }
                    let key = self.node(ev, sp)?;
                    let (vev, vsp) = self.next()?;
                    let value = self.node(vev, vsp)?;
                    let (key_text, key_end) = match &key.kind {
                        OutlineKind::Scalar(t, _) => (t.clone(), key.end),
                        _ => (String::new(), key.end),
                    };
                    let colon_end = self.src[key_end..]
                        .find(':')
                        .map_or(key_end, |i| key_end + i + 1);
                    entries.push(OutlineEntry {
                        key: key_text,
                        key_start: key.start,
                        colon_end,
                        value,
                    });
                };
                Outline {
                    kind: OutlineKind::Map { flow, entries },
                    start,
                    end,
                }
            }
            _ => {
                return Err(Diagnostic::error(
                    Code::Yaml,
                    "invalid YAML: unexpected event",
                ))
            }
        };
        self.depth -= 1;
        Ok(out)
    }
}

/// The byte offset just after the closing quote of the quoted scalar
/// starting at `start`.
fn quoted_end(src: &str, start: usize, quote: u8) -> usize {
    let b = src.as_bytes();
    let mut i = start + 1;
    while i < b.len() {
        if quote == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if quote == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

// ---------------------------------------------------------------------------
// Writing

/// Print a value as block YAML, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Map(m) if !m.is_empty() => emit_map(&mut out, m, 0, false),
        Value::Seq(s) if !s.is_empty() => emit_seq(&mut out, s, 0, false),
        Value::Str(s) if is_block_candidate(s) => {
            emit_block_str(&mut out, s, 0);
        }
        other => {
            out.push_str(&scalar_text(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn emit_map(out: &mut String, map: &Map, ind: usize, first_inline: bool) {
    for (i, (k, v)) in map.iter().enumerate() {
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str(&quote_if_needed(k));
        out.push(':');
        match &v.value {
            Value::Map(m) if !m.is_empty() => {
                out.push('\n');
                emit_map(out, m, ind + 2, false);
            }
            Value::Seq(s) if !s.is_empty() => {
                out.push('\n');
                emit_seq(out, s, ind, false);
            }
            Value::Str(s) if is_block_candidate(s) => {
                out.push(' ');
                emit_block_str(out, s, ind + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar_text(other));
                out.push('\n');
            }
        }
    }
}

fn emit_seq(out: &mut String, items: &[Node], ind: usize, first_inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str("- ");
        match &item.value {
            Value::Map(m) if !m.is_empty() => emit_map(out, m, ind + 2, true),
            Value::Seq(s) if !s.is_empty() => emit_seq(out, s, ind + 2, true),
            Value::Str(s) if is_block_candidate(s) => emit_block_str(out, s, ind + 2),
            other => {
                out.push_str(&scalar_text(other));
                out.push('\n');
            }
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

#[cfg(test)]
mod tests {
    /// Found by fuzzing (fuzz/ target `yaml`): a key starting with `...`
    /// printed plain ended the document when read back.
    #[test]
    fn fuzz_regression_document_end_marker_key() {
        let file: Arc<str> = Arc::from("fuzz.yaml");
        let node = load_values(" ... ...:", &file).unwrap_or_else(|d| panic!("{}", d.message));
        let text = to_yaml(&node.value);
        let back = load_values(&text, &file).unwrap_or_else(|d| panic!("{}\n{text}", d.message));
        assert_eq!(back.value, node.value, "{text}");
        assert!(needs_quotes("...") && needs_quotes("... x"));
    }

    use super::*;

    fn file() -> Arc<str> {
        Arc::from("values.yaml")
    }

    fn load(src: &str) -> Node {
        load_values(src, &file()).unwrap_or_else(|d| panic!("{d}"))
    }

    fn err(src: &str) -> Diagnostic {
        match load_values(src, &file()) {
            Ok(n) => panic!("expected an error, got {n:?}"),
            Err(d) => d,
        }
    }

    #[test]
    fn typing_is_yaml_1_2_core() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Str("yes".into())),
            ("on", Value::Str("on".into())),
            ("y", Value::Str("y".into())),
            ("True", Value::Bool(true)),
            ("FALSE", Value::Bool(false)),
            ("~", Value::Null),
            ("0755", Value::Int(755)),
            ("0o17", Value::Int(15)),
            ("0x1F", Value::Int(31)),
            ("-12", Value::Int(-12)),
            ("12345678901", Value::Int(12_345_678_901)),
            ("1.5", Value::Float(1.5)),
            ("1e3", Value::Float(1000.0)),
            (".5", Value::Float(0.5)),
            ("1_000", Value::Str("1_000".into())),
            ("1.2.3", Value::Str("1.2.3".into())),
            ("99999999999999999999", Value::Float(1e20)),
        ];
        for (src, want) in cases {
            assert_eq!(&resolve_plain(src), want, "{src}");
        }
        assert!(matches!(resolve_plain(".nan"), Value::Float(f) if f.is_nan()));
    }

    /// What `load_one` reads of a manifest, to check `manifest_head`.
    pub(super) fn head_by_loader(src: &str) -> Option<ManifestHead> {
        let node = load_one(src, &file()).ok()??;
        let map = node.as_map()?;
        let string = |n: Option<&Node>| match n.map(|n| &n.value) {
            Some(Value::Str(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let meta = map.get("metadata").and_then(Node::as_map);
        Some(ManifestHead {
            api_version: string(map.get("apiVersion")),
            kind: string(map.get("kind")),
            name: string(meta.and_then(|m| m.get("name"))),
            namespace: string(meta.and_then(|m| m.get("namespace"))),
            hook: meta
                .and_then(|m| m.get("annotations"))
                .and_then(Node::as_map)
                .is_some_and(|a| a.contains_key("helm.sh/hook")),
        })
    }

    #[test]
    fn manifest_head_reads_plain_manifests_in_one_pass() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: \"prod\"\n  annotations:\n    helm.sh/hook: pre-install\n    other: [1, {a: b}]\nspec:\n  replicas: 3\n  template: {spec: {containers: [{name: c, args: [\"-x\"]}]}}\n";
        let head = manifest_head(src).expect("a plain manifest takes the fast path");
        assert_eq!(head.api_version.as_deref(), Some("apps/v1"));
        assert_eq!(head.kind.as_deref(), Some("Deployment"));
        assert_eq!(head.name.as_deref(), Some("web"));
        assert_eq!(head.namespace.as_deref(), Some("prod"));
        assert!(head.hook);
        assert_eq!(Some(head), head_by_loader(src));
    }

    #[test]
    fn manifest_head_types_fields_as_the_loader_does() {
        for src in [
            "apiVersion: v1\nkind: 5\nmetadata: {name: true}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\"}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: null, namespace: ~}\n",
            "apiVersion: v1\nkind: [ConfigMap]\nmetadata: name\n",
            "apiVersion: \"1\"\nkind: \"true\"\nmetadata: {name: '0x1', namespace: 0x1}\n",
            "kind: ConfigMap\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {annotations: {\"helm.sh/hook\": null}}\n",
        ] {
            let fast = manifest_head(src);
            assert!(fast.is_some(), "fast path declined {src:?}");
            assert_eq!(fast, head_by_loader(src), "{src:?}");
        }
    }

    #[test]
    fn manifest_head_leaves_everything_unusual_to_the_loader() {
        let big_map: String = (0..40).map(|i| format!("  k{i}: v\n")).collect();
        for src in [
            "",
            "# only a comment\n",
            "just a string\n",
            "- a\n- b\n",
            "kind: A\nkind: B\n",
            "a: {x: 1, x: 2}\n",
            "1: a\n0x1: b\n",
            "base: &b {x: 1}\nother: *b\n",
            "a: !!str 1\n",
            "<<: {kind: A}\n",
            "? [a]\n: b\n",
            "a: [unclosed\n",
            "a: 1\n---\nb: 2\n",
            &format!("data:\n{big_map}  k3: again\n"),
        ] {
            assert_eq!(manifest_head(src), None, "{src:?}");
        }
        let many = format!("kind: A\ndata:\n{big_map}");
        assert_eq!(manifest_head(&many), head_by_loader(&many));
        assert!(manifest_head(&many).is_some());
    }

    #[test]
    fn positions_are_one_based() {
        let n = load("image:\n  repository: nginx\n  tag: \"1.2\"\n");
        let tag = n.get_path(&["image", "tag"]).unwrap();
        assert_eq!(tag.origin.to_string(), "values.yaml:3:8");
        assert_eq!(tag.value, Value::Str("1.2".into()));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let n = load("a: \"true\"\nb: '5'\nc: |\n  x\n");
        assert_eq!(n.get_path(&["a"]).unwrap().value, Value::Str("true".into()));
        assert_eq!(n.get_path(&["b"]).unwrap().value, Value::Str("5".into()));
        assert_eq!(n.get_path(&["c"]).unwrap().value, Value::Str("x\n".into()));
    }

    #[test]
    fn duplicate_keys_are_errors_with_both_places() {
        let d = err("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.message, "duplicate key \"a\" in one mapping");
        assert_eq!(d.location.unwrap().to_string(), "values.yaml:3:1");
        assert_eq!(d.notes, vec!["first defined at values.yaml:1:1"]);
        assert_eq!(d.snippet.as_deref(), Some("a: 3"));
    }

    #[test]
    fn malformed_yaml_names_line() {
        let d = err("a: [1, 2\nb: 3\n");
        assert!(d.message.starts_with("invalid YAML:"), "{}", d.message);
        assert_eq!(&*d.location.unwrap().file, "values.yaml");
    }

    #[test]
    fn top_level_must_be_map() {
        let d = err("- a\n- b\n");
        assert_eq!(
            d.message,
            "values.yaml must hold a map of values, but its top level is an array"
        );
        assert_eq!(load("").as_map().map(|m| m.len()), Some(0));
        assert_eq!(
            load("# only a comment\n").as_map().map(|m| m.len()),
            Some(0)
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let d = err(&src);
        assert!(d.message.contains("refusing to expand"), "{}", d.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = format!("a: {}1{}\n", "[".repeat(500), "]".repeat(500));
        let d = err(&src);
        assert!(
            d.message.contains("deeper") || d.message.contains("recursion"),
            "{}",
            d.message
        );
    }

    #[test]
    fn numeric_looking_strings() {
        for yes in [
            "1",
            "-1",
            "+.5",
            ".5",
            "1_000",
            "_1",
            "0x1F",
            "0o17",
            "0b101",
            "1:20",
            "190:20:30.15",
            "1e5",
            "1.5",
        ] {
            assert!(looks_numeric(yes), "{yes}");
        }
        for no in [
            "",
            "-",
            "_",
            "__",
            "app0001",
            "bench-0.1.0",
            "e5",
            "0x",
            "1.2.3",
            "v1",
            "1a",
            "x:1",
        ] {
            assert!(!looks_numeric(no), "{no}");
        }
    }

    #[test]
    fn merge_keys() {
        let n = load("base: &b\n  x: 1\n  y: 2\nderived:\n  <<: *b\n  y: 3\n");
        let d = n.get_path(&["derived"]).unwrap();
        assert_eq!(d.get_path(&["x"]).unwrap().value, Value::Int(1));
        assert_eq!(d.get_path(&["y"]).unwrap().value, Value::Int(3));
    }

    #[test]
    fn merge_keys_keep_order_explicit_keys_win_and_duplicates_point_at_the_first() {
        let n =
            load("a: &a {x: 1, y: 2}\nb: &b {y: 20, z: 30}\nd:\n  x: 0\n  <<: [*a, *b]\n  z: 3\n");
        let d = n.get_path(&["d"]).unwrap();
        let Value::Map(m) = &d.value else {
            panic!("not a map")
        };
        let got: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), &v.value)).collect();
        assert_eq!(
            got,
            [
                ("x", &Value::Int(0)),
                ("y", &Value::Int(2)),
                ("z", &Value::Int(3))
            ]
        );
        let e = err("a: &a {y: 2}\nd:\n  <<: *a\n  y: 3\n  y: 4\n");
        assert!(e.message.contains("duplicate key \"y\""), "{}", e.message);
        assert_eq!(e.location.as_ref().map(|l| l.line), Some(5));
        assert!(
            e.notes.iter().any(|n| n.contains("values.yaml:4:3")),
            "{:?}",
            e.notes
        );
    }

    #[test]
    fn non_utf8_is_refused_with_line() {
        let d = decode_utf8(b"a: 1\nb: \xff\n", "values.yaml").unwrap_err();
        assert_eq!(d.location.unwrap().to_string(), "values.yaml:2:4");
    }

    #[test]
    fn owned_bytes_decode_as_borrowed_ones() {
        for bytes in [
            &b"a: 1\n"[..],
            b"\xEF\xBB\xBFa: 1\n",
            b"\xEF\xBB\xBF\xEF\xBB\xBFa: 1\n",
            b"",
            b"a: 1\nb: \xff\n",
            b"\xEF\xBB\xBFa: \xff\n",
            b"\xEF\xBB\xBF\xEF\xBB\xBFa: \xff\n",
        ] {
            let borrowed = decode_utf8(bytes, "t.yaml").map(str::to_string);
            let owned = decode_utf8_owned(bytes.to_vec(), "t.yaml");
            assert_eq!(format!("{owned:?}"), format!("{borrowed:?}"), "{bytes:?}");
        }
    }

    #[test]
    fn emits_helm_layout() {
        let n = load(
            "name: web\nlist:\n- a\n- b: 1\n  c: 2\nempty: {}\nnone: []\nnested:\n  deep:\n    x: null\n",
        );
        assert_eq!(
            to_yaml(&n.value),
            "name: web\nlist:\n- a\n- b: 1\n  c: 2\nempty: {}\nnone: []\nnested:\n  deep:\n    x: null\n"
        );
    }

    #[test]
    fn quotes_what_yaml_1_1_would_retype() {
        for s in [
            "yes", "on", "n", "0755", "1_000", "1e3", "true", "null", "", " x", "1:20", "0x1f",
            "12", "-1", "a: b", "#x", "- x",
        ] {
            assert!(needs_quotes(s), "{s:?} should be quoted");
        }
        for s in [
            "web",
            "1.2.3",
            "v1",
            "nginx:1.25",
            "a-b",
            "-Xmx1g",
            "http://x/y",
        ] {
            assert!(!needs_quotes(s), "{s:?} should be plain");
        }
    }

    #[test]
    fn multi_line_strings_round_trip() {
        for s in ["a\nb\n", "a\nb", "a\n\nb\n\n", "x: 1\n  y\n"] {
            let mut m = Map::default();
            m.insert("k".into(), Node::generated(Value::Str(s.into())));
            let text = to_yaml(&Value::Map(m));
            let back = load(&text);
            assert_eq!(
                back.get_path(&["k"]).unwrap().value,
                Value::Str(s.into()),
                "{text}"
            );
        }
    }

    #[test]
    fn outline_gives_byte_spans_of_keys_and_values() {
        let src =
            "# é\na:\n  b: 'x y'  # k\n  c: {d: 1}\n  \"q\": \"v\\\"w\"\n  g: |\n    lit\n\nh: 3\n";
        let root = outline(src)
            .unwrap_or_else(|d| panic!("{d}"))
            .expect("root");
        let text = |o: &Outline| &src[o.start..o.end];
        let a = root.entry("a").expect("a");
        assert_eq!(&src[a.key_start..a.colon_end], "a:");
        let b = a.value.entry("b").expect("b");
        assert_eq!(text(&b.value), "'x y'");
        assert!(matches!(&b.value.kind, OutlineKind::Scalar(t, Style::Single) if t == "x y"));
        let c = a.value.entry("c").expect("c");
        assert_eq!(text(&c.value), "{d: 1}");
        assert!(matches!(&c.value.kind, OutlineKind::Map { flow: true, .. }));
        let q = a.value.entry("q").expect("q");
        assert_eq!(&src[q.key_start..q.colon_end], "\"q\":");
        assert_eq!(text(&q.value), "\"v\\\"w\"");
        let g = a.value.entry("g").expect("g");
        assert!(matches!(
            &g.value.kind,
            OutlineKind::Scalar(_, Style::Literal)
        ));
        assert_eq!(text(&g.value), "lit");
        assert_eq!(
            &src[a.value.start..a.value.end],
            &src[src.find("b:").unwrap_or(0)..src.find("lit").unwrap_or(0) + 3]
        );
        assert_eq!(text(&root.entry("h").expect("h").value), "3");
        assert!(outline("# only\n")
            .unwrap_or_else(|d| panic!("{d}"))
            .is_none());
    }

    #[test]
    fn floats_print_as_floats() {
        assert_eq!(float_to_string(3.0), "3.0");
        assert_eq!(float_to_string(0.25), "0.25");
        assert_eq!(float_to_string(1e21), "1e21");
        assert_eq!(resolve_plain(&float_to_string(1e21)), Value::Float(1e21));
    }

    #[test]
    fn plain_scalars_have_positions_and_skip_quoted_ones() {
        let got = plain_scalars("a: yes\nb: \"no\"\nc: [on, 'off']\n");
        let texts: Vec<(&str, u32, u32)> = got
            .iter()
            .map(|p| (p.text.as_str(), p.line, p.column))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("a", 1, 1),
                ("yes", 1, 4),
                ("b", 2, 1),
                ("c", 3, 1),
                ("on", 3, 5)
            ]
        );
    }
}

#[cfg(test)]
mod yaml11_tests {
    use super::*;

    #[test]
    fn helm_typing_reads_yaml_1_1() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Bool(true)),
            ("On", Value::Bool(true)),
            ("n", Value::Bool(false)),
            ("OFF", Value::Bool(false)),
            ("0755", Value::Int(493)),
            ("1_000", Value::Int(1000)),
            ("0x1F", Value::Int(31)),
            ("0b101", Value::Int(5)),
            ("-0b11", Value::Int(-3)),
            ("08", Value::Float(8.0)),
            ("1e3", Value::Float(1000.0)),
            ("0o17", Value::Int(15)),
            ("+5", Value::Int(5)),
            (".5", Value::Float(0.5)),
            ("1:20", Value::Str("1:20".into())),
            ("2020-01-01", Value::Str("2020-01-01".into())),
            ("~", Value::Null),
            ("word", Value::Str("word".into())),
            ("18446744073709551615", Value::Float(18446744073709551615.0)),
        ];
        for (src, want) in cases {
            assert_eq!(&resolve_plain_yaml11(src), want, "{src}");
        }
        let file: Arc<str> = Arc::from("v.yaml");
        let node =
            load_values_typed("on: yes\nq: \"yes\"\nn: 0755\n", &file, Typing::Helm).unwrap();
        let map = node.as_map().unwrap();
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["true", "q", "false"]);
        assert_eq!(map["true"].value, Value::Bool(true));
        assert_eq!(map["q"].value, Value::Str("yes".into()));
        assert_eq!(map["false"].value, Value::Int(493));
        // strata's own reading is unchanged.
        let node = load_values("on: yes\n", &file).unwrap();
        assert_eq!(node.as_map().unwrap()["on"].value, Value::Str("yes".into()));
    }
}
