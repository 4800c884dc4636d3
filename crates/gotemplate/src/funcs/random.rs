//! Non-deterministic functions, as Helm's: random strings from the
//! operating system's generator (goutils' CryptoRandom*), `randInt`,
//! `randBytes`, `uuidv4`, `shuffle`.

use super::{func, int_arg, s, str_arg, Arity::*, Fail, R};
use crate::{Func, Value};

/// `n` random bytes from the OS.
pub(crate) fn bytes(n: usize) -> Result<Vec<u8>, Fail> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| Fail::Call(format!("crypto/rand: {e}")))?;
    Ok(buf)
}

/// A uniform random number below `n` (n > 0).
pub(crate) fn below(n: u64) -> Result<u64, Fail> {
    // Rejection sampling: no modulo bias.
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let b = bytes(8)?;
        let x = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        if x < zone {
            return Ok(x % n);
        }
    }
}

/// Fisher–Yates in place.
pub(crate) fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        if let Ok(j) = below(i as u64 + 1) {
            items.swap(i, j as usize);
        }
    }
}

fn random_string(count: i64, alphabet: &[u8]) -> R {
    if count < 0 {
        // goutils' error is swallowed by Sprig: an empty string.
        return Ok(s(""));
    }
    if count > 1 << 24 {
        return Err(Fail::Call("random string too long".into()));
    }
    let mut out = String::with_capacity(count as usize);
    for _ in 0..count {
        out.push(alphabet[below(alphabet.len() as u64)? as usize] as char);
    }
    Ok(s(out))
}

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const DIGITS: &[u8] = b"0123456789";

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("randAlphaNum", Exact(1), |a| {
        random_string(int_arg(a, 0)?, ALNUM)
    }));
    v.push(func("randAlpha", Exact(1), |a| {
        random_string(int_arg(a, 0)?, ALPHA)
    }));
    v.push(func("randNumeric", Exact(1), |a| {
        random_string(int_arg(a, 0)?, DIGITS)
    }));
    v.push(func("randAscii", Exact(1), |a| {
        let ascii: Vec<u8> = (32u8..=126).collect();
        random_string(int_arg(a, 0)?, &ascii)
    }));
    v.push(func("randInt", Exact(2), |a| {
        let (min, max) = (int_arg(a, 0)?, int_arg(a, 1)?);
        if max <= min {
            return Err("invalid argument to Intn".into());
        }
        Ok(Value::Int(min + below((max - min) as u64)? as i64))
    }));
    v.push(func("randBytes", Exact(1), |a| {
        let n = int_arg(a, 0)?;
        if !(0..=1 << 24).contains(&n) {
            return Err(Fail::Call(format!(
                "runtime error: makeslice: len out of range ({n})"
            )));
        }
        Ok(s(super::encoding::b64(&bytes(n as usize)?)))
    }));
    v.push(func("uuidv4", Exact(0), |_| Ok(s(uuidv4()?))));
    let _ = str_arg;
}

/// A random (version 4) UUID in its canonical text.
pub(crate) fn uuidv4() -> Result<String, Fail> {
    let mut b = bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::encoding::hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}
