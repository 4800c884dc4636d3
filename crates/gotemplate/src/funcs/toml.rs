//! Helm's `toToml` (BurntSushi/toml's encoder) and `fromToml`.

use std::collections::BTreeMap;

use super::{func, str_arg, Arity::*};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    // toToml returns the encoder's error text in place of the document.
    v.push(func("toToml", Exact(1), |a| {
        Ok(Value::str(&to_toml(&a[0]).unwrap_or_else(|e| e)))
    }));
    // fromToml: a map; an error goes into its "Error" key.
    v.push(func("fromToml", Exact(1), |a| {
        let text = str_arg(a, 0)?;
        Ok(match text.parse::<toml::Table>() {
            Ok(table) => from_table(&table),
            Err(e) => {
                let mut m = BTreeMap::new();
                let msg = e.to_string();
                let first = msg
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("TOML parse error ")
                    .to_string();
                m.insert("Error".to_string(), Value::str(&format!("toml: {first}")));
                Value::map(m)
            }
        })
    }));
}

/// BurntSushi/toml's decoding into `map[string]interface{}`: integers are
/// int64, floats float64; dates and times are kept as their text.
fn from_table(table: &toml::Table) -> Value {
    Value::map(
        table
            .iter()
            .map(|(k, v)| (k.clone(), from_toml_value(v)))
            .collect(),
    )
}

fn from_toml_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::str(&d.to_string()),
        toml::Value::Array(items) => Value::list(items.iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => from_table(t),
    }
}

/// BurntSushi/toml's Encoder.Encode: in each table its plain keys first,
/// then its sub-tables `[a.b]` and arrays of tables `[[a]]`, all sorted,
/// nil values left out; keys and headers indented by depth; a blank line
/// before a top-level table or an array-of-tables header once anything
/// has been written. A value that is not a map is written as a value.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let Value::Map(m) = v else {
        return scalar(v);
    };
    let mut w = Writer {
        out: String::new(),
        written: false,
    };
    w.table(&m.borrow(), &mut Vec::new())?;
    Ok(w.out)
}

struct Writer {
    out: String,
    written: bool,
}

impl Writer {
    fn newline(&mut self) {
        if self.written {
            self.out.push('\n');
        }
    }

    fn line(&mut self, text: String) {
        self.out.push_str(&text);
        self.out.push('\n');
        self.written = true;
    }

    fn table(&mut self, m: &BTreeMap<String, Value>, path: &mut Vec<String>) -> Result<(), String> {
        let indent = "  ".repeat(path.len());
        for (k, v) in m {
            if matches!(v, Value::Nil) || is_table(v) || is_table_array(v) {
                continue;
            }
            self.line(format!("{indent}{} = {}", key_text(k), scalar(v)?));
        }
        for (k, v) in m {
            path.push(key_text(k));
            match v {
                Value::Map(sub) => {
                    if path.len() == 1 {
                        self.newline();
                    }
                    self.line(format!("{indent}[{}]", path.join(".")));
                    self.table(&sub.borrow(), path)?;
                }
                Value::List(items) if is_table_array(v) => {
                    for item in items.iter() {
                        if let Value::Map(sub) = item {
                            self.newline();
                            self.line(format!("{indent}[[{}]]", path.join(".")));
                            self.table(&sub.borrow(), path)?;
                        }
                    }
                }
                _ => {}
            }
            path.pop();
        }
        Ok(())
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(is_table))
}

fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(st: &str) -> String {
    let mut out = String::from("\"");
    for c in st.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                "nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    "inf".into()
                } else {
                    "-inf".into()
                }
            } else {
                let t = super::num::format_g(*f);
                if f.fract() == 0.0 && !t.contains('e') {
                    format!("{t}.0")
                } else {
                    t
                }
            }
        }
        Value::String(st) => quote(st),
        Value::Bytes(b) => quote(&String::from_utf8_lossy(b)),
        Value::List(l) => {
            let items: Result<Vec<String>, String> = l
                .iter()
                .filter(|x| !matches!(x, Value::Nil))
                .map(scalar)
                .collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Map(m) => {
            let items: Result<Vec<String>, String> = m
                .borrow()
                .iter()
                .filter(|(_, x)| !matches!(x, Value::Nil))
                .map(|(k, x)| Ok(format!("{} = {}", key_text(k), scalar(x)?)))
                .collect();
            format!("{{{}}}", items?.join(", "))
        }
        Value::Object(o) => scalar(&o.to_value())?,
        Value::Nil => return Err("toml: cannot encode a nil value".into()),
    })
}
