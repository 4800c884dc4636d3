//! Sprig's certificate and key functions (crypto.go): `genCA`,
//! `genSelfSignedCert`, `genSignedCert` (and their `…WithKey` forms),
//! `genPrivateKey`, `buildCustomCert`. Keys are RSA as Sprig makes them
//! (2048 bits for certificates, 4096 for `genPrivateKey "rsa"`); the
//! certificates carry what Go's x509.CreateCertificate writes for Sprig's
//! templates: a random 128-bit serial, the common name, validity from now,
//! key usages, server and client auth, SANs, key identifiers; signed with
//! SHA-256 and RSA (PKCS #1 v1.5).
//!
//! Also `bcrypt`, `htpasswd` (bcrypt `$2a$`, cost 10) and
//! `encryptAES`/`decryptAES` (AES-256-CBC, Sprig's key and padding).
//!
//! And `derivePassword` (Master Password v3, scrypt).
//!
//! `genPrivateKey` makes RSA, ECDSA (P-256) and Ed25519 keys; DSA keys are
//! not built and fail with a message saying so.

use std::rc::Rc;

use p256::elliptic_curve::sec1::ToEncodedPoint;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::Digest as _;

use super::dates::{now, Time};
use super::{func, int_arg, s, str_arg, type_name, Arity::*, Fail, R};
use crate::{Func, Object, Value};

mod keygen;
#[cfg(test)]
mod keygen_tests;

/// The OS generator behind rsa's RNG trait.
struct OsRng;

impl rand_core::RngCore for OsRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // getrandom fails only without an OS generator; rsa's trait has no
        // error path here, so try_fill_bytes is what keygen uses.
        let _ = getrandom::fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        getrandom::fill(dest).map_err(|e| {
            rand_core::Error::from(
                std::num::NonZeroU32::new(e.raw_os_error().unwrap_or(1) as u32)
                    .unwrap_or(std::num::NonZeroU32::MIN),
            )
        })
    }
}

impl rand_core::CryptoRng for OsRng {}

