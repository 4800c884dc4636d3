//! Sprig's regular expressions (regex.go) over the `regex` crate, whose
//! syntax and leftmost-first semantics are RE2's, as Go's regexp.
//! The plain forms panic on a bad pattern (the template fails, as in Helm)
//! except `regexMatch`, which is false; the `must` forms return the error.

use regex::{NoExpand, Regex};

use super::{func, int_arg, s, str_arg, str_list, Arity::*, Fail, R};
use crate::{Func, Value};

/// Go's RE2 syntax where the `regex` crate's differs: in a class, a `-`
/// right after a class escape (`[\w-\.]`) is a literal `-` in Go (Perl
/// mode), a range error in Rust; it is escaped.
fn go_syntax(expr: &str) -> std::borrow::Cow<'_, str> {
    if !expr.contains('[') || !expr.contains('-') {
        return std::borrow::Cow::Borrowed(expr);
    }
    let mut out = String::with_capacity(expr.len() + 4);
    let mut chars = expr.chars().peekable();
    let mut in_class = false;
    let mut after_class_escape = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                    after_class_escape = in_class && matches!(n, 'w' | 'W' | 'd' | 'D' | 's' | 'S');
                }
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class && after_class_escape && chars.peek() != Some(&']') => {
                out.push_str("\\-");
                after_class_escape = false;
                continue;
            }
            _ => {}
        }
        after_class_escape = false;
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Go's regexp.Compile error text: `error parsing regexp: CODE: `FRAGMENT``.
fn go_regex_error(expr: &str) -> String {
    use regex_syntax::ast::ErrorKind as K;
    let fallback = || {
        let detail = regex::Regex::new(expr)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let last = detail
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        format!(
            "error parsing regexp: {}",
            last.strip_prefix("error: ").unwrap_or(&last)
        )
    };
    let Err(e) = regex_syntax::ast::parse::Parser::new().parse(expr) else {
        return fallback();
    };
    let span = e.span();
    let (start, end) = (
        span.start.offset.min(expr.len()),
        span.end.offset.min(expr.len()),
    );
    let (code, fragment) = match e.kind() {
        K::GroupUnclosed => ("missing closing )", expr),
        K::GroupUnopened => ("unexpected )", expr),
        K::ClassUnclosed => ("missing closing ]", &expr[start..]),
        K::RepetitionMissing => (
            "missing argument to repetition operator",
            &expr[start..end.max(start + 1).min(expr.len())],
        ),
        K::EscapeUnrecognized | K::EscapeUnexpectedEof => (
            "invalid escape sequence",
            &expr[start..end.max(start).min(expr.len())],
        ),
        K::ClassRangeInvalid => ("invalid character class range", &expr[start..end]),
        K::RepetitionCountInvalid => ("invalid repeat count", &expr[start..end]),
        K::GroupNameInvalid | K::GroupNameEmpty | K::GroupNameUnexpectedEof => {
            ("invalid named capture", &expr[start..end])
        }
        K::GroupNameDuplicate { .. } => ("duplicate capture group name", &expr[start..end]),
        _ => return fallback(),
    };
    format!("error parsing regexp: {code}: `{fragment}`")
}

/// regexp.Compile (`must`: the error as returned) or regexp.MustCompile
/// (its panic: `regexp: Compile(`EXPR`): …`).
fn compile(expr: &str, must: bool) -> Result<Regex, Fail> {
    regex::RegexBuilder::new(&go_syntax(expr))
        .size_limit(1 << 22)
        .build()
        .map_err(|_| {
            let msg = go_regex_error(expr);
            if must {
                return Fail::Call(msg);
            }
            let shown = if expr.contains('`') {
                super::strings::go_quote(expr)
            } else {
                format!("`{expr}`")
            };
            Fail::Call(format!("regexp: Compile({shown}): {msg}"))
        })
}

