//! JSON as Go's encoding/json writes and reads it: `toJson` (sorted keys,
//! `<`, `>`, `&` escaped as `\u003c`…), `toPrettyJson`, `toRawJson`,
//! `fromJson` (numbers become float64), with Go's error messages.

use std::collections::BTreeMap;

use super::num;
use super::{func, str_arg, Arity::Exact, Fail, R};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    // Helm's toJson (and Sprig's) swallow errors; the must forms return them.
    v.push(func("toJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], false, true).unwrap_or_default()))
    }));
    v.push(func("mustToJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], false, true)?))
    }));
    v.push(func("toPrettyJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], true, true).unwrap_or_default()))
    }));
    v.push(func("mustToPrettyJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], true, true)?))
    }));
    v.push(func("toRawJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], false, false).unwrap_or_default()))
    }));
    v.push(func("mustToRawJson", Exact(1), |a| {
        Ok(Value::str(&encode(&a[0], false, false)?))
    }));
    // Helm's fromJson: a map; an error goes into its "Error" key.
    v.push(func("fromJson", Exact(1), |a| {
        let s = str_arg(a, 0)?;
        Ok(match decode(&s) {
            Ok(Value::Map(m)) => Value::Map(m),
            // `null` leaves Go's map nil (verified: toJson prints null).
            Ok(Value::Nil) => Value::Nil,
            Ok(other) => error_map(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(e),
        })
    }));
    v.push(func("fromJsonArray", Exact(1), |a| {
        let s = str_arg(a, 0)?;
        Ok(match decode(&s) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::str(&format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::str(&e)]),
        })
    }));
    // Sprig's mustFromJson: into interface{}, the error returned.
    v.push(func("mustFromJson", Exact(1), |a| -> R {
        let s = str_arg(a, 0)?;
        decode(&s).map_err(Fail::Call)
    }));
}

fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::str(&msg));
    Value::map(m)
}

/// encoding/json's name for what a JSON value is (`cannot unmarshal
/// array into …`).
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

/// `json.Marshal` (or `MarshalIndent(v, "", "  ")` when `pretty`);
/// `escape_html: false` is an Encoder with SetEscapeHTML(false).
pub fn encode(v: &Value, pretty: bool, escape_html: bool) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, pretty, escape_html, 0)?;
    Ok(out)
}

fn newline(out: &mut String, pretty: bool, depth: usize) {
    if pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    pretty: bool,
    esc: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > super::MAX_NESTING {
        return Err("json: exceeded max depth".into());
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            out.push_str(&num::json_float(*f).ok_or_else(|| num::json_unsupported(*f))?)
        }
        Value::String(s) => write_string(out, s, esc),
        Value::Bytes(b) => write_string(out, &super::encoding::b64(b), esc),
        Value::List(l) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, depth + 1);
                write_value(out, item, pretty, esc, depth + 1)?;
            }
            newline(out, pretty, depth);
            out.push(']');
        }
        Value::Map(m) => {
            let m = m.borrow();
            if m.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, depth + 1);
                write_string(out, k, esc);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_value(out, item, pretty, esc, depth + 1)?;
            }
            newline(out, pretty, depth);
            out.push('}');
        }
        Value::Object(o) => match o.fields() {
            // A struct without json tags: its exported fields, in order.
            Some(fields) => {
                let exported: Vec<_> = fields
                    .iter()
                    .filter(|(name, _)| name.starts_with(|c: char| c.is_ascii_uppercase()))
                    .collect();
                if exported.is_empty() {
                    out.push_str("{}");
                    return Ok(());
                }
                out.push('{');
                for (i, (name, item)) in exported.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, pretty, depth + 1);
                    write_string(out, name, esc);
                    out.push(':');
                    if pretty {
                        out.push(' ');
                    }
                    write_value(out, item, pretty, esc, depth + 1)?;
                }
                newline(out, pretty, depth);
                out.push('}');
            }
            None => write_value(out, &o.to_value(), pretty, esc, depth + 1)?,
        },
    }
    Ok(())
}

/// A JSON string as encoding/json writes it.
pub(crate) fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------