/// Sprig's `certificate`: `.Cert` and `.Key`, PEM text.
#[derive(Debug, Clone)]
pub(crate) struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        let mut m = std::collections::BTreeMap::new();
        m.insert("Cert".to_string(), Value::str(&self.cert));
        m.insert("Key".to_string(), Value::str(&self.key));
        Value::map(m)
    }
}

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    v.push(func("genCA", Exact(2), |a| {
        let (cn, days) = (str_arg(a, 0)?, int_arg(a, 1)?);
        ca(&cn, days, new_key(2048)?)
    }));
    v.push(func("genCAWithKey", Exact(3), |a| {
        let (cn, days, key) = (str_arg(a, 0)?, int_arg(a, 1)?, str_arg(a, 2)?);
        ca(&cn, days, parse_key(&key)?)
    }));
    v.push(func("genSelfSignedCert", Exact(4), |a| {
        self_signed(a, new_key(2048)?)
    }));
    v.push(func("genSelfSignedCertWithKey", Exact(5), |a| {
        let key = parse_key(&str_arg(a, 4)?)?;
        self_signed(a, key)
    }));
    v.push(func("genSignedCert", Exact(5), |a| {
        signed(a, new_key(2048)?)
    }));
    v.push(func("genSignedCertWithKey", Exact(6), |a| {
        let key = parse_key(&str_arg(a, 5)?)?;
        signed(a, key)
    }));
    v.push(func("genPrivateKey", Exact(1), |a| {
        let typ = str_arg(a, 0)?;
        Ok(s(match &*typ {
            "" | "rsa" => key_pem(&new_key(4096)?)?,
            // x509.MarshalPKCS8PrivateKey of an Ed25519 key: its seed.
            "ed25519" => {
                let seed = super::random::bytes(32)?;
                let der = seq(&[
                    uint(&[0]),
                    seq(&[oid(&[1, 3, 101, 112])]),
                    octets(&octets(&seed)),
                ]);
                pem("PRIVATE KEY", &der)
            }
            // x509.MarshalECPrivateKey of a P-256 key (SEC 1).
            "ecdsa" => {
                let secret = p256::SecretKey::random(&mut OsRng);
                let point = secret.public_key().to_encoded_point(false);
                let der = seq(&[
                    uint(&[1]),
                    octets(&secret.to_bytes()),
                    tlv(0xa0, &oid(&[1, 2, 840, 10045, 3, 1, 7])),
                    tlv(0xa1, &bit_string(0, point.as_bytes())),
                ]);
                pem("EC PRIVATE KEY", &der)
            }
            "dsa" => {
                return Err(Fail::Call(
                    "dsa keys are not supported by strata (rsa, ecdsa and ed25519 are)".into(),
                ))
            }
            other => format!("Unknown type {other}"),
        }))
    }));
    v.push(func("buildCustomCert", Exact(2), |a| {
        let (cert64, key64) = (str_arg(a, 0)?, str_arg(a, 1)?);
        let cert = super::encoding::b64_decode(&cert64).map_err(Fail::Call)?;
        let key = super::encoding::b64_decode(&key64).map_err(Fail::Call)?;
        let cert = String::from_utf8_lossy(&cert).into_owned();
        let key = String::from_utf8_lossy(&key).into_owned();
        if pem_block(&cert).is_none() {
            return Err("unable to decode base64 certificate".into());
        }
        if pem_block(&key).is_none() {
            return Err("unable to decode base64 private key".into());
        }
        Ok(Value::Object(Rc::new(Certificate { cert, key })))
    }));
    v.push(func("bcrypt", Exact(1), |a| {
        Ok(s(bcrypt(&str_arg(a, 0)?)?))
    }));
    v.push(func("htpasswd", Exact(2), |a| {
        let (user, pass) = (str_arg(a, 0)?, str_arg(a, 1)?);
        if user.contains(':') {
            return Ok(s(format!("invalid username: {user}")));
        }
        Ok(s(format!("{user}:{}", bcrypt(&pass)?)))
    }));
    v.push(func("encryptAES", Exact(2), |a| {
        let (password, plain) = (str_arg(a, 0)?, str_arg(a, 1)?);
        if plain.is_empty() {
            return Ok(s(""));
        }
        Ok(s(encrypt_aes(password.as_bytes(), plain.as_bytes())?))
    }));
    v.push(func("decryptAES", Exact(2), |a| {
        let (password, crypt) = (str_arg(a, 0)?, str_arg(a, 1)?);
        if crypt.is_empty() {
            return Ok(s(""));
        }
        Ok(s(decrypt_aes(password.as_bytes(), &crypt)?))
    }));
    v.push(func("derivePassword", Exact(5), |a| {
        let counter = match &a[0] {
            Value::Int(i) if (0..=u32::MAX as i64).contains(i) => *i as u32,
            other => {
                return Err(Fail::Arg(format!(
                    "wrong type for value; expected uint32; got {}",
                    type_name(other)
                )))
            }
        };
        let (typ, password, user, site) = (
            str_arg(a, 1)?,
            str_arg(a, 2)?,
            str_arg(a, 3)?,
            str_arg(a, 4)?,
        );
        Ok(s(derive_password(counter, &typ, &password, &user, &site)?))
    }));
}

/// Sprig's bcrypt: Go's x/crypto bcrypt at the default cost (10), `$2a$`;
/// its error as the result text.
fn bcrypt(password: &str) -> Result<String, Fail> {
    if password.len() > 72 {
        return Ok(
            "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into(),
        );
    }
    let salt: [u8; 16] = super::random::bytes(16)?
        .try_into()
        .map_err(|_| Fail::Call("salt".into()))?;
    let parts =
        ::bcrypt::hash_with_salt(password, 10, salt).map_err(|e| Fail::Call(e.to_string()))?;
    Ok(parts.format_for_version(::bcrypt::Version::TwoA))
}

/// The AES-256 key Sprig makes of a password: its bytes, zero-padded or
/// cut to 32.
fn aes_key(password: &[u8]) -> aes::Aes256 {
    use aes::cipher::KeyInit;
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password[..n]);
    aes::Aes256::new(&key.into())
}

