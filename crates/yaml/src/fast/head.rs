//! [`head`]: what `manifest_head` reads of a text in the fast reader's
//! subset, line by line, without building events.
//!
//! Lines are read and classified by the reader's own functions
//! (`read_line`, `content_at`, `key_at`, `scalar_at`), and the walk follows
//! the reader's indentation rules (`Fast::content`); what it checks and
//! reads is what `Skim` checks and reads from the events: every key of
//! every mapping is a string, not `<<`, and not repeated; and the head's
//! fields. Whatever the reader declines, and the rare things this walk
//! leaves out (keys with escapes, mappings of more than [`MAX_KEYS`] keys,
//! deep nesting, very long texts), give `None`: the caller then walks the
//! events.

use std::borrow::Cow;

use saphyr_parser::ScalarStyle;

use super::{content_at, is_item, key_at, place, read_line, scalar_at, Key, Line, Place, Scalar};
use crate::head::ManifestHead;
use crate::load::{MAX_DEPTH, MAX_NODES};
use crate::scalar::plain_is_string;

/// Keys of one mapping compared with each other; more go to the caller.
const MAX_KEYS: usize = 32;

/// What the value of the key just read is to the head.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Other,
    ApiVersion,
    Kind,
    Metadata,
    Name,
    Namespace,
    Annotations,
}

/// What an open mapping is to the head (sequences are `Other`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Top,
    Metadata,
    Annotations,
    Other,
}

/// An open block collection.
#[derive(Clone, Copy, Debug)]
struct Open {
    /// The column its entries start at.
    indent: usize,
    seq: bool,
    /// A sequence written at the same indentation as its parent's key.
    indentless: bool,
    role: Role,
    /// Where its keys start in [`Walk::keys`].
    keys: usize,
}

/// What the previous content line left unfinished (as in `Fast`).
#[derive(Clone, Copy, Debug)]
enum Pending {
    None,
    /// A node ended the line: nothing may follow more indented.
    Closed,
    /// `key:` with no value on its line: the indent of its map, and what
    /// the value is to the head.
    Value(usize, Field),
    /// `-` with no value on its line: the indent of its sequence.
    Item(usize),
}

struct Walk<'a> {
    head: ManifestHead,
    stack: Vec<Open>,
    /// The keys of every open mapping, outermost first.
    keys: Vec<&'a str>,
    pending: Pending,
}

/// The head of a one-document block map in the fast reader's subset, as
/// `Skim` reads it from the reader's events; `None` for anything else.
pub(crate) fn head(src: &str) -> Option<ManifestHead> {
    let mut walk = Walk {
        head: ManifestHead::default(),
        stack: Vec::new(),
        keys: Vec::new(),
        pending: Pending::None,
    };
    let (mut pos, mut no, mut started) = (0, 1, false);
    while pos < src.len() {
        // A line gives at most a few nodes: stay well within the loader's
        // limit without counting them.
        if no > MAX_NODES / 8 {
            return None;
        }
        let (line, next) = read_line(src, pos, no)?;
        pos = next;
        no += 1;
        let Some(indent) = content_at(line, started)? else {
            continue;
        };
        if started {
            walk.content(line, indent)?;
        } else {
            if indent != 0 || is_item(line.bytes(), 0) {
                return None;
            }
            started = true;
            walk.open(0, false, false, Role::Top)?;
            walk.entry(line, 0)?;
        }
    }
    started.then_some(walk.head)
}

