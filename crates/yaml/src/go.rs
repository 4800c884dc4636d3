//! What Go prints, where strata must print the same: `%q` quoting
//! (strconv.Quote, for `--set` errors as Helm words them and the Jinja
//! engine's `quote`) and `unicode.IsPrint`.
//!
//! The Go engine (strata-gotemplate's `fmt.rs`) has its own strconv port:
//! it quotes Go strings, which may hold bytes that are not UTF-8 (`\xNN`).

use std::fmt::Write as _;

/// Go's `%q` of a string: double quotes, Go escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Most strings have nothing to escape: copy them whole.
    let plain = !s
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f);
    if plain && (s.is_ascii() || s.chars().all(is_print)) {
        out.push_str(s);
        out.push('"');
        return out;
    }
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of one rune: single quotes, Go escapes.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from('\'');
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `%q` of a `[]rune`: `['n' 'a' 'm' 'e']`.
pub fn quote_runes(s: &str) -> String {
    let quoted: Vec<String> = s.chars().map(quote_rune).collect();
    format!("[{}]", quoted.join(" "))
}

/// Appends `c` as it appears inside a Go quoted literal delimited by
/// `quote`: the quote and backslash escaped, printable runes as they are,
/// others as `\n`, `\x07`, `\u00ad` or `\U000e0001`.
pub fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
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

/// Go's `unicode.IsPrint` as far as the standard library lets us tell:
/// letters, marks, numbers, punctuation and symbols, and the ASCII space;
/// not control, format, private-use, separator (other than ' ') or
/// noncharacters. Unassigned code points, which Go also escapes, count as
/// printable, except in the specials block (U+FFF0–FFF8) and plane 14
/// outside its variation selectors.
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    // Controls, and spaces other than ' ' (U+00A0, U+2028, …).
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let format = matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF0..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        // Plane 14: tags and unassigned; its variation selectors
        // (U+E0100–E01EF) are marks, so printable.
        | 0xE0000..=0xE00FF | 0xE01F0..=0xE0FFF);
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let nonchar = matches!(u, 0xFDD0..=0xFDEF) || u & 0xFFFE == 0xFFFE;
    !(format || private || nonchar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_print_follows_go() {
        // Printable in Go: letters, symbols, marks (a variation selector),
        // the ASCII space.
        for c in ['a', ' ', 'é', '€', '中', '😀', '\u{e0100}'] {
            assert!(is_print(c), "{c:?}");
        }
        // Not printable: controls, other spaces, format, private use,
        // specials and noncharacters, tags.
        for c in [
            '\t',
            '\u{7f}',
            '\u{a0}',
            '\u{ad}',
            '\u{200b}',
            '\u{2028}',
            '\u{e000}',
            '\u{fdd0}',
            '\u{fff0}',
            '\u{fffe}',
            '\u{e0001}',
            '\u{e007f}',
            '\u{10fffd}',
        ] {
            assert!(!is_print(c), "{c:?}");
        }
    }

    #[test]
    fn quoting_matches_go_percent_q() {
        assert_eq!(quote_rune('\''), r"'\''");
        assert_eq!(quote_rune('"'), "'\"'");
        assert_eq!(quote_runes("a\n"), r"['a' '\n']");
        let mut out = String::new();
        for c in ['\u{7}', '\u{1}', '\u{ad}', '\u{e0001}', '"', '\\'] {
            push_escaped(&mut out, c, '"');
        }
        assert_eq!(out, r#"\a\x01\u00ad\U000e0001\"\\"#);
    }
}