/// encryptAES: PKCS #7 padding, a random IV, CBC, base64 of IV ‖ text.
fn encrypt_aes(password: &[u8], plain: &[u8]) -> Result<String, Fail> {
    use aes::cipher::BlockEncrypt;
    let cipher = aes_key(password);
    let pad = 16 - plain.len() % 16;
    let mut content = plain.to_vec();
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let iv = super::random::bytes(16)?;
    let mut out = iv.clone();
    let mut prev: [u8; 16] = iv.try_into().map_err(|_| Fail::Call("iv".into()))?;
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for (i, b) in block.iter_mut().enumerate() {
            *b = chunk[i] ^ prev[i];
        }
        let mut b = block.into();
        cipher.encrypt_block(&mut b);
        prev = b.into();
        out.extend_from_slice(&prev);
    }
    Ok(super::encoding::b64(&out))
}

/// decryptAES: the reverse, with Go's panics for a text that is not a
/// whole number of blocks or a bad padding byte.
fn decrypt_aes(password: &[u8], crypt64: &str) -> Result<String, Fail> {
    use aes::cipher::BlockDecrypt;
    let crypt = super::encoding::b64_decode(crypt64).map_err(Fail::Call)?;
    if crypt.len() < 16 {
        return Err(Fail::Call(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if !body.len().is_multiple_of(16) {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let cipher = aes_key(password);
    let mut prev: [u8; 16] = iv.try_into().map_err(|_| Fail::Call("iv".into()))?;
    let mut out = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let block: [u8; 16] = chunk.try_into().map_err(|_| Fail::Call("block".into()))?;
        let mut b = block.into();
        cipher.decrypt_block(&mut b);
        let plain: [u8; 16] = b.into();
        out.extend(plain.iter().zip(prev.iter()).map(|(x, y)| x ^ y));
        prev = block;
    }
    let pad = *out.last().unwrap_or(&0) as usize;
    if pad > out.len() {
        return Err(Fail::Call(format!(
            "runtime error: slice bounds out of range [:{}]",
            out.len() as i64 - pad as i64
        )));
    }
    out.truncate(out.len() - pad);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The Master Password algorithm (v3) as Sprig has it: scrypt of the
/// password salted with the user, an HMAC-SHA256 seed of the site and
/// counter, a template chosen and filled from the seed.
fn derive_password(
    counter: u32,
    typ: &str,
    password: &str,
    user: &str,
    site: &str,
) -> Result<String, Fail> {
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let templates: &[&str] = match typ {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        other => return Ok(format!("cannot find password template {other}")),
    };
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| Fail::Call(format!("failed to derive password: {e}")))?;
    let mut key = [0u8; 64];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
        .map_err(|e| Fail::Call(format!("failed to derive password: {e}")))?;
    let mut msg = SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let seed = hmac_sha256(&key, &msg);
    let template = templates[seed[0] as usize % templates.len()];
    let mut out = String::new();
    for (i, c) in template.bytes().enumerate() {
        let chars: &[u8] = match c {
            b'V' => b"AEIOU",
            b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
            b'v' => b"aeiou",
            b'c' => b"bcdfghjklmnpqrstvwxyz",
            b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
            b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
            b'n' => b"0123456789",
            b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
            _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        };
        out.push(chars[seed[i + 1] as usize % chars.len()] as char);
    }
    Ok(out)
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha2::Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(msg.iter().copied())
        .collect();
    let inner_hash = sha2::Sha256::digest(&inner);
    let outer: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(inner_hash.iter().copied())
        .collect();
    sha2::Sha256::digest(&outer).to_vec()
}

/// A fresh RSA key (see keygen.rs for how its primes are found).
fn new_key(bits: usize) -> Result<RsaPrivateKey, Fail> {
    keygen::generate(bits)
}

fn parse_key(text: &str) -> Result<RsaPrivateKey, Fail> {
    let (label, der) = pem_block(text)
        .ok_or_else(|| Fail::Call("error decoding PEM: no PEM block found".into()))?;
    if label != "RSA PRIVATE KEY" {
        return Err(Fail::Call(format!(
            "error parsing private key: {label} keys are not supported by strata"
        )));
    }
    RsaPrivateKey::from_pkcs1_der(&der)
        .map_err(|e| Fail::Call(format!("error parsing private key: {e}")))
}

fn key_pem(key: &RsaPrivateKey) -> Result<String, Fail> {
    let der = key
        .to_pkcs1_der()
        .map_err(|e| Fail::Call(format!("error encoding key: {e}")))?;
    Ok(pem("RSA PRIVATE KEY", der.as_bytes()))
}

/// encoding/pem's Encode: 64 columns of base64 between the lines.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = super::encoding::b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The first PEM block: its label and bytes.
fn pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_string();
    let body_start = label_end + 5;
    let end_marker = format!("-----END {label}-----");
    let end = rest.find(&end_marker)?;
    let body: String = rest[body_start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = super::encoding::b64_decode(&body).ok()?;
    Some((label, der))
}

// ---------------------------------------------------------------------
// DER
// ---------------------------------------------------------------------

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A non-negative INTEGER from big-endian bytes.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = if trimmed.is_empty() { vec![0] } else { trimmed };
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut stack = vec![(arc & 0x7f) as u8];
        let mut x = arc >> 7;
        while x > 0 {
            stack.push(0x80 | (x & 0x7f) as u8);
            x >>= 7;
        }
        stack.reverse();
        content.extend(stack);
    }
    tlv(0x06, &content)
}

fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

fn bit_string(unused: u8, bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![unused];
    content.extend_from_slice(bytes);
    tlv(0x03, &content)
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// X.509 time as Go writes it: UTCTime for 1950–2049, else GeneralizedTime.
fn time(t: Time) -> Vec<u8> {
    let year: i64 = super::dates::format(t, "2006").parse().unwrap_or(1970);
    if (1950..2050).contains(&year) {
        tlv(0x17, super::dates::format(t, "060102150405Z").as_bytes())
    } else {
        tlv(0x18, super::dates::format(t, "20060102150405Z").as_bytes())
    }
}

/// pkix.Name{CommonName: cn}: PrintableString when it can be, else UTF8String.
fn name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let printable = cn.bytes().all(|b| {
        b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b) || b == b'*' || b == b'&'
    });
    let value = if printable {
        tlv(0x13, cn.as_bytes())
    } else {
        tlv(0x0c, cn.as_bytes())
    };
    seq(&[tlv(0x31, &seq(&[oid(&[2, 5, 4, 3]), value]))])
}

