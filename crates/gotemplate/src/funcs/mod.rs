//! Sprig's functions as Helm exposes them (without `env`, `expandenv`) and
//! Helm's own data functions (`toYaml`, `fromYaml`, `toJson`, …). The
//! functions that need the engine (`include`, `tpl`, `required`, `fail`)
//! and text/template's builtins live with the executor.
//!
//! Go checks a function's arguments against its signature before calling
//! it; a [`Func`] gets untyped [`Value`]s, so each function here checks
//! them as Go's text/template would and words the error as Go does:
//!
//! - a wrong count: `wrong number of args for upper: want 1 got 2`;
//! - a wrong type for a typed parameter: `wrong type for value; expected
//!   string; got int`, and `nil` for one that cannot be nil: `invalid
//!   value; expected string`;
//! - an error the Go function returns, or a panic in it: `Cannot find
//!   first on type string`, to which the engine adds `error calling first: `.
//!
//! The engine reports the first two kinds as Go does, without "error
//! calling" (it recognises them by their first words).

use std::rc::Rc;
use std::sync::Arc;

use crate::{Func, Value};

mod conv;
mod crypto;
mod dates;
mod dicts;
pub(crate) mod encoding;
pub(crate) mod json;
mod lists;
mod math;
pub(crate) mod num;
mod paths;
mod random;
mod reflect;
mod regex;
mod strings;
mod toml;
mod urls;
pub(crate) mod yaml;

#[cfg(test)]
mod tests;

/// How deep maps and lists may nest in what these functions read, copy,
/// compare and write (a map that contains itself, through `set`, would
/// otherwise recurse without end).
pub(crate) const MAX_NESTING: usize = 256;

/// Whether maps and lists in `v` nest deeper than [`MAX_NESTING`].
pub(crate) fn nesting_exceeds(v: &Value, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return true;
    }
    match v {
        Value::List(l) => l.iter().any(|x| nesting_exceeds(x, depth + 1)),
        Value::Map(m) => m.borrow().values().any(|x| nesting_exceeds(x, depth + 1)),
        _ => false,
    }
}

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum Fail {
    /// An argument does not fit the Go signature (text/template's message).
    Arg(String),
    /// The Go function returned an error or panicked.
    Call(String),
}

impl From<String> for Fail {
    fn from(s: String) -> Fail {
        Fail::Call(s)
    }
}

impl From<&str> for Fail {
    fn from(s: &str) -> Fail {
        Fail::Call(s.to_string())
    }
}

pub(crate) type R = Result<Value, Fail>;

/// How many arguments a Go function takes.
#[derive(Clone, Copy)]
pub(crate) enum Arity {
    Exact(usize),
    AtLeast(usize),
}

/// Wrap a function body with Go's argument count check and error wording.
pub(crate) fn func(
    name: &'static str,
    arity: Arity,
    body: fn(&[Value]) -> R,
) -> (&'static str, Func) {
    let f: Func = Arc::new(move |args: &[Value]| {
        match arity {
            Arity::Exact(n) if args.len() != n => {
                return Err(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                ))
            }
            Arity::AtLeast(n) if args.len() < n => {
                return Err(format!(
                    "wrong number of args for {name}: want at least {n} got {}",
                    args.len()
                ))
            }
            _ => {}
        }
        body(args).map_err(|e| match e {
            Fail::Arg(m) | Fail::Call(m) => m,
        })
    });
    (name, f)
}

/// Every function of this module, by the name templates call it.
pub(crate) fn all() -> Vec<(&'static str, Func)> {
    let mut v = Vec::new();
    strings::register(&mut v);
    conv::register(&mut v);
    math::register(&mut v);
    lists::register(&mut v);
    dicts::register(&mut v);
    reflect::register(&mut v);
    regex::register(&mut v);
    encoding::register(&mut v);
    json::register(&mut v);
    yaml_funcs(&mut v);
    toml::register(&mut v);
    paths::register(&mut v);
    random::register(&mut v);
    dates::register(&mut v);
    crypto::register(&mut v);
    urls::register(&mut v);
    v
}

