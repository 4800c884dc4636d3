//! Go's number formatting and parsing as Helm's functions meet it:
//! `strconv.FormatFloat(f, 'g', -1, 64)` (`%v` of a float64, go-yaml's
//! floats), encoding/json's float text, `strconv.ParseInt(s, 0, 64)`.

/// The shortest decimal digits of a finite, non-zero `f` and its
/// decimal exponent `dp` (value = 0.d1d2… × 10^dp), as strconv's
/// shortest formatting computes them.
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest round-tripping digits, as Go does.
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp + 1)
}

fn push_exp(out: &mut String, exp: i32, min_digits: usize) {
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs().to_string();
    for _ in e.len()..min_digits {
        out.push('0');
    }
    out.push_str(&e);
}

/// `%e` with the shortest digits: `1.2345675e+06`.
fn fmt_e(neg: bool, digits: &str, dp: i32, min_exp_digits: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    push_exp(&mut out, dp - 1, min_exp_digits);
    out
}

/// `%f` with the shortest digits: `0.000001`, `1234567.5`.
fn fmt_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let dp = dp as usize;
        if digits.len() <= dp {
            out.push_str(digits);
            for _ in digits.len()..dp {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..dp]);
            out.push('.');
            out.push_str(&digits[dp..]);
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: how Go's `%v` and go-yaml print
/// a float64 (`1.5`, `1e+06`, `1.234567890123e+12`, `NaN`, `+Inf`).
pub fn format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    // Shortest precision: %e when the exponent is < -4 or >= 6.
    if !(-4..6).contains(&exp) {
        fmt_e(f < 0.0, &digits, dp, 2)
    } else {
        fmt_f(f < 0.0, &digits, dp)
    }
}

/// encoding/json's text of a float64 (`1e-7`, `0.000001`, `1e+21`,
/// `1234567.5`); `None` for NaN and infinities, which json refuses
/// (`json: unsupported value: NaN`).
pub fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        });
    }
    let (digits, dp) = shortest_digits(f);
    let abs = f.abs();
    Some(if !(1e-6..1e21).contains(&abs) {
        // Go prints e-07 and then trims it to e-7.
        fmt_e(f < 0.0, &digits, dp, 1)
    } else {
        fmt_f(f < 0.0, &digits, dp)
    })
}

/// The error text of json.Marshal for a float it refuses.
pub fn json_unsupported(f: f64) -> String {
    format!("json: unsupported value: {}", format_g(f))
}

/// An integer as `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)`
/// reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GoInt {
    Int(i64),
    Uint(u64),
}

/// `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)`
/// (no sign) as go-yaml does: base prefixes `0x`, `0o`, `0b`, a leading
/// `0` for octal. Underscores are not accepted here (the caller removes
/// them where Go's reader does).
pub fn parse_go_int(s: &str) -> Option<GoInt> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let signed = s.starts_with('+') || s.starts_with('-');
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= (i64::MAX as u128) + 1 {
            return Some(GoInt::Int((-(mag as i128)) as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u128 {
        return Some(GoInt::Int(mag as i64));
    }
    if !signed && mag <= u64::MAX as u128 {
        return Some(GoInt::Uint(mag as u64));
    }
    None
}

/// `strconv.ParseFloat(s, 64)` for decimal text (what matters here);
/// Go also takes `inf`, `infinity`, `nan` in any case and hex floats.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = t.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        let v = if lower == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if s.starts_with('-') { -v } else { v });
    }
    // Rust accepts the same decimal forms (`1.`, `.5`, `1e5`); refuse
    // what Rust takes and Go does not.
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_g_as_go_prints_it() {
        // Verified with helm 4.1.4 (`printf "%v"` of values).
        let cases = [
            (1.5, "1.5"),
            (1234567.5, "1.2345675e+06"),
            (0.1, "0.1"),
            (0.000001, "1e-06"),
            (1e-7, "1e-07"),
            (1e-10, "1e-10"),
            (3.0, "3"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1234567890123.0, "1.234567890123e+12"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_float_as_encoding_json() {
        // Verified with helm 4.1.4 (`toJson .Values.floats`).
        let cases = [
            (1.5, "1.5"),
            (1234567.5, "1234567.5"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1e-10, "1e-10"),
            (3.0, "3"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1e20, "100000000000000000000"),
            (12345678901234567890.0, "12345678901234567000"),
        ];
        for (f, want) in cases {
            assert_eq!(json_float(f).as_deref(), Some(want), "{f}");
        }
        assert_eq!(json_float(f64::NAN), None);
    }

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("0755"), Some(GoInt::Int(493)));
        assert_eq!(parse_go_int("0x10"), Some(GoInt::Int(16)));
        assert_eq!(parse_go_int("0o17"), Some(GoInt::Int(15)));
        assert_eq!(parse_go_int("-0b101"), Some(GoInt::Int(-5)));
        assert_eq!(parse_go_int("08"), None);
        assert_eq!(parse_go_int("0"), Some(GoInt::Int(0)));
        assert_eq!(parse_go_int("+1"), Some(GoInt::Int(1)));
        assert_eq!(
            parse_go_int("12345678901234567000"),
            Some(GoInt::Uint(12345678901234567000))
        );
        assert_eq!(
            parse_go_int("-9223372036854775808"),
            Some(GoInt::Int(i64::MIN))
        );
        assert_eq!(parse_go_int("1e3"), None);
        assert_eq!(parse_go_int(""), None);
        assert_eq!(parse_go_int("0x"), None);
    }
}
