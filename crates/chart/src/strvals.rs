//! The `--set` family of flags, parsed the way Helm 4 parses them.
//!
//! One flag argument at a time is parsed *into* an existing values map
//! ([`apply`]), as Helm's `strvals.ParseInto`, `ParseIntoString`,
//! `ParseJSON`, `ParseIntoFile` and `ParseLiteralInto` do: existing maps are
//! merged into, existing lists are indexed and extended in place, and
//! everything else is replaced. Every node the flag creates remembers it in
//! [`Origin::Flag`].
//!
//! The syntax, summed up (see the tests for the corner cases):
//!
//! - `a.b=v,c=w`: dots nest maps, commas separate assignments; `\` escapes
//!   the next character in keys and values (`a\.b=x\,y` sets key `a.b` to
//!   `x,y`). At most 30 levels of dotted names.
//! - `a[2]=v`, `a[0].b=v`, `a[0][1]=v`: list elements, padded with nulls;
//!   indexes go up to 65536.
//! - `a={x,y}`: a list value (not with `--set-json` or `--set-literal`).
//! - `--set`: `true`/`false`/`null` in any letter case become a boolean or
//!   null; base-10 integers that fit 64 bits and do not start with `0`
//!   (except `0` itself) become integers; everything else stays a string.
//! - `--set-string`: every value is a string.
//! - `--set-json`: every value is one JSON value (an empty value is null);
//!   an argument starting with `{` is a whole JSON object merged into the
//!   values.
//! - `--set-file`: every value is a path; the file's content becomes the
//!   (string) value.
//! - `--set-literal`: one `key=value`; the value is everything after the
//!   first `=`, verbatim: no commas, no escapes, no typing.
//!
//! Helm quirks kept on purpose, because charts and scripts depend on Helm's
//! behaviour:
//! - an argument that ends inside a key or an index (`a[`, `a[0`, `a.`) is
//!   not an error, it just stops (`a[0]` alone sets `a` to `[]`);
//! - `a[0].b=` at the very end of the argument sets `a` to `[]` when element
//!   0 did not exist (Helm drops the new element);
//! - `a=[]` is the string `"[]"` and `a={}` the list `[""]`;
//! - `--set a=-007` is the integer -7 (only a leading `0` keeps a string);
//! - `--set-json a=1b=2` sets both: a JSON value ends where JSON's grammar
//!   says, and what follows starts the next key unless it is a comma.
//!
//! Helm's error messages are kept word for word, Go quoting included; where
//! Helm reports a Go runtime panic (a path through a value of the wrong
//! type) the panic text is reproduced too. Only index parsing says
//! `parsing "x": invalid syntax` without Go's `strconv.Atoi: ` prefix, and
//! JSON syntax errors are serde_json's words, not Go's.
//!
//! Limits that are strata's own, to keep odd input from exhausting the stack
//! or memory: index brackets nest at most `MAX_NESTED_INDEX_LEVEL` deep
//! along one path (Helm has no limit), and `--set-json` values nest at most
//! 128 deep (serde_json's limit; Go allows 10000).

use std::borrow::Cow;
use std::fmt;

use std::io;
use std::sync::Arc;
use strata_yaml::go::{
    quote as go_quote, quote_rune as go_quote_rune, quote_runes as go_quote_runes,
};

use crate::value::{Map, Node, Origin, Value};

/// The largest list index a flag may set (Helm's `strvals.MaxIndex`).
pub(crate) const MAX_INDEX: i64 = 65_536;

/// The most dotted name levels one path may have (Helm's
/// `strvals.MaxNestedNameLevel`).
pub(crate) const MAX_NESTED_NAME_LEVEL: usize = 30;

/// The most index brackets one path may have (strata's limit; Helm has none).
pub(crate) const MAX_NESTED_INDEX_LEVEL: usize = 30;

/// Which flag of the family an argument came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetKind {
    /// `--set`: typed values.
    Set,
    /// `--set-string`: string values.
    SetString,
    /// `--set-json`: JSON values.
    SetJson,
    /// `--set-file`: values read from files.
    SetFile,
    /// `--set-literal`: one verbatim string value.
    SetLiteral,
}

impl SetKind {
    /// Every kind, in the order Helm applies the families.
    pub const ALL: [SetKind; 5] = [
        SetKind::SetJson,
        SetKind::Set,
        SetKind::SetString,
        SetKind::SetFile,
        SetKind::SetLiteral,
    ];

    /// The flag with its dashes: `--set`, `--set-string`, ….
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Set => "--set",
            SetKind::SetString => "--set-string",
            SetKind::SetJson => "--set-json",
            SetKind::SetFile => "--set-file",
            SetKind::SetLiteral => "--set-literal",
        }
    }

    /// The kind for a flag name, with or without its dashes.
    pub(crate) fn from_flag(flag: &str) -> Option<SetKind> {
        let name = flag.strip_prefix("--").unwrap_or(flag);
        SetKind::ALL
            .into_iter()
            .find(|k| k.flag().strip_prefix("--") == Some(name))
    }
}

impl fmt::Display for SetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag())
    }
}

/// A flag argument that could not be applied. Displays as
/// `--set a[x]=…: error parsing index: …`: the flag, the argument with its
/// values hidden (an argument may carry a secret, and which values are
/// secrets is known only once it parses), and Helm's message, which names
/// the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{flag} {}: {reason}", shown_arg(flag, arg))]
pub struct SetError {
    /// The flag with its dashes.
    pub flag: &'static str,
    /// The argument exactly as given.
    pub arg: String,
    /// What is wrong, in Helm's words.
    pub reason: SetErrorReason,
}