macro_rules! both {
    ($v:expr, $name:literal, $must:literal, $arity:expr, $body:expr) => {
        $v.push(func($name, $arity, |a| $body(a, false)));
        $v.push(func($must, $arity, |a| $body(a, true)));
    };
}

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("regexMatch", Exact(2), |a| {
        let (re, text) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(Value::Bool(
            compile(&re, true)
                .map(|r| r.is_match(&text))
                .unwrap_or(false),
        ))
    }));
    v.push(func("mustRegexMatch", Exact(2), |a| {
        let (re, text) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(Value::Bool(compile(&re, true)?.is_match(&text)))
    }));
    both!(
        v,
        "regexFindAll",
        "mustRegexFindAll",
        Exact(3),
        |a: &[Value], must| -> R {
            let (re, text, n) = (str_arg(a, 0)?, str_arg(a, 1)?, int_arg(a, 2)?);
            let r = compile(&re, must)?;
            let found = find_all(&r, &text, n);
            // Go's FindAllString returns nil for no match (toJson: null).
            if found.is_empty() {
                return Ok(Value::Nil);
            }
            Ok(str_list(
                found.into_iter().map(|(b, e)| text[b..e].to_string()),
            ))
        }
    );
    both!(
        v,
        "regexFind",
        "mustRegexFind",
        Exact(2),
        |a: &[Value], must| -> R {
            let (re, text) = (str_arg(a, 0)?, str_arg(a, 1)?);
            Ok(s(compile(&re, must)?
                .find(&text)
                .map(|m| m.as_str())
                .unwrap_or("")))
        }
    );
    both!(
        v,
        "regexReplaceAll",
        "mustRegexReplaceAll",
        Exact(3),
        |a: &[Value], must| -> R {
            let (re, text, repl) = (str_arg(a, 0)?, str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(s(compile(&re, must)?.replace_all(&text, &*repl)))
        }
    );
    both!(
        v,
        "regexReplaceAllLiteral",
        "mustRegexReplaceAllLiteral",
        Exact(3),
        |a: &[Value], must| -> R {
            let (re, text, repl) = (str_arg(a, 0)?, str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(s(compile(&re, must)?.replace_all(&text, NoExpand(&repl))))
        }
    );
    both!(
        v,
        "regexSplit",
        "mustRegexSplit",
        Exact(3),
        |a: &[Value], must| -> R {
            let (re, text, n) = (str_arg(a, 0)?, str_arg(a, 1)?, int_arg(a, 2)?);
            Ok(str_list(split(&compile(&re, must)?, &re, &text, n)))
        }
    );
    v.push(func("regexQuoteMeta", Exact(1), |a| {
        Ok(s(quote_meta(&str_arg(a, 0)?)))
    }));
}

/// Go's FindAllStringIndex(s, n): an empty match right after the
/// previous match is skipped.
fn find_all(r: &Regex, text: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let mut prev_end: Option<usize> = None;
    for m in r.find_iter(text) {
        if m.start() == m.end() && prev_end == Some(m.start()) {
            continue;
        }
        out.push((m.start(), m.end()));
        prev_end = Some(m.end());
        if n > 0 && out.len() as i64 >= n {
            break;
        }
    }
    out
}

/// Go's Regexp.Split(s, n).
fn split(r: &Regex, expr: &str, text: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !expr.is_empty() && text.is_empty() {
        return vec![String::new()];
    }
    let matches = find_all(r, text, n);
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (s0, e0) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = s0;
        if e0 != 0 {
            out.push(text[beg..end].to_string());
        }
        beg = e0;
    }
    if end != text.len() {
        out.push(text[beg..].to_string());
    }
    out
}

/// regexp.QuoteMeta: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_after_a_class_escape_is_literal_as_in_go() {
        assert_eq!(go_syntax("^[\\w-\\.]+$"), "^[\\w\\-\\.]+$");
        let r = compile("^[\\w-\\.]+$", false).unwrap();
        assert!(r.is_match("argocd-redis.x") && !r.is_match("a b"));
        assert_eq!(go_syntax("[a-z]"), "[a-z]");
    }

    #[test]
    fn split_and_find_as_go() {
        let r = Regex::new("z+").unwrap();
        assert_eq!(split(&r, "z+", "pizza", -1), vec!["pi", "a"]);
        assert_eq!(split(&r, "z+", "pizza", 1), vec!["pizza"]);
        assert_eq!(split(&r, "z+", "", -1), vec![""]);
        let r = Regex::new("a*").unwrap();
        assert_eq!(find_all(&r, "baaac", -1), vec![(0, 0), (1, 4), (5, 5)]);
        assert_eq!(quote_meta("1.2.3 [x]"), "1\\.2\\.3 \\[x\\]");
        assert!(compile("(", false).is_err());
        assert_eq!(
            go_regex_error("("),
            "error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(
            go_regex_error("a[b"),
            "error parsing regexp: missing closing ]: `[b`"
        );
    }
}
