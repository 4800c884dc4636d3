//! A fast reader for the block-style YAML that values files and rendered
//! manifests are nearly always written in.
//!
//! It produces the same events, at the same positions, as saphyr-parser, for
//! a conservative subset of YAML: one document whose top level is a block
//! mapping, made of block mappings and block sequences, plain scalars on one
//! line, single- and double-quoted scalars on one line, empty `{}`/`[]`, and
//! comments. Anything else — tabs, anchors, aliases, tags, flow collections,
//! block scalars (`|`, `>`), multi-line scalars, `?` keys, directives, more
//! than one document, any syntax error — makes [`Fast::next`] return `None`,
//! and the caller reads the whole text again with saphyr-parser, which gives
//! the exact result or diagnostic. So this module never decides what a text
//! means on its own: whatever it accepts, saphyr reads identically (the
//! tests below check this on every YAML file of the repository and on
//! thousands of mutations of them).
//!
//! Why: saphyr's scanner costs ~240 instructions per byte; checking rendered
//! output and reading values files were half of the instructions of
//! rendering a large chart (docs/performance.md).

use std::borrow::Cow;
use std::collections::VecDeque;

use saphyr_parser::ScalarStyle;

use super::{to_u32, Ev, Pos};

/// Longest implicit key YAML allows (saphyr refuses longer ones).
const MAX_KEY: usize = 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Map,
    Seq,
}

impl Kind {
    /// The event that starts a block collection of this kind.
    fn start(self) -> Ev<'static> {
        match self {
            Kind::Map => Ev::PLAIN_MAP,
            Kind::Seq => Ev::SequenceStart {
                anchor: 0,
                tagged: false,
            },
        }
    }
}

/// An open block collection and the column its entries start at.
#[derive(Clone, Copy, Debug)]
struct Open {
    kind: Kind,
    indent: usize,
    /// A sequence written at the same indentation as its parent's key.
    indentless: bool,
}

/// What the previous content line left unfinished.
#[derive(Clone, Copy, Debug)]
enum Pending {
    None,
    /// A node ended the line: nothing may follow more indented.
    Closed,
    /// `key:` with no value on its line: (indent of the map, where the
    /// empty value would be).
    Value(usize, Pos),
    /// `-` with no value on its line: (indent of the sequence, where the
    /// empty item would be).
    Item(usize, Pos),
}

type Item<'a> = (Ev<'a>, Pos);

/// The event reader. See the module documentation.
pub(super) struct Fast<'a> {
    src: &'a str,
    /// Byte offset of the next line.
    pos: usize,
    /// 1-based number of the next line.
    line: usize,
    stack: Vec<Open>,
    pending: Pending,
    queue: VecDeque<Item<'a>>,
    started: bool,
    /// A `---` was read before any content: a second one would start a
    /// second (empty) document, which the subset leaves to saphyr.
    marker: bool,
    finished: bool,
}

/// One line being read.
#[derive(Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    /// 1-based line number.
    no: usize,
    /// Whether the line is all ASCII (then byte offsets are columns).
    ascii: bool,
}

impl<'a> Line<'a> {
    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The marker of byte offset `at` of this line (columns count chars).
    fn mark(&self, at: usize) -> Pos {
        let col = if self.ascii {
            at
        } else {
            self.bytes()[..at]
                .iter()
                .filter(|b| (**b & 0xC0) != 0x80)
                .count()
        };
        Pos {
            line: to_u32(self.no),
            col: to_u32(col),
        }
    }

    /// Offset of the first byte at or after `at` that is not a space.
    #[inline(always)]
    fn skip_spaces(&self, at: usize) -> usize {
        // Bytes shifted in at the end are 0, not spaces: at most they stop
        // the search past the end.
        find_by_words(
            self.bytes(),
            at,
            |w| w ^ (ONES * u64::from(b' ')),
            |c| c != b' ',
        )
    }

    /// Whether nothing but spaces and a comment follows `at` (a comment
    /// must be separated from what precedes it by a space).
    #[inline(always)]
    fn ends_at(&self, at: usize) -> bool {
        self.resumes(at).is_none()
    }

    /// Where content resumes after `at` (past spaces); `None` when the line
    /// [ends](Self::ends_at) there.
    #[inline(always)]
    fn resumes(&self, at: usize) -> Option<usize> {
        let b = self.bytes();
        let rest = self.skip_spaces(at);
        let ends = rest == b.len() || (b[rest] == b'#' && rest > at);
        (!ends).then_some(rest)
    }
}

