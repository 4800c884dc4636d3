//! Helm's `toToml` (BurntSushi/toml's encoder) and `fromToml`.

use std::collections::BTreeMap;

use super::{func, str_arg, Arity::*};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    // toToml returns the encoder's error text in place of the document.
    v.push(func("toToml", Exact(1), |a| {
        Ok(Value::str(&to_toml(&a[0]).unwrap_or_else(|e| e)))
    }));
    v.push(func("fromToml", Exact(1), |a| {
        let _ = str_arg(a, 0)?;
        let mut m = BTreeMap::new();
        m.insert(
            "Error".to_string(),
            Value::str("fromToml is not supported by strata yet"),
        );
        Ok(Value::map(m))
    }));
}

/// BurntSushi/toml's Encoder.Encode of a map: plain keys first (sorted),
/// then sub-tables `[a.b]` and arrays of tables `[[a]]`, nil values left
/// out.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let Value::Map(m) = v else {
        return Err("toml: top-level values must be Go maps or structs".into());
    };
    let mut out = String::new();
    write_table(&mut out, &m.borrow(), &mut Vec::new(), 0)?;
    Ok(out)
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

fn write_table(
    out: &mut String,
    m: &BTreeMap<String, Value>,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    // BurntSushi indents a key by its table's depth, a header by one less
    // than its own.
    let indent = "  ".repeat(depth);
    for (k, v) in m {
        if matches!(v, Value::Nil) || is_table(v) || is_table_array(v) {
            continue;
        }
        out.push_str(&format!("{indent}{} = {}\n", key_text(k), scalar(v)?));
    }
    for (k, v) in m {
        path.push(key_text(k));
        match v {
            Value::Map(sub) => {
                out.push_str(&format!("\n{indent}[{}]\n", path.join(".")));
                write_table(out, &sub.borrow(), path, depth + 1)?;
            }
            Value::List(items) if is_table_array(v) => {
                for item in items.iter() {
                    if let Value::Map(sub) = item {
                        out.push_str(&format!("\n{indent}[[{}]]\n", path.join(".")));
                        write_table(out, &sub.borrow(), path, depth + 1)?;
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
    Ok(())
}