/// `json.Unmarshal(text, &v)` into `interface{}`: objects are maps,
/// numbers float64. Errors worded as Go's.
pub fn decode(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        b: text.as_bytes(),
        s: text,
        i: 0,
        depth: 0,
    };
    p.ws();
    if p.i >= p.b.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value()?;
    p.ws();
    if p.i < p.b.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            p.quote_at()
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn quote_at(&self) -> String {
        let c = self.s[self.i..].chars().next().unwrap_or('\0');
        quote_char(c)
    }

    fn eof<T>(&self) -> Result<T, String> {
        Err("unexpected end of JSON input".into())
    }

    fn value(&mut self) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > super::MAX_NESTING {
            return Err("exceeded max depth".into());
        }
        let v = self.value_inner();
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self) -> Result<Value, String> {
        let Some(&c) = self.b.get(self.i) else {
            return self.eof();
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::map(m));
                }
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return self.eof(),
                        Some(b'"') => {}
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} looking for beginning of object key string",
                                self.quote_at()
                            ))
                        }
                    }
                    let k = self.string()?;
                    self.ws();
                    match self.b.get(self.i) {
                        None => return self.eof(),
                        Some(b':') => self.i += 1,
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key",
                                self.quote_at()
                            ))
                        }
                    }
                    self.ws();
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        None => return self.eof(),
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::map(m));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key:value pair",
                                self.quote_at()
                            ))
                        }
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    self.ws();
                    items.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        None => return self.eof(),
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::list(items));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after array element",
                                self.quote_at()
                            ))
                        }
                    }
                }
            }
            b'"' => Ok(Value::str(&self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(format!(
                "invalid character {} looking for beginning of value",
                self.quote_at()
            )),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (k, expected) in word.bytes().enumerate() {
            match self.b.get(self.i) {
                None => return self.eof(),
                Some(&c) if c == expected => self.i += 1,
                Some(_) => {
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting {})",
                        self.quote_at(),
                        quote_char(word.as_bytes()[k] as char)
                    ))
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        let digits = |p: &mut Parser| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - s
        };
        if self.b[self.i] == b'-' {
            self.i += 1;
            match self.b.get(self.i) {
                None => return self.eof(),
                Some(b'0'..=b'9') => {}
                Some(_) => {
                    return Err(format!(
                        "invalid character {} in numeric literal",
                        self.quote_at()
                    ))
                }
            }
        }
        if self.b[self.i] == b'0' {
            self.i += 1;
        } else {
            digits(self);
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return match self.b.get(self.i) {
                    None => self.eof(),
                    Some(_) => Err(format!(
                        "invalid character {} after decimal point in numeric literal",
                        self.quote_at()
                    )),
                };
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return match self.b.get(self.i) {
                    None => self.eof(),
                    Some(_) => Err(format!(
                        "invalid character {} in exponent of numeric literal",
                        self.quote_at()
                    )),
                };
            }
        }
        let text = &self.s[start..self.i];
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.s[self.i..].chars().next() else {
                return self.eof();
            };
            match c {
                '"' => {
                    self.i += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return self.eof();
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                } else {
                                    out.push('\u{FFFD}');
                                    self.i = save;
                                }
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => {
                            self.i -= 1;
                            return Err(format!(
                                "invalid character {} in string escape code",
                                self.quote_at()
                            ));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    ));
                }
                c => {
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.b.get(self.i) else {
                return self.eof();
            };
            let d = (c as char).to_digit(16).ok_or_else(|| {
                format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    self.quote_at()
                )
            })?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
}

/// encoding/json's quoteChar.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = super::strings::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn encode_as_go() {
        // Verified with helm 4.1.4: toJson of a list with these items.
        let v = Value::list(vec![
            Value::str("<&>\u{2028}\u{1}\u{8}\u{c}\t\n\r\"\\é😀"),
            Value::Float(1.5),
            Value::Int64(3),
            Value::Nil,
            Value::Bool(true),
        ]);
        assert_eq!(
            encode(&v, false, true).unwrap(),
            r#"["\u003c\u0026\u003e\u2028\u0001\b\f\t\n\r\"\\é😀",1.5,3,null,true]"#
        );
        let v = m(&[("a", Value::str("<&>")), ("b", Value::list(vec![]))]);
        assert_eq!(encode(&v, false, false).unwrap(), r#"{"a":"<&>","b":[]}"#);
        let v = m(&[
            (
                "c",
                Value::list(vec![Value::list(vec![Value::Int(1)]), m(&[])]),
            ),
            ("a", Value::Float(1e-7)),
        ]);
        assert_eq!(
            encode(&v, true, true).unwrap(),
            "{\n  \"a\": 1e-7,\n  \"c\": [\n    [\n      1\n    ],\n    {}\n  ]\n}"
        );
        assert_eq!(
            encode(&Value::Float(f64::NAN), false, true).unwrap_err(),
            "json: unsupported value: NaN"
        );
    }

    #[test]
    fn decode_as_go() {
        let v = decode(r#" {"a": [1, 2.5, "x\u00e9\ud83d\ude00", true, null], "b": {}} "#).unwrap();
        assert_eq!(
            encode(&v, false, false).unwrap(),
            r#"{"a":[1,2.5,"xé😀",true,null],"b":{}}"#
        );
        assert!(matches!(decode("12").unwrap(), Value::Float(f) if f == 12.0));
        let errs = [
            ("", "unexpected end of JSON input"),
            ("{", "unexpected end of JSON input"),
            ("x", "invalid character 'x' looking for beginning of value"),
            (
                "{a",
                "invalid character 'a' looking for beginning of object key string",
            ),
            (r#"{"a" 1}"#, "invalid character '1' after object key"),
            (
                r#"{"a":1 2}"#,
                "invalid character '2' after object key:value pair",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("1 2", "invalid character '2' after top-level value"),
            ("tru", "unexpected end of JSON input"),
            (
                "trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            (
                "1e400",
                "json: cannot unmarshal number 1e400 into Go value of type float64",
            ),
        ];
        for (text, want) in errs {
            assert_eq!(decode(text).unwrap_err(), want, "{text:?}");
        }
    }
}