fn public_key_der(key: &RsaPrivateKey) -> Vec<u8> {
    seq(&[uint(&key.n().to_bytes_be()), uint(&key.e().to_bytes_be())])
}

fn spki(key: &RsaPrivateKey) -> Vec<u8> {
    seq(&[
        seq(&[oid(&[1, 2, 840, 113549, 1, 1, 1]), null()]),
        bit_string(0, &public_key_der(key)),
    ])
}

/// Go 1.25's generated SubjectKeyId: SHA-256 of the public key, truncated.
fn key_id(key: &RsaPrivateKey) -> Vec<u8> {
    sha2::Sha256::digest(public_key_der(key))[..20].to_vec()
}

fn extension(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(octets(&value));
    seq(&parts)
}

/// What a certificate says beyond its keys.
struct Template {
    cn: String,
    days: i64,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    is_ca: bool,
}

/// x509.CreateCertificate for Sprig's templates, PEM-encoded.
fn create(
    t: &Template,
    key: &RsaPrivateKey,
    issuer: Option<(&[u8], &RsaPrivateKey)>,
) -> Result<String, Fail> {
    let serial = super::random::bytes(16)?;
    let start = now();
    let start = Time {
        secs: start.secs,
        nanos: 0,
    };
    let end = Time {
        secs: start.secs.saturating_add(t.days.saturating_mul(86_400)),
        nanos: 0,
    };
    let sig_alg = seq(&[oid(&[1, 2, 840, 113549, 1, 1, 11]), null()]);
    let subject = name(&t.cn);
    let issuer_name = issuer
        .map(|(n, _)| n.to_vec())
        .unwrap_or_else(|| subject.clone());
    let mut exts = Vec::new();
    // Key usage: digitalSignature, keyEncipherment (+ keyCertSign for a CA).
    exts.push(extension(
        &[2, 5, 29, 15],
        true,
        if t.is_ca {
            bit_string(2, &[0xa4])
        } else {
            bit_string(5, &[0xa0])
        },
    ));
    if !t.is_ca {
        exts.push(extension(
            &[2, 5, 29, 37],
            false,
            seq(&[
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
            ]),
        ));
    }
    if t.is_ca {
        exts.push(extension(
            &[2, 5, 29, 19],
            true,
            seq(&[vec![0x01, 0x01, 0xff]]),
        ));
        exts.push(extension(&[2, 5, 29, 14], false, octets(&key_id(key))));
    }
    if let Some((_, ca_key)) = issuer {
        exts.push(extension(
            &[2, 5, 29, 35],
            false,
            seq(&[tlv(0x80, &key_id(ca_key))]),
        ));
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names = Vec::new();
        for d in &t.dns {
            names.push(tlv(0x82, d.as_bytes()));
        }
        for ip in &t.ips {
            names.push(tlv(0x87, ip));
        }
        exts.push(extension(&[2, 5, 29, 17], false, seq(&names)));
    }
    let tbs = seq(&[
        tlv(0xa0, &uint(&[2])),
        uint(&serial),
        sig_alg.clone(),
        issuer_name,
        seq(&[time(start), time(end)]),
        subject,
        spki(key),
        tlv(0xa3, &seq(&exts)),
    ]);
    let signer = issuer.map(|(_, k)| k).unwrap_or(key);
    let digest = sha2::Sha256::digest(&tbs);
    // DigestInfo for SHA-256, then PKCS #1 v1.5.
    let mut info = vec![
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    info.extend_from_slice(&digest);
    let sig = signer
        .sign(Pkcs1v15Sign::new_unprefixed(), &info)
        .map_err(|e| Fail::Call(format!("error creating certificate: {e}")))?;
    Ok(pem(
        "CERTIFICATE",
        &seq(&[tbs, sig_alg, bit_string(0, &sig)]),
    ))
}

fn ca(cn: &str, days: i64, key: RsaPrivateKey) -> R {
    let t = Template {
        cn: cn.to_string(),
        days,
        ips: Vec::new(),
        dns: Vec::new(),
        is_ca: true,
    };
    let cert = create(&t, &key, None)?;
    Ok(Value::Object(Rc::new(Certificate {
        cert,
        key: key_pem(&key)?,
    })))
}

/// Sprig's getNetIPs and getAlternateDNSStrs.
fn names(a: &[Value]) -> Result<(Vec<Vec<u8>>, Vec<String>), Fail> {
    let list = |v: &Value| -> Result<Vec<Value>, Fail> {
        match v {
            Value::List(l) => Ok(l.to_vec()),
            Value::Nil => Ok(Vec::new()),
            other => Err(Fail::Arg(format!(
                "wrong type for value; expected []interface {{}}; got {}",
                type_name(other)
            ))),
        }
    };
    let mut ips = Vec::new();
    for ip in list(&a[1])? {
        let Value::String(text) = &ip else {
            return Err(Fail::Call(format!(
                "error parsing ip: {} is not a string",
                super::strval(&ip)
            )));
        };
        let parsed: std::net::IpAddr = text
            .parse()
            .map_err(|_| Fail::Call(format!("error parsing ip: {text}")))?;
        ips.push(match parsed {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        });
    }
    let mut dns = Vec::new();
    for d in list(&a[2])? {
        match d {
            Value::String(text) => dns.push(text.to_string()),
            other => {
                return Err(Fail::Call(format!(
                    "error processing alternate dns name: {} is not a string",
                    super::strval(&other)
                )))
            }
        }
    }
    Ok((ips, dns))
}

fn self_signed(a: &[Value], key: RsaPrivateKey) -> R {
    let cn = str_arg(a, 0)?;
    let (ips, dns) = names(a)?;
    let days = int_arg(a, 3)?;
    let t = Template {
        cn: cn.to_string(),
        days,
        ips,
        dns,
        is_ca: false,
    };
    let cert = create(&t, &key, None)?;
    Ok(Value::Object(Rc::new(Certificate {
        cert,
        key: key_pem(&key)?,
    })))
}

fn signed(a: &[Value], key: RsaPrivateKey) -> R {
    let cn = str_arg(a, 0)?;
    let (ips, dns) = names(a)?;
    let days = int_arg(a, 3)?;
    let (ca_cert, ca_key) = match &a[4] {
        Value::Object(o) if o.type_name() == "sprig.certificate" => {
            match (o.field("Cert"), o.field("Key")) {
                (Some(Value::String(c)), Some(Value::String(k))) => (c, k),
                _ => return Err("error parsing CA: no certificate".into()),
            }
        }
        other => {
            return Err(Fail::Arg(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                type_name(other)
            )))
        }
    };
    let (_, ca_der) =
        pem_block(&ca_cert).ok_or_else(|| Fail::Call("error decoding signer cert".into()))?;
    let ca_subject =
        subject_of(&ca_der).ok_or_else(|| Fail::Call("error parsing signer cert".into()))?;
    let ca_key = parse_key(&ca_key)?;
    let t = Template {
        cn: cn.to_string(),
        days,
        ips,
        dns,
        is_ca: false,
    };
    let cert = create(&t, &key, Some((&ca_subject, &ca_key)))?;
    Ok(Value::Object(Rc::new(Certificate {
        cert,
        key: key_pem(&key)?,
    })))
}

