//! RSA key generation as Go's crypto/rsa does it (FIPS 186-5, Appendix
//! A.1.3), with num-bigint's Montgomery exponentiation instead of the rsa
//! crate's own generator (num-bigint-dig), which was ten times slower.
//!
//! Each prime is a fresh random odd number of exactly the requested size
//! with its top two bits set (so that p·q is never a bit short), rejected
//! cheaply if a small prime divides it or if 65537 divides p − 1, then
//! tested with Miller–Rabin rounds on random bases, as many as Go runs for
//! that size. No candidate is derived from another (no incremental
//! search), so every prime of the size is equally likely, as in Go. The
//! key itself is built by the rsa crate from p and q (d from φ(n), as Go
//! and `RsaPrivateKey::new` compute it), which validates it.

use std::sync::OnceLock;

use num_bigint::BigUint as Big;
use rsa::traits::PrivateKeyParts;
use rsa::RsaPrivateKey;

use super::Fail;

/// The public exponent, Go's and everybody's.
const E: u32 = 65537;

/// Small primes below this bound are tried as divisors of every candidate
/// before Miller–Rabin: each division costs far less than the modular
/// exponentiation it usually saves, up to about here.
const SIEVE_BOUND: u32 = 16384;

/// An RSA key whose modulus has exactly `bits` bits.
pub(super) fn generate(bits: usize) -> Result<RsaPrivateKey, Fail> {
    if !(64..=16384).contains(&bits) {
        return Err(fail(format!("unsupported key size {bits}")));
    }
    let half = bits as u64 / 2;
    loop {
        let p = random_prime(bits.div_ceil(2))?;
        let q = random_prime(bits / 2)?;
        if p == q {
            return Err(fail("generated p == q, random source is broken"));
        }
        if (&p * &q).bits() != bits as u64 {
            return Err(fail("internal error: modulus size incorrect"));
        }
        // FIPS 186-5 A.1.3 step 5.5: |p − q| > 2^(nlen/2 − 100). Failing
        // has probability about 2^-97; drawing again is what the standard
        // asks.
        let diff = if p > q { &p - &q } else { &q - &p };
        if bits >= 256 && diff.bits() <= half - 100 {
            continue;
        }
        let key = RsaPrivateKey::from_primes(vec![dig(&p), dig(&q)], rsa::BigUint::from(E))
            .map_err(|e| fail(e.to_string()))?;
        // A.1.1: d > 2^(nlen/2); failing has probability about 2^-(nlen/2).
        if (key.d().bits() as u64) <= half {
            continue;
        }
        return Ok(key);
    }
}

fn fail(msg: impl std::fmt::Display) -> Fail {
    Fail::Call(format!("error generating RSA key: {msg}"))
}

/// num-bigint's number as the rsa crate's (num-bigint-dig).
fn dig(n: &Big) -> rsa::BigUint {
    rsa::BigUint::from_bytes_be(&n.to_bytes_be())
}

fn random_bytes(buf: &mut [u8]) -> Result<(), Fail> {
    getrandom::fill(buf).map_err(fail)
}

/// A random prime of exactly `bits` bits (≥ 16) whose top two bits are set
/// and for which gcd(65537, p − 1) = 1.
fn random_prime(bits: usize) -> Result<Big, Fail> {
    let mut b = vec![0u8; bits.div_ceil(8)];
    let excess = b.len() * 8 - bits;
    let rounds = miller_rabin_rounds(bits as u64);
    loop {
        random_bytes(&mut b)?;
        b[0] &= 0xff >> excess;
        // The top two bits: p > 3/2 · 2^(bits−1) > √2 · 2^(bits−1).
        if excess < 7 {
            b[0] |= 0xc0 >> excess;
        } else {
            b[0] |= 0x01;
            b[1] |= 0x80;
        }
        if let Some(last) = b.last_mut() {
            *last |= 1;
        }
        let w = Big::from_bytes_be(&b);
        if !sieve_passes(&w) {
            continue;
        }
        if miller_rabin(&w, rounds)? {
            return Ok(w);
        }
    }
}

/// Miller–Rabin rounds with random bases for a random candidate of this
/// size: FIPS 186-5 Table B.1's error bounds, the numbers Go's
/// crypto/rsa (after BoringSSL) uses.
pub(super) fn miller_rabin_rounds(bits: u64) -> usize {
    match bits {
        3747.. => 3,
        1345.. => 4,
        476.. => 5,
        400.. => 6,
        347.. => 7,
        308.. => 8,
        55.. => 27,
        _ => 34,
    }
}

/// Products of consecutive odd primes below [`SIEVE_BOUND`], each under
/// 2^64, with the primes they are made of: one pass over the candidate's
/// limbs per product gives the remainders by all its primes.
struct Chunk {
    product: u64,
    primes: Vec<u64>,
}

fn chunks() -> &'static [Chunk] {
    static CHUNKS: OnceLock<Vec<Chunk>> = OnceLock::new();
    CHUNKS.get_or_init(|| {
        let mut out: Vec<Chunk> = Vec::new();
        let mut cur = Chunk {
            product: 1,
            primes: Vec::new(),
        };
        for p in small_primes().iter().skip(1) {
            let p = u64::from(*p);
            match cur.product.checked_mul(p) {
                Some(m) => {
                    cur.product = m;
                    cur.primes.push(p);
                }
                None => {
                    out.push(cur);
                    cur = Chunk {
                        product: p,
                        primes: vec![p],
                    };
                }
            }
        }
        out.push(cur);
        out
    })
}