#[inline(always)]
fn is_space_or_end(b: &[u8], at: usize) -> bool {
    at >= b.len() || b[at] == b' '
}

/// A key found on a line: its text, style, and where its `:` is.
struct Key<'a> {
    text: Cow<'a, str>,
    style: ScalarStyle,
    colon: usize,
}

/// Whether a line holds a key at `at`: `Some(Ok(key))` if so,
/// `Some(Err(()))` if it certainly does not (a scalar), `None` when the
/// subset cannot tell (bail).
type KeyScan<'a> = Option<Result<Key<'a>, ()>>;

/// A value that ends its line: a scalar, or an empty flow collection.
enum Scalar<'a> {
    Text(Cow<'a, str>, ScalarStyle),
    /// `{}` (`Kind::Map`) or `[]`.
    Empty(Kind),
}

/// The line of `src` that starts at byte `start` (which is inside `src`)
/// and the start of the next, if the subset allows its bytes: printable
/// ASCII is the usual case; tabs, CR and control characters decline, and
/// so do the few other characters saphyr treats specially.
#[inline(always)]
fn read_line(src: &str, start: usize, no: usize) -> Option<(Line<'_>, usize)> {
    let rest = src.as_bytes().get(start..)?;
    // One pass finds the end of the line and checks its bytes.
    let mut len = 0;
    let mut ascii = true;
    // Eight bytes at a time while they are all printable ASCII, then
    // straight to the first byte that is not.
    while let Some(w) = word(rest, len) {
        let odd = not_printable(w);
        if odd != 0 {
            len += first_byte(odd);
            break;
        }
        len += 8;
    }
    while let Some(&b) = rest.get(len) {
        if (0x20..0x7F).contains(&b) {
            len += 1;
        } else if b == b'\n' {
            break;
        } else if b >= 0x80 {
            ascii = false;
            len += 1;
        } else {
            return None;
        }
    }
    let text = src.get(start..start + len)?;
    if !ascii
        && text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
            )
        })
    {
        return None;
    }
    Some((Line { text, no, ascii }, start + len + 1))
}

/// Where a line's content starts: `Some(None)` for a blank or comment line,
/// `None` for what the subset leaves out (directives, document markers but
/// a `---` before anything (`started` false)).
#[inline(always)]
fn content_at(line: Line<'_>, started: bool) -> Option<Option<usize>> {
    let b = line.bytes();
    let indent = line.skip_spaces(0);
    if indent == b.len() || b[indent] == b'#' {
        return Some(None); // blank or comment
    }
    if indent == 0 {
        let marker = b.starts_with(b"---") || b.starts_with(b"...");
        if marker && is_space_or_end(b, 3) {
            // `---` alone, before anything, starts the document.
            if !started && b.starts_with(b"---") && line.skip_spaces(3) == b.len() {
                return Some(None);
            }
            return None;
        }
        if b[0] == b'%' {
            return None;
        }
    }
    Some(Some(indent))
}

/// Whether a sequence item's `-` is at `at`.
#[inline(always)]
fn is_item(b: &[u8], at: usize) -> bool {
    b.get(at) == Some(&b'-') && is_space_or_end(b, at + 1)
}

