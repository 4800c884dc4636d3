//! The loader: YAML text into a values tree whose every node remembers its
//! line and column.
//!
//! Reading goes through `saphyr-parser`'s event stream, so every node keeps
//! its line and column, and typing follows the YAML 1.2 core schema whatever
//! the file (`yes` is a string, `0755` is the integer 755). The loader
//! refuses duplicate keys, nesting deeper than [`MAX_DEPTH`], and alias
//! expansion beyond [`MAX_NODES`] nodes (billion-laughs documents), before
//! doing the work. `<<` merge keys are honoured, as Helm's YAML reader does.
//! Most texts are read by the fast line reader ([`crate::fast`]), the rest
//! by saphyr-parser.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::diag::{Code, Diagnostic, Location};
use crate::fast;
use crate::scalar::{
    float_to_string, is_empty_scalar_doc, resolve_by_style, resolve_plain, resolve_plain_yaml11,
};
use crate::value::{Map, Node, Origin, Value};

/// How deep maps and lists may nest.
pub const MAX_DEPTH: usize = 200;
/// How many nodes one document may produce, aliases expanded.
pub const MAX_NODES: usize = 1_000_000;

pub(crate) fn to_u32(n: usize) -> u32 {
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
    load_one_from(src, file, typing, 1)
}

/// [`load_one`] of a text that starts at line `first_line` of `file` (a
/// part of a larger text, such as one document of a rendered stream):
/// origins and diagnostics give lines of the whole file, without the
/// caller padding the text with newlines.
pub fn load_one_from_line(
    src: &str,
    file: &Arc<str>,
    first_line: u32,
) -> Result<Option<Node>, Diagnostic> {
    load_one_from(src, file, Typing::Core, first_line)
}

fn load_one_from(
    src: &str,
    file: &Arc<str>,
    typing: Typing,
    first_line: u32,
) -> Result<Option<Node>, Diagnostic> {
    let mut docs = load_stream_from(src, file, typing, first_line)?;
    if docs.len() > 1 {
        let second = docs.swap_remove(1);
        let loc = second.origin.location().cloned();
        return Err(Diagnostic::error(
            Code::Yaml,
            format!("{file} holds more than one YAML document; values files hold one map"),
        )
        .at_opt(loc)
        .with_source_from(src, first_line));
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
    load_stream_from(src, file, typing, 1)
}

/// [`load_stream_typed`] of a text that starts at line `first_line` of
/// `file`.
fn load_stream_from(
    src: &str,
    file: &Arc<str>,
    typing: Typing,
    first_line: u32,
) -> Result<Vec<Node>, Diagnostic> {
    Events::read(src, |events| {
        Loader {
            events,
            file: file.clone(),
            anchors: HashMap::new(),
            nodes: 0,
            typing,
            lines_before: first_line.saturating_sub(1),
        }
        .stream()
    })
    .map_err(|d| d.with_source_from(src, first_line))
}

/// Where events come from: the fast reader, or saphyr-parser. (One of
/// each per text read: the size difference does not matter.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Events<'a> {
    Fast(fast::Fast<'a>),
    Saphyr(Parser<'a, saphyr_parser::StrInput<'a>>),
}

impl<'a> Events<'a> {
    /// `read` over the fast reader's events, and when that gives no result
    /// (it declined the text, or any error at all), over saphyr-parser's:
    /// saphyr's result and diagnostics are the reference (see `fast`).
    pub(crate) fn read<T, E>(
        src: &'a str,
        mut read: impl FnMut(Events<'a>) -> Result<T, E>,
    ) -> Result<T, E> {
        read(Events::Fast(fast::Fast::new(src)))
            .or_else(|_| read(Events::Saphyr(Parser::new_from_str(src))))
    }

    /// The next event: `None` at the end of saphyr's stream, or where the
    /// fast reader declines the text.
    pub(crate) fn next(&mut self) -> Option<Result<(Ev<'a>, Pos), ScanError>> {
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
pub(crate) enum Ev<'a> {
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
    pub(crate) const PLAIN_MAP: Ev<'static> = Ev::MappingStart {
        anchor: 0,
        tagged: false,
    };

    /// Saphyr's event as ours (`None` for its `Nothing`).
    pub(crate) fn from_saphyr(ev: Event<'a>) -> Option<Ev<'a>> {
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
    pub(crate) fn plain(text: &'a str) -> Ev<'a> {
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
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) col: u32,
}

impl Pos {
    pub(crate) fn of(m: &saphyr_parser::Marker) -> Pos {
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
    /// Lines of the file before the text read (added to every line).
    lines_before: u32,
}

type Item<'a> = (Ev<'a>, Pos);

impl<'a> Loader<'a> {
    fn origin(&self, pos: &Pos) -> Origin {
        Origin::file(
            &self.file,
            pos.line.saturating_add(self.lines_before),
            pos.col.saturating_add(1),
        )
    }

    fn loc(&self, pos: &Pos) -> Location {
        Location::new(
            self.file.clone(),
            pos.line.saturating_add(self.lines_before),
            pos.col.saturating_add(1),
        )
    }

    fn scan_error(&self, e: &ScanError) -> Diagnostic {
        let m = e.marker();
        Diagnostic::error(Code::Yaml, format!("invalid YAML: {}", e.info())).at(Location::new(
            self.file.clone(),
            to_u32(m.line()).saturating_add(self.lines_before),
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
                            Location::new(
                                self.file.clone(),
                                line.saturating_add(self.lines_before),
                                column
                            )
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
#[cfg(test)]
pub(crate) mod tests {
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
    #[allow(unused_imports)]
    use crate::emit::*;
    #[allow(unused_imports)]
    use crate::scalar::*;
    #[allow(unused_imports)]
    use crate::*;

    fn file() -> Arc<str> {
        Arc::from("values.yaml")
    }

    /// A text read as from line 5 reports what the same text after four
    /// blank lines reports: origins, errors and their source lines.
    #[test]
    fn load_one_from_line_reports_lines_of_the_whole_file() {
        let padded = |t: &str| format!("\n\n\n\n{t}");
        let ok = "a: 1\nb:\n  - x\n";
        let from = load_one_from_line(ok, &file(), 5).unwrap_or_else(|d| panic!("{d}"));
        let whole = load_one(&padded(ok), &file()).unwrap_or_else(|d| panic!("{d}"));
        let lines = |n: &Option<Node>| -> Vec<String> {
            let n = n.as_ref().unwrap_or_else(|| panic!("no document"));
            n.leaves()
                .iter()
                .map(|(p, l)| format!("{p} {}", l.origin))
                .collect()
        };
        assert_eq!(lines(&from), lines(&whole));
        assert_eq!(lines(&from), ["a values.yaml:5:4", "b values.yaml:7:3"]);
        for bad in ["a: 1\na: 2\n", "a: [1\n", "a: 1\n---\nb: 2\n", "a: *x\n"] {
            let from = load_one_from_line(bad, &file(), 5).err();
            let whole = load_one(&padded(bad), &file()).err();
            assert!(from.is_some(), "{bad}");
            assert_eq!(from, whole, "{bad}");
        }
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
    pub(crate) fn head_by_loader(src: &str) -> Option<ManifestHead> {
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
    #[allow(unused_imports)]
    use crate::emit::*;
    #[allow(unused_imports)]
    use crate::scalar::*;
    #[allow(unused_imports)]
    use crate::*;

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