impl<'a> Walk<'a> {
    /// A line with content starting at `indent` (`Fast::content`).
    fn content(&mut self, line: Line<'a>, indent: usize) -> Option<()> {
        let item = is_item(line.bytes(), indent);
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Value(m, field) => {
                if indent > m {
                    return self.nested(line, indent, item, field);
                }
                if indent == m && item {
                    self.open(indent, true, true, Role::Other)?;
                    return self.item(line, indent);
                }
                // An empty value: null, nothing for the head.
            }
            Pending::Item(n) => {
                if indent > n {
                    return self.nested(line, indent, item, Field::Other);
                }
            }
            Pending::Closed => {
                if indent > self.stack.last()?.indent {
                    return None;
                }
            }
            Pending::None => {}
        }
        loop {
            let top = *self.stack.last()?;
            match place(top.indent, top.seq, top.indentless, indent, item) {
                Place::Close => self.close(),
                Place::Entry => return self.entry(line, indent),
                Place::Item => return self.item(line, indent),
                Place::Decline => return None,
            }
        }
    }

    fn open(&mut self, indent: usize, seq: bool, indentless: bool, role: Role) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        self.stack.push(Open {
            indent,
            seq,
            indentless,
            role,
            keys: self.keys.len(),
        });
        Some(())
    }

    fn close(&mut self) {
        if let Some(top) = self.stack.pop() {
            self.keys.truncate(top.keys);
        }
    }

    /// A block collection that starts on this line, below a `key:` (whose
    /// value it is: `field`) or `-`.
    fn nested(&mut self, line: Line<'a>, indent: usize, item: bool, field: Field) -> Option<()> {
        if item {
            self.open(indent, true, false, Role::Other)?;
            return self.item(line, indent);
        }
        let role = match field {
            Field::Metadata => Role::Metadata,
            Field::Annotations => Role::Annotations,
            _ => Role::Other,
        };
        self.open(indent, false, false, role)?;
        self.entry(line, indent)
    }

    /// `key: value` with the key at `at`, in the map on top of the stack.
    #[inline(always)]
    fn entry(&mut self, line: Line<'a>, at: usize) -> Option<()> {
        let key = key_at(line, at)?.ok()?;
        self.entry_with(line, key)
    }

    #[inline(always)]
    fn entry_with(&mut self, line: Line<'a>, key: Key<'a>) -> Option<()> {
        let field = self.key(key.text, key.style)?;
        match line.resumes(key.colon + 1) {
            None => self.pending = Pending::Value(self.stack.last()?.indent, field),
            Some(v) => {
                self.value(scalar_at(line, v)?, field);
                self.pending = Pending::Closed;
            }
        }
        Some(())
    }

    /// `- …` with the dash at `dash`, in the sequence on top of the stack.
    #[inline(always)]
    fn item(&mut self, line: Line<'a>, dash: usize) -> Option<()> {
        let b = line.bytes();
        let Some(at) = line.resumes(dash + 1) else {
            self.pending = Pending::Item(self.stack.last()?.indent);
            return Some(());
        };
        if is_item(b, at) {
            return None; // `- - x`
        }
        match key_at(line, at)? {
            Ok(key) => {
                // A map that starts on the item's line, at the key's
                // column (only ASCII precedes it: bytes are columns).
                self.open(at, false, false, Role::Other)?;
                self.entry_with(line, key)
            }
            Err(()) => {
                scalar_at(line, at)?;
                self.pending = Pending::Closed;
                Some(())
            }
        }
    }

    /// A key of the map on top of the stack: what its value is to the
    /// head; `None` if the key is not a string, is `<<`, or repeats one.
    #[inline(always)]
    fn key(&mut self, text: Cow<'a, str>, style: ScalarStyle) -> Option<Field> {
        let Cow::Borrowed(text) = text else {
            return None;
        };
        let is_str = style != ScalarStyle::Plain || plain_is_string(text);
        if !is_str || text == "<<" {
            return None;
        }
        let top = self.stack.last()?;
        let mine = self.keys.get(top.keys..)?;
        if mine.len() >= MAX_KEYS || mine.contains(&text) {
            return None;
        }
        let field = match top.role {
            Role::Other => Field::Other,
            Role::Top => match text {
                "apiVersion" => Field::ApiVersion,
                "kind" => Field::Kind,
                "metadata" => Field::Metadata,
                _ => Field::Other,
            },
            Role::Metadata => match text {
                "name" => Field::Name,
                "namespace" => Field::Namespace,
                "annotations" => Field::Annotations,
                _ => Field::Other,
            },
            Role::Annotations => {
                self.head.hook |= text == "helm.sh/hook";
                Field::Other
            }
        };
        self.keys.push(text);
        Some(field)
    }

    /// The value of a key on its line: a field is a non-empty string, or
    /// `None`.
    #[inline(always)]
    fn value(&mut self, value: Scalar<'a>, field: Field) {
        let slot = match field {
            Field::ApiVersion => &mut self.head.api_version,
            Field::Kind => &mut self.head.kind,
            Field::Name => &mut self.head.name,
            Field::Namespace => &mut self.head.namespace,
            _ => return,
        };
        *slot = match value {
            Scalar::Text(text, style)
                if !text.is_empty() && (style != ScalarStyle::Plain || plain_is_string(&text)) =>
            {
                Some(text.into_owned())
            }
            _ => None,
        };
    }
}