/// Helm's YAML functions (pkg/engine/funcs.go).
fn yaml_funcs(v: &mut Vec<(&'static str, Func)>) {
    use Arity::Exact;
    // toYaml swallows errors (an empty string); Helm trims the final newline.
    v.push(func("toYaml", Exact(1), |a| {
        Ok(Value::str(
            yaml::to_yaml(&a[0])
                .map(|s| trim_newline(&s).to_string())
                .unwrap_or_default()
                .as_str(),
        ))
    }));
    v.push(func("mustToYaml", Exact(1), |a| {
        let s = yaml::to_yaml(&a[0])?;
        Ok(Value::str(trim_newline(&s)))
    }));
    v.push(func("toYamlPretty", Exact(1), |a| {
        Ok(Value::str(
            yaml::to_yaml_pretty(&a[0])
                .map(|s| trim_newline(&s).to_string())
                .unwrap_or_default()
                .as_str(),
        ))
    }));
    v.push(func("fromYaml", Exact(1), |a| {
        let s = str_arg(a, 0)?;
        let mut m = std::collections::BTreeMap::new();
        match yaml::from_yaml(&s) {
            Ok(Value::Map(map)) => return Ok(Value::Map(map)),
            Ok(Value::Nil) => {}
            Ok(other) => {
                m.insert(
                    "Error".to_string(),
                    Value::str(&format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        json::json_kind(&other)
                    )),
                );
            }
            Err(e) => {
                m.insert("Error".to_string(), Value::str(&e));
            }
        }
        Ok(Value::map(m))
    }));
    v.push(func("fromYamlArray", Exact(1), |a| {
        let s = str_arg(a, 0)?;
        Ok(match yaml::from_yaml(&s) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::str(&format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json::json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::str(&e)]),
        })
    }));
    // `helm template` has no cluster: lookup finds nothing.
    v.push(func("lookup", Exact(4), |a| {
        for i in 0..4 {
            str_arg(a, i)?;
        }
        Ok(Value::map(Default::default()))
    }));
}

fn trim_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

// ---------------------------------------------------------------------
// Go types and argument checks
// ---------------------------------------------------------------------

/// Go's `%T` of a value.
pub(crate) fn type_name(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(_) => "bool".into(),
        Value::Int(_) => "int".into(),
        Value::Int64(_) => "int64".into(),
        Value::Float(_) => "float64".into(),
        Value::String(_) => "string".into(),
        Value::Bytes(_) => "[]uint8".into(),
        Value::List(_) => "[]interface {}".into(),
        Value::Map(_) => "map[string]interface {}".into(),
        Value::Object(o) => o.type_name().to_string(),
    }
}

/// Go's `reflect.Kind` name of a value.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Bytes(_) | Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => {
            if o.type_name().starts_with('*') {
                "ptr"
            } else {
                "struct"
            }
        }
    }
}

fn wrong(expected: &str, got: &Value) -> Fail {
    match got {
        Value::Nil => Fail::Arg(format!("invalid value; expected {expected}")),
        _ => Fail::Arg(format!(
            "wrong type for value; expected {expected}; got {}",
            type_name(got)
        )),
    }
}

/// A `string` parameter.
pub(crate) fn str_arg(a: &[Value], i: usize) -> Result<Rc<str>, Fail> {
    match &a[i] {
        Value::String(s) => Ok(s.clone()),
        other => Err(wrong("string", other)),
    }
}

/// An `int` parameter.
pub(crate) fn int_arg(a: &[Value], i: usize) -> Result<i64, Fail> {
    match &a[i] {
        Value::Int(n) => Ok(*n),
        other => Err(wrong("int", other)),
    }
}

/// A `bool` parameter.
pub(crate) fn bool_arg(a: &[Value], i: usize) -> Result<bool, Fail> {
    match &a[i] {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong("bool", other)),
    }
}

/// A `map[string]interface{}` parameter: `None` for a nil map.
pub(crate) fn map_arg(a: &[Value], i: usize) -> Result<Option<crate::Map>, Fail> {
    match &a[i] {
        Value::Map(m) => Ok(Some(m.clone())),
        Value::Nil => Ok(None),
        other => Err(Fail::Arg(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            type_name(other)
        ))),
    }
}

/// The items of a value Sprig reflects over as a slice or array; `None`
/// for anything else.
pub(crate) fn as_slice(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(*x as i64)).collect()),
        // A caller's slice type (Helm's `.Capabilities.APIVersions`).
        Value::Object(o) => match o.to_value() {
            inner @ Value::List(_) => as_slice(&inner),
            _ => None,
        },
        _ => None,
    }
}

/// Sprig's `strval`: strings as they are, bytes as text, anything else
/// with `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => crate::fmt::sprint(std::slice::from_ref(other)),
    }
}

/// Go's `reflect.DeepEqual` over values.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    let deep_equal = |x: &Value, y: &Value| deep_equal_at(x, y, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            Rc::ptr_eq(x, y)
                || (x.type_name() == y.type_name() && deep_equal(&x.to_value(), &y.to_value()))
        }
        _ => false,
    }
}

/// A new string value.
pub(crate) fn s(text: impl AsRef<str>) -> Value {
    Value::str(text.as_ref())
}

/// A list of strings (Go's `[]string`).
pub(crate) fn str_list<I: IntoIterator<Item = String>>(items: I) -> Value {
    Value::list(items.into_iter().map(|x| Value::str(&x)).collect())
}
