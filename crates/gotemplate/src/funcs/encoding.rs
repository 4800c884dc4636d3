//! Encodings and checksums: `b64enc`, `b64dec`, `b32enc`, `b32dec`,
//! `sha1sum`, `sha256sum`, `sha512sum`, `adler32sum`.

use base64::Engine as _;
use sha1::Digest as _;

use super::{func, s, str_arg, Arity::*};
use crate::Func;

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("b64enc", Exact(1), |a| {
        Ok(s(b64(str_arg(a, 0)?.as_bytes())))
    }));
    // Sprig returns the decoding error's text as the result.
    v.push(func("b64dec", Exact(1), |a| {
        Ok(s(match b64_decode(&str_arg(a, 0)?) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => e,
        }))
    }));
    v.push(func("b32enc", Exact(1), |a| {
        Ok(s(b32(str_arg(a, 0)?.as_bytes())))
    }));
    v.push(func("b32dec", Exact(1), |a| {
        Ok(s(match b32_decode(&str_arg(a, 0)?) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => e,
        }))
    }));
    v.push(func("sha1sum", Exact(1), |a| {
        Ok(s(hex(&sha1::Sha1::digest(str_arg(a, 0)?.as_bytes()))))
    }));
    v.push(func("sha256sum", Exact(1), |a| {
        Ok(s(hex(&sha2::Sha256::digest(str_arg(a, 0)?.as_bytes()))))
    }));
    v.push(func("sha512sum", Exact(1), |a| {
        Ok(s(hex(&sha2::Sha512::digest(str_arg(a, 0)?.as_bytes()))))
    }));
    v.push(func("adler32sum", Exact(1), |a| {
        Ok(s(adler32(str_arg(a, 0)?.as_bytes()).to_string()))
    }));
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// base64.StdEncoding.EncodeToString.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// base64.StdEncoding.DecodeString, with Go's error text.
pub(crate) fn b64_decode(text: &str) -> Result<Vec<u8>, String> {
    // Go ignores \r and \n inside the input.
    let cleaned: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    // Go's StdEncoding ignores the unused bits of the last symbol.
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    engine.decode(&cleaned).map_err(|e| {
        let at = match e {
            base64::DecodeError::InvalidByte(i, _) => i,
            base64::DecodeError::InvalidLength(n) => n - n % 4,
            base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
            base64::DecodeError::InvalidPadding => cleaned.len().saturating_sub(1),
        };
        format!("illegal base64 data at input byte {at}")
    })
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// base32.StdEncoding.EncodeToString.
fn b32(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64);
        let n = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < n {
                out.push(B32[((bits >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// base32.StdEncoding.DecodeString.
fn b32_decode(text: &str) -> Result<Vec<u8>, String> {
    let b: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'\r' && *c != b'\n')
        .collect();
    if !b.len().is_multiple_of(8) {
        return Err(format!(
            "illegal base32 data at input byte {}",
            b.len() - b.len() % 8
        ));
    }
    let mut out = Vec::new();
    for (ci, chunk) in b.chunks(8).enumerate() {
        let mut bits = 0u64;
        let mut n = 0;
        for (i, &c) in chunk.iter().enumerate() {
            if c == b'=' {
                if chunk[i..].iter().any(|x| *x != b'=') || ci * 8 + 8 != b.len() {
                    return Err(format!("illegal base32 data at input byte {}", ci * 8 + i));
                }
                break;
            }
            let Some(v) = B32.iter().position(|x| *x == c) else {
                return Err(format!("illegal base32 data at input byte {}", ci * 8 + i));
            };
            bits |= (v as u64) << (35 - 5 * i);
            n += 1;
        }
        let bytes = match n {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(format!("illegal base32 data at input byte {}", ci * 8 + n)),
        };
        for i in 0..bytes {
            out.push((bits >> (32 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trip() {
        for (plain, enc) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(b32(plain.as_bytes()), enc);
            assert_eq!(b32_decode(enc).unwrap(), plain.as_bytes());
        }
        assert!(b32_decode("MZX").is_err());
    }

    #[test]
    fn checksums() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E60398);
        assert_eq!(b64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(
            b64_decode("a!").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
    }
}
