//! Sprig's arithmetic: integer functions convert with cast.ToInt64 and
//! return int64; the `…f` functions compute in shopspring/decimal
//! (so `mulf 0.1 3` is 0.3) and return float64.

use super::conv::{to_float64, to_int64};
use super::{func, int_arg, Arity::*, Fail, R};
use crate::{Func, Value};

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("add1", Exact(1), |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    }));
    v.push(func("add", AtLeast(0), |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, x| acc.wrapping_add(to_int64(x))),
        ))
    }));
    v.push(func("sub", Exact(2), |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    }));
    v.push(func("div", Exact(2), |a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    }));
    v.push(func("mod", Exact(2), |a| {
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    }));
    v.push(func("mul", AtLeast(1), |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, x| acc.wrapping_mul(to_int64(x))),
        ))
    }));
    v.push(func("max", AtLeast(1), |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, x| acc.max(to_int64(x))),
        ))
    }));
    v.push(func("biggest", AtLeast(1), |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, x| acc.max(to_int64(x))),
        ))
    }));
    v.push(func("min", AtLeast(1), |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, x| acc.min(to_int64(x))),
        ))
    }));
    v.push(func("maxf", AtLeast(1), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, x| go_max(acc, to_float64(x))),
        ))
    }));
    v.push(func("minf", AtLeast(1), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, x| go_min(acc, to_float64(x))),
        ))
    }));
    v.push(func("ceil", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    }));
    v.push(func("floor", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    }));
    v.push(func("round", AtLeast(2), round));
    v.push(func("add1f", Exact(1), |a| {
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    }));
    v.push(func("addf", AtLeast(0), |a| {
        decimal_op(&Value::Float(0.0), a, Op::Add)
    }));
    v.push(func("subf", AtLeast(1), |a| {
        decimal_op(&a[0], &a[1..], Op::Sub)
    }));
    v.push(func("mulf", AtLeast(1), |a| {
        decimal_op(&a[0], &a[1..], Op::Mul)
    }));
    v.push(func("divf", AtLeast(1), |a| {
        decimal_op(&a[0], &a[1..], Op::Div)
    }));
}

fn go_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.max(y)
    }
}

fn go_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.min(y)
    }
}

/// `round(a, places int, roundOn ...float64)`.
fn round(a: &[Value]) -> R {
    if a.len() > 3 {
        return Err(Fail::Arg(format!(
            "wrong number of args for round: want at most 3 got {}",
            a.len()
        )));
    }
    let places = int_arg(a, 1)? as f64;
    let round_on = match a.get(2) {
        None => 0.5,
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        Some(other) => {
            return Err(Fail::Arg(format!(
                "wrong type for value; expected float64; got {}",
                super::type_name(other)
            )))
        }
    };
    let val = to_float64(&a[0]);
    let pow = 10f64.powf(places);
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(r / pow))
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal `mant × 10^exp`, as shopspring/decimal holds one.
#[derive(Clone, Copy)]
struct Dec {
    mant: i128,
    exp: i32,
}

impl Dec {
    /// decimal.NewFromFloat: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Dec { mant: 0, exp: 0 });
        }
        let text = format!("{:e}", f);
        let (m, e) = text.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let neg = m.starts_with('-');
        let digits: String = m.chars().filter(|c| c.is_ascii_digit()).collect();
        let mant: i128 = digits.parse().ok()?;
        Some(Dec {
            mant: if neg { -mant } else { mant },
            exp: e - (digits.len() as i32 - 1),
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Dec| -> Option<i128> {
            d.mant
                .checked_mul(10i128.checked_pow((d.exp - exp) as u32)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn apply(self, op: Op, o: Dec) -> Result<Option<Dec>, String> {
        Ok(match op {
            Op::Add => Dec::align(self, o).and_then(|(x, y, e)| {
                Some(Dec {
                    mant: x.checked_add(y)?,
                    exp: e,
                })
            }),
            Op::Sub => Dec::align(self, o).and_then(|(x, y, e)| {
                Some(Dec {
                    mant: x.checked_sub(y)?,
                    exp: e,
                })
            }),
            Op::Mul => self.mant.checked_mul(o.mant).map(|m| Dec {
                mant: m,
                exp: self.exp + o.exp,
            }),
            Op::Div => {
                if o.mant == 0 {
                    return Err("decimal division by 0".into());
                }
                // DivRound(o, 16): to a multiple of 10^-16, half away from zero.
                let k = self.exp - o.exp + 16;
                let (num, den) = if k >= 0 {
                    (
                        10i128
                            .checked_pow(k as u32)
                            .and_then(|p| self.mant.checked_mul(p)),
                        Some(o.mant),
                    )
                } else {
                    (
                        Some(self.mant),
                        10i128
                            .checked_pow((-k) as u32)
                            .and_then(|p| o.mant.checked_mul(p)),
                    )
                };
                match (num, den) {
                    (Some(n), Some(d)) => {
                        let q = n / d;
                        let r = n % d;
                        let q = if r != 0 && r.unsigned_abs() * 2 >= d.unsigned_abs() {
                            if (n < 0) != (d < 0) {
                                q - 1
                            } else {
                                q + 1
                            }
                        } else {
                            q
                        };
                        Some(Dec { mant: q, exp: -16 })
                    }
                    _ => None,
                }
            }
        })
    }
}

fn decimal_op(first: &Value, rest: &[Value], op: Op) -> R {
    let mut f = to_float64(first);
    let mut acc = Dec::from_f64(f);
    for x in rest {
        let y = to_float64(x);
        let next = match (acc, Dec::from_f64(y)) {
            (Some(d), Some(e)) => d.apply(op, e)?,
            _ => None,
        };
        // Out of the decimal's range here: float arithmetic.
        f = match next {
            Some(d) => d.to_f64(),
            None => match op {
                Op::Add => f + y,
                Op::Sub => f - y,
                Op::Mul => f * y,
                Op::Div => {
                    if y == 0.0 {
                        return Err("decimal division by 0".into());
                    }
                    f / y
                }
            },
        };
        acc = match next {
            Some(d) => Some(d),
            None => Dec::from_f64(f),
        };
    }
    Ok(Value::Float(match acc {
        Some(d) => d.to_f64(),
        None => f,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: Op, a: f64, b: f64) -> f64 {
        match decimal_op(&Value::Float(a), &[Value::Float(b)], op) {
            Ok(Value::Float(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decimal_arithmetic() {
        assert_eq!(run(Op::Mul, 0.1, 3.0), 0.3);
        assert_eq!(run(Op::Add, 0.1, 0.2), 0.3);
        assert_eq!(run(Op::Sub, 0.3, 0.1), 0.2);
        assert_eq!(run(Op::Div, 1.0, 3.0), 0.3333333333333333);
        assert_eq!(run(Op::Div, 2.0, 3.0), 0.6666666666666667);
        assert_eq!(run(Op::Mul, 1.5, 1024.0), 1536.0);
        assert!(decimal_op(&Value::Float(1.0), &[Value::Float(0.0)], Op::Div).is_err());
    }
}
