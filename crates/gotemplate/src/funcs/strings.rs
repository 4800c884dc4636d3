//! Sprig's string functions (strings.go and the goutils/xstrings helpers
//! it wraps).

use super::{func, int_arg, s, str_arg, str_list, strval, Arity::*, Fail, R};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("trim", Exact(1), |a| Ok(s(str_arg(a, 0)?.trim()))));
    v.push(func("trimAll", Exact(2), trim_all));
    v.push(func("trimall", Exact(2), trim_all));
    v.push(func("trimSuffix", Exact(2), |a| {
        let (suf, st) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(s(st.strip_suffix(&*suf).unwrap_or(&st)))
    }));
    v.push(func("trimPrefix", Exact(2), |a| {
        let (pre, st) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(s(st.strip_prefix(&*pre).unwrap_or(&st)))
    }));
    v.push(func("upper", Exact(1), |a| {
        Ok(s(str_arg(a, 0)?.to_uppercase()))
    }));
    v.push(func("lower", Exact(1), |a| {
        Ok(s(str_arg(a, 0)?.to_lowercase()))
    }));
    v.push(func("title", Exact(1), |a| Ok(s(title(&str_arg(a, 0)?)))));
    v.push(func("untitle", Exact(1), |a| {
        Ok(s(untitle(&str_arg(a, 0)?)))
    }));
    v.push(func("substr", Exact(3), substr));
    v.push(func("repeat", Exact(2), |a| {
        let n = int_arg(a, 0)?;
        let st = str_arg(a, 1)?;
        if n < 0 {
            return Err("strings: negative Repeat count".into());
        }
        if (n as u128) * (st.len() as u128) > (64 << 20) {
            return Err("strings: Repeat output length overflow".into());
        }
        Ok(s(st.repeat(n as usize)))
    }));
    v.push(func("nospace", Exact(1), |a| {
        Ok(s(str_arg(a, 0)?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()))
    }));
    v.push(func("initials", Exact(1), |a| {
        let st = str_arg(a, 0)?;
        Ok(s(st
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect::<String>()))
    }));
    v.push(func("swapcase", Exact(1), |a| {
        Ok(s(swapcase(&str_arg(a, 0)?)))
    }));
    v.push(func("snakecase", Exact(1), |a| {
        Ok(s(delimited(&str_arg(a, 0)?, '_')))
    }));
    v.push(func("kebabcase", Exact(1), |a| {
        Ok(s(delimited(&str_arg(a, 0)?, '-')))
    }));
    v.push(func("camelcase", Exact(1), |a| {
        Ok(s(camelcase(&str_arg(a, 0)?)))
    }));
    v.push(func("shuffle", Exact(1), |a| {
        let mut chars: Vec<char> = str_arg(a, 0)?.chars().collect();
        super::random::shuffle(&mut chars);
        Ok(s(chars.into_iter().collect::<String>()))
    }));
    v.push(func("wrap", Exact(2), |a| {
        Ok(s(wrap_custom(&str_arg(a, 1)?, int_arg(a, 0)?, "\n", false)))
    }));
    v.push(func("wrapWith", Exact(3), |a| {
        Ok(s(wrap_custom(
            &str_arg(a, 2)?,
            int_arg(a, 0)?,
            &str_arg(a, 1)?,
            true,
        )))
    }));
    v.push(func("contains", Exact(2), |a| {
        Ok(Value::Bool(str_arg(a, 1)?.contains(&*str_arg(a, 0)?)))
    }));
    v.push(func("hasPrefix", Exact(2), |a| {
        Ok(Value::Bool(str_arg(a, 1)?.starts_with(&*str_arg(a, 0)?)))
    }));
    v.push(func("hasSuffix", Exact(2), |a| {
        Ok(Value::Bool(str_arg(a, 1)?.ends_with(&*str_arg(a, 0)?)))
    }));
    v.push(func("quote", AtLeast(0), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(|x| go_quote(&strval(x)))
            .collect();
        Ok(s(parts.join(" ")))
    }));
    v.push(func("squote", AtLeast(0), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(|x| format!("'{}'", crate::fmt::sprint(std::slice::from_ref(x))))
            .collect();
        Ok(s(parts.join(" ")))
    }));
    v.push(func("cat", AtLeast(0), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(|x| crate::fmt::sprint(std::slice::from_ref(x)))
            .collect();
        Ok(s(parts.join(" ")))
    }));
    v.push(func("indent", Exact(2), |a| {
        Ok(s(indent(int_arg(a, 0)?, &str_arg(a, 1)?)))
    }));
    v.push(func("nindent", Exact(2), |a| {
        Ok(s(format!("\n{}", indent(int_arg(a, 0)?, &str_arg(a, 1)?))))
    }));
    v.push(func("replace", Exact(3), |a| {
        let (old, new, src) = (str_arg(a, 0)?, str_arg(a, 1)?, str_arg(a, 2)?);
        Ok(s(go_replace(&src, &old, &new)))
    }));
    v.push(func("plural", Exact(3), |a| {
        let (one, many) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(s(if int_arg(a, 2)? == 1 { one } else { many }))
    }));
    v.push(func("trunc", Exact(2), |a| {
        let c = int_arg(a, 0)?;
        let st = str_arg(a, 1)?;
        let len = st.len() as i64;
        let out = if c < 0 && len + c > 0 {
            byte_slice(&st, (len + c) as usize, st.len())
        } else if c >= 0 && len > c {
            byte_slice(&st, 0, c as usize)
        } else {
            st.to_string()
        };
        Ok(s(out))
    }));
    v.push(func("abbrev", Exact(2), |a| {
        let w = int_arg(a, 0)?;
        let st = str_arg(a, 1)?;
        if w < 4 {
            return Ok(s(&*st));
        }
        Ok(s(abbreviate_full(&st, 0, w)))
    }));
    v.push(func("abbrevboth", Exact(3), |a| {
        let (left, right) = (int_arg(a, 0)?, int_arg(a, 1)?);
        let st = str_arg(a, 2)?;
        if right < 4 || (left > 0 && right < 7) {
            return Ok(s(&*st));
        }
        Ok(s(abbreviate_full(&st, left, right)))
    }));
    v.push(func("split", Exact(2), |a| {
        let (sep, orig) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(indexed_map(go_split(&orig, &sep, -1)))
    }));
    v.push(func("splitn", Exact(3), |a| {
        let sep = str_arg(a, 0)?;
        let n = int_arg(a, 1)?;
        let orig = str_arg(a, 2)?;
        Ok(indexed_map(go_split(&orig, &sep, n)))
    }));
    v.push(func("splitList", Exact(2), |a| {
        let (sep, orig) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(str_list(go_split(&orig, &sep, -1)))
    }));
    v.push(func("join", Exact(2), |a| {
        let sep = str_arg(a, 0)?;
        Ok(s(strslice(&a[1]).join(&sep)))
    }));
    v.push(func("toStrings", Exact(1), |a| {
        Ok(str_list(strslice(&a[0])))
    }));
    v.push(func("sortAlpha", Exact(1), |a| {
        let mut items = match &a[0] {
            Value::List(_) | Value::Bytes(_) => strslice(&a[0]),
            other => vec![strval(other)],
        };
        items.sort();
        Ok(str_list(items))
    }));
    v.push(func("toString", Exact(1), |a| Ok(s(strval(&a[0])))));
    v.push(func("hello", Exact(0), |_| Ok(s("Hello!"))));
}