/// One DER element at the start of `b`: (tag, whole element, content).
fn element(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, head) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((tag, b.get(..end)?, b.get(head..end)?))
}

/// The subject Name of a certificate (DER), as its bytes.
fn subject_of(cert: &[u8]) -> Option<Vec<u8>> {
    let (_, _, cert_body) = element(cert)?;
    let (_, _, tbs) = element(cert_body)?;
    let mut rest = tbs;
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (tag, whole, _) = element(rest)?;
        fields.push((tag, whole));
        rest = &rest[whole.len()..];
    }
    // [0] version, serial, signature, issuer, validity, subject.
    let offset = if fields.first()?.0 == 0xa0 { 1 } else { 0 };
    Some(fields.get(offset + 4)?.1.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_building_blocks() {
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 1, 11]),
            vec![0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]
        );
        assert_eq!(uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 0x01, 0x05]);
        assert_eq!(tlv(0x04, &[0u8; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(
            time(Time {
                secs: 1614834367,
                nanos: 0
            }),
            tlv(0x17, b"210304050607Z")
        );
        assert_eq!(
            time(Time {
                secs: 2556144000,
                nanos: 0
            }),
            tlv(0x18, b"20510101000000Z")
        );
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use rsa::RsaPublicKey;

    /// (the fields of the TBS certificate, the TBS bytes, the signature)
    type Parts = (Vec<Vec<u8>>, Vec<u8>, Vec<u8>);

    fn tbs_fields(cert: &[u8]) -> Option<Parts> {
        let (_, _, body) = element(cert)?;
        let (_, tbs_whole, tbs) = element(body)?;
        let rest = &body[tbs_whole.len()..];
        let (_, alg, _) = element(rest)?;
        let (_, _, sig) = element(&rest[alg.len()..])?;
        let mut fields = Vec::new();
        let mut r = tbs;
        while !r.is_empty() {
            let (_, whole, _) = element(r)?;
            fields.push(whole.to_vec());
            r = &r[whole.len()..];
        }
        Some((fields, tbs_whole.to_vec(), sig[1..].to_vec()))
    }

    pub fn subject(cert: &[u8]) -> Option<Vec<u8>> {
        Some(tbs_fields(cert)?.0.get(5)?.clone())
    }

    pub fn issuer(cert: &[u8]) -> Option<Vec<u8>> {
        Some(tbs_fields(cert)?.0.get(3)?.clone())
    }

    /// Whether `cert` is signed by the key in `key_pem`.
    pub fn verify(cert: &[u8], key_pem: &str) -> bool {
        let Ok(key) = parse_key(key_pem) else {
            return false;
        };
        let Some((_, tbs, sig)) = tbs_fields(cert) else {
            return false;
        };
        let public = RsaPublicKey::from(&key);
        let mut info = vec![
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        info.extend_from_slice(&sha2::Sha256::digest(&tbs));
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), &info, &sig)
            .is_ok()
    }
}
