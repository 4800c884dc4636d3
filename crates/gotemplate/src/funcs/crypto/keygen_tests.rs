//! The RSA key generator: keys are valid and of the requested size, the
//! primes are primes by an independent test (num-bigint-dig's Baillie–PSW),
//! and the Miller–Rabin test tells known primes from known composites,
//! Carmichael numbers and strong pseudoprimes included.

use num_bigint::BigUint as Big;
use proptest::prelude::*;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::Digest as _;

use super::keygen::{
    generate, is_probable_prime, miller_rabin, miller_rabin_rounds, random_prime_for_test,
    strong_probable_prime_to,
};

/// num-bigint-dig's own test: Miller–Rabin (20 rounds, base 2 forced)
/// and a strong Lucas test — another implementation on another bignum.
fn independently_prime(n: &rsa::BigUint) -> bool {
    num_bigint_dig::prime::probably_prime(n, 20)
}

fn dig(n: &Big) -> rsa::BigUint {
    rsa::BigUint::from_bytes_be(&n.to_bytes_be())
}

fn naive_is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn pow2_minus_1(k: usize) -> Big {
    (Big::from(1u32) << k) - 1u32
}

#[test]
fn keys_have_the_requested_size_validate_and_sign() {
    for bits in [512, 1024, 2048] {
        let key = generate(bits).unwrap();
        assert_eq!(key.n().bits(), bits, "modulus size");
        assert_eq!(*key.e(), rsa::BigUint::from(65537u32));
        key.validate().unwrap();
        let [p, q] = key.primes() else {
            panic!("two primes expected, got {}", key.primes().len());
        };
        assert_eq!(p.bits() + q.bits(), bits);
        assert!(independently_prime(p) && independently_prime(q));
        // |p − q| > 2^(nlen/2 − 100) and d > 2^(nlen/2) (FIPS 186-5).
        let diff = if p > q { p - q } else { q - p };
        assert!(diff.bits() > bits / 2 - 100);
        assert!(key.d().bits() > bits / 2);

        let digest = sha2::Sha256::digest(b"strata");
        let sig = key
            .sign(Pkcs1v15Sign::new_unprefixed(), &digest[..])
            .unwrap();
        let public = RsaPublicKey::from(&key);
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), &digest[..], &sig)
            .unwrap();
        let other = sha2::Sha256::digest(b"strata!");
        assert!(public
            .verify(Pkcs1v15Sign::new_unprefixed(), &other[..], &sig)
            .is_err());
    }
}

#[test]
fn two_keys_differ() {
    let (a, b) = (generate(512).unwrap(), generate(512).unwrap());
    assert_ne!(a.n(), b.n());
}

#[test]
fn unsupported_sizes_fail() {
    assert!(generate(32).is_err());
    assert!(generate(100_000).is_err());
}

#[test]
fn rounds_follow_go() {
    assert_eq!(miller_rabin_rounds(1024), 5);
    assert_eq!(miller_rabin_rounds(2048), 4);
    assert_eq!(miller_rabin_rounds(4096), 3);
    assert_eq!(miller_rabin_rounds(300), 27);
    assert_eq!(miller_rabin_rounds(40), 34);
}

#[test]
fn known_primes_pass() {
    // Mersenne primes 2^k − 1.
    for k in [61, 89, 107, 127, 521, 607, 1279, 2203] {
        let p = pow2_minus_1(k);
        assert!(miller_rabin(&p, 20).unwrap(), "2^{k}-1");
        assert!(is_probable_prime(&p, 20).unwrap(), "2^{k}-1");
    }
    for p in [
        2u64,
        3,
        5,
        7,
        4093,
        65537,
        2_147_483_647,
        18_446_744_073_709_551_557,
    ] {
        assert!(miller_rabin(&Big::from(p), 20).unwrap(), "{p}");
        assert!(is_probable_prime(&Big::from(p), 20).unwrap(), "{p}");
    }
}

#[test]
fn known_composites_fail() {
    // Carmichael numbers: Fermat liars for every coprime base.
    let carmichael: [u64; 14] = [
        561,
        1105,
        1729,
        2465,
        2821,
        6601,
        8911,
        41041,
        825_265,
        321_197_185,
        5_394_826_801,
        232_250_619_601,
        9_746_347_772_161,
        1_436_697_831_295_441,
    ];
    // Strong pseudoprimes to every base up to 2, 3, 5, 7, 11, 13, 17 and
    // 23 (the smallest of each, OEIS A014233).
    let strong: [(u64, u64); 8] = [
        (2047, 2),
        (1_373_653, 3),
        (25_326_001, 5),
        (3_215_031_751, 7),
        (2_152_302_898_747, 11),
        (3_474_749_660_383, 13),
        (341_550_071_728_321, 17),
        (3_825_123_056_546_413_051, 23),
    ];
    for n in carmichael {
        let n = Big::from(n);
        assert!(!miller_rabin(&n, 20).unwrap(), "{n}");
        assert!(!is_probable_prime(&n, 20).unwrap(), "{n}");
    }
    for (n, up_to) in strong {
        let big = Big::from(n);
        for base in [2u64, 3, 5, 7, 11, 13, 17, 19, 23]
            .into_iter()
            .filter(|b| *b <= up_to)
        {
            assert!(strong_probable_prime_to(&big, base), "{n} base {base}");
        }
        assert!(!miller_rabin(&big, 20).unwrap(), "{n}");
        assert!(!is_probable_prime(&big, 20).unwrap(), "{n}");
    }
    // ψ(12): a strong pseudoprime to all bases up to 37, beyond u64.
    let psi12 = Big::parse_bytes(b"318665857834031151167461", 10).unwrap();
    for base in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        assert!(strong_probable_prime_to(&psi12, base), "base {base}");
    }
    assert!(!miller_rabin(&psi12, 20).unwrap());
    // Products of large primes, Fermat numbers, evens, 0 and 1.
    let product = pow2_minus_1(127) * pow2_minus_1(89);
    assert!(!miller_rabin(&product, 20).unwrap());
    let square = pow2_minus_1(521) * pow2_minus_1(521);
    assert!(!miller_rabin(&square, 20).unwrap());
    for k in [32, 64, 128, 256] {
        let fermat = (Big::from(1u32) << k) + 1u32;
        assert!(!miller_rabin(&fermat, 20).unwrap(), "2^{k}+1");
    }
    for n in [0u64, 1, 4, 9, 1 << 40] {
        assert!(!miller_rabin(&Big::from(n), 20).unwrap(), "{n}");
        assert!(!is_probable_prime(&Big::from(n), 20).unwrap(), "{n}");
    }
}

