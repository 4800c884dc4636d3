//! Go's `fmt` as templates use it: how an action prints its value (`%v`),
//! `print`, `println`, `printf` with Go's verbs, flags, width and
//! precision, and Go's error forms in the output (`%!d(string=x)`,
//! `%!v(MISSING)`, `%!(EXTRA string=x)`), plus strconv's `Quote`.

use crate::Value;
use std::fmt::Write as _;
pub(crate) use strata_yaml::go::is_print;
use strata_yaml::go::push_escaped;

/// `fmt.Sprint(args...)`: values printed with `%v`, a space between two
/// operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_value(&mut out, a);
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln(args...)`: operands separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(&mut out, a);
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf(format, args...)`, Go's verbs and their errors in the
/// output (`%!d(string=x)`, `%!(EXTRA …)`, `%!v(MISSING)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer {
        out: String::with_capacity(format.len() + 16),
        f: Flags::default(),
    };
    p.do_printf(format, args);
    p.out
}

/// `%v` of one value, as an action prints it (without the `<no value>`
/// rule, which belongs to the executor).
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Float(f) => format_float_into(out, *f, 'g', None, false),
        _ => {
            let mut p = Printer {
                out: std::mem::take(out),
                f: Flags::default(),
            };
            p.print_arg(v, 'v', 0);
            *out = p.out;
        }
    }
}

/// Go's `%T`: the type name of a value.
pub fn type_name(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".to_string(),
        Value::Bool(_) => "bool".to_string(),
        Value::Int(_) => "int".to_string(),
        Value::Int64(_) => "int64".to_string(),
        Value::Float(_) => "float64".to_string(),
        Value::String(_) => "string".to_string(),
        Value::Bytes(_) => "[]uint8".to_string(),
        Value::List(_) => "[]interface {}".to_string(),
        Value::Map(_) => "map[string]interface {}".to_string(),
        Value::Object(o) => o.type_name().to_string(),
    }
}

/// strconv.Quote: a double-quoted Go string literal, escaping exactly
/// what Go escapes (control characters, U+0085, U+2028, non-printable
/// runes; printable UTF-8 kept).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(&mut out, s.as_bytes(), b'"');
    out
}

/// strconv.Quote over bytes (invalid UTF-8 bytes as `\xNN`).
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    quote_into(&mut out, b, b'"');
    out
}

/// strconv.QuoteRune.
pub fn quote_rune(r: i64) -> String {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `%#U` of a rune: `U+0041 'A'`.
pub(crate) fn unicode_hash(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn quote_into(out: &mut String, b: &[u8], q: u8) {
    out.push(q as char);
    let mut i = 0;
    while i < b.len() {
        match decode_rune(&b[i..]) {
            Some((c, n)) => {
                push_escaped(out, c, char::from(q));
                i += n;
            }
            None => {
                let _ = write!(out, "\\x{:02x}", b[i]);
                i += 1;
            }
        }
    }
    out.push(q as char);
}

fn decode_rune(b: &[u8]) -> Option<(char, usize)> {
    let n = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    if b.len() < n {
        return None;
    }
    let s = std::str::from_utf8(&b[..n]).ok()?;
    s.chars().next().map(|c| (c, n))
}

const MAX_PRINT_DEPTH: usize = 100;

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

struct Printer {
    out: String,
    f: Flags,
}

fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, b.len());
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start {
        (None, i)
    } else {
        (Some(n), i)
    }
}