/// A flag argument as an error shows it: every `key=value` as `key=…`.
/// `--set-json` and `--set-literal` values may hold commas and `=`: all
/// after the first `=` is hidden. `--set-file` names files, not values,
/// and is shown as it is.
fn shown_arg(flag: &str, arg: &str) -> String {
    match SetKind::from_flag(flag) {
        Some(SetKind::SetFile) => return arg.to_string(),
        Some(SetKind::SetJson | SetKind::SetLiteral) => {
            return match arg.split_once('=') {
                Some((key, value)) if !value.is_empty() => format!("{key}=…"),
                _ => arg.to_string(),
            }
        }
        _ => {}
    }
    arg.split(',')
        .map(|part| match part.split_once('=') {
            Some((key, value)) if !value.is_empty() => format!("{key}=…"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl From<SetError> for crate::diag::Error {
    fn from(e: SetError) -> Self {
        match e.reason {
            // A file that cannot be read is an I/O error (exit 2); one that
            // is too large or not text is invalid input (exit 1).
            SetErrorReason::ReadFile { path, source }
                if !crate::fsutil::is_too_large(&source)
                    && source.kind() != io::ErrorKind::InvalidData =>
            {
                crate::diag::Error::io(format!("{} {path}", e.flag), source)
            }
            _ => crate::diag::Error::msg(crate::diag::Code::Set, e.to_string()),
        }
    }
}

/// What is wrong with a flag argument. The messages are Helm's, including
/// Go's quoting of keys; where Helm's message would be a Go runtime panic
/// text, it is reproduced too (`interface conversion: …`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetErrorReason {
    /// A key at the end of the argument without `=`.
    #[error("key {} has no value", go_quote(.0))]
    NoValue(String),
    /// A key followed by `,` instead of `=`.
    #[error("key {} has no value (cannot end with ,)", go_quote(.0))]
    NoValueBeforeComma(String),
    /// `a.=x`: a dotted key that set nothing.
    #[error("key map {} has no value", go_quote(.0))]
    EmptyKeyMap(String),
    /// More than `MAX_NESTED_NAME_LEVEL` dotted levels.
    #[error("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")]
    NameNestedTooDeep,
    /// More than `MAX_NESTED_INDEX_LEVEL` index brackets (strata's limit).
    #[error("list index nested level is greater than maximum supported nested level of {MAX_NESTED_INDEX_LEVEL}")]
    IndexNestedTooDeep,
    /// The text between `[` and `]` is not a 64-bit integer.
    #[error("error parsing index: parsing {}: {}", go_quote(.text), if *.out_of_range { "value out of range" } else { "invalid syntax" })]
    BadIndex {
        /// The text between the brackets.
        text: String,
        /// Whether it is an integer too large for 64 bits.
        out_of_range: bool,
    },
    /// A negative index.
    #[error("negative {0} index not allowed")]
    NegativeIndex(i64),
    /// An index above `MAX_INDEX`.
    #[error("index of {0} is greater than maximum supported index of {MAX_INDEX}")]
    IndexTooLarge(i64),
    /// `a[0]x`: something other than `[`, `.` or `=` after `]`.
    #[error("unexpected data at end of array index: {}", go_quote_runes(.0))]
    DataAfterIndex(String),
    /// `a={x,y` without the closing brace.
    #[error("list must terminate with '}}'")]
    UnterminatedList,
    /// A path goes through an existing value of the wrong type (`a.b=1`
    /// where `a` is a string, `a[0]=1` where `a` is a map). Helm reports
    /// its runtime panic, and so does this message.
    #[error(
        "unable to parse key: interface conversion: interface {{}} is {found}, not {expected}"
    )]
    WrongType {
        /// The Go type of the value found.
        found: &'static str,
        /// The Go type the path needs there.
        expected: &'static str,
    },
    /// A `--set-json` value that is not JSON.
    #[error("invalid JSON value: {0}")]
    Json(String),
    /// A whole-object `--set-json` argument (`{…}`) that is not a JSON object.
    #[error("failed parsing --set-json data JSON: {value} ({reason})")]
    JsonObject {
        /// The argument as given.
        value: String,
        /// What the JSON parser said.
        reason: String,
    },
    /// A `--set-file` file that could not be read.
    #[error("{path}: {}", crate::diag::io_message(.source))]
    ReadFile {
        /// The path as given.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Parse one flag argument into `target`, as Helm does for that flag.
///
/// `read_file` reads a `--set-file` path (the CLI decides what `-` or a URL
/// means); it is not called for the other kinds. Nodes the flag creates get
/// `Origin::Flag { flag: kind.flag(), arg }`; maps and lists that existed
/// keep their origin. On error `target` may hold part of the argument's
/// assignments, as in Helm; callers are expected to give up on it.
pub fn apply(
    target: &mut Map,
    kind: SetKind,
    arg: &str,
    read_file: &mut dyn FnMut(&str) -> Result<String, io::Error>,
) -> Result<(), SetError> {
    let origin = Origin::Flag {
        flag: kind.flag(),
        arg: Arc::from(arg),
    };
    let fail = |reason| SetError {
        flag: kind.flag(),
        arg: arg.to_string(),
        reason,
    };
    if kind == SetKind::SetJson {
        let trimmed = arg.trim();
        if trimmed.starts_with('{') {
            return merge_json_object(target, arg, trimmed, &origin).map_err(fail);
        }
    }
    let mode = match kind {
        SetKind::Set => Mode::Typed,
        SetKind::SetString => Mode::Strings,
        SetKind::SetJson => Mode::Json,
        SetKind::SetFile => Mode::File,
        SetKind::SetLiteral => Mode::Literal,
    };
    let mut parser = Parser {
        src: arg,
        pos: 0,
        mode,
        origin,
        read_file,
    };
    parser.parse(target).map_err(fail)
}

/// `--set-json '{"a":{"b":1}}'` (Helm 4): the object is merged into the
/// values, maps into maps, anything else replacing what was there.
fn merge_json_object(
    target: &mut Map,
    arg: &str,
    trimmed: &str,
    origin: &Origin,
) -> Result<(), SetErrorReason> {
    let bad = |reason: String| SetErrorReason::JsonObject {
        value: arg.to_string(),
        reason,
    };
    match serde_json::from_str::<serde_json::Value>(&lone_surrogates_replaced(trimmed)) {
        Ok(serde_json::Value::Object(obj)) => {
            merge_json_into(target, obj, origin);
            Ok(())
        }
        Ok(_) => Err(bad("not a JSON object".to_string())),
        Err(e) => Err(bad(e.to_string())),
    }
}

fn merge_json_into(
    target: &mut Map,
    obj: serde_json::Map<String, serde_json::Value>,
    origin: &Origin,
) {
    for (key, json) in obj {
        if let serde_json::Value::Object(inner) = json {
            if let Some(Node {
                value: Value::Map(existing),
                ..
            }) = target.get_mut(&key)
            {
                merge_json_into(existing, inner, origin);
                continue;
            }
            let node = Node::from_json(&serde_json::Value::Object(inner), origin);
            target.insert(key, node);
        } else {
            target.insert(key, Node::from_json(&json, origin));
        }
    }
}

/// How values are turned into nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `--set`: booleans, null, integers, strings.
    Typed,
    /// `--set-string`.
    Strings,
    /// `--set-json` in `key=value` form.
    Json,
    /// `--set-file`: the value is a path.
    File,
    /// `--set-literal`: no commas, no escapes, no lists.
    Literal,
}

/// Why parsing stopped before the end of a path.
#[derive(Debug)]
enum Halt {
    /// The argument ended where Helm sees `io.EOF` (possibly wrapped, as in
    /// `a[`): parsing is over, without error.
    End,
    /// A real error.
    Fail(SetErrorReason),
}

impl From<SetErrorReason> for Halt {
    fn from(r: SetErrorReason) -> Self {
        Halt::Fail(r)
    }
}

type Step<T = ()> = Result<T, Halt>;

/// What follows `=` for `--set`, `--set-string` and `--set-file`.
enum Rhs {
    /// Nothing: the argument ended.
    AtEnd,
    /// `{…}`: a list.
    List(Vec<Node>),
    /// Anything else: a single value still to read.
    Single,
}

const KEY_STOPS: &[char] = &['=', '[', ',', '.'];
const LITERAL_KEY_STOPS: &[char] = &['=', '[', '.'];
const AFTER_INDEX_STOPS: &[char] = &['[', '.', '='];

struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    mode: Mode,
    origin: Origin,
    read_file: &'a mut dyn FnMut(&str) -> Result<String, io::Error>,
}

impl Parser<'_> {
    fn parse(&mut self, data: &mut Map) -> Result<(), SetErrorReason> {
        loop {
            match self.key(data, 0, 0) {
                Ok(()) => {}
                Err(Halt::End) => return Ok(()),
                Err(Halt::Fail(reason)) => return Err(reason),
            }
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Everything left, consumed.
    fn rest(&mut self) -> String {
        let rest = self.src[self.pos..].to_string();
        self.pos = self.src.len();
        rest
    }

    /// Read up to one of `stops` (consumed, returned) or the end (`None`).
    /// Outside `--set-literal`, `\` takes the next character as it is; a
    /// `\` at the very end is dropped.
    fn until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut text = String::new();
        while let Some(c) = self.bump() {
            if stops.contains(&c) {
                return (text, Some(c));
            }
            if c == '\\' && self.mode != Mode::Literal {
                match self.bump() {
                    Some(next) => text.push(next),
                    None => break,
                }
            } else {
                text.push(c);
            }
        }
        (text, None)
    }

    fn node(&self, value: Value) -> Node {
        Node::new(value, self.origin.clone())
    }

    /// Helm's `set`: an empty key is silently not set.
    fn set(data: &mut Map, key: &str, node: Node) {
        if !key.is_empty() {
            data.insert(key.to_string(), node);
        }
    }

    /// One `key…` up to the end of its value.
    fn key(&mut self, data: &mut Map, names: usize, lists: usize) -> Step {
        let stops = if self.mode == Mode::Literal {
            LITERAL_KEY_STOPS
        } else {
            KEY_STOPS
        };
        let (key, last) = self.until(stops);
        match last {
            None if key.is_empty() => Err(Halt::End),
            None => Err(SetErrorReason::NoValue(key).into()),
            Some('[') => self.key_list(data, key, names, lists),
            Some('=') => self.key_value(data, &key),
            Some(',') => {
                Self::set(data, &key, self.node(Value::Str(String::new())));
                Err(SetErrorReason::NoValueBeforeComma(key).into())
            }
            Some(_) => self.key_map(data, key, names, lists),
        }
    }

    /// `key.…`: find or create the map and continue in it.
    fn key_map(&mut self, data: &mut Map, key: String, names: usize, lists: usize) -> Step {
        let names = names + 1;
        if names > MAX_NESTED_NAME_LEVEL {
            return Err(SetErrorReason::NameNestedTooDeep.into());
        }
        if let Some(node) = data.get_mut(&key) {
            let found = go_type(node);
            let Value::Map(inner) = &mut node.value else {
                return Err(wrong_type(found, GO_MAP));
            };
            let result = self.key(inner, names, lists);
            if result.is_ok() && inner.is_empty() {
                return Err(SetErrorReason::EmptyKeyMap(key).into());
            }
            return result;
        }
        let mut inner = Map::default();
        let result = self.key(&mut inner, names, lists);
        if result.is_ok() && inner.is_empty() {
            return Err(SetErrorReason::EmptyKeyMap(key).into());
        }
        if !inner.is_empty() {
            Self::set(data, &key, self.node(Value::Map(inner)));
        }
        result
    }

    /// `key[i]…`: find or create the list and continue at the index.
    fn key_list(&mut self, data: &mut Map, key: String, names: usize, lists: usize) -> Step {
        let index = self.index()?;
        let lists = lists + 1;
        if lists > MAX_NESTED_INDEX_LEVEL {
            return Err(SetErrorReason::IndexNestedTooDeep.into());
        }
        match data.get_mut(&key) {
            Some(node) => {
                let found = go_type(node);
                let Value::Seq(list) = &mut node.value else {
                    return Err(wrong_type(found, GO_LIST));
                };
                if key.is_empty() {
                    // Helm works on the list under "" but never stores it
                    // back (its `set` skips empty keys).
                    let mut scratch = list.clone();
                    return self.list_item(&mut scratch, index, names, lists);
                }
                self.list_item(list, index, names, lists)
            }
            None => {
                let mut list = Vec::new();
                let result = self.list_item(&mut list, index, names, lists);
                Self::set(data, &key, self.node(Value::Seq(list)));
                result
            }
        }
    }

    /// `key=…`: the value, by mode.
    fn key_value(&mut self, data: &mut Map, key: &str) -> Step {
        match self.mode {
            Mode::Literal => {
                let value = self.rest();
                Self::set(data, key, self.node(Value::Str(value)));
                Ok(())
            }
            Mode::Json => {
                if self.empty_value() {
                    Self::set(data, key, self.node(Value::Null));
                    return Ok(());
                }
                let node = self.json_value()?;
                Self::set(data, key, node);
                self.empty_value();
                Ok(())
            }
            Mode::Typed | Mode::Strings | Mode::File => match self.rhs()? {
                Rhs::List(items) => {
                    Self::set(data, key, self.node(Value::Seq(items)));
                    Ok(())
                }
                Rhs::AtEnd => {
                    Self::set(data, key, self.node(Value::Str(String::new())));
                    Err(Halt::End)
                }
                Rhs::Single => {
                    let (text, _) = self.until(&[',']);
                    let node = self.scalar(text)?;
                    Self::set(data, key, node);
                    Ok(())
                }
            },
        }
    }

    /// The text of `[…]` as an index. The argument ending inside the
    /// brackets ends parsing without error (Helm wraps `io.EOF` there).
    fn index(&mut self) -> Step<i64> {
        let (text, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Halt::End);
        }
        text.parse::<i64>().map_err(|e| {
            let out_of_range = matches!(
                e.kind(),
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
            );
            SetErrorReason::BadIndex { text, out_of_range }.into()
        })
    }

    /// What follows `list[index]`: `=value`, `.key…` or `[index]…`.
    ///
    /// Elements that exist are worked on in place; the list itself grows
    /// only once the element's value is complete, as Helm's `setIndex` runs
    /// last. So when parsing stops early, existing elements may have changed
    /// but the list has not grown, exactly as in Helm.
    fn list_item(&mut self, list: &mut Vec<Node>, index: i64, names: usize, lists: usize) -> Step {
        if index < 0 {
            return Err(SetErrorReason::NegativeIndex(index).into());
        }
        let (extra, last) = self.until(AFTER_INDEX_STOPS);
        if !extra.is_empty() {
            return Err(SetErrorReason::DataAfterIndex(extra).into());
        }
        let existing = usize::try_from(index).ok().filter(|&i| i < list.len());
        match last {
            None => Err(Halt::End),
            Some('=') => {
                let node = match self.mode {
                    Mode::Literal => {
                        let value = self.rest();
                        self.node(Value::Str(value))
                    }
                    Mode::Json => {
                        if self.empty_value() {
                            self.node(Value::Null)
                        } else {
                            let node = self.json_value()?;
                            self.set_index(list, index, node)?;
                            self.empty_value();
                            return Ok(());
                        }
                    }
                    Mode::Typed | Mode::Strings | Mode::File => match self.rhs()? {
                        Rhs::AtEnd => self.node(Value::Str(String::new())),
                        Rhs::List(items) => self.node(Value::Seq(items)),
                        Rhs::Single => {
                            let (text, _) = self.until(&[',']);
                            self.scalar(text)?
                        }
                    },
                };
                self.set_index(list, index, node)
            }
            Some('[') => {
                let next = self.index()?;
                let lists = lists + 1;
                if lists > MAX_NESTED_INDEX_LEVEL {
                    return Err(SetErrorReason::IndexNestedTooDeep.into());
                }
                if let Some(node) = existing
                    .and_then(|i| list.get_mut(i))
                    .filter(|n| !n.value.is_null())
                {
                    let found = go_type(node);
                    let Value::Seq(inner) = &mut node.value else {
                        return Err(wrong_type(found, GO_LIST));
                    };
                    self.list_item(inner, next, names, lists)?;
                    return check_index(index);
                }
                let mut inner = Vec::new();
                self.list_item(&mut inner, next, names, lists)?;
                let node = self.node(Value::Seq(inner));
                self.set_index(list, index, node)
            }
            Some(_) => {
                if let Some(node) = existing.and_then(|i| list.get_mut(i)) {
                    if !node.value.is_map() {
                        // Helm: "indices out of order", start a fresh map.
                        *node = self.node(Value::Map(Map::default()));
                    }
                    if let Value::Map(inner) = &mut node.value {
                        self.key(inner, names, lists)?;
                    }
                    return check_index(index);
                }
                let mut inner = Map::default();
                self.key(&mut inner, names, lists)?;
                let node = self.node(Value::Map(inner));
                self.set_index(list, index, node)
            }
        }
    }

    /// Helm's `setIndex`: check the index, pad with nulls, set.
    fn set_index(&self, list: &mut Vec<Node>, index: i64, node: Node) -> Step {
        check_index(index)?;
        let i = usize::try_from(index).map_err(|_| SetErrorReason::NegativeIndex(index))?;
        if list.len() <= i {
            list.resize_with(i + 1, || self.node(Value::Null));
        }
        list[i] = node;
        Ok(())
    }

    /// After `=` (outside JSON and literal mode): the end, a `{…}` list, or
    /// a single value.
    fn rhs(&mut self) -> Result<Rhs, SetErrorReason> {
        match self.peek() {
            None => return Ok(Rhs::AtEnd),
            Some('{') => {
                self.bump();
            }
            Some(_) => return Ok(Rhs::Single),
        }
        let mut items = Vec::new();
        loop {
            let (text, last) = self.until(&[',', '}']);
            match last {
                None => return Err(SetErrorReason::UnterminatedList),
                Some('}') => {
                    // A comma right after the list belongs to it.
                    if self.peek() == Some(',') {
                        self.bump();
                    }
                    items.push(self.scalar(text)?);
                    return Ok(Rhs::List(items));
                }
                Some(_) => items.push(self.scalar(text)?),
            }
        }
    }

    /// A single value's text as a node, by mode.
    fn scalar(&mut self, text: String) -> Result<Node, SetErrorReason> {
        let value = match self.mode {
            Mode::Typed => typed_value(text),
            Mode::File => match (self.read_file)(&text) {
                Ok(content) => Value::Str(content),
                Err(source) => return Err(SetErrorReason::ReadFile { path: text, source }),
            },
            Mode::Strings | Mode::Json | Mode::Literal => Value::Str(text),
        };
        Ok(self.node(value))
    }

    /// Skip white space; true (and the comma consumed) when the value is
    /// empty: a comma or the end comes first.
    fn empty_value(&mut self) -> bool {
        loop {
            match self.peek() {
                None => return true,
                Some(',') => {
                    self.bump();
                    return true;
                }
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some(_) => return false,
            }
        }
    }

    /// One JSON value, read as Go's `json.Decoder` reads it: the value ends
    /// where JSON's grammar says, whatever follows.
    fn json_value(&mut self) -> Result<Node, SetErrorReason> {
        let rest = &self.src[self.pos..];
        let len = json_extent(rest).map_err(SetErrorReason::Json)?;
        let json: serde_json::Value = serde_json::from_str(&lone_surrogates_replaced(&rest[..len]))
            .map_err(|e| SetErrorReason::Json(e.to_string()))?;
        self.pos += len;
        Ok(Node::from_json(&json, &self.origin))
    }
}

