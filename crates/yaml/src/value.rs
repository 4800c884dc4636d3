//! The values tree: YAML data where every node remembers where it came from.
//!
//! [`Node`] is a [`Value`] plus its [`Origin`]: the file, line and column it
//! was read from, or the `--set` flag and argument that produced it. Maps
//! keep their input order ([`indexmap`]); integers are 64-bit integers and
//! never turn into floats.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::diag::Location;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Origin {
    /// Read from a file at a position (chart-relative path, or as given).
    File(Location),
    /// Produced by a flag: `flag` is `--set`, `--set-string`, …; `arg` its argument.
    Flag {
        /// The flag name with its dashes.
        flag: &'static str,
        /// The argument exactly as given.
        arg: Arc<str>,
    },
    /// Made by strata itself (e.g. values produced by a template function).
    #[default]
    Generated,
}

impl Origin {
    /// An origin in a file.
    pub fn file(file: &Arc<str>, line: u32, column: u32) -> Self {
        Origin::File(Location {
            file: file.clone(),
            line,
            column,
        })
    }

    /// The file location, if the value came from a file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Origin::File(l) => Some(l),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(l) => write!(f, "{l}"),
            Origin::Flag { flag, arg } => write!(f, "{flag} {arg}"),
            Origin::Generated => f.write_str("(generated)"),
        }
    }
}

/// A map of values; keys keep their input order.
pub type Map = IndexMap<String, Node, foldhash::fast::RandomState>;

/// A value without its origin.
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A map.
    Map(Map),
}

impl Value {
    /// The YAML/JSON type name, as schema messages say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Whether this is a map.
    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as JSON. Non-finite floats, which JSON cannot hold,
    /// become strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(crate::scalar::float_to_string(*f))),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// The value on one line, as reports show it: scalars as JSON (strings
    /// quoted), floats as YAML prints them, lists and maps in flow style.
    pub fn inline(&self) -> String {
        match self {
            Value::Float(f) => crate::scalar::float_to_string(*f),
            _ => self.to_json().to_string(),
        }
    }
}

/// Equality of content: origins are ignored, map order is ignored, and an
/// integer equals a float of the same value.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            #[allow(clippy::cast_precision_loss)]
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value == y.value)
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| w.value == v.value))
            }
            _ => false,
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Its origin.
    pub origin: Origin,
}

impl Node {
    /// A node with an origin.
    pub fn new(value: Value, origin: Origin) -> Self {
        Node { value, origin }
    }

    /// An empty map node.
    pub fn empty_map(origin: Origin) -> Self {
        Node::new(Value::Map(Map::default()), origin)
    }

    /// A generated node (no source position).
    pub fn generated(value: Value) -> Self {
        Node::new(value, Origin::Generated)
    }

    /// The map, if this node is one.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string, if this node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node at `path` (map keys only), if present.
    pub fn get_path<S: AsRef<str>>(&self, path: &[S]) -> Option<&Node> {
        let mut cur = self;
        for seg in path {
            cur = cur.as_map()?.get(seg.as_ref())?;
        }
        Some(cur)
    }

    /// Every leaf with its path, depth first in key order. Scalars, lists
    /// (replaced whole, so leaves) and empty maps are leaves.
    pub fn leaves(&self) -> Vec<(Path, &Node)> {
        let mut out = Vec::new();
        let mut path = Path::default();
        collect_leaves(self, &mut path, &mut out);
        out
    }

    /// The value as JSON (for schema validation and `--output json`).
    /// Non-finite floats, which JSON cannot hold, become strings.
    pub fn to_json(&self) -> serde_json::Value {
        self.value.to_json()
    }

    /// A node from JSON, every node given `origin`.
    pub fn from_json(json: &serde_json::Value, origin: &Origin) -> Node {
        use serde_json::Value as J;
        let value = match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(a) => Value::Seq(a.iter().map(|v| Node::from_json(v, origin)).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v, origin)))
                    .collect(),
            ),
        };
        Node::new(value, origin.clone())
    }

    /// Give every node in this tree the same origin.
    pub fn set_origin_deep(&mut self, origin: &Origin) {
        self.origin = origin.clone();
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_origin_deep(origin)),
            Value::Map(m) => m.values_mut().for_each(|n| n.set_origin_deep(origin)),
            _ => {}
        }
    }
}

fn collect_leaves<'a>(node: &'a Node, path: &mut Path, out: &mut Vec<(Path, &'a Node)>) {
    match &node.value {
        Value::Map(m) if !m.is_empty() => {
            for (k, v) in m {
                path.0.push(k.clone());
                collect_leaves(v, path, out);
                path.0.pop();
            }
        }
        _ => out.push((path.clone(), node)),
    }
}

/// A path of map keys, displayed in `--set` syntax: segments joined by `.`,
/// a `.` inside a key escaped as `\.`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<String>);

impl Path {
    /// Parse a dotted path (`a.b\.c` → `["a", "b.c"]`).
    pub fn parse(s: &str) -> Path {
        let mut segs = Vec::new();
        let mut cur = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(n) => cur.push(n),
                    None => cur.push('\\'),
                },
                '.' => segs.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        if !cur.is_empty() || !segs.is_empty() {
            segs.push(cur);
        }
        Path(segs)
    }

    /// The segments.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// A child path.
    pub fn child(&self, key: &str) -> Path {
        let mut p = self.clone();
        p.0.push(key.to_string());
        p
    }

    /// Whether `self` is `other` or below it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.len() >= other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a == b)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for c in seg.chars() {
                if c == '.' {
                    f.write_str("\\.")?;
                } else {
                    write!(f, "{c}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::generated(Value::Str(v.into()))
    }

    #[test]
    fn path_round_trip_escapes_dots() {
        let p = Path::parse(r"ingress.annotations.kubernetes\.io/ingress\.class");
        assert_eq!(
            p.0,
            vec!["ingress", "annotations", "kubernetes.io/ingress.class"]
        );
        assert_eq!(
            p.to_string(),
            r"ingress.annotations.kubernetes\.io/ingress\.class"
        );
        assert_eq!(Path::parse("").0, Vec::<String>::new());
    }

    #[test]
    fn leaves_treat_lists_and_empty_maps_as_leaves() {
        let mut inner = Map::default();
        inner.insert("tag".into(), s("1"));
        let mut root = Map::default();
        root.insert("image".into(), Node::generated(Value::Map(inner)));
        root.insert(
            "args".into(),
            Node::generated(Value::Seq(vec![s("a"), s("b")])),
        );
        root.insert("empty".into(), Node::generated(Value::Map(Map::default())));
        let root = Node::generated(Value::Map(root));
        let paths: Vec<String> = root.leaves().iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(paths, vec!["image.tag", "args", "empty"]);
    }

    #[test]
    fn equality_ignores_origin_and_order_but_not_type() {
        let a = Node::new(Value::Int(3), Origin::file(&Arc::from("a.yaml"), 1, 1));
        let b = Node::new(Value::Int(3), Origin::Generated);
        assert_eq!(a.value, b.value);
        assert_eq!(Value::Int(3), Value::Float(3.0));
        assert_ne!(Value::Int(3), Value::Str("3".into()));
    }

    #[test]
    fn json_keeps_big_integers() {
        let n = Node::generated(Value::Int(12_345_678_901));
        assert_eq!(n.to_json().to_string(), "12345678901");
    }
}
