//! The values templates work on: Go's dynamic values as Helm's templates
//! see them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A Go map as templates see it (`map[string]interface{}`): shared and
/// mutable (Sprig's `set`, `unset`, `merge` change it for every holder),
/// iterated in sorted key order, as Go's templates, `toYaml`, `toJson`
/// and `%v` all print maps.
pub type Map = Rc<RefCell<BTreeMap<String, Value>>>;

/// A Go slice (`[]interface{}`). Sprig's list functions return new lists.
pub type List = Rc<Vec<Value>>;

/// A Go value.
#[derive(Clone, Default)]
pub enum Value {
    /// `nil` (and a missing map key).
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`: integer literals, `len`, `int`, `add`, …
    Int(i64),
    /// Go `int64`: `int64`, integers from `--set`.
    Int64(i64),
    /// Go `float64`: every number read from a values file (Helm's JSON
    /// round trip), `float64`, float literals.
    Float(f64),
    String(Rc<str>),
    /// `[]byte` (`.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    List(List),
    Map(Map),
    /// A Go struct or a type with methods (`.Chart`, `.Capabilities`,
    /// `.Files`): supplied by the caller.
    Object(Rc<dyn Object>),
}

/// A struct-like value with fields and methods, supplied by the caller.
pub trait Object {
    /// Go's type name, for `typeOf`, `%T` and errors (`*chart.Metadata`).
    fn type_name(&self) -> &str;
    /// A field (`.Chart.Name`). `None`: no such field (an error in Go).
    fn field(&self, name: &str) -> Option<Value>;
    /// A method call (`.Capabilities.APIVersions.Has "v1"`, `.Files.Get
    /// "x"`). `None`: no such method.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }
    /// What `%v`, `toYaml` and `toJson` see: usually a map of the
    /// fields as Go's encoders name them.
    fn to_value(&self) -> Value;
    /// A `String` method on the type's pointer (Go's `fmt.Stringer`): what
    /// an action prints for the value (`{{ .Capabilities.KubeVersion }}`
    /// prints `v1.35.0`; text/template takes the address of the field).
    /// Functions (`print`, `quote`) get the value itself and print its
    /// fields. `None`: no such method.
    fn string(&self) -> Option<String> {
        None
    }
    /// For a Go struct value: its fields in declaration order, unexported
    /// ones included, as `fmt` prints a struct (`%v`: `{v1.35.0 v1.35.0 1
    /// 35}`, `%+v` with the names). `None`: print [`Object::to_value`].
    fn fields(&self) -> Option<Vec<(&str, Value)>> {
        None
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Int64(i) => write!(f, "int64({i})"),
            Value::Float(x) => write!(f, "float64({x})"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "bytes({})", b.len()),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "<{}>", o.type_name()),
        }
    }
}

impl Value {
    /// Go's truth (text/template `if`, `and`, `or`, `not`; Sprig `empty` is
    /// its negation): false for nil, false, 0, 0.0, "", and empty lists,
    /// maps and byte strings; true otherwise (objects included).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(x) => *x != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(_) => true,
        }
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }

    /// A new map value.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// A new list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }
}