fn check_index(index: i64) -> Step {
    if index > MAX_INDEX {
        return Err(SetErrorReason::IndexTooLarge(index).into());
    }
    Ok(())
}

const GO_MAP: &str = "map[string]interface {}";
const GO_LIST: &str = "[]interface {}";

fn wrong_type(found: &'static str, expected: &'static str) -> Halt {
    SetErrorReason::WrongType { found, expected }.into()
}

/// The Go type Helm would hold this value as. Integers are `int64` when
/// `--set` made them and `float64` otherwise (values files and JSON).
fn go_type(node: &Node) -> &'static str {
    match &node.value {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => match node.origin {
            Origin::Flag { flag: "--set", .. } => "int64",
            _ => "float64",
        },
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::Seq(_) => GO_LIST,
        Value::Map(_) => GO_MAP,
    }
}

/// `--set` typing (Helm's `typedVal`).
fn typed_value(text: String) -> Value {
    if eq_fold(&text, "true") {
        return Value::Bool(true);
    }
    if eq_fold(&text, "false") {
        return Value::Bool(false);
    }
    if eq_fold(&text, "null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::Int(0);
    }
    if !text.is_empty() && !text.starts_with('0') {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    Value::Str(text)
}

/// Go's `strings.EqualFold` against a lower-case ASCII word: Unicode simple
/// case folding, under which `ſ` (U+017F) is an `s` and `K` (U+212A) a `k`.
fn eq_fold(text: &str, word: &str) -> bool {
    let mut chars = text.chars();
    for w in word.chars() {
        match chars.next() {
            Some(c)
                if c.to_ascii_lowercase() == w
                    || (w == 's' && c == '\u{17F}')
                    || (w == 'k' && c == '\u{212A}') => {}
            _ => return false,
        }
    }
    chars.next().is_none()
}

/// The length in bytes of the JSON value at the start of `s` (after JSON
/// white space), ended where Go's decoder ends it: a number or literal at
/// the first character that cannot continue it, a string, object or array
/// at its closing character. Only the extent is found here; serde_json
/// checks the value.
fn json_extent(s: &str) -> Result<usize, String> {
    const UNEXPECTED_END: &str = "unexpected end of JSON input";
    let b = s.as_bytes();
    let mut i = b
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    let digits = |b: &[u8], from: usize| {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    match b.get(i) {
        None => Err(UNEXPECTED_END.to_string()),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut in_string = false;
            let mut escaped = false;
            while let Some(&c) = b.get(i) {
                i += 1;
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if c == b'\\' {
                        escaped = true;
                    } else if c == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match c {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Ok(i);
                        }
                    }
                    _ => {}
                }
            }
            Err(UNEXPECTED_END.to_string())
        }
        Some(b'"') => {
            i += 1;
            let mut escaped = false;
            while let Some(&c) = b.get(i) {
                i += 1;
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    return Ok(i);
                }
            }
            Err(UNEXPECTED_END.to_string())
        }
        Some(b'-' | b'0'..=b'9') => {
            if b[i] == b'-' {
                i += 1;
            }
            match b.get(i) {
                Some(b'0') => i += 1,
                Some(b'1'..=b'9') => i += 1 + digits(b, i + 1),
                Some(_) => return Err("invalid character in numeric literal".to_string()),
                None => return Err(UNEXPECTED_END.to_string()),
            }
            if b.get(i) == Some(&b'.') {
                let n = digits(b, i + 1);
                if n == 0 {
                    return Err(
                        "invalid character after decimal point in numeric literal".to_string()
                    );
                }
                i += 1 + n;
            }
            if matches!(b.get(i), Some(b'e' | b'E')) {
                i += 1;
                if matches!(b.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
                let n = digits(b, i);
                if n == 0 {
                    return Err("invalid character in exponent of numeric literal".to_string());
                }
                i += n;
            }
            Ok(i)
        }
        Some(_) => {
            for word in ["true", "false", "null"] {
                if s[i..].starts_with(word) {
                    return Ok(i + word.len());
                }
            }
            let c = s[i..].chars().next().unwrap_or('?');
            Err(format!(
                "invalid character {} looking for beginning of value",
                go_quote_rune(c)
            ))
        }
    }
}