/// A key at `at`, if the line has one there.
#[inline(always)]
fn key_at(line: Line<'_>, at: usize) -> KeyScan<'_> {
    let b = line.bytes();
    match b[at] {
        b'"' | b'\'' => {
            let (text, style, end) = quoted(line, at)?;
            if b.get(end) == Some(&b':') && is_space_or_end(b, end + 1) {
                if end - at > MAX_KEY {
                    return None;
                }
                return Some(Ok(Key {
                    text,
                    style,
                    colon: end,
                }));
            }
            Some(Err(()))
        }
        _ => {
            if !plain_start(b, at) {
                return None;
            }
            let mut i = at;
            loop {
                i = find_either(b, i, b':', b'#');
                match b.get(i) {
                    None => return Some(Err(())),
                    Some(b':') if is_space_or_end(b, i + 1) => {
                        let mut end = i;
                        while b[end - 1] == b' ' {
                            end -= 1;
                        }
                        if end - at > MAX_KEY {
                            return None;
                        }
                        return Some(Ok(Key {
                            text: Cow::Borrowed(line.text.get(at..end)?),
                            style: ScalarStyle::Plain,
                            colon: i,
                        }));
                    }
                    Some(b'#') if b[i - 1] == b' ' => return Some(Err(())),
                    _ => i += 1,
                }
            }
        }
    }
}

/// The value at `at`, which must end its line.
#[inline(always)]
fn scalar_at(line: Line<'_>, at: usize) -> Option<Scalar<'_>> {
    let b = line.bytes();
    match b[at] {
        b'"' | b'\'' => {
            let (text, style, end) = quoted(line, at)?;
            line.ends_at(end).then_some(Scalar::Text(text, style))
        }
        b'{' | b'[' => {
            let (close, kind) = if b[at] == b'{' {
                (b'}', Kind::Map)
            } else {
                (b']', Kind::Seq)
            };
            (b.get(at + 1) == Some(&close) && line.ends_at(at + 2)).then_some(Scalar::Empty(kind))
        }
        _ => {
            if !plain_start(b, at) {
                return None;
            }
            let mut end = b.len();
            let mut i = at;
            loop {
                i = find_either(b, i, b':', b'#');
                match b.get(i) {
                    None => break,
                    Some(b':') if is_space_or_end(b, i + 1) => return None,
                    Some(b'#') if b[i - 1] == b' ' => {
                        end = i;
                        break;
                    }
                    _ => i += 1,
                }
            }
            while b[end - 1] == b' ' {
                end -= 1;
            }
            Some(Scalar::Text(
                Cow::Borrowed(line.text.get(at..end)?),
                ScalarStyle::Plain,
            ))
        }
    }
}

impl<'a> Fast<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Fast {
            src,
            pos: 0,
            line: 1,
            stack: Vec::new(),
            pending: Pending::None,
            queue: VecDeque::new(),
            started: false,
            marker: false,
            finished: false,
        }
    }

    /// The next event; `None` when the text leaves the subset (read it
    /// with saphyr-parser instead).
    pub(super) fn next(&mut self) -> Option<Item<'a>> {
        loop {
            if let Some(ev) = self.queue.pop_front() {
                return Some(ev);
            }
            if self.finished {
                return None;
            }
            self.step()?;
        }
    }

    fn push(&mut self, ev: Ev<'a>, at: Pos) {
        self.queue.push_back((ev, at));
    }

    fn empty_scalar(&mut self, at: Pos) {
        self.push(Ev::plain(""), at);
    }

    /// A block collection starts at `at`, its entries at column `indent`.
    fn open(&mut self, kind: Kind, indent: usize, indentless: bool, at: Pos) {
        self.push(kind.start(), at);
        self.stack.push(Open {
            kind,
            indent,
            indentless,
        });
    }

    fn end_of(&mut self, kind: Kind, m: Pos) {
        match kind {
            Kind::Map => self.push(Ev::MappingEnd, m),
            Kind::Seq => self.push(Ev::SequenceEnd, m),
        }
    }

    /// Read one line (or the end of the text).
    fn step(&mut self) -> Option<()> {
        if self.pos >= self.src.len() {
            return self.finish();
        }
        let (line, next) = read_line(self.src, self.pos, self.line)?;
        self.pos = next;
        self.line += 1;
        let b = line.bytes();
        if !self.started && b.starts_with(b"---") && is_space_or_end(b, 3) {
            if self.marker {
                return None;
            }
            self.marker = true;
        }
        match content_at(line, self.started)? {
            Some(indent) => self.content(line, indent),
            None => Some(()),
        }
    }

    /// A line with content starting at `indent`.
    fn content(&mut self, line: Line<'a>, indent: usize) -> Option<()> {
        let b = line.bytes();
        let item = is_item(b, indent);
        if !self.started {
            if indent != 0 || item {
                return None;
            }
            self.started = true;
            let top = Pos { line: 1, col: 0 };
            self.push(Ev::StreamStart, top);
            self.push(Ev::DocumentStart, top);
            self.open(Kind::Map, 0, false, line.mark(0));
            return self.entry(line, 0);
        }
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Value(m, empty) => {
                if indent > m {
                    return self.nested(line, indent, item);
                }
                if indent == m && item {
                    // A sequence under a key, at the key's indentation; it
                    // starts where its first item does.
                    let first = self.first_of_item(line, indent);
                    self.open(Kind::Seq, indent, true, first);
                    return self.item(line, indent);
                }
                self.empty_scalar(empty);
            }
            Pending::Item(n, empty) => {
                if indent > n {
                    return self.nested(line, indent, item);
                }
                self.empty_scalar(empty);
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
            match place(
                top.indent,
                top.kind == Kind::Seq,
                top.indentless,
                indent,
                item,
            ) {
                Place::Close => {
                    self.stack.pop();
                    self.end_of(top.kind, line.mark(indent));
                }
                Place::Entry => return self.entry(line, indent),
                Place::Item => return self.item(line, indent),
                Place::Decline => return None,
            }
        }
    }

    /// Where the first node of the item whose `-` is at `dash` starts
    /// (saphyr's position of an indentless sequence).
    fn first_of_item(&self, line: Line<'a>, dash: usize) -> Pos {
        let at = line.skip_spaces(dash + 1);
        if line.ends_at(dash + 1) {
            line.mark(line.text.len())
        } else {
            line.mark(at)
        }
    }

    /// A block collection that starts on this line, below a `key:` or `-`.
    fn nested(&mut self, line: Line<'a>, indent: usize, item: bool) -> Option<()> {
        if item {
            self.open(Kind::Seq, indent, false, line.mark(indent));
            self.item(line, indent)
        } else {
            self.open(Kind::Map, indent, false, line.mark(indent));
            self.entry(line, indent)
        }
    }

    /// `key: value` with the key at `at`, in the map on top of the stack.
    fn entry(&mut self, line: Line<'a>, at: usize) -> Option<()> {
        let key = key_at(line, at)?.ok()?;
        self.entry_with(line, at, key)
    }

    /// `entry` with its key already read.
    fn entry_with(&mut self, line: Line<'a>, at: usize, key: Key<'a>) -> Option<()> {
        self.push(
            Ev::Scalar {
                text: key.text,
                style: key.style,
                anchor: 0,
                tag: None,
            },
            line.mark(at),
        );
        let Some(v) = line.resumes(key.colon + 1) else {
            let m = self.stack.last()?.indent;
            self.pending = Pending::Value(m, line.mark(key.colon));
            return Some(());
        };
        self.value(line, v)?;
        self.pending = Pending::Closed;
        Some(())
    }

    /// `- …` with the dash at `dash`, in the sequence on top of the stack.
    fn item(&mut self, line: Line<'a>, dash: usize) -> Option<()> {
        let b = line.bytes();
        let Some(at) = line.resumes(dash + 1) else {
            let n = self.stack.last()?.indent;
            self.pending = Pending::Item(n, line.mark(b.len()));
            return Some(());
        };
        if is_item(b, at) {
            return None; // `- - x`
        }
        if let Ok(key) = key_at(line, at)? {
            // A map that starts on the item's line.
            let here = line.mark(at);
            self.open(Kind::Map, here.col as usize, false, here);
            return self.entry_with(line, at, key);
        }
        self.value(line, at)?;
        self.pending = Pending::Closed;
        Some(())
    }

    /// A scalar (or `{}`/`[]`) at `at` that must end its line.
    fn value(&mut self, line: Line<'a>, at: usize) -> Option<()> {
        let m = line.mark(at);
        match scalar_at(line, at)? {
            Scalar::Text(text, style) => self.push(
                Ev::Scalar {
                    text,
                    style,
                    anchor: 0,
                    tag: None,
                },
                m,
            ),
            Scalar::Empty(kind) => {
                self.push(kind.start(), m);
                self.end_of(kind, line.mark(at + 1));
            }
        }
        Some(())
    }

    /// The end of the text: close everything.
    fn finish(&mut self) -> Option<()> {
        if !self.started {
            return None; // empty or comments only: rare, saphyr's case
        }
        let m = Pos {
            line: to_u32(self.line),
            col: 0,
        };
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Value(_, empty) | Pending::Item(_, empty) => self.empty_scalar(empty),
            Pending::Closed | Pending::None => {}
        }
        while let Some(top) = self.stack.pop() {
            self.end_of(top.kind, m);
        }
        self.push(Ev::DocumentEnd, m);
        self.push(Ev::StreamEnd, m);
        self.finished = true;
        Some(())
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` from `at` as one little-endian word, if there
/// are eight.
#[inline(always)]
fn word(b: &[u8], at: usize) -> Option<u64> {
    let chunk = b.get(at..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*chunk))
}

/// The offset in its word of the lowest byte flagged (high bit) in `mask`.
#[inline(always)]
fn first_byte(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The high bit of every zero byte of `x`. Only the lowest flag is sure (a
/// borrow can flag a byte above a zero one), which is all that
/// [`first_byte`] reads.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The high bit of bytes of `x` that are not printable ASCII (0x20..=0x7E);
/// zero when all eight are, and otherwise exact for the lowest flag.
#[inline(always)]
fn not_printable(x: u64) -> u64 {
    // A byte below 0x20 borrows into its high bit when 0x20 is taken from
    // it (exact up to the first such byte).
    let below = x.wrapping_sub(ONES * 0x20) & !x;
    // A byte of 0x7F or more has its high bit set, or gets it when 1 is
    // added (a carry only comes out of 0xFF, which is high already).
    let above = x.wrapping_add(ONES) | x;
    (below | above) & HIGH
}

/// Offset of the first `x` or `y` in `b` at or after `at` (`b.len()` if
/// none), eight bytes at a time.
#[inline(always)]
fn find_either(b: &[u8], at: usize, x: u8, y: u8) -> usize {
    // Bytes shifted in at the end are 0, neither `x` nor `y` (never 0
    // here): no hit there but a borrowed one, above a real hit.
    find_by_words(
        b,
        at,
        |w| zero_bytes(w ^ (ONES * u64::from(x))) | zero_bytes(w ^ (ONES * u64::from(y))),
        |c| c == x || c == y,
    )
}

/// Offset of the first byte of `b` at or after `at` that `stop` accepts
/// (`b.len()` if none), eight bytes at a time: `hits` flags a word's
/// bytes that `stop` accepts (any bit of the byte; exact for the lowest).
/// The text's last bytes are read as its last word shifted down, so the
/// bytes shifted in (0) may be flagged: the result is then cut to the end.
#[inline(always)]
fn find_by_words(
    b: &[u8],
    mut at: usize,
    hits: impl Fn(u64) -> u64,
    stop: impl Fn(u8) -> bool,
) -> usize {
    while let Some(w) = word(b, at) {
        let flags = hits(w);
        if flags != 0 {
            return at + first_byte(flags);
        }
        at += 8;
    }
    // The last bytes: the text's last word, less what was read.
    let left = b.len() - at;
    if left == 0 {
        return at;
    }
    match word(b, b.len().wrapping_sub(8)) {
        Some(w) => (at + first_byte(hits(w >> (8 * (8 - left))))).min(b.len()),
        None => {
            while at < b.len() && !stop(b[at]) {
                at += 1;
            }
            at
        }
    }
}

/// What a content line at `indent` (an item if `item`) does to the
/// innermost open block collection (entries at `top`; a sequence if `seq`,
/// written at its parent key's indentation if `indentless`), once what the
/// line before left pending is settled. The reader and the head walk
/// (`head`) follow these rules, each with its own stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    /// The line is left of the collection, or not an item of an
    /// indentless sequence: the collection ends; ask again of the next.
    Close,
    /// A `key: value` of the map.
    Entry,
    /// A `- …` of the sequence.
    Item,
    /// Outside the subset (or not YAML).
    Decline,
}

#[inline(always)]
fn place(top: usize, seq: bool, indentless: bool, indent: usize, item: bool) -> Place {
    if indent < top {
        return Place::Close;
    }
    if indent > top {
        return Place::Decline;
    }
    match (seq, item) {
        (false, false) => Place::Entry,
        (true, true) => Place::Item,
        (true, false) if indentless => Place::Close,
        _ => Place::Decline,
    }
}

/// Whether a plain scalar may start at `at` (YAML's indicators may not
/// start one, `-?:` unless a non-space follows).
#[inline(always)]
fn plain_start(b: &[u8], at: usize) -> bool {
    match b[at] {
        b'-' | b'?' | b':' => !is_space_or_end(b, at + 1),
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    }
}

/// A single-line quoted scalar at `at` (its quote tells the style): text,
/// style and the offset after it.
#[inline(always)]
fn quoted<'a>(line: Line<'a>, at: usize) -> Option<(Cow<'a, str>, ScalarStyle, usize)> {
    if line.bytes()[at] == b'"' {
        let (text, end) = double_quoted(line, at)?;
        Some((text, ScalarStyle::DoubleQuoted, end))
    } else {
        let (text, end) = single_quoted(line, at)?;
        Some((text, ScalarStyle::SingleQuoted, end))
    }
}

/// The text of a quoted scalar opened at `at` and closed at `close`:
/// borrowed from the line, or what was decoded so far plus the last run.
#[inline(always)]
fn quoted_text<'a>(
    line: Line<'a>,
    at: usize,
    run: usize,
    close: usize,
    decoded: Option<String>,
) -> Cow<'a, str> {
    match decoded {
        Some(mut s) => {
            s.push_str(&line.text[run..close]);
            Cow::Owned(s)
        }
        None => Cow::Borrowed(&line.text[at + 1..close]),
    }
}

/// A single-line `'…'` at `at`: its text and the offset after it.
#[inline(always)]
fn single_quoted<'a>(line: Line<'a>, at: usize) -> Option<(Cow<'a, str>, usize)> {
    let b = line.bytes();
    let mut i = at + 1;
    let mut owned: Option<String> = None;
    let mut run = i;
    loop {
        i = find_either(b, i, b'\'', b'\'');
        b.get(i)?; // unterminated on this line: bail
        if b.get(i + 1) != Some(&b'\'') {
            return Some((quoted_text(line, at, run, i, owned), i + 1));
        }
        let s = owned.get_or_insert_with(String::new);
        s.push_str(&line.text[run..=i]);
        i += 2;
        run = i;
    }
}

/// A single-line `"…"` at `at`: its text (escapes decoded) and the offset
/// after it.
#[inline(always)]
fn double_quoted<'a>(line: Line<'a>, at: usize) -> Option<(Cow<'a, str>, usize)> {
    let b = line.bytes();
    let mut i = at + 1;
    let mut owned: Option<String> = None;
    let mut run = i;
    loop {
        i = find_either(b, i, b'"', b'\\');
        match *b.get(i)? {
            b'"' => {
                return Some((quoted_text(line, at, run, i, owned), i + 1));
            }
            _ => {
                // a backslash
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&line.text[run..i]);
                let esc = *b.get(i + 1)?;
                i += 2;
                let simple = match esc {
                    b'0' => Some('\0'),
                    b'a' => Some('\u{7}'),
                    b'b' => Some('\u{8}'),
                    b't' => Some('\t'),
                    b'n' => Some('\n'),
                    b'v' => Some('\u{b}'),
                    b'f' => Some('\u{c}'),
                    b'r' => Some('\r'),
                    b'e' => Some('\u{1b}'),
                    b' ' => Some(' '),
                    b'"' => Some('"'),
                    b'/' => Some('/'),
                    b'\\' => Some('\\'),
                    _ => None,
                };
                if let Some(c) = simple {
                    s.push(c);
                } else {
                    let digits = match esc {
                        b'x' => 2,
                        b'u' => 4,
                        b'U' => 8,
                        _ => return None,
                    };
                    let hex = line.text.get(i..i + digits)?;
                    if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                        return None;
                    }
                    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                    s.push(c);
                    i += digits;
                }
                run = i;
            }
        }
    }
}

mod head;
pub(super) use head::head;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod swar {
    use super::{find_either, first_byte, not_printable};

    #[test]
    fn not_printable_finds_the_first_such_byte() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                // Anything at all after it, printable or not.
                for after in [b'a', 0x00, 0x1F, 0x7F, 0xFF, b] {
                    let mut w = *b"abcdefgh";
                    w[pos] = b;
                    for x in w.iter_mut().skip(pos + 1) {
                        *x = after;
                    }
                    let odd = not_printable(u64::from_le_bytes(w));
                    let want = w.iter().position(|c| !(0x20..0x7F).contains(c));
                    assert_eq!((odd != 0).then(|| first_byte(odd)), want, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn find_either_is_a_plain_search() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = b"a:# \"\\'\x00\xff\x01";
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 20) as usize;
            let text: Vec<u8> = (0..len)
                .map(|k| alphabet[((x >> (3 * k % 60)) % alphabet.len() as u64) as usize])
                .collect();
            let at = (x >> 59) as usize % (len + 1);
            for (p, q) in [(b':', b'#'), (b'"', b'\\'), (b'\'', b'\'')] {
                let want = text[at..]
                    .iter()
                    .position(|c| *c == p || *c == q)
                    .map_or(len, |k| at + k);
                assert_eq!(find_either(&text, at, p, q), want, "{text:?} {at}");
            }
        }
    }
}
