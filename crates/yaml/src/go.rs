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

fn push_escaped(out: &mut String, c: char, quote: char) {
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

/// Go's `unicode.IsPrint`, closely: not for control, format, private-use,
/// noncharacter or space characters other than U+0020. (Unassigned code
/// points, which Go also escapes, are taken as printable here.)
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let code = u32::from(c);
    let format = matches!(code,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = matches!(code, 0xFDD0..=0xFDEF) || code & 0xFFFE == 0xFFFE;
    !(format || private || nonchar)
}