/// JSON text with every `\uXXXX` escape of a lone UTF-16 surrogate turned
/// into `\ufffd`, as Go's decoder reads them (serde_json refuses them).
fn lone_surrogates_replaced(json: &str) -> Cow<'_, str> {
    let b = json.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let digits = json.get(at..at + 4)?;
        if digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                let unit = if b.get(i + 1) == Some(&b'u') {
                    hex4(i + 2)
                } else {
                    None
                };
                let Some(unit) = unit else {
                    i += 2;
                    continue;
                };
                let paired = (0xD800..0xDC00).contains(&unit)
                    && json.get(i + 6..i + 8) == Some("\\u")
                    && hex4(i + 8).is_some_and(|low| (0xDC00..0xE000).contains(&low));
                if paired {
                    i += 12;
                    continue;
                }
                if (0xD800..0xE000).contains(&unit) {
                    out.push_str(&json[copied..i]);
                    out.push_str("\\ufffd");
                    copied = i + 6;
                }
                i += 6;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if copied == 0 {
        return Cow::Borrowed(json);
    }
    out.push_str(&json[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    /// Helm's records, kept as Helm produced them.
    const CONFORMANCE: &str = include_str!("../../../tests/conformance/helm-strvals.yaml");

    /// Record fields the runner understands; any other field fails the
    /// record, so nothing in the file is ignored by accident.
    const KNOWN_FIELDS: &[&str] = &[
        "id",
        "origin",
        "source",
        "kind",
        "input",
        "inputs",
        "steps",
        "base",
        "files",
        "expect",
        "error",
        "error_contains",
        "error_message_go",
        "cli_flag_order",
        "helm_v3_21_4",
        "note",
    ];

    /// `cli` records with `cli_flag_order: true` whose result differs when
    /// the flags are applied in command-line order (strata) instead of by
    /// family (Helm): record id → the command-line-order result, as YAML.
    /// The records in the file have none; the case is shown by
    /// `command_line_order_differs_from_helm_family_order` below.
    const CLI_ORDER_DIFFERENCES: &[(&str, &str)] = &[];

    fn load(src: &str) -> Node {
        yaml::load_one(src, &Arc::from("test.yaml"))
            .expect("test YAML loads")
            .unwrap_or_else(|| Node::generated(Value::Map(Map::default())))
    }

    fn no_files(path: &str) -> Result<String, io::Error> {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no file {path} in this test"),
        ))
    }

    fn kind_named(name: &str) -> Result<SetKind, String> {
        SetKind::from_flag(name).ok_or_else(|| format!("unknown kind {name:?}"))
    }

    /// Apply flags in the order given.
    fn apply_all(base: Map, steps: &[(SetKind, String)], files: &Map) -> Result<Map, SetError> {
        let mut values = base;
        let mut read = |path: &str| match files.get(path).and_then(Node::as_str) {
            Some(content) => Ok(content.to_string()),
            None => no_files(path),
        };
        for (kind, arg) in steps {
            apply(&mut values, *kind, arg, &mut read)?;
        }
        Ok(values)
    }

    fn show(map: &Map) -> String {
        yaml::to_yaml(&Value::Map(map.clone()))
    }

    /// Helm's family order: --set-json, --set, --set-string, --set-file,
    /// --set-literal; stable within a family.
    fn helm_family_order(steps: &[(SetKind, String)]) -> Vec<(SetKind, String)> {
        let mut sorted = steps.to_vec();
        sorted.sort_by_key(|(k, _)| SetKind::ALL.iter().position(|x| x == k));
        sorted
    }

    fn check_outcome(rec: &Map, got: &Result<Map, SetError>) -> Result<(), String> {
        let wants_error = matches!(rec.get("error").map(|n| &n.value), Some(Value::Bool(true)));
        match (got, wants_error) {
            (Ok(values), false) => {
                let expect = rec
                    .get("expect")
                    .ok_or("record has neither expect nor error")?;
                if Value::Map(values.clone()) == expect.value {
                    Ok(())
                } else {
                    Err(format!(
                        "expected:\n{}got:\n{}",
                        yaml::to_yaml(&expect.value),
                        show(values)
                    ))
                }
            }
            (Ok(values), true) => Err(format!("expected an error, got:\n{}", show(values))),
            (Err(e), false) => Err(format!("unexpected error: {e}")),
            (Err(e), true) => {
                let message = e.to_string();
                if let Some(want) = rec.get("error_contains").and_then(Node::as_str) {
                    if !message.contains(want) {
                        return Err(format!("error {message:?} does not contain {want:?}"));
                    }
                }
                // Where Helm's message embeds Go runtime text, strata
                // reproduces it too.
                if let Some(want) = rec.get("error_message_go").and_then(Node::as_str) {
                    if !message.contains(want) {
                        return Err(format!("error {message:?} does not contain Go's {want:?}"));
                    }
                }
                Ok(())
            }
        }
    }

    fn run_record(rec: &Map) -> Result<(), String> {
        if let Some(field) = rec.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())) {
            return Err(format!("unknown record field {field:?}"));
        }
        let text = |name: &str| rec.get(name).and_then(Node::as_str);
        let kind = text("kind").ok_or("record has no kind")?;
        let base = match rec.get("base") {
            None => Map::default(),
            Some(n) => n.as_map().ok_or("base is not a map")?.clone(),
        };
        let files = match rec.get("files") {
            None => Map::default(),
            Some(n) => n.as_map().ok_or("files is not a map")?.clone(),
        };
        let strings = |node: &Node| -> Result<Vec<String>, String> {
            match &node.value {
                Value::Seq(items) => items
                    .iter()
                    .map(|n| {
                        n.as_str()
                            .map(str::to_string)
                            .ok_or("non-string input".to_string())
                    })
                    .collect(),
                _ => Err("inputs is not a list".to_string()),
            }
        };
        if kind != "cli" {
            let kind = kind_named(kind)?;
            let inputs = match (text("input"), rec.get("inputs")) {
                (Some(one), None) => vec![one.to_string()],
                (None, Some(many)) => strings(many)?,
                _ => return Err("record needs exactly one of input / inputs".to_string()),
            };
            let steps: Vec<_> = inputs.into_iter().map(|i| (kind, i)).collect();
            return check_outcome(rec, &apply_all(base, &steps, &files));
        }
        let Some(Value::Seq(raw_steps)) = rec.get("steps").map(|n| &n.value) else {
            return Err("cli record without steps".to_string());
        };
        let mut steps = Vec::new();
        for step in raw_steps {
            let step = step.as_map().ok_or("step is not a map")?;
            let kind = step
                .get("kind")
                .and_then(Node::as_str)
                .ok_or("step without kind")?;
            let input = step
                .get("input")
                .and_then(Node::as_str)
                .ok_or("step without input")?;
            steps.push((kind_named(kind)?, input.to_string()));
        }
        let command_line = apply_all(base.clone(), &steps, &files);
        let family_order = matches!(
            rec.get("cli_flag_order").map(|n| &n.value),
            Some(Value::Bool(true))
        );
        if !family_order {
            return check_outcome(rec, &command_line);
        }
        // Helm's order proves the parser; strata's order is checked apart.
        let helm = apply_all(base, &helm_family_order(&steps), &files);
        check_outcome(rec, &helm).map_err(|e| format!("in Helm's family order: {e}"))?;
        let id = text("id").unwrap_or("?");
        let documented = CLI_ORDER_DIFFERENCES.iter().find(|(i, _)| *i == id);
        match (documented, &command_line, &helm) {
            (Some((_, want)), Ok(got), _) => {
                let want = load(want);
                if Value::Map(got.clone()) == want.value {
                    Ok(())
                } else {
                    Err(format!("command-line order: expected the documented\n{}got:\n{}", yaml::to_yaml(&want.value), show(got)))
                }
            }
            (Some(_), Err(e), _) => Err(format!("command-line order: unexpected error {e}")),
            (None, Ok(a), Ok(b)) if Value::Map(a.clone()) == Value::Map(b.clone()) => Ok(()),
            (None, Err(_), Err(_)) => Ok(()),
            (None, got, _) => Err(format!(
                "command-line order differs from Helm's family order ({}); document it in CLI_ORDER_DIFFERENCES",
                match got {
                    Ok(m) => show(m),
                    Err(e) => e.to_string(),
                }
            )),
        }
    }

    #[test]
    fn helm_conformance_records() {
        let doc = load(CONFORMANCE);
        let Value::Seq(records) = &doc.value else {
            panic!("conformance file is not a list of records");
        };
        let in_file = CONFORMANCE
            .lines()
            .filter(|l| l.starts_with("- id:"))
            .count();
        assert_eq!(
            records.len(),
            in_file,
            "loader and file disagree on the record count"
        );

        let mut ran = 0;
        let mut failures = Vec::new();
        for rec in records {
            let Some(rec) = rec.as_map() else {
                failures.push("a record that is not a map".to_string());
                continue;
            };
            let id = rec.get("id").and_then(Node::as_str).unwrap_or("(no id)");
            if let Err(e) = run_record(rec) {
                failures.push(format!("{id}: {e}"));
            }
            ran += 1;
        }
        assert!(
            failures.is_empty(),
            "{} of {ran} records failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
        assert_eq!(ran, in_file, "every record must run");
        assert_eq!(ran, 127);
    }

    use SetKind::{Set, SetFile, SetJson, SetLiteral, SetString};

    /// Extra cases: (kind, arguments in order, base values as YAML, the
    /// result as YAML or a text the error message must contain).
    type Case = (
        SetKind,
        &'static [&'static str],
        &'static str,
        Result<&'static str, &'static str>,
    );

    const EXTRA: &[Case] = &[
        // Key escaping.
        (Set, &[r"a\.b=c"], "", Ok(r#""a.b": c"#)),
        (
            Set,
            &[r"ingress.annotations.kubernetes\.io/ingress\.class=nginx"],
            "",
            Ok("ingress: {annotations: {kubernetes.io/ingress.class: nginx}}"),
        ),
        (Set, &[r"a=x\,y,b=1\=2"], "", Ok(r#"{a: "x,y", b: "1=2"}"#)),
        (Set, &[r"a=b\"], "", Ok("a: b")),
        (Set, &[r"a\"], "", Err(r#"key "a" has no value"#)),
        (Set, &[r"a=\{x}"], "", Ok(r#"a: "{x}""#)),
        // Lists in braces.
        (Set, &["x={a,b}"], "", Ok("x: [a, b]")),
        (Set, &["x={a,b},y=1"], "", Ok("{x: [a, b], y: 1}")),
        (Set, &["x={}"], "", Ok(r#"x: [""]"#)),
        (Set, &["x={a,b}z"], "", Err(r#"key "z" has no value"#)),
        (Set, &["name=[]"], "", Ok(r#"name: "[]""#)),
        (Set, &["x=a{b}"], "", Ok("x: a{b}")),
        (SetString, &["x={1,true,null}"], "", Ok(r#"x: ["1", "true", "null"]"#)),
        // Typing.
        (Set, &["n=12345678901"], "", Ok("n: 12345678901")),
        (Set, &["n=9223372036854775807"], "", Ok("n: 9223372036854775807")),
        (Set, &["n=-9223372036854775808"], "", Ok("n: -9223372036854775808")),
        (Set, &["n=9223372036854775808"], "", Ok(r#"n: "9223372036854775808""#)),
        (Set, &["a=+5,b=-007,c=007,d=-0"], "", Ok(r#"{a: 5, b: -7, c: "007", d: 0}"#)),
        (Set, &["a=1.5,b=1e3,c=0x10,d=1_000"], "", Ok(r#"{a: "1.5", b: "1e3", c: "0x10", d: "1_000"}"#)),
        (Set, &["a=TRUE,b=False,c=NULL,d=yes,e=~"], "", Ok(r#"{a: true, b: false, c: null, d: "yes", e: "~"}"#)),
        (Set, &["a=fal\u{17F}e"], "", Ok("a: false")),
        (SetString, &["a=true,b=007"], "", Ok(r#"{a: "true", b: "007"}"#)),
        // Unicode.
        (Set, &["ключ.名前=värde ✓,emoji=😀"], "", Ok("{ключ: {名前: värde ✓}, emoji: 😀}")),
        (Set, &[r"a=\é"], "", Ok("a: é")),
        (Set, &["a\u{a0}b,"], "", Err(r#"key "a\u00a0b" has no value (cannot end with ,)"#)),
        (Set, &["a\"b"], "", Err(r#"key "a\"b" has no value"#)),
        // Empty and degenerate arguments.
        (Set, &[""], "a: 1", Ok("a: 1")),
        (SetString, &[""], "", Ok("{}")),
        (SetJson, &[""], "", Ok("{}")),
        (SetFile, &[""], "", Ok("{}")),
        (SetLiteral, &[""], "", Ok("{}")),
        (Set, &["="], "", Ok("{}")),
        (Set, &["=x,a=1"], "", Ok("a: 1")),
        (Set, &[","], "", Err(r#"key "" has no value (cannot end with ,)"#)),
        (Set, &["a=1,,"], "", Err(r#"key "" has no value (cannot end with ,)"#)),
        // Helm stops without error where the argument ends inside a key
        // or an index.
        (Set, &["a["], "", Ok("{}")),
        (Set, &["a[0"], "", Ok("{}")),
        (Set, &["a[0]"], "", Ok("a: []")),
        (Set, &["a[0]["], "", Ok("a: []")),
        (Set, &["a."], "", Ok("{}")),
        (Set, &["a.b[1"], "", Ok("{}")),
        (SetLiteral, &["a["], "", Ok("{}")),
        // Helm drops the element when `a[0].b=` ends the argument.
        (Set, &["a[0].b="], "", Ok("a: []")),
        (Set, &["a[0].b=,c=1"], "", Ok(r#"{a: [{b: ""}], c: 1}"#)),
        (Set, &["a[0].b="], "a: [{x: 1}]", Ok(r#"a: [{x: 1, b: ""}]"#)),
        // Indexes.
        (Set, &["a[2]=x"], "", Ok("a: [null, null, x]")),
        (Set, &["a[+1]=x"], "", Ok("a: [null, x]")),
        (Set, &["a[-1]=x"], "", Err("negative -1 index not allowed")),
        (Set, &["a[-0]=x"], "", Ok("a: [x]")),
        (Set, &["a[65537]=x"], "", Err("index of 65537 is greater than maximum supported index of 65536")),
        (Set, &["a[0][65537]=x"], "", Err("index of 65537 is greater than maximum supported index of 65536")),
        (Set, &["a[65537].b=x"], "", Err("index of 65537 is greater than maximum supported index of 65536")),
        (
            Set,
            &["a[99999999999999999999]=1"],
            "",
            Err(r#"error parsing index: parsing "99999999999999999999": value out of range"#),
        ),
        (Set, &["a[x]=1"], "", Err(r#"error parsing index: parsing "x": invalid syntax"#)),
        (Set, &["a[]=1"], "", Err(r#"error parsing index: parsing "": invalid syntax"#)),
        (Set, &["a[ 1]=1"], "", Err(r#"error parsing index: parsing " 1": invalid syntax"#)),
        (Set, &["a[0]x=1"], "", Err("unexpected data at end of array index: ['x']")),
        (
            Set,
            &["a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]=x"],
            "",
            Ok("a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
        ),
        (
            Set,
            &["a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]=x"],
            "",
            Err("list index nested level is greater than maximum supported nested level of 30"),
        ),
        (
            Set,
            &["a[0].b[0].c[0].d[0].e[0].f[0].g[0].h[0].i[0].j[0].k[0].l[0].m[0].n[0].o[0].p[0].q[0].r[0].s[0].t[0].u[0].v[0].w[0].x[0].y[0].z[0].A[0].B[0].C[0].D[0].E[0]=x"],
            "",
            Err("list index nested level is greater than maximum supported nested level of 30"),
        ),
        (
            Set,
            &["n1.n2.n3.n4.n5.n6.n7.n8.n9.n10.n11.n12.n13.n14.n15.n16.n17.n18.n19.n20.n21.n22.n23.n24.n25.n26.n27.n28.n29.n30.n31=x"],
            "",
            Ok("n1: {n2: {n3: {n4: {n5: {n6: {n7: {n8: {n9: {n10: {n11: {n12: {n13: {n14: {n15: {n16: {n17: {n18: {n19: {n20: {n21: {n22: {n23: {n24: {n25: {n26: {n27: {n28: {n29: {n30: {n31: x}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"),
        ),
        // Into existing values: maps merged, lists indexed in place.
        (Set, &["a.y=2"], "a: {x: 1}", Ok("a: {x: 1, y: 2}")),
        (Set, &["list[1]=x"], "list: [a, b, c]", Ok("list: [a, x, c]")),
        (Set, &["list[0].v=2"], "list: [{name: a, v: 1}]", Ok("list: [{name: a, v: 2}]")),
        (Set, &["list[0].k=v"], "list: [s]", Ok("list: [{k: v}]")),
        (Set, &["list[3]=d"], "list: [a]", Ok("list: [a, null, null, d]")),
        (Set, &["a=x"], "a: {b: 1}", Ok("a: x")),
        (Set, &["a={x}"], "a: [1, 2, 3]", Ok("a: [x]")),
        // Paths through values of the wrong type: Helm's panic text.
        (
            Set,
            &["a.b=1"],
            "a: x",
            Err("unable to parse key: interface conversion: interface {} is string, not map[string]interface {}"),
        ),
        (Set, &["a=1,a.b=2"], "", Err("interface {} is int64, not map[string]interface {}")),
        (Set, &["a.b=1"], "a: 1", Err("interface {} is float64, not map[string]interface {}")),
        (Set, &["a.b=1"], "a: null", Err("interface {} is nil, not map[string]interface {}")),
        (Set, &["a[0]=1"], "a: {b: 1}", Err("interface {} is map[string]interface {}, not []interface {}")),
        (Set, &["a[0][0]=1"], "a: [x]", Err("interface {} is string, not []interface {}")),
        (Set, &["a.=x"], "", Err(r#"key map "a" has no value"#)),
        // --set-json.
        (SetJson, &["a=1b=2"], "", Ok("{a: 1, b: 2}")),
        (SetJson, &["a= 5 ,b=\"x\""], "", Ok("{a: 5, b: x}")),
        (SetJson, &["a=,b=null"], "", Ok("{a: null, b: null}")),
        (SetJson, &["a=1.5,b=-2,c=1e2"], "", Ok("{a: 1.5, b: -2, c: 100.0}")),
        (SetJson, &["a=12345678901234"], "", Ok("a: 12345678901234")),
        (SetJson, &[r#"a=[1,{"b":null}],c="]""#], "", Ok(r#"{a: [1, {b: null}], c: "]"}"#)),
        (SetJson, &[r#"a="x,y\"z""#], "", Ok(r#"a: "x,y\"z""#)),
        (SetJson, &["l[1]={\"k\":true}"], "l: [0]", Ok("l: [0, {k: true}]")),
        // Lone UTF-16 surrogates become U+FFFD, as in Go.
        (SetJson, &[r#"a="\ud800x\udc00""#], "", Ok(r#"a: "\ufffdx\ufffd""#)),
        (SetJson, &[r#"a="\ud83d\ude00\ud83d""#], "", Ok(r#"a: "😀\ufffd""#)),
        (SetJson, &[r#"{"k\udfff":"\ud800\u0041"}"#], "", Ok(r#""k\ufffd": "\ufffdA""#)),
        (SetJson, &[r#"a="\\ud800""#], "", Ok(r#"a: "\\ud800""#)),
        (SetJson, &["a=01"], "", Err(r#"key "1" has no value"#)),
        (SetJson, &["a={\"x\":"], "", Err("invalid JSON value")),
        (SetJson, &["a=tru"], "", Err("invalid JSON value")),
        (SetJson, &["a=-"], "", Err("invalid JSON value")),
        (SetJson, &["a=1."], "", Err("invalid JSON value")),
        (SetJson, &["a=x"], "", Err("invalid JSON value")),
        (SetJson, &["a=[1 2]"], "", Err("invalid JSON value")),
        (SetJson, &["a=1e400"], "", Err("invalid JSON value")),
        (
            SetJson,
            &[r#"{"a": {"y": 3, "z": null}, "b": [1]}"#],
            "a: {x: 1, y: 2}\nb: {old: true}",
            Ok("{a: {x: 1, y: 3, z: null}, b: [1]}"),
        ),
        (SetJson, &[" \n{\"a\":1}\t"], "", Ok("a: 1")),
        (SetJson, &["{\"a\":1} x"], "", Err("failed parsing --set-json data JSON: {\"a\":1} x")),
        (SetJson, &["{}"], "a: 1", Ok("a: 1")),
        // --set-literal.
        (SetLiteral, &[r"a.b=x,y=z\n"], "", Ok(r#"a: {b: "x,y=z\\n"}"#)),
        (SetLiteral, &[r"a\.b=c"], "", Ok(r#""a\\": {b: c}"#)),
        (SetLiteral, &["a[1]=x,y"], "", Ok(r#"a: [null, "x,y"]"#)),
        (SetLiteral, &["a="], "", Ok(r#"a: """#)),
        (SetLiteral, &["a,b=c"], "", Ok(r#""a,b": c"#)),
        // --set-file.
        (SetFile, &["a=p1,b={p1,p2}"], "", Ok("{a: one, b: [one, two]}")),
        (SetFile, &["a="], "", Ok(r#"a: """#)),
        (SetFile, &["a=nofile"], "", Err("nofile: no such file or directory")),
        (SetFile, &["a={p1,nofile}"], "", Err("nofile: no such file or directory")),
        // Several flags, one after the other.
        (Set, &["a=1", "a.b=2"], "", Err("interface {} is int64")),
        (Set, &["l[0]=x", "l[2]=z"], "", Ok("l: [x, null, z]")),
    ];

    #[test]
    fn extra_cases() {
        let files = load("p1: one\np2: two");
        let files = files.as_map().expect("files map");
        let mut failures = Vec::new();
        for (n, (kind, args, base, want)) in EXTRA.iter().enumerate() {
            let base = load(base).as_map().cloned().unwrap_or_default();
            let steps: Vec<_> = args.iter().map(|a| (*kind, a.to_string())).collect();
            let got = apply_all(base, &steps, files);
            let label = format!("extra #{n}: {kind} {args:?}");
            match (got, want) {
                (Ok(values), Ok(want)) => {
                    let want = load(want);
                    if Value::Map(values.clone()) != want.value {
                        failures.push(format!(
                            "{label}: expected\n{}got\n{}",
                            yaml::to_yaml(&want.value),
                            show(&values)
                        ));
                    }
                }
                (Err(e), Err(want)) => {
                    if !e.to_string().contains(want) {
                        failures.push(format!("{label}: error {e} lacks {want:?}"));
                    }
                }
                (Ok(values), Err(want)) => failures.push(format!(
                    "{label}: expected an error with {want:?}, got\n{}",
                    show(&values)
                )),
                (Err(e), Ok(_)) => failures.push(format!("{label}: unexpected error {e}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    fn flag_origin(flag: &'static str, arg: &str) -> Origin {
        Origin::Flag {
            flag,
            arg: Arc::from(arg),
        }
    }

    #[test]
    fn created_nodes_record_the_flag_and_existing_ones_keep_their_origin() {
        let base = load("a: {keep: 1}\nlist: [x]");
        let mut values = base.as_map().cloned().unwrap_or_default();
        let file_origin = values["a"].origin.clone();
        assert!(matches!(file_origin, Origin::File(_)));

        let arg = "a.b.c=1,list[2]=z,new[1].k={p,q}";
        apply(&mut values, Set, arg, &mut no_files).expect("applies");
        let flag = flag_origin("--set", arg);

        // Existing map and list: merged into / extended in place.
        assert_eq!(values["a"].origin, file_origin);
        assert!(matches!(values["list"].origin, Origin::File(_)));
        let Value::Seq(list) = &values["list"].value else {
            panic!("list")
        };
        assert!(matches!(list[0].origin, Origin::File(_)));
        assert_eq!(list[1].origin, flag, "padding null");
        assert_eq!(list[2].origin, flag);
        // Created maps, lists, elements and leaves.
        let b = &values["a"].as_map().expect("a")["b"];
        assert_eq!(b.origin, flag);
        assert_eq!(b.as_map().expect("b")["c"].origin, flag);
        let new = &values["new"];
        assert_eq!(new.origin, flag);
        let Value::Seq(new_list) = &new.value else {
            panic!("new")
        };
        assert_eq!(new_list[0].origin, flag);
        assert_eq!(new_list[1].origin, flag);
        let k = &new_list[1].as_map().expect("element map")["k"];
        assert_eq!(k.origin, flag);
        let Value::Seq(items) = &k.value else {
            panic!("k")
        };
        assert!(items.iter().all(|n| n.origin == flag));
        assert_eq!(flag.to_string(), format!("--set {arg}"));

        // Every kind records its own flag, JSON values all the way down.
        for (kind, arg, key) in [
            (SetString, "s=1", "s"),
            (SetJson, r#"j={"x":[1,{"y":2}]}"#, "j"),
            (SetJson, r#"{"o":{"p":1}}"#, "o"),
            (SetLiteral, "l=a,b", "l"),
        ] {
            apply(&mut values, kind, arg, &mut no_files).expect("applies");
            let want = flag_origin(kind.flag(), arg);
            let mut stack = vec![&values[key]];
            while let Some(n) = stack.pop() {
                assert_eq!(n.origin, want, "{kind} {arg}");
                match &n.value {
                    Value::Seq(items) => stack.extend(items),
                    Value::Map(m) => stack.extend(m.values()),
                    _ => {}
                }
            }
        }
        let mut read = |_: &str| Ok("content".to_string());
        apply(&mut values, SetFile, "f=path", &mut read).expect("applies");
        assert_eq!(values["f"].origin, flag_origin("--set-file", "f=path"));
        assert_eq!(values["f"].as_str(), Some("content"));
    }

    /// strata applies flags in command-line order; Helm by family
    /// (--set-json, --set, --set-string, --set-file, --set-literal). The two
    /// differ when a later flag of an earlier family sets the same key.
    #[test]
    fn command_line_order_differs_from_helm_family_order() {
        let steps = vec![
            (SetString, "a=x".to_string()),
            (Set, "a=y".to_string()),
            (SetLiteral, "b=lit".to_string()),
            (SetJson, "b=2".to_string()),
        ];
        let files = Map::default();
        let strata = apply_all(Map::default(), &steps, &files).expect("applies");
        let helm = apply_all(Map::default(), &helm_family_order(&steps), &files).expect("applies");
        assert_eq!(Value::Map(strata), load("{a: y, b: 2}").value);
        assert_eq!(Value::Map(helm), load("{a: x, b: lit}").value);
    }

    #[test]
    fn the_largest_index_is_accepted() {
        let mut values = Map::default();
        apply(&mut values, Set, "a[65536]=x", &mut no_files).expect("applies");
        let Value::Seq(list) = &values["a"].value else {
            panic!("a")
        };
        assert_eq!(list.len(), 65_537);
        assert_eq!(list[65_536].as_str(), Some("x"));
        assert!(list[..65_536].iter().all(|n| n.value.is_null()));
    }

    #[test]
    fn errors_name_the_flag_and_argument() {
        let mut values = Map::default();
        let e = apply(&mut values, Set, "a[x]=1", &mut no_files).expect_err("fails");
        assert_eq!(e.flag, "--set");
        assert_eq!(e.arg, "a[x]=1");
        assert_eq!(
            e.to_string(),
            r#"--set a[x]=…: error parsing index: parsing "x": invalid syntax"#
        );
        let diag = crate::diag::Error::from(e).diagnostics();
        assert_eq!(
            diag[0].to_string(),
            r#"error[set]: --set a[x]=…: error parsing index: parsing "x": invalid syntax"#
        );
        // The values an argument carries are not shown: one may be a secret.
        let e =
            apply(&mut values, Set, "db.password=s3cr3t,{oops", &mut no_files).expect_err("fails");
        assert_eq!(
            e.to_string(),
            r#"--set db.password=…,{oops: key "{oops" has no value"#
        );
        let e = apply(
            &mut values,
            SetJson,
            r#"db={"password":"s3cr3t",}"#,
            &mut no_files,
        )
        .expect_err("fails");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        let e = apply(&mut values, SetJson, "{invalid", &mut no_files).expect_err("fails");
        assert!(e
            .to_string()
            .starts_with("--set-json {invalid: failed parsing --set-json data JSON: {invalid ("));
        let e = apply(&mut values, SetFile, "a=missing", &mut no_files).expect_err("fails");
        assert!(std::error::Error::source(&e.reason).is_some());
    }

    #[test]
    fn kinds_and_flags() {
        for kind in SetKind::ALL {
            assert_eq!(SetKind::from_flag(kind.flag()), Some(kind));
            assert_eq!(SetKind::from_flag(&kind.flag()[2..]), Some(kind));
            assert_eq!(kind.to_string(), kind.flag());
        }
        assert_eq!(SetKind::from_flag("--values"), None);
        assert_eq!(SetKind::from_flag(""), None);
    }

    #[test]
    fn go_quoting() {
        assert_eq!(
            go_quote("a\"b\\c\n\t\u{7f}\u{0}é\u{a0}\u{200b}😀"),
            r#""a\"b\\c\n\t\x7f\x00é\u00a0\u200b😀""#
        );
        assert_eq!(go_quote_runes("n'\""), r#"['n' '\'' '"']"#);
        assert_eq!(go_quote("\u{10FFFD}"), r#""\U0010fffd""#);
    }

    /// Odd input gives Ok or Err, never a panic, whatever the flag.
    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "",
            "[",
            "]",
            "a[",
            "a[]",
            "a[-1]=x",
            "a[99999999999999999999]=1",
            "a[-99999999999999999999]=1",
            "=",
            ",",
            "\\",
            "\\\\",
            ".",
            "..",
            "a..b=1",
            "a.",
            ".a=1",
            "[0]=1",
            "a[0]]=1",
            "a[[0]]=1",
            "{",
            "}",
            "a={",
            "a={,",
            "a={\\",
            "a=}",
            "a[0]={x",
            "a[0][",
            "a[0].",
            "a[0].[1]=x",
            "a=\\",
            "é[0]=ü",
            "\u{0}=\u{0}",
            "a[0]=1,a.b=2",
            "a=1,a[0]=2",
            "a[0]=1,a[0][0]=2",
            "a[0]=1,a[0].b=2",
            "a={x},a[1]=y",
            "=[0]",
            "[",
            "{\"",
            "{\"a\"",
            "a=\"",
            "a=[",
            "a=[\"]",
            "a=\"\\",
            "a={\"b\":[}",
            "a=nul",
            "a=-",
            "a=1e",
            "a=1e+",
            "a=0.",
            "a=.5",
            "a=\u{a0}",
            "a= ",
            "a= ,",
            "a=[1]x",
            "a[65536]",
            "a[65537]",
            "a[0].b[0].c",
            "ſ=ſ",
            "\u{feff}=1",
            "a\u{301}=b",
        ];
        let mut read = |p: &str| -> Result<String, io::Error> {
            if p.is_empty() {
                Err(io::Error::from(io::ErrorKind::NotFound))
            } else {
                Ok(p.repeat(2))
            }
        };
        for arg in odd {
            for kind in SetKind::ALL {
                let mut values = load("a: {b: [1, {c: d}]}\nl: [x, [y]]")
                    .as_map()
                    .cloned()
                    .unwrap_or_default();
                let _ = apply(&mut values, kind, arg, &mut read);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Strings over the characters that matter, with every flag: no
        /// panic, and a bounded time per argument.
        #[test]
        fn no_panics_on_arbitrary_flags(
            chars in proptest::collection::vec(
                proptest::sample::select("ab0159-+.,=[]{}\\\" :é\u{a0}nulltrue".chars().collect::<Vec<_>>()),
                0..24,
            ),
            kind in proptest::sample::select(SetKind::ALL.to_vec()),
        ) {
            let arg: String = chars.into_iter().collect();
            let mut read = |p: &str| -> Result<String, io::Error> {
                if p.is_empty() {
                    Err(io::Error::from(io::ErrorKind::NotFound))
                } else {
                    Ok(p.repeat(2))
                }
            };
            let mut values = load("a: {b: [1, {c: d}]}\nl: [x, [y]]")
                .as_map()
                .cloned()
                .unwrap_or_default();
            let start = std::time::Instant::now();
            let _ = apply(&mut values, kind, &arg, &mut read);
            proptest::prop_assert!(start.elapsed() < std::time::Duration::from_secs(1));
        }

        /// `--set-string key=value` reads back exactly the value given, for
        /// plain keys and values without the syntax's special characters.
        #[test]
        fn set_string_round_trips(key in "[a-z][a-z0-9_]{0,10}", value in "[^,\\\\{}\\[\\]=.]{0,20}") {
            let mut values = crate::value::Map::default();
            let mut read = |_: &str| -> Result<String, io::Error> { Err(io::Error::from(io::ErrorKind::NotFound)) };
            apply(&mut values, SetKind::SetString, &format!("{key}={value}"), &mut read)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let got = values.get(&key).map(|n| n.value.clone());
            proptest::prop_assert_eq!(got, Some(Value::Str(value)));
        }
    }
}