proptest! {
    /// Bases 2..11 decide primality exactly below 2152302898747: the
    /// single rounds agree with trial division on every odd n in range.
    #[test]
    fn fixed_bases_decide_small_numbers(n in (7u64..(1 << 32)).prop_map(|n| n | 1)) {
        let big = Big::from(n);
        let spp = [2u64, 3, 5, 7, 11].iter().filter(|b| **b < n - 1)
            .all(|b| strong_probable_prime_to(&big, *b));
        prop_assert_eq!(spp, naive_is_prime(n));
        prop_assert_eq!(is_probable_prime(&big, 27).unwrap(), naive_is_prime(n));
    }

    /// Random bases: a product of two primes is never taken for a prime.
    #[test]
    fn semiprimes_are_composite(a in 40usize..120, b in 40usize..120) {
        let n = random_prime_for_test(a).unwrap() * random_prime_for_test(b).unwrap();
        prop_assert!(!miller_rabin(&n, 27).unwrap());
    }

    /// Every prime drawn has exactly the requested size, its top two bits
    /// set, gcd(65537, p − 1) = 1, and is prime by the independent test.
    #[test]
    fn random_primes_are_primes_of_the_size(bits in 16usize..300) {
        let p = random_prime_for_test(bits).unwrap();
        prop_assert_eq!(p.bits(), bits as u64);
        prop_assert!(p.bit(bits as u64 - 2));
        prop_assert!(&p % 65537u32 != Big::from(1u32));
        prop_assert!(independently_prime(&dig(&p)));
    }
}

/// Timings, old generator (rsa's, num-bigint-dig) and new:
/// `cargo test --release -p strata-gotemplate -- --ignored --nocapture keygen_timing`
#[test]
#[ignore]
fn keygen_timing() {
    use std::time::Instant;
    fn time(label: &str, runs: usize, f: impl Fn()) {
        let mut ms: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:.1} ms, min {:.1}, max {:.1} ({runs} runs)",
            ms[runs / 2],
            ms[0],
            ms[runs - 1]
        );
    }
    time("new 2048", 21, || drop(generate(2048).unwrap()));
    time("new 4096", 7, || drop(generate(4096).unwrap()));
    time("rsa::RsaPrivateKey::new 2048", 7, || {
        drop(rsa::RsaPrivateKey::new(&mut super::OsRng, 2048).unwrap())
    });
    time("rsa::RsaPrivateKey::new 4096", 3, || {
        drop(rsa::RsaPrivateKey::new(&mut super::OsRng, 4096).unwrap())
    });
}

#[test]
#[ignore]
fn keygen_profile() {
    use std::time::Instant;
    let p = random_prime_for_test(1024).unwrap();
    let e = &p - 1u32;
    let b = Big::from(3u32);
    let t = Instant::now();
    for _ in 0..50 {
        std::hint::black_box(b.modpow(&e, &p));
    }
    println!(
        "modpow 1024: {:.3} ms",
        t.elapsed().as_secs_f64() * 1000.0 / 50.0
    );
    let p2 = random_prime_for_test(2048).unwrap();
    let e2 = &p2 - 1u32;
    let t = Instant::now();
    for _ in 0..10 {
        std::hint::black_box(b.modpow(&e2, &p2));
    }
    println!(
        "modpow 2048: {:.3} ms",
        t.elapsed().as_secs_f64() * 1000.0 / 10.0
    );
    let t = Instant::now();
    let mut n = 0;
    for i in 0..2000u32 {
        let w = &p + Big::from(2 * i);
        n += usize::from(super::keygen::sieve_passes_for_test(&w));
    }
    println!(
        "sieve 1024: {:.3} us/candidate, {n}/2000 pass",
        t.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
    let t = Instant::now();
    let mut k = 0;
    for _ in 0..20 {
        k += random_prime_for_test(1024).unwrap().bits();
    }
    println!(
        "prime 1024: {:.3} ms ({k})",
        t.elapsed().as_secs_f64() * 1000.0 / 20.0
    );
}
