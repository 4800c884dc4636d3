//! YAML as Helm's template functions read and write it:
//! sigs.k8s.io/yaml over go-yaml v2.
//!
//! - [`to_yaml`] is `yaml.Marshal`: the value goes through encoding/json
//!   (numbers become JSON text, maps get string keys), the JSON text is
//!   read back by go-yaml v2 (so `1` is an int and `1.5` a float again)
//!   and go-yaml v2's emitter (a port of libyaml) prints it: keys in its
//!   "natural" order, strings that would be read back as something else
//!   quoted, multi-line strings as literal blocks, long plain and quoted
//!   strings folded past column 80.
//! - [`from_yaml`] is `yaml.Unmarshal` into `interface{}`: YAML 1.1 as
//!   go-yaml v2 resolves it (`yes`/`on`/`y` are booleans, `0755` is octal,
//!   keys included), then through JSON, so every number is a float64 and
//!   every key a string.
//!
//! The module knows nothing of templates beyond [`Value`]. It is not
//! strata-yaml's emitter: go-yaml's bytes differ from it (see strata-yaml's
//! `emit` module for why they are kept apart).

use std::collections::BTreeMap;

use super::num::{self, GoInt};
use crate::Value;

// ---------------------------------------------------------------------
// Scalar resolution (go-yaml v2's resolve.go)
// ---------------------------------------------------------------------

/// What a plain scalar means to go-yaml v2.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(GoInt),
    Float(f64),
    /// Looks like a timestamp: a string when read into `interface{}`,
    /// quoted when written.
    Timestamp,
    Str,
}