fn trim_all(a: &[Value]) -> R {
    let (cutset, st) = (str_arg(a, 0)?, str_arg(a, 1)?);
    Ok(s(st.trim_matches(|c| cutset.contains(c))))
}

fn substr(a: &[Value]) -> R {
    let (start, end) = (int_arg(a, 0)?, int_arg(a, 1)?);
    let st = str_arg(a, 2)?;
    let len = st.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if to < 0 || to > len {
        return Err(Fail::Call(format!(
            "runtime error: slice bounds out of range [:{to}] with length {len}"
        )));
    }
    if from > to {
        return Err(Fail::Call(format!(
            "runtime error: slice bounds out of range [{from}:{to}]"
        )));
    }
    Ok(s(byte_slice(&st, from as usize, to as usize)))
}

/// Go slices strings by bytes; a cut inside a character keeps the valid
/// part (Go would keep the raw bytes).
fn byte_slice(st: &str, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&st.as_bytes()[from..to]).into_owned()
}

/// `strings.Replace(src, old, new, -1)`.
pub(crate) fn go_replace(src: &str, old: &str, new: &str) -> String {
    src.replace(old, new)
}

/// `strings.SplitN(s, sep, n)` (n < 0: all).
pub(crate) fn go_split(st: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // Go splits into characters.
        let chars: Vec<String> = st.chars().map(|c| c.to_string()).collect();
        if n < 0 || chars.len() as i64 <= n {
            return chars;
        }
        let n = n as usize;
        let mut out: Vec<String> = chars[..n - 1].to_vec();
        let rest: usize = chars[..n - 1].iter().map(|c| c.len()).sum();
        out.push(st[rest..].to_string());
        return out;
    }
    if n < 0 {
        st.split(sep).map(str::to_string).collect()
    } else {
        st.splitn(n as usize, sep).map(str::to_string).collect()
    }
}

/// Sprig's `split`: a map `_0`, `_1`, … of the parts.
fn indexed_map(parts: Vec<String>) -> Value {
    Value::map(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::str(&p)))
            .collect(),
    )
}

/// Sprig's `strslice`: a list's items as strings (nils dropped); any
/// other value a one-item list; nil an empty list.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(strval)
            .collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

