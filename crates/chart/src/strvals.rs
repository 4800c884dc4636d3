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
//! behaviour: an argument that ends inside a key or an index (`a[`, `a.`,
//! `a[0]`) is not an error, it just stops; `a[0].b=` at the very end of the
//! argument leaves `a` an empty list (Helm drops that element); `a=[]` is the
//! string `"[]"` and `a={}` the list `[""]`.
//!
//! Two limits are strata's own, to keep odd input from exhausting the stack
//! or memory: index brackets nest at most [`MAX_NESTED_INDEX_LEVEL`] deep
//! along one path (Helm has no limit), and `--set-json` values nest at most
//! 128 deep (Go allows 10000).

use std::fmt::{self, Write as _};
use std::io;
use std::sync::Arc;

use crate::value::{Map, Node, Origin, Value};

/// The largest list index a flag may set (Helm's `strvals.MaxIndex`).
pub const MAX_INDEX: i64 = 65_536;

/// The most dotted name levels one path may have (Helm's
/// `strvals.MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// The most index brackets one path may have (strata's limit; Helm has none).
pub const MAX_NESTED_INDEX_LEVEL: usize = 30;

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
    pub fn from_flag(flag: &str) -> Option<SetKind> {
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
/// `--set a[x]=1: error parsing index: …`: the flag, the argument as given,
/// and Helm's message.
#[derive(Debug, thiserror::Error)]
#[error("{flag} {arg}: {reason}")]
pub struct SetError {
    /// The flag with its dashes.
    pub flag: &'static str,
    /// The argument exactly as given.
    pub arg: String,
    /// What is wrong, in Helm's words.
    pub reason: SetErrorReason,
}

impl From<SetError> for crate::diag::Error {
    fn from(e: SetError) -> Self {
        crate::diag::Error::msg("set", e.to_string())
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
    /// More than [`MAX_NESTED_NAME_LEVEL`] dotted levels.
    #[error("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")]
    NameNestedTooDeep,
    /// More than [`MAX_NESTED_INDEX_LEVEL`] index brackets (strata's limit).
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
    /// An index above [`MAX_INDEX`].
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
    match serde_json::from_str::<serde_json::Value>(trimmed) {
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
        let mut inner = Map::new();
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
                        *node = self.node(Value::Map(Map::new()));
                    }
                    if let Value::Map(inner) = &mut node.value {
                        self.key(inner, names, lists)?;
                    }
                    return check_index(index);
                }
                let mut inner = Map::new();
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
        let json: serde_json::Value =
            serde_json::from_str(&rest[..len]).map_err(|e| SetErrorReason::Json(e.to_string()))?;
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

/// Go's `%q` of a string: double quotes, Go escapes.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_go_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of one rune: single quotes, Go escapes.
fn go_quote_rune(c: char) -> String {
    let mut out = String::from('\'');
    push_go_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `%q` of a `[]rune`: `['n' 'a' 'm' 'e']`.
fn go_quote_runes(s: &str) -> String {
    let quoted: Vec<String> = s.chars().map(go_quote_rune).collect();
    format!("[{}]", quoted.join(" "))
}

fn push_go_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if go_is_print(c) {
        out.push(c);
        return;
    }
    let code = u32::from(c);
    // Writing to a String cannot fail.
    let _ = match c {
        '\u{7}' => out.write_str("\\a"),
        '\u{8}' => out.write_str("\\b"),
        '\u{c}' => out.write_str("\\f"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\u{b}' => out.write_str("\\v"),
        _ if code < 0x20 || code == 0x7f => write!(out, "\\x{code:02x}"),
        _ if code < 0x10000 => write!(out, "\\u{code:04x}"),
        _ => write!(out, "\\U{code:08x}"),
    };
}

/// Go's `unicode.IsPrint`, closely: not for control, format, private-use,
/// noncharacter or space characters other than U+0020. (Unassigned code
/// points, which Go also escapes, are taken as printable here.)
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let code = u32::from(c);
    let format = matches!(code,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = matches!(code, 0xFDD0..=0xFDEF) || code & 0xFFFE == 0xFFFE;
    !(format || private || nonchar)
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
            .unwrap_or_else(|| Node::generated(Value::Map(Map::new())))
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
            None => Map::new(),
            Some(n) => n.as_map().ok_or("base is not a map")?.clone(),
        };
        let files = match rec.get("files") {
            None => Map::new(),
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
}
