//! RSA key generation with a cheaper prime search than the `rsa` crate's.
//!
//! Why: `rsa::RsaPrivateKey::new` sieves candidates only by the primes up to
//! 53 and then runs a full modular exponentiation on every survivor; for a
//! 1024-bit prime that is ~100 exponentiations, and `genCA` /
//! `genSignedCert` / `genPrivateKey` made key generation dominate the
//! rendering of charts that use them. Here candidates are sieved
//! incrementally by every prime below [`SIEVE_LIMIT`] (residues of a random
//! start are computed once, then each step `start + delta` costs only small
//! integer arithmetic), which leaves roughly a third of the exponentiations.
//! Survivors get Miller-Rabin (base 2 plus random bases, as many rounds as
//! the FIPS 186 tables ask for the size, see [`extra_rounds`]) and a Lucas
//! test, and the key is assembled by `rsa` itself, so the result is an
//! ordinary valid key.

use num_bigint_dig::prime::probably_prime;
use rand_core::{CryptoRng, RngCore};
use rsa::{BigUint, RsaPrivateKey};

/// Small primes below this bound are sieved out before any exponentiation.
const SIEVE_LIMIT: u32 = 1 << 14;

/// How far past a random start the search walks before drawing a new start.
const MAX_DELTA: u32 = 1 << 16;

/// Random-base Miller-Rabin rounds run in addition to the base-2 round and
/// the Lucas test (together Baillie-PSW). For random candidates of 1024 bits
/// and more, 5 rounds in all already meet the 2^-100 error bound of the
/// FIPS 186 tables; smaller sizes keep the `rsa` crate's 20.
fn extra_rounds(bits: usize) -> usize {
    if bits >= 1024 {
        4
    } else {
        20
    }
}

/// Odd primes below [`SIEVE_LIMIT`] (Eratosthenes; computed per key, cheap).
fn small_odd_primes() -> Vec<u32> {
    let n = SIEVE_LIMIT as usize;
    let mut composite = vec![false; n];
    let mut primes = Vec::new();
    for i in (3..n).step_by(2) {
        if composite[i] {
            continue;
        }
        primes.push(i as u32);
        let mut j = i * i;
        while j < n {
            composite[j] = true;
            j += i;
        }
    }
    primes
}

/// A random prime of exactly `bits` bits with the two top bits set (so the
/// product of two such primes has exactly twice as many bits).
fn random_prime<R: RngCore + CryptoRng>(rng: &mut R, bits: usize, primes: &[u32]) -> BigUint {
    let len = bits.div_ceil(8);
    let top_bits = bits - (len - 1) * 8; // 1..=8 bits used in the first byte
    let mut bytes = vec![0u8; len];
    loop {
        rng.fill_bytes(&mut bytes);
        bytes[0] &= ((1u16 << top_bits) - 1) as u8;
        if top_bits >= 2 {
            bytes[0] |= 3 << (top_bits - 2);
        } else {
            bytes[0] |= 1;
            if len > 1 {
                bytes[1] |= 0x80;
            }
        }
        bytes[len - 1] |= 1;
        let start = BigUint::from_bytes_be(&bytes);
        let residues: Vec<u32> = primes
            .iter()
            .map(|&p| {
                bytes
                    .iter()
                    .fold(0u32, |r, &b| ((r << 8) | u32::from(b)) % p)
            })
            .collect();
        let mut delta = 0u32;
        while delta < MAX_DELTA {
            let sieved = primes
                .iter()
                .zip(&residues)
                .any(|(&p, &r)| (r + delta).is_multiple_of(p));
            if !sieved {
                let candidate = &start + BigUint::from(delta);
                if candidate.bits() != bits {
                    break; // walked past the bit size: draw a new start
                }
                if probably_prime(&candidate, extra_rounds(bits)) {
                    return candidate;
                }
            }
            delta += 2;
        }
    }
}

/// A new RSA key with a `bits`-bit modulus and public exponent 65537, as Go's
/// `rsa.GenerateKey` makes for Sprig's `genPrivateKey`/`genCA`.
pub fn generate<R: RngCore + CryptoRng>(rng: &mut R, bits: usize) -> Result<RsaPrivateKey, String> {
    if bits < 64 {
        // Tiny sizes are never asked by the templates; keep the crate's path.
        return RsaPrivateKey::new(rng, bits).map_err(|e| e.to_string());
    }
    let primes = small_odd_primes();
    let exponent = BigUint::from(65_537u32);
    loop {
        let p = random_prime(rng, bits - bits / 2, &primes);
        let q = random_prime(rng, bits / 2, &primes);
        if p == q {
            continue;
        }
        // Fails only when 65537 divides lcm(p-1, q-1): draw again.
        if let Ok(key) = RsaPrivateKey::from_p_q(p, q, exponent.clone()) {
            if rsa::traits::PublicKeyParts::n(&key).bits() == bits {
                return Ok(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    #[test]
    fn sieve_lists_odd_primes() {
        let primes = small_odd_primes();
        assert_eq!(&primes[..6], &[3, 5, 7, 11, 13, 17]);
        assert!(primes.iter().all(|&p| p < SIEVE_LIMIT && p % 2 == 1));
        assert!(!primes.contains(&9) && !primes.contains(&15));
    }

    #[test]
    fn primes_have_exact_size_and_pass_the_test() {
        let primes = small_odd_primes();
        for bits in [128usize, 257, 512] {
            let p = random_prime(&mut OsRng, bits, &primes);
            assert_eq!(p.bits(), bits);
            assert!(probably_prime(&p, 20));
        }
    }

    #[test]
    fn keys_are_valid_and_sized() {
        let key = generate(&mut OsRng, 1024).expect("key");
        assert_eq!(key.n().bits(), 1024);
        assert_eq!(key.e(), &BigUint::from(65_537u32));
        assert_eq!(key.primes().len(), 2);
        key.validate().expect("valid key");
    }
}