fn indent(n: i64, text: &str) -> String {
    let pad = " ".repeat(n.max(0) as usize);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// strings.Title: the first letter of each word in title case.
fn title(st: &str) -> String {
    let mut out = String::with_capacity(st.len());
    let mut prev_sep = true;
    for c in st.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = is_separator(c);
    }
    out
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// goutils.Uncapitalize: the first letter of each whitespace-separated
/// word in lower case.
fn untitle(st: &str) -> String {
    let mut out = String::with_capacity(st.len());
    let mut prev_space = true;
    for c in st.chars() {
        if prev_space {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

fn swapcase(st: &str) -> String {
    st.chars()
        .flat_map(|c| -> Vec<char> {
            if c.is_uppercase() {
                c.to_lowercase().collect()
            } else if c.is_lowercase() {
                c.to_uppercase().collect()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// xstrings' ToSnakeCase/ToKebabCase: words split at case changes and
/// connectors, lower case, joined by `sep`.
fn delimited(st: &str, sep: char) -> String {
    let chars: Vec<char> = st.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_conn = |c: char| c == '_' || c == '-' || c.is_whitespace();
    // Leading connectors are kept as they are.
    while i < chars.len() && is_conn(chars[i]) {
        out.push(chars[i]);
        i += 1;
    }
    let mut last_was_sep = true;
    while i < chars.len() {
        let c = chars[i];
        if is_conn(c) {
            if !last_was_sep {
                out.push(sep);
                last_was_sep = true;
            }
            i += 1;
            continue;
        }
        if c.is_uppercase() && !last_was_sep {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                out.push(sep);
            }
        }
        out.extend(c.to_lowercase());
        last_was_sep = false;
        i += 1;
    }
    out
}

/// xstrings.ToCamelCase: `http_server` → `HttpServer`.
fn camelcase(st: &str) -> String {
    let is_conn = |c: char| c == '_' || c == '-' || c.is_whitespace();
    let mut out = String::new();
    let mut chars = st.chars().peekable();
    while let Some(&c) = chars.peek() {
        if is_conn(c) {
            out.push(c);
            chars.next();
        } else {
            break;
        }
    }
    let mut upper_next = true;
    let mut prev_conn = false;
    for c in chars {
        if is_conn(c) {
            if prev_conn {
                out.push(c);
            }
            prev_conn = true;
            upper_next = true;
            continue;
        }
        prev_conn = false;
        if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// goutils.WrapCustom (byte offsets, as Go's).
fn wrap_custom(st: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if st.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = st.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(pos) = space {
            let at = offset + pos;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if wrap_long {
            let end = width + offset;
            out.extend_from_slice(&b[offset..end]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(idx) => {
                    let at = idx + end;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// goutils.AbbreviateFull.
fn abbreviate_full(st: &str, offset: i64, max_width: i64) -> String {
    let len = st.len() as i64;
    if st.is_empty() || len <= max_width {
        return st.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return format!("{}...", byte_slice(st, 0, (max_width - 3) as usize));
    }
    if offset + max_width - 3 < len {
        let rest = byte_slice(st, offset as usize, st.len());
        let inner = abbreviate_full(&rest, 0, max_width - 3);
        return format!("...{inner}");
    }
    format!(
        "...{}",
        byte_slice(st, (len - (max_width - 3)) as usize, st.len())
    )
}

/// strconv.Quote (Go's `%q` of a string): the engine's, so `quote` and
/// `printf "%q"` agree.
pub(crate) fn go_quote(st: &str) -> String {
    crate::fmt::quote(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_as_strconv() {
        assert_eq!(
            go_quote("a\"b\\c\n\t\u{1}é😀\u{a0}\u{7f}"),
            "\"a\\\"b\\\\c\\n\\t\\x01é😀\\u00a0\\x7f\""
        );
    }

    #[test]
    fn wrap_as_goutils() {
        assert_eq!(
            wrap_custom("Hello Sprig World", 5, "\n", false),
            "Hello\nSprig\nWorld"
        );
        assert_eq!(
            wrap_custom("abcdefghij xyz", 4, "\n", false),
            "abcdefghij\nxyz"
        );
        assert_eq!(
            wrap_custom("abcdefghij xyz", 4, "<br>", true),
            "abcd<br>efgh<br>ij<br>xyz"
        );
    }

    #[test]
    fn abbreviations() {
        assert_eq!(abbreviate_full("hello world", 0, 5), "he...");
        assert_eq!(abbreviate_full("1234 5678 9123", 5, 10), "...5678...");
        assert_eq!(abbreviate_full("abcdefghijklmno", 10, 10), "...ijklmno");
    }

    #[test]
    fn cases() {
        assert_eq!(delimited("FirstName", '_'), "first_name");
        assert_eq!(delimited("HTTPServer", '-'), "http-server");
        assert_eq!(delimited("some_words here", '_'), "some_words_here");
        assert_eq!(camelcase("http_server"), "HttpServer");
        assert_eq!(title("hello world-foo_bar"), "Hello World-Foo_bar");
        assert_eq!(untitle("Hello World"), "hello world");
        assert_eq!(swapcase("Hello World"), "hELLO wORLD");
    }
}
