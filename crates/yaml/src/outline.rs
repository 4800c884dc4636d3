//! Outline: where things are in the text, for in-place edits (`promote`).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diag::{Code, Diagnostic};
use crate::load::MAX_DEPTH;

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
/// are the loader's: call [`load_values`](crate::load_values) first for full checks.
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
