//! Typing of scalars: YAML 1.2's core schema (strata's own), YAML 1.1 as
//! Helm reads values, and how floats are written.

use saphyr_parser::ScalarStyle;

use crate::value::{Node, Value};

/// Whether a plain scalar types as a string (YAML 1.2 core schema), without
/// allocating for the usual case of a word.
#[inline(always)]
pub(crate) fn plain_is_string(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => !matches!(
            s,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        ),
        _ => matches!(resolve_plain(s), Value::Str(_)),
    }
}

pub(crate) fn is_empty_scalar_doc(node: &Node) -> bool {
    matches!(node.value, Value::Null)
}

pub(crate) fn resolve_by_style(text: &str, style: ScalarStyle) -> Value {
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_string()),
    }
}

/// Type a plain scalar by the YAML 1.2 core schema.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => s
                .parse::<f64>()
                .map_or_else(|_| Value::Str(s.to_string()), Value::Float),
        };
    }
    if !neg && s.len() == digits.len() {
        if let Some(hex) = s.strip_prefix("0x") {
            if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                if let Ok(i) = i64::from_str_radix(hex, 16) {
                    return Value::Int(i);
                }
            }
        }
        if let Some(oct) = s.strip_prefix("0o") {
            if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                if let Ok(i) = i64::from_str_radix(oct, 8) {
                    return Value::Int(i);
                }
            }
        }
    }
    if is_core_float(digits) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Type a plain scalar as go-yaml v2 (YAML 1.1) does for Helm's values:
/// its boolean and null words, `strconv.ParseInt(s, 0, 64)` after removing
/// underscores (so `0755` is octal, `0x`/`0o`/`0b` prefixes work), then
/// its float pattern, then `0b`/`-0b` binary. Anything else is a string
/// (dates included: Helm 4 keeps `2020-01-01` a string).
pub fn resolve_plain_yaml11(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
        _ => {}
    }
    match s.as_bytes().first() {
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => {}
        _ => return resolve_plain(s),
    }
    match resolve_plain(s) {
        v @ (Value::Null | Value::Bool(_)) => return v,
        Value::Float(f) if f.is_nan() || f.is_infinite() => return Value::Float(f),
        _ => {}
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return i;
    }
    let digits = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if is_core_float(digits) {
        if let Ok(f) = plain.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`, whose values past
/// i64 become floats as JSON makes them): sign, then `0x`, `0o`, `0b` or a
/// leading `0` for octal.
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Value::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    Some(match i64::try_from(magnitude) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(magnitude as f64),
    })
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (sign already removed).
pub(crate) fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// A float as YAML prints it: always recognisable as a float.
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let abs = f.abs();
    let s = if abs != 0.0 && !(1e-5..1e16).contains(&abs) {
        format!("{f:e}")
    } else {
        format!("{f}")
    };
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}
