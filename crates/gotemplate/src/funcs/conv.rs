//! Conversions as Sprig makes them through spf13/cast (`int`, `int64`,
//! `float64`, and the arithmetic functions' operands): strings parse
//! (base prefixes too), floats truncate, bools are 0/1, nil and anything
//! unconvertible 0. And the integer sequences `until`, `untilStep`, `seq`.

use super::num::{parse_go_float, parse_go_int, GoInt};
use super::{func, int_arg, s, str_arg, Arity::*};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    // strconv.Atoi: base 10 with an optional sign; 0 on error.
    v.push(func("atoi", Exact(1), |a| {
        Ok(Value::Int(str_arg(a, 0)?.parse::<i64>().unwrap_or(0)))
    }));
    v.push(func("int", Exact(1), |a| Ok(Value::Int(to_int64(&a[0])))));
    v.push(func("int64", Exact(1), |a| {
        Ok(Value::Int64(to_int64(&a[0])))
    }));
    v.push(func("float64", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0])))
    }));
    // toDecimal: a string of octal digits read as an int64 (0 when not).
    v.push(func("toDecimal", Exact(1), |a| {
        let text = super::strval(&a[0]);
        Ok(Value::Int64(i64::from_str_radix(&text, 8).unwrap_or(0)))
    }));
    v.push(func("until", Exact(1), |a| {
        let n = int_arg(a, 0)?;
        Ok(until_step(0, n, if n < 0 { -1 } else { 1 }))
    }));
    v.push(func("untilStep", Exact(3), |a| {
        Ok(until_step(int_arg(a, 0)?, int_arg(a, 1)?, int_arg(a, 2)?))
    }));
    v.push(func("seq", AtLeast(0), |a| {
        let mut params = Vec::new();
        for i in 0..a.len() {
            params.push(int_arg(a, i)?);
        }
        Ok(s(seq(&params)))
    }));
}

const MAX_SEQ: usize = 1 << 20;

fn until_step(start: i64, stop: i64, step: i64) -> Value {
    let mut out = Vec::new();
    if stop < start {
        if step >= 0 {
            return Value::list(out);
        }
        let mut i = start;
        while i > stop && out.len() < MAX_SEQ {
            out.push(Value::Int(i));
            i += step;
        }
        return Value::list(out);
    }
    if step <= 0 {
        return Value::list(out);
    }
    let mut i = start;
    while i < stop && out.len() < MAX_SEQ {
        out.push(Value::Int(i));
        i = i.saturating_add(step);
    }
    Value::list(out)
}

/// Sprig's `seq`, like GNU seq: `seq 3` = "1 2 3", `seq 2 5`,
/// `seq 0 2 10`, counting down when the end is below the start.
fn seq(p: &[i64]) -> String {
    let (start, end, step, inc) = match p {
        [end] => (
            1,
            *end,
            if *end < 1 { -1 } else { 1 },
            if *end < 1 { -1 } else { 1 },
        ),
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            (*start, *end, step, step)
        }
        [start, step, end] => {
            let inc = if end < start { -1 } else { 1 };
            if end < start && *step > 0 {
                return String::new();
            }
            (*start, *end, *step, inc)
        }
        _ => return String::new(),
    };
    let items = match until_step(start, end.saturating_add(inc), step) {
        Value::List(l) => l.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    items.join(" ")
}

/// cast's trimZeroDecimal: "1.00" → "1".
fn trim_zero_decimal(st: &str) -> &str {
    let Some(dot) = st.find('.') else { return st };
    let frac = &st[dot + 1..];
    if !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
        &st[..dot]
    } else {
        st
    }
}

/// `cast.ToInt64(v)` (errors are 0, as Sprig ignores them).
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Nil => 0,
        Value::Bool(b) => *b as i64,
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => {
            if f.is_nan() {
                i64::MIN
            } else {
                *f as i64
            }
        }
        Value::String(st) => match parse_go_int(trim_zero_decimal(st)) {
            Some(GoInt::Int(i)) => i,
            _ => 0,
        },
        _ => 0,
    }
}

/// `cast.ToFloat64(v)`.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Nil => 0.0,
        Value::Bool(b) => *b as i64 as f64,
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(st) => parse_go_float(st).unwrap_or(0.0),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_rules() {
        assert_eq!(to_int64(&Value::str("42")), 42);
        assert_eq!(to_int64(&Value::str("0x10")), 16);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("1.0")), 1);
        assert_eq!(to_int64(&Value::str("1.5")), 0);
        assert_eq!(to_int64(&Value::str("x")), 0);
        assert_eq!(to_int64(&Value::Float(-2.9)), -2);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
        assert_eq!(to_float64(&Value::str("x")), 0.0);
    }

    #[test]
    fn sequences() {
        assert_eq!(seq(&[3]), "1 2 3");
        assert_eq!(seq(&[-3]), "1 0 -1 -2 -3");
        assert_eq!(seq(&[0]), "1 0");
        assert_eq!(seq(&[1, 0, 5]), "");
        assert_eq!(seq(&[2, 5]), "2 3 4 5");
        assert_eq!(seq(&[5, 2]), "5 4 3 2");
        assert_eq!(seq(&[0, 2, 6]), "0 2 4 6");
        assert_eq!(seq(&[6, 2, 0]), "");
        assert_eq!(format!("{:?}", until_step(0, 5, 2)), "[0, 2, 4]");
        assert_eq!(format!("{:?}", until_step(3, 0, -1)), "[3, 2, 1]");
    }
}