impl Printer {
    fn do_printf(&mut self, format: &str, a: &[Value]) {
        let b = format.as_bytes();
        let end = b.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0;
        while i < end {
            let mut good_arg_num = true;
            let lasti = i;
            while i < end && b[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.out.push_str(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match b[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            // Argument index [n].
            (arg_num, i, after_index, good_arg_num) =
                self.arg_number(arg_num, b, i, a.len(), good_arg_num, &mut reordered);
            // Width.
            if i < end && b[i] == b'*' {
                i += 1;
                match int_from_arg(a, &mut arg_num) {
                    Some(w) => {
                        if w < 0 {
                            self.f.minus = true;
                            self.f.zero = false;
                        }
                        self.f.wid = Some(w.unsigned_abs() as usize);
                    }
                    None => self.out.push_str("%!(BADWIDTH)"),
                }
                after_index = false;
            } else {
                let (w, ni) = parse_num(b, i);
                self.f.wid = w;
                i = ni;
                if after_index && w.is_some() {
                    good_arg_num = false;
                }
            }
            // Precision.
            if i < end && b[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index, good_arg_num) =
                    self.arg_number(arg_num, b, i, a.len(), good_arg_num, &mut reordered);
                if i < end && b[i] == b'*' {
                    i += 1;
                    match int_from_arg(a, &mut arg_num) {
                        Some(p) if p >= 0 => self.f.prec = Some(p as usize),
                        Some(_) => self.f.prec = None,
                        None => {
                            self.f.prec = None;
                            self.out.push_str("%!(BADPREC)");
                        }
                    }
                    after_index = false;
                } else {
                    let (p, ni) = parse_num(b, i);
                    i = ni;
                    self.f.prec = Some(p.unwrap_or(0));
                }
            }
            if !after_index {
                (arg_num, i, after_index, good_arg_num) =
                    self.arg_number(arg_num, b, i, a.len(), good_arg_num, &mut reordered);
            }
            let _ = after_index;
            if i >= end {
                self.out.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('%');
            i += verb.len_utf8();
            if verb == '%' {
                self.out.push('%');
            } else if !good_arg_num {
                self.bad_arg_num(verb);
            } else if arg_num >= a.len() {
                let _ = write!(self.out, "%!{verb}(MISSING)");
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&a[arg_num], verb, 0);
                arg_num += 1;
            }
        }
        if !reordered && arg_num < a.len() {
            self.f = Flags::default();
            self.out.push_str("%!(EXTRA ");
            for (k, arg) in a[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.out.push_str(", ");
                }
                if matches!(arg, Value::Nil) {
                    self.out.push_str("<nil>");
                } else {
                    self.out.push_str(&type_name(arg));
                    self.out.push('=');
                    self.print_arg(arg, 'v', 0);
                }
            }
            self.out.push(')');
        }
    }

    fn bad_arg_num(&mut self, verb: char) {
        let _ = write!(self.out, "%!{verb}(BADINDEX)");
    }

    /// `[n]` argument indexes: (argNum, i, afterIndex, goodArgNum).
    fn arg_number(
        &mut self,
        arg_num: usize,
        b: &[u8],
        i: usize,
        num_args: usize,
        good: bool,
        reordered: &mut bool,
    ) -> (usize, usize, bool, bool) {
        if i >= b.len() || b[i] != b'[' {
            return (arg_num, i, false, good);
        }
        *reordered = true;
        // Find the closing bracket.
        let mut j = i + 1;
        while j < b.len() && b[j] != b']' {
            j += 1;
        }
        if j >= b.len() {
            return (arg_num, i + 1, false, false);
        }
        let (n, ni) = parse_num(b, i + 1);
        match n {
            Some(n) if ni == j && n >= 1 && n - 1 < num_args => (n - 1, j + 1, true, good),
            _ => (arg_num, j + 1, true, false),
        }
    }

    /// Pads to the width (with zeros under the `0` flag, strings too, as
    /// Go does).
    fn pad_str(&mut self, s: &str) {
        let Some(w) = self.f.wid else {
            self.out.push_str(s);
            return;
        };
        let n = s.chars().count();
        if n >= w {
            self.out.push_str(s);
            return;
        }
        let fill = if self.f.zero { '0' } else { ' ' };
        if self.f.minus {
            self.out.push_str(s);
            for _ in n..w {
                self.out.push(' ');
            }
        } else {
            for _ in n..w {
                self.out.push(fill);
            }
            self.out.push_str(s);
        }
    }

    fn bad_verb(&mut self, verb: char, v: &Value) {
        let _ = write!(self.out, "%!{verb}(");
        if matches!(v, Value::Nil) {
            self.out.push_str("<nil>");
        } else {
            self.out.push_str(&type_name(v));
            self.out.push('=');
            self.print_arg(v, 'v', 0);
        }
        self.out.push(')');
    }

    fn print_arg(&mut self, v: &Value, verb: char, depth: usize) {
        // A map can hold itself (Sprig's `set`): Go would recurse until its
        // stack limit; stop instead.
        if depth > MAX_PRINT_DEPTH {
            self.out.push_str("...");
            return;
        }
        if verb == 'T' {
            let t = type_name(v);
            self.pad_str(&t);
            return;
        }
        match v {
            Value::Nil => {
                if depth > 0 {
                    // A nil inside a collection prints the same for every verb.
                    if self.f.sharp_v {
                        self.out.push_str("interface {}(nil)");
                    } else {
                        self.out.push_str("<nil>");
                    }
                } else if verb == 'v' {
                    self.pad_str("<nil>");
                } else {
                    self.bad_verb(verb, v);
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad_str(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, v),
            },
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i, verb, v),
            Value::Float(x) => match verb {
                'v' | 'g' | 'G' | 'e' | 'E' | 'f' | 'F' | 'x' | 'X' => self.fmt_float(*x, verb),
                _ => self.bad_verb(verb, v),
            },
            Value::String(s) => self.fmt_string(s.as_bytes(), verb, v),
            Value::Bytes(b) => match verb {
                's' | 'q' | 'x' | 'X' => self.fmt_string(b, verb, v),
                _ => {
                    if self.f.sharp_v {
                        self.out.push_str("[]byte{");
                        for (i, c) in b.iter().enumerate() {
                            if i > 0 {
                                self.out.push_str(", ");
                            }
                            let _ = write!(self.out, "0x{c:x}");
                        }
                        self.out.push('}');
                        return;
                    }
                    self.out.push('[');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        let iv = Value::Int(*c as i64);
                        self.fmt_integer(*c as i64, verb, &iv);
                    }
                    self.out.push(']');
                }
            },
            Value::List(l) => {
                if self.f.sharp_v {
                    self.out.push_str("[]interface {}{");
                    for (i, e) in l.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.print_arg(e, verb, depth + 1);
                    }
                    self.out.push('}');
                    return;
                }
                self.out.push('[');
                for (i, e) in l.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    self.print_arg(e, verb, depth + 1);
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                let m = m.borrow();
                if self.f.sharp_v {
                    self.out.push_str("map[string]interface {}{");
                    for (i, (k, e)) in m.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.out.push_str(&quote(k));
                        self.out.push(':');
                        self.print_arg(e, verb, depth + 1);
                    }
                    self.out.push('}');
                    return;
                }
                self.out.push_str("map[");
                for (i, (k, e)) in m.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let kv = Value::String(k.as_str().into());
                    self.fmt_string(k.as_bytes(), verb, &kv);
                    self.out.push(':');
                    self.print_arg(e, verb, depth + 1);
                }
                self.out.push(']');
            }
            Value::Object(o) => {
                if depth > 20 {
                    self.out.push_str(o.type_name());
                    return;
                }
                // A struct prints its fields in order (not for %#v).
                if let (Some(fields), false) = (o.fields(), self.f.sharp_v) {
                    self.out.push('{');
                    for (i, (name, field)) in fields.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        if self.f.plus_v {
                            self.out.push_str(name);
                            self.out.push(':');
                        }
                        self.print_arg(field, verb, depth + 1);
                    }
                    self.out.push('}');
                    return;
                }
                let inner = o.to_value();
                if let Value::Object(_) = inner {
                    self.out.push_str(o.type_name());
                    return;
                }
                self.print_arg(&inner, verb, depth + 1);
            }
        }
    }

    fn fmt_string(&mut self, b: &[u8], verb: char, v: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(b),
            'v' | 's' => {
                let s = String::from_utf8_lossy(b);
                let s = match self.f.prec {
                    Some(p) => s.chars().take(p).collect::<String>(),
                    None => s.into_owned(),
                };
                self.pad_str(&s);
            }
            'q' => self.fmt_q(b),
            'x' | 'X' => self.fmt_sx(b, verb == 'X'),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_q(&mut self, b: &[u8]) {
        let b = match self.f.prec {
            Some(p) => {
                let s = String::from_utf8_lossy(b);
                let end = s.char_indices().nth(p).map(|(i, _)| i).unwrap_or(s.len());
                s[..end].as_bytes().to_vec()
            }
            None => b.to_vec(),
        };
        if self.f.sharp {
            if let Ok(s) = std::str::from_utf8(&b) {
                if can_backquote(s) {
                    let q = format!("`{s}`");
                    self.pad_str(&q);
                    return;
                }
            }
        }
        let mut q = String::new();
        if self.f.plus {
            // %+q: ASCII only.
            q.push('"');
            let s = String::from_utf8_lossy(&b);
            for c in s.chars() {
                if c.is_ascii() {
                    push_escaped(&mut q, c, '"');
                } else if (c as u32) < 0x10000 {
                    let _ = write!(q, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(q, "\\U{:08x}", c as u32);
                }
            }
            q.push('"');
        } else {
            quote_into(&mut q, &b, b'"');
        }
        self.pad_str(&q);
    }

    fn fmt_sx(&mut self, b: &[u8], upper: bool) {
        let b = match self.f.prec {
            Some(p) if p < b.len() => &b[..p],
            _ => b,
        };
        let digits: &[u8] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut s = String::new();
        if b.is_empty() {
            // Go prints padding only.
            self.pad_str("");
            return;
        }
        for (i, c) in b.iter().enumerate() {
            if self.f.space && i > 0 {
                s.push(' ');
            }
            if self.f.sharp && (self.f.space || i == 0) {
                s.push('0');
                s.push(if upper { 'X' } else { 'x' });
            }
            s.push(digits[(c >> 4) as usize] as char);
            s.push(digits[(c & 0xf) as usize] as char);
        }
        self.pad_str(&s);
    }

    fn fmt_integer(&mut self, i: i64, verb: char, v: &Value) {
        match verb {
            'v' | 'd' => self.fmt_int_base(i, 10, verb, false),
            'b' => self.fmt_int_base(i, 2, verb, false),
            'o' | 'O' => self.fmt_int_base(i, 8, verb, false),
            'x' => self.fmt_int_base(i, 16, verb, false),
            'X' => self.fmt_int_base(i, 16, verb, true),
            'c' => {
                let c = u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                self.pad_str(&c.to_string());
            }
            'q' => {
                let c = u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                if self.f.sharp && is_print(c) && c != '\'' {
                    self.pad_str(&format!("'{c}'"));
                } else {
                    let q = quote_rune(c as i64);
                    self.pad_str(&q);
                }
            }
            'U' => {
                let mut s = format!("U+{:04X}", i as u64);
                if let Some(p) = self.f.prec {
                    let hex = format!("{:X}", i as u64);
                    if p > hex.len() {
                        s = format!("U+{}{}", "0".repeat(p - hex.len()), hex);
                    }
                }
                if self.f.sharp {
                    if let Some(c) = u32::try_from(i).ok().and_then(char::from_u32) {
                        if is_print(c) {
                            let _ = write!(s, " '{c}'");
                        }
                    }
                }
                let zero = self.f.zero;
                self.f.zero = false;
                self.pad_str(&s);
                self.f.zero = zero;
            }
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_int_base(&mut self, i: i64, base: u32, verb: char, upper: bool) {
        let negative = i < 0;
        let u = i.unsigned_abs();
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => format!("{u}"),
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let zero = self.f.zero;
                self.f.zero = false;
                self.pad_str("");
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                prec = w;
                if negative || self.f.plus || self.f.space {
                    prec = prec.saturating_sub(1);
                }
            }
        }
        if digits.len() < prec {
            digits = "0".repeat(prec - digits.len()) + &digits;
        }
        let mut prefix = String::new();
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix.insert_str(0, "0o");
        }
        let sign = if negative {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let s = format!("{sign}{prefix}{digits}");
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad_str(&s);
        self.f.zero = zero;
    }

    fn fmt_float(&mut self, x: f64, verb: char) {
        let (verb, prec) = match verb {
            'v' => ('g', self.f.prec),
            'g' | 'G' | 'x' | 'X' => (verb, self.f.prec),
            _ => (verb, Some(self.f.prec.unwrap_or(6))),
        };
        let mut num = String::new();
        format_float_into(&mut num, x, verb, prec, self.f.sharp);
        // Sign handling as fmt.fmtFloat does it.
        let mut signed = if num.starts_with('-') || num.starts_with('+') {
            num
        } else {
            format!("+{num}")
        };
        if self.f.space && signed.starts_with('+') && !self.f.plus {
            signed.replace_range(0..1, " ");
        }
        let body1 = signed.as_bytes().get(1).copied().unwrap_or(b'0');
        if body1 == b'I' || body1 == b'N' {
            let zero = self.f.zero;
            self.f.zero = false;
            if body1 == b'N' && !self.f.space && !self.f.plus {
                signed.remove(0);
            }
            self.pad_str(&signed);
            self.f.zero = zero;
            return;
        }
        if self.f.plus || !signed.starts_with('+') {
            if self.f.zero && !self.f.minus {
                if let Some(w) = self.f.wid {
                    if w > signed.len() {
                        self.out.push_str(&signed[..1]);
                        for _ in 0..w - signed.len() {
                            self.out.push('0');
                        }
                        self.out.push_str(&signed[1..]);
                        return;
                    }
                }
            }
            self.pad_str(&signed);
            return;
        }
        let body = signed[1..].to_string();
        self.pad_str(&body);
    }
}

fn int_from_arg(a: &[Value], arg_num: &mut usize) -> Option<i64> {
    let r = match a.get(*arg_num) {
        Some(Value::Int(i) | Value::Int64(i)) if i.unsigned_abs() <= 1_000_000 => Some(*i),
        _ => None,
    };
    if *arg_num < a.len() {
        *arg_num += 1;
    }
    r
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\x7f')))
}

/// Decimal digits of a float (no sign, no leading zeros, at least one
/// digit) and the decimal point position: value = 0.DIGITS × 10^dp.
fn decimal(x: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    let s = match sig {
        None => format!("{:e}", x.abs()),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), x.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(|c| c.is_ascii_digit()).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits == b"0" {
        return (digits, 1);
    }
    (digits, exp + 1)
}

fn fmt_e(out: &mut String, neg: bool, d: &[u8], dp: i32, prec: usize, e: char) {
    if neg {
        out.push('-');
    }
    out.push(d[0] as char);
    if prec > 0 {
        out.push('.');
        for k in 1..=prec {
            out.push(d.get(k).copied().unwrap_or(b'0') as char);
        }
    }
    out.push(e);
    let exp = if d == b"0" { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    let _ = write!(out, "{a}");
}

fn fmt_f(out: &mut String, neg: bool, d: &[u8], dp: i32, prec: usize) {
    if neg {
        out.push('-');
    }
    if dp > 0 {
        let dp = dp as usize;
        for k in 0..dp {
            out.push(d.get(k).copied().unwrap_or(b'0') as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for k in 1..=prec as i32 {
            let j = dp + k - 1;
            let c = if j >= 0 {
                d.get(j as usize).copied().unwrap_or(b'0')
            } else {
                b'0'
            };
            out.push(c as char);
        }
    }
}

/// strconv.FormatFloat(x, verb, prec, 64) for 'e', 'E', 'f', 'F', 'g',
/// 'G' (prec None: the shortest representation that reads back).
pub fn format_float(x: f64, verb: char, prec: Option<usize>) -> String {
    let mut s = String::new();
    format_float_into(&mut s, x, verb, prec, false);
    s
}

fn format_float_into(out: &mut String, x: f64, verb: char, prec: Option<usize>, sharp: bool) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    let neg = x.is_sign_negative();
    match verb {
        'x' | 'X' => hex_float(out, x, prec, verb == 'X'),
        'f' | 'F' => {
            let p = prec.unwrap_or(6);
            if neg {
                out.push('-');
            }
            let _ = write!(out, "{:.*}", p, x.abs());
            if sharp && p == 0 {
                out.push('.');
            }
        }
        'e' | 'E' => {
            let (d, dp) = decimal(x, prec.map(|p| p + 1));
            let p = prec.unwrap_or(d.len() - 1);
            fmt_e(out, neg, &d, dp, p, verb);
        }
        _ => {
            // 'g', 'G' and %v.
            let e = if verb == 'G' { 'E' } else { 'e' };
            let shortest = prec.is_none();
            let want = prec.map(|p| p.max(1));
            let (d, dp) = decimal(x, want);
            let nd = d.len() as i32;
            let mut eprec = want.map(|p| p as i32).unwrap_or(nd);
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let mut p = want.map(|p| p as i32).unwrap_or(nd);
            if sharp {
                // %#g keeps trailing zeros up to the precision.
                p = want.map(|p| p as i32).unwrap_or(6);
                if exp < -4 || exp >= p {
                    fmt_e(out, neg, &d, dp, (p - 1).max(0) as usize, e);
                } else {
                    fmt_f(out, neg, &d, dp, (p - dp).max(0) as usize);
                    if p - dp <= 0 {
                        out.push('.');
                    }
                }
                return;
            }
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                fmt_e(out, neg, &d, dp, (p - 1).max(0) as usize, e);
                return;
            }
            if p > dp {
                p = nd;
            }
            fmt_f(out, neg, &d, dp, (p - dp).max(0) as usize);
        }
    }
}

/// strconv.FormatFloat(x, 'x', prec, 64): `-0x1.8p+00`.
fn hex_float(out: &mut String, x: f64, prec: Option<usize>, upper: bool) {
    let bits = x.to_bits();
    if x.is_sign_negative() {
        out.push('-');
    }
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 && mant == 0 {
        exp = 0;
    } else if exp == 0 {
        // Subnormal: normalise.
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let lead = if x == 0.0 { '0' } else { '1' };
    // 52 fraction bits are 13 hex digits.
    let mut frac = format!("{mant:013x}");
    match prec {
        None => {
            while frac.ends_with('0') {
                frac.pop();
            }
        }
        Some(p) if p < 13 => {
            // Round half to even on the dropped bits.
            let shift = (13 - p) * 4;
            let full = (1u64 << 52) | mant;
            let mut kept = full >> shift;
            let rest = full & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            if rest > half || (rest == half && kept & 1 == 1) {
                kept += 1;
            }
            if kept >> (p * 4) > 1 {
                kept >>= 1;
                exp += 1;
            }
            let m = kept & ((1u64 << (p * 4)) - 1);
            frac = if p == 0 {
                String::new()
            } else {
                format!("{m:0width$x}", width = p)
            };
        }
        Some(p) => {
            while frac.len() < p {
                frac.push('0');
            }
        }
    }
    let mut s = format!("0x{lead}");
    if !frac.is_empty() {
        s.push('.');
        s.push_str(&frac);
    }
    s.push('p');
    s.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        s.push('0');
    }
    let _ = write!(s, "{a}");
    if upper {
        s = s.to_uppercase();
    }
    out.push_str(&s);
}