/// go-yaml v2's `resolve("", s)` for a plain scalar.
pub(crate) fn resolve(s: &str) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return Resolved::Str,
    };
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match hint {
        b'.' => match num::parse_go_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'D' | b'S' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain = s.replace('_', "");
            if let Some(i) = num::parse_go_int(&plain) {
                return Resolved::Int(i);
            }
            if is_yaml_style_float(&plain) {
                if let Some(f) = num::parse_go_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's timestamp check: `YYYY-M-D`, optionally followed by
/// `[Tt ]h:m:s[.frac]` and (not after a space) `Z` or `±hh:mm`, as
/// `time.Parse` takes its four layouts.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_len != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let mut i = 5;
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let Some(month) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 2) else {
        return false;
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > days[(month - 1) as usize] {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let Some(h) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(m) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(sec) = num(&mut i, 2) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------
// Writing: the tree go-yaml v2 marshals after the JSON round trip
// ---------------------------------------------------------------------

/// A value as go-yaml v2 holds it after reading the JSON text.
#[derive(Debug, Clone)]
enum Out {
    Null,
    Bool(bool),
    Int(GoInt),
    Float(f64),
    Str(std::rc::Rc<str>),
    Seq(Vec<Out>),
    /// Keys in go-yaml's order.
    Map(Vec<(String, Out)>),
}

/// `yaml.Marshal(v)` of sigs.k8s.io/yaml: the text with its final
/// newline. Errors as Go reports them (`json: unsupported value: NaN`).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let tree = to_out(v, 0, true)?;
    let mut e = Emitter::new(true);
    e.node(&tree, Ctx::Root);
    e.document_end();
    Ok(e.out)
}

/// Helm's `toYamlPretty`: go-yaml v3's encoder with an indent of 2 on the
/// value itself (no JSON round trip: a float stays a float), sequences
/// indented under their key, long strings not folded. Quoting is v2's,
/// which v3 keeps for these cases (verified for the common ones).
pub fn to_yaml_pretty(v: &Value) -> Result<String, String> {
    let tree = to_out(v, 0, false)?;
    let mut e = Emitter::new(false);
    e.node(&tree, Ctx::Root);
    e.document_end();
    Ok(e.out)
}

const MAX_DEPTH: usize = super::MAX_NESTING;

fn to_out(v: &Value, depth: usize, json: bool) -> Result<Out, String> {
    if depth > MAX_DEPTH {
        return Err("json: exceeded max depth".into());
    }
    Ok(match v {
        Value::Nil => Out::Null,
        Value::Bool(b) => Out::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Out::Int(GoInt::Int(*i)),
        Value::Float(f) if !json => Out::Float(*f),
        Value::Float(f) => {
            // The JSON text, read back as go-yaml reads a plain scalar.
            let text = num::json_float(*f).ok_or_else(|| num::json_unsupported(*f))?;
            match resolve(&text) {
                Resolved::Int(i) => Out::Int(i),
                _ => Out::Float(*f),
            }
        }
        Value::String(s) if !s.contains('\u{85}') => Out::Str(s.clone()),
        Value::String(s) => Out::Str(json_string_through_yaml(s).into()),
        Value::Bytes(b) => Out::Str(super::encoding::b64(b).into()),
        Value::List(l) => Out::Seq(
            l.iter()
                .map(|x| to_out(x, depth + 1, json))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut entries = Vec::new();
            for (k, v) in m.borrow().iter() {
                if k.contains('\u{85}') {
                    // A raw NEL inside a flow key is a line break go-yaml
                    // refuses in a simple key.
                    return Err("yaml: line 1: could not find expected ':'".into());
                }
                entries.push((json_string_through_yaml(k), to_out(v, depth + 1, json)?));
            }
            // Keys split into characters once, not at every comparison.
            let mut keyed: Vec<(Vec<char>, (String, Out))> = entries
                .into_iter()
                .map(|e| (e.0.chars().collect(), e))
                .collect();
            keyed.sort_by(|a, b| key_cmp(&a.0, &b.0));
            let entries: Vec<(String, Out)> = keyed.into_iter().map(|(_, e)| e).collect();
            Out::Map(entries)
        }
        Value::Object(o) => to_out(&o.to_value(), depth + 1, json)?,
    })
}

/// encoding/json writes U+0085 (NEL) raw, and go-yaml reads it inside a
/// double-quoted scalar as a line break, folded to a space with the
/// blanks around it.
fn json_string_through_yaml(s: &str) -> String {
    if !s.contains('\u{85}') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut parts = s.split('\u{85}').peekable();
    let mut breaks = 0usize;
    let mut first = true;
    while let Some(part) = parts.next() {
        let mut p = part;
        if !first {
            p = p.trim_start_matches([' ', '\t']);
        }
        if parts.peek().is_some() {
            p = p.trim_end_matches([' ', '\t']);
        }
        if !first {
            if p.is_empty() && parts.peek().is_some() {
                breaks += 1;
                continue;
            }
            if breaks == 0 {
                out.push(' ');
            } else {
                for _ in 0..breaks {
                    out.push('\n');
                }
            }
            breaks = 0;
        }
        out.push_str(p);
        first = false;
    }
    out
}

/// go-yaml v2's order of map keys (sorter.go `keyList.Less`) for string
/// keys: letters by code point, a non-letter before a letter, runs of
/// digits by their number ("a2" < "a10").
#[cfg(test)]
pub(crate) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    key_cmp(&ar, &br)
}

/// [`key_order`] on keys already split into characters.
fn key_cmp(x: &[char], y: &[char]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if key_less(x, y) {
        Ordering::Less
    } else if key_less(y, x) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn key_less(x: &[char], y: &[char]) -> bool {
    let n = x.len().min(y.len());
    for i in 0..n {
        if x[i] == y[i] {
            continue;
        }
        let xl = x[i].is_alphabetic();
        let yl = y[i].is_alphabetic();
        if xl && yl {
            return x[i] < y[i];
        }
        if xl || yl {
            return yl;
        }
        let (mut xn, mut yn) = (0i64, 0i64);
        if x[i] == '0' || y[i] == '0' {
            let mut j = i;
            while j > 0 && x[j - 1].is_ascii_digit() {
                j -= 1;
                if x[j] != '0' {
                    xn = 1;
                    yn = 1;
                    break;
                }
            }
        }
        let mut xi = i;
        while xi < x.len() && x[xi].is_ascii_digit() {
            xn = xn.wrapping_mul(10).wrapping_add(x[xi] as i64 - '0' as i64);
            xi += 1;
        }
        let mut yi = i;
        while yi < y.len() && y[yi].is_ascii_digit() {
            yn = yn.wrapping_mul(10).wrapping_add(y[yi] as i64 - '0' as i64);
            yi += 1;
        }
        if xn != yn {
            return xn < yn;
        }
        if xi != yi {
            return xi < yi;
        }
        return x[i] < y[i];
    }
    x.len() < y.len()
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Root,
    /// A simple key of a block mapping.
    SimpleKey,
    /// A `? ` key or a mapping value.
    Mapping,
    /// An item of a block sequence.
    Sequence,
}

/// What libyaml's analysis of a scalar allows.
struct Analysis {
    multiline: bool,
    block_plain: bool,
    single: bool,
    block: bool,
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (0xA0..=0xD7FF).contains(&c)
        || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

/// libyaml's `yaml_emitter_analyze_scalar` (block context only: the
/// emitter never writes non-empty flow collections here).
fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain: true,
            single: true,
            block: false,
        };
    }
    let mut block_indicators = false;
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = value.len();
    for (i, c) in value.char_indices() {
        let next = i + c.len_utf8();
        let followed_by_whitespace = is_blank_or_end(value[next..].chars().next());
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if next == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if next == n {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank_or_end(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain: true,
        single: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks || block_indicators {
        a.block_plain = false;
    }
    a
}

/// A port of the parts of libyaml's emitter (as go-yaml v2 has it) that
/// block mappings, block sequences, empty flow collections and scalars
/// use: the same indentation, column and whitespace bookkeeping, so the
/// same folding.
struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    /// go-yaml v2 writes a sequence under a key at the key's indentation;
    /// v3 indents it.
    indentless_seqs: bool,
    /// Fold plain and quoted strings past this column (go-yaml v2: 80;
    /// v3 does not fold).
    width: usize,
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

impl Emitter {
    fn new(indentless_seqs: bool) -> Emitter {
        Emitter {
            indentless_seqs,
            width: if indentless_seqs {
                BEST_WIDTH
            } else {
                usize::MAX
            },
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        ind: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn document_end(&mut self) {
        self.write_indent();
    }

    fn node(&mut self, n: &Out, ctx: Ctx) {
        match n {
            Out::Null => self.scalar("null", Style::Plain, ctx),
            Out::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Out::Int(GoInt::Int(i)) => self.scalar(&i.to_string(), Style::Plain, ctx),
            Out::Int(GoInt::Uint(u)) => self.scalar(&u.to_string(), Style::Plain, ctx),
            Out::Float(f) => {
                let s = match num::format_g(*f).as_str() {
                    "+Inf" => ".inf".to_string(),
                    "-Inf" => "-.inf".to_string(),
                    "NaN" => ".nan".to_string(),
                    s => s.to_string(),
                };
                self.scalar(&s, Style::Plain, ctx)
            }
            Out::Str(s) => self.string(s, ctx),
            Out::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Out::Map(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Out::Seq(items) => {
                let mapping_context = matches!(ctx, Ctx::Mapping);
                self.increase_indent(
                    false,
                    self.indentless_seqs && mapping_context && !self.indention,
                );
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(item, Ctx::Sequence);
                }
                self.pop_indent();
            }
            Out::Map(entries) => {
                self.increase_indent(false, false);
                for (k, v) in entries {
                    self.write_indent();
                    if !k.contains(is_break) && k.len() <= 128 {
                        self.string(k, Ctx::SimpleKey);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.string(k, Ctx::Mapping);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(v, Ctx::Mapping);
                }
                self.pop_indent();
            }
        }
    }

    /// A string as go-yaml v2's encoder asks for it (encode.go stringv):
    /// a literal block when multi-line, plain when it reads back as a
    /// string, else double-quoted; the emitter may still choose otherwise.
    fn string(&mut self, s: &str, ctx: Ctx) {
        let can_plain = resolve(s) == Resolved::Str && !is_base60_float(s);
        let style = if s.contains('\n') {
            Style::Literal
        } else if can_plain {
            Style::Plain
        } else {
            Style::Double
        };
        self.scalar(s, style, ctx)
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Ctx) {
        let a = analyze(value);
        let simple_key = ctx == Ctx::SimpleKey;
        // libyaml's yaml_emitter_select_scalar_style (flow level 0).
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if !a.block_plain {
                style = Style::Single;
            }
            if value.is_empty() && simple_key {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(value, !simple_key),
            Style::Single => self.write_single(value, !simple_key),
            Style::Double => self.write_double(value, !simple_key),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        for (i, c) in value.char_indices() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && value.as_bytes().get(i + 1) != Some(&b' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let n = value.len();
        let (mut spaces, mut breaks) = (false, false);
        for (i, c) in value.char_indices() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && i > 0
                    && i + 1 < n
                    && value.as_bytes().get(i + 1) != Some(&b' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let n = value.len();
        let mut spaces = false;
        for (i, c) in value.char_indices() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = c as u32;
                let esc = match code {
                    0x00 => Some('0'),
                    0x07 => Some('a'),
                    0x08 => Some('b'),
                    0x09 => Some('t'),
                    0x0A => Some('n'),
                    0x0B => Some('v'),
                    0x0C => Some('f'),
                    0x0D => Some('r'),
                    0x1B => Some('e'),
                    0x22 => Some('"'),
                    0x5C => Some('\\'),
                    0x85 => Some('N'),
                    0xA0 => Some('_'),
                    0x2028 => Some('L'),
                    0x2029 => Some('P'),
                    _ => None,
                };
                match esc {
                    Some(e) => self.put(e),
                    None => {
                        let (prefix, width) = if code <= 0xFF {
                            ('x', 2)
                        } else if code <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for ch in format!("{code:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && i != 0 && i + 1 != n {
                    self.write_indent();
                    if value.as_bytes().get(i + 1) == Some(&b' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an indentation indicator when the text
        // starts with a space or a break, then the chomping indicator.
        let first = value.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(prev)) if is_break(prev) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    breaks = false;
                }
                self.put(c);
                self.indention = false;
            }
        }
    }
}

// ---------------------------------------------------------------------
// Reading: go-yaml v2 into interface{}, then through JSON
// ---------------------------------------------------------------------

/// A node as go-yaml v2 decodes it into `interface{}` (keys of any type).
#[derive(Debug, Clone)]
enum In {
    Null,
    Bool(bool),
    Int(GoInt),
    Float(f64),
    Str(String),
    Seq(Vec<In>),
    Map(Vec<(In, In)>),
}

/// `yaml.Unmarshal(text, &v)` of sigs.k8s.io/yaml into `interface{}`:
/// the first document, YAML 1.1 as go-yaml v2 reads it, then through
/// JSON (numbers float64, keys strings). An empty document is `nil`.
/// Errors are worded as Go's (`error converting YAML to JSON: …`).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let node =
        read_first_document(text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    match node {
        None => Ok(Value::Nil),
        Some(n) => to_json_value(&n).map_err(|e| format!("error converting YAML to JSON: {e}")),
    }
}

fn read_first_document(text: &str) -> Result<Option<In>, String> {
    use saphyr_parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Building> = Vec::new();
    // Anchored nodes with their size: aliases copy them, and a few lines
    // of nested aliases can expand without bound ("billion laughs").
    let mut anchors: BTreeMap<usize, (In, usize)> = BTreeMap::new();
    let mut expanded = 0usize;
    let mut result: Option<In> = None;
    let mut in_document = false;
    // A block scalar running to the end of a text that has no final line
    // break: libyaml's clip/keep keep no break there, saphyr adds one.
    let no_final_break = !text.is_empty() && !text.ends_with('\n');
    let mut text_chars: Option<usize> = None;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| go_yaml_error(e.marker().line(), e.info()))?;
        let done: Option<(In, usize)> = match ev {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if result.is_some() {
                    break;
                }
                in_document = true;
                None
            }
            Event::DocumentEnd => {
                if in_document {
                    break;
                }
                None
            }
            Event::Alias(id) => {
                let (n, size) = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "yaml: unknown anchor referenced".to_string())?;
                expanded = expanded.saturating_add(size);
                if expanded > 1 << 22 {
                    return Err("yaml: document contains excessive aliasing".into());
                }
                Some((n, 0))
            }
            Event::Scalar(value, style, anchor, tag) => {
                let mut value = value;
                if no_final_break
                    && matches!(
                        style,
                        saphyr_parser::ScalarStyle::Literal | saphyr_parser::ScalarStyle::Folded
                    )
                    && value.ends_with('\n')
                    && span.end.index() >= *text_chars.get_or_insert_with(|| text.chars().count())
                {
                    let mut v = value.into_owned();
                    v.pop();
                    value = std::borrow::Cow::Owned(v);
                }
                let n = scalar_node(&value, style, tag.as_deref())?;
                Some((n, anchor))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= super::MAX_NESTING {
                    return Err("yaml: exceeded max depth".into());
                }
                stack.push(Building::Seq(anchor, Vec::new()));
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= super::MAX_NESTING {
                    return Err("yaml: exceeded max depth".into());
                }
                stack.push(Building::Map(anchor, Vec::new(), None));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Building::Seq(anchor, items)) => Some((In::Seq(items), anchor)),
                _ => return Err("yaml: did not find expected node content".into()),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Building::Map(anchor, entries, _)) => Some((merge_entries(entries), anchor)),
                _ => return Err("yaml: did not find expected node content".into()),
            },
        };
        if let Some((node, anchor)) = done {
            if anchor != 0 {
                anchors.insert(anchor, (node.clone(), node_size(&node)));
            }
            match stack.last_mut() {
                None => {
                    result = Some(node);
                }
                Some(Building::Seq(_, items)) => items.push(node),
                Some(Building::Map(_, entries, key)) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push((k, node)),
                },
            }
        }
    }
    Ok(result)
}

/// go-yaml v2's wording of a libyaml error: the problem without its
/// context, after `line N: ` where N is the 0-based line of a parser error
/// (libyaml's problem mark; the end of a text not ending in a newline is
/// on the next line) or the 1-based line of a scanner error, and no line
/// at all when that is 0.
fn go_yaml_error(line1: usize, info: &str) -> String {
    let (problem, line) = match info.strip_prefix("while parsing ") {
        Some(rest) => (
            rest.split_once(", ").map(|(_, p)| p).unwrap_or(rest),
            line1.saturating_sub(1),
        ),
        None => (info, if line1 > 1 { line1 } else { 0 }),
    };
    if line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {line}: {problem}")
    }
}

/// How many nodes a node holds.
fn node_size(n: &In) -> usize {
    match n {
        In::Seq(items) => 1 + items.iter().map(node_size).sum::<usize>(),
        In::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_size(k) + node_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

enum Building {
    Seq(usize, Vec<In>),
    Map(usize, Vec<(In, In)>, Option<In>),
}

/// A marker key for `<<` (merge) entries until the mapping is complete.
const MERGE_MARK: &str = "\u{0}<<merge>>";

fn scalar_node(
    value: &str,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
) -> Result<In, String> {
    use saphyr_parser::ScalarStyle;
    let plain = matches!(style, ScalarStyle::Plain);
    if let Some(tag) = tag {
        let full = if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
            tag.suffix.as_str()
        } else {
            // Custom and non-specific tags: the text, as a string.
            return Ok(In::Str(value.to_string()));
        };
        return Ok(match full {
            "str" => In::Str(value.to_string()),
            "binary" => {
                let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = super::encoding::b64_decode(&cleaned)
                    .map_err(|_| "yaml: !!binary value contains invalid base64 data".to_string())?;
                In::Str(String::from_utf8_lossy(&bytes).into_owned())
            }
            "null" | "bool" | "int" | "float" | "timestamp" | "merge" => match resolve(value) {
                Resolved::Null => In::Null,
                Resolved::Bool(b) => In::Bool(b),
                Resolved::Int(i) if full == "float" => In::Float(match i {
                    GoInt::Int(i) => i as f64,
                    GoInt::Uint(u) => u as f64,
                }),
                Resolved::Int(i) => In::Int(i),
                Resolved::Float(f) => In::Float(f),
                Resolved::Timestamp | Resolved::Str => {
                    return Err(format!("yaml: cannot decode !!str `{value}` as a !!{full}"))
                }
            },
            _ => In::Str(value.to_string()),
        });
    }
    if !plain {
        return Ok(In::Str(value.to_string()));
    }
    if value == "<<" {
        return Ok(In::Str(MERGE_MARK.to_string()));
    }
    Ok(match resolve(value) {
        Resolved::Null => In::Null,
        Resolved::Bool(b) => In::Bool(b),
        Resolved::Int(i) => In::Int(i),
        Resolved::Float(f) => In::Float(f),
        Resolved::Timestamp | Resolved::Str => In::Str(value.to_string()),
    })
}

/// Apply `<<` entries as go-yaml v2 does: in order, a merged mapping's
/// keys set as if written there (a list of mappings merged last first,
/// so the first wins); later keys override.
fn merge_entries(entries: Vec<(In, In)>) -> In {
    if !entries
        .iter()
        .any(|(k, _)| matches!(k, In::Str(s) if s == MERGE_MARK))
    {
        return In::Map(entries);
    }
    let mut out: Vec<(In, In)> = Vec::new();
    for (k, v) in entries {
        if matches!(&k, In::Str(s) if s == MERGE_MARK) {
            match v {
                In::Map(m) => out.extend(m),
                In::Seq(items) => {
                    for item in items.into_iter().rev() {
                        if let In::Map(m) = item {
                            out.extend(m);
                        }
                    }
                }
                _ => {}
            }
        } else {
            out.push((k, v));
        }
    }
    In::Map(out)
}

/// sigs.k8s.io/yaml's convertToJSONableObject and the JSON round trip.
fn to_json_value(n: &In) -> Result<Value, String> {
    Ok(match n {
        In::Null => Value::Nil,
        In::Bool(b) => Value::Bool(*b),
        In::Int(GoInt::Int(i)) => Value::Float(*i as f64),
        In::Int(GoInt::Uint(u)) => Value::Float(*u as f64),
        In::Float(f) => {
            if !f.is_finite() {
                return Err(num::json_unsupported(*f));
            }
            Value::Float(*f)
        }
        In::Str(s) if s == MERGE_MARK => Value::str("<<"),
        In::Str(s) => Value::str(s),
        In::Seq(items) => Value::list(items.iter().map(to_json_value).collect::<Result<_, _>>()?),
        In::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                let key = match k {
                    In::Str(s) if s == MERGE_MARK => "<<".to_string(),
                    In::Str(s) => s.clone(),
                    In::Int(GoInt::Int(i)) => i.to_string(),
                    In::Int(GoInt::Uint(u)) => u.to_string(),
                    In::Bool(b) => b.to_string(),
                    In::Float(f) => match num::format_g((*f as f32) as f64).as_str() {
                        "+Inf" => ".inf".into(),
                        "-Inf" => "-.inf".into(),
                        "NaN" => ".nan".into(),
                        s => format_g32(*f).unwrap_or_else(|| s.to_string()),
                    },
                    In::Null => return Err("unsupported map key of type: <nil>".into()),
                    In::Seq(_) | In::Map(_) => {
                        return Err(
                            "unsupported map key of type: map[interface {}]interface {}".into()
                        )
                    }
                };
                m.insert(key, to_json_value(v)?);
            }
            Value::map(m)
        }
    })
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest digits that read
/// back as the same float32.
fn format_g32(f: f64) -> Option<String> {
    let f32v = f as f32;
    if !f32v.is_finite() || f32v == 0.0 {
        return None;
    }
    // `{:e}` of an f32 gives its own shortest digits.
    let s = format!("{:e}", f32v.abs());
    let (mant, exp) = s.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    // Rebuild as an f64 with exactly those digits and print it as Go's %g.
    let text = format!(
        "{}{}.{}e{}",
        if f < 0.0 { "-" } else { "" },
        &digits[..1],
        if digits.len() > 1 { &digits[1..] } else { "0" },
        exp
    );
    let back: f64 = text.parse().ok()?;
    Some(num::format_g(back))
}

#[cfg(test)]
#[path = "yaml/tests.rs"]
mod tests;