/// The primes below [`SIEVE_BOUND`] (Eratosthenes).
fn small_primes() -> &'static [u32] {
    static PRIMES: OnceLock<Vec<u32>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        let n = SIEVE_BOUND as usize;
        let mut composite = vec![false; n];
        let mut out = Vec::new();
        for i in 2..n {
            if !composite[i] {
                out.push(i as u32);
                for j in (i * i..n).step_by(i) {
                    composite[j] = true;
                }
            }
        }
        out
    })
}

/// `w mod m` for a single-limb m.
fn rem_u64(w: &Big, m: u64) -> u64 {
    w.iter_u64_digits()
        .rev()
        .fold(0u128, |r, d| ((r << 64) | u128::from(d)) % u128::from(m)) as u64
}

/// Whether an odd `w` larger than [`SIEVE_BOUND`] survives trial division
/// by the small odd primes and has gcd(65537, w − 1) = 1 (65537 is prime,
/// so that is w mod 65537 ≠ 1: FIPS 186-5 A.1.3 step 4.5, checked before
/// the expensive test).
fn sieve_passes(w: &Big) -> bool {
    for chunk in chunks() {
        let r = rem_u64(w, chunk.product);
        if chunk.primes.iter().any(|p| r.is_multiple_of(*p)) {
            return false;
        }
    }
    rem_u64(w, u64::from(E)) != 1
}

/// Whether `w` is (probably) prime: exact below [`SIEVE_BOUND`]², else
/// trial division and `rounds` Miller–Rabin rounds on random bases.
#[cfg(test)]
pub(super) fn is_probable_prime(w: &Big, rounds: usize) -> Result<bool, Fail> {
    let bound = u64::from(SIEVE_BOUND);
    if let Some(small) = u64::try_from(w).ok().filter(|&v| v < bound * bound) {
        return Ok(small >= 2
            && small_primes()
                .iter()
                .map(|&p| u64::from(p))
                .take_while(|p| p * p <= small)
                .all(|p| !small.is_multiple_of(p)));
    }
    let divisible = chunks().iter().any(|c| {
        let r = rem_u64(w, c.product);
        c.primes.iter().any(|p| r.is_multiple_of(*p))
    });
    if !w.bit(0) || divisible {
        return Ok(false);
    }
    miller_rabin(w, rounds)
}

/// `w − 1 = m · 2^a` with m odd, for an odd w > 3.
struct Decomposed {
    w_minus_1: Big,
    m: Big,
    a: u64,
}

fn decompose(w: &Big) -> Decomposed {
    let w_minus_1 = w - 1u32;
    let a = w_minus_1.trailing_zeros().unwrap_or(0);
    let m = &w_minus_1 >> a;
    Decomposed { w_minus_1, m, a }
}

/// FIPS 186-5 B.3.1 (exact below 5, false for even `w`): `rounds` rounds, each with a base
/// drawn uniformly from [2, w − 2] by rejection.
pub(super) fn miller_rabin(w: &Big, rounds: usize) -> Result<bool, Fail> {
    if let Some(v) = u64::try_from(w).ok().filter(|&v| v < 5) {
        return Ok(v == 2 || v == 3);
    }
    if !w.bit(0) {
        return Ok(false);
    }
    let bits = w.bits();
    let d = decompose(w);
    let mut buf = vec![0u8; (bits as usize).div_ceil(8)];
    let excess = buf.len() * 8 - bits as usize;
    let mut done = 0;
    while done < rounds {
        random_bytes(&mut buf)?;
        buf[0] &= 0xff >> excess;
        let b = Big::from_bytes_be(&buf);
        if b <= Big::from(1u32) || b >= d.w_minus_1 {
            continue;
        }
        if !strong_probable_prime(w, &d, &b) {
            return Ok(false);
        }
        done += 1;
    }
    Ok(true)
}

/// One Miller–Rabin round: whether `w` is a strong probable prime to base
/// `b` (1 < b < w − 1).
fn strong_probable_prime(w: &Big, d: &Decomposed, b: &Big) -> bool {
    let mut z = b.modpow(&d.m, w);
    if z == Big::from(1u32) || z == d.w_minus_1 {
        return true;
    }
    for _ in 1..d.a {
        z = &z * &z % w;
        if z == d.w_minus_1 {
            return true;
        }
        if z == Big::from(1u32) {
            return false;
        }
    }
    false
}

/// A Miller–Rabin round with a chosen base, for the tests.
#[cfg(test)]
pub(super) fn strong_probable_prime_to(w: &Big, base: u64) -> bool {
    strong_probable_prime(w, &decompose(w), &Big::from(base))
}

#[cfg(test)]
pub(super) fn random_prime_for_test(bits: usize) -> Result<Big, Fail> {
    random_prime(bits)
}

#[cfg(test)]
pub(super) fn sieve_passes_for_test(w: &Big) -> bool {
    sieve_passes(w)
}
