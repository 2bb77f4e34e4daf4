//! The "almost extra strong" Lucas probable-prime test, on the Montgomery
//! arithmetic of [`super::montgomery`].
//!
//! Why our own: together with a base-2 Miller-Rabin round it makes the
//! Baillie-PSW test the RSA prime search ends with. `num_bigint_dig`'s
//! version multiplies and divides generic heap bignums twice per bit, which
//! cost more than all the Miller-Rabin rounds of a 2048-bit key together.
//! This follows the same definition as Go's `math/big` and
//! `num_bigint_dig` (Baillie-OEIS "method C" parameters: the smallest
//! `P ≥ 3` with Jacobi(P² - 4, n) = -1, and Q = 1), so it accepts and rejects
//! the same numbers; the tests compare the two.

use num_bigint_dig::BigUint;

use super::montgomery::{self, Modulus};

/// Beyond this `P` no parameter is searched for (for non-squares the
/// search ends after a handful of tries); `num_bigint_dig` panics there,
/// this reports "not prime".
const MAX_P: u64 = 10_000;

/// Whether odd `n` (little-endian limbs) is an almost-extra-strong Lucas
/// probable prime. `false` for even numbers and for 0 and 1.
pub fn probable_prime(n: &[u64]) -> bool {
    let bits = montgomery::bit_len(n);
    if bits < 2 || n[0] & 1 == 0 {
        return false;
    }
    let Some(p) = choose_p(n) else {
        return false;
    };
    let p = match p {
        Choice::Parameter(p) => p,
        Choice::Decided(prime) => return prime,
    };
    let Some(mut m) = Modulus::new(n) else {
        return false;
    };
    let len = m.limbs();

    // n + 1 = s · 2^r with s odd (Jacobi(D, n) = -1, so this is n - (D/n)).
    let mut s = n[..len].to_vec();
    s.push(0);
    add_one(&mut s);
    let r = montgomery::trailing_zeros(&s);
    let s = montgomery::shift_right(&s, r);

    let p_m = m.to_montgomery(&[p]);
    let mut two = m.one().to_vec();
    m.double(&mut two);

    // V(0) = 2, V(1) = P, and with Q = 1:
    //   V(2k) = V(k)² - 2,  V(2k+1) = V(k)·V(k+1) - P.
    let mut vk = two.clone();
    let mut vk1 = p_m.clone();
    let mut prod = vec![0u64; len];
    for i in (0..montgomery::bit_len(&s)).rev() {
        m.mul(&mut prod, &vk, &vk1);
        m.sub(&mut prod, &p_m); // V(2k+1)
        if montgomery::bit(&s, i) {
            std::mem::swap(&mut vk, &mut prod);
            m.mul(&mut prod, &vk1, &vk1);
            m.sub(&mut prod, &two);
            std::mem::swap(&mut vk1, &mut prod);
        } else {
            std::mem::swap(&mut vk1, &mut prod);
            m.mul(&mut prod, &vk, &vk);
            m.sub(&mut prod, &two);
            std::mem::swap(&mut vk, &mut prod);
        }
    }

    // V(s) ≡ ±2 and U(s) ≡ 0; U(s) = D⁻¹(2·V(s+1) - P·V(s)), so the latter
    // is P·V(s) ≡ 2·V(s+1).
    let mut minus_two = vec![0u64; len];
    m.sub(&mut minus_two, &two);
    if vk == two || vk == minus_two {
        m.mul(&mut prod, &vk, &p_m);
        // p_m is P·R, so prod = P·V(s) in Montgomery form, like 2·V(s+1):
        let mut twice = vk1.clone();
        m.double(&mut twice);
        if prod == twice {
            return true;
        }
    }

    // Or V(2^t·s) ≡ 0 for some 0 ≤ t < r - 1.
    for _ in 1..r {
        if vk.iter().all(|&w| w == 0) {
            return true;
        }
        if vk == two {
            return false; // a fixed point of V ↦ V² - 2: 0 never comes
        }
        m.mul(&mut prod, &vk, &vk);
        m.sub(&mut prod, &two);
        std::mem::swap(&mut vk, &mut prod);
    }
    false
}

enum Choice {
    /// Jacobi(P² - 4, n) = -1.
    Parameter(u64),
    /// The search already answered: P² - 4 shares a factor with n.
    Decided(bool),
}

/// The smallest `P ≥ 3` with Jacobi(P² - 4, n) = -1, or the verdict when
/// `P + 2` turns out to divide `n` (prime only if it *is* `n`). `None` for
/// perfect squares, which have no such `P`, and past [`MAX_P`].
fn choose_p(n: &[u64]) -> Option<Choice> {
    for p in 3..=MAX_P {
        match jacobi_small(p * p - 4, n) {
            -1 => return Some(Choice::Parameter(p)),
            0 => {
                // p² - 4 = (p - 2)(p + 2) and the smaller P were coprime,
                // so p + 2 is a factor.
                let is_n = montgomery::bit_len(n) <= 64 && n[0] == p + 2;
                return Some(Choice::Decided(is_n));
            }
            _ => {}
        }
        if p == 40 && is_square(n) {
            return None;
        }
    }
    None
}

/// Jacobi(a, n) for a small `a` and odd `n > 0`, by quadratic reciprocity
/// down to word-sized numbers.
fn jacobi_small(a: u64, n: &[u64]) -> i32 {
    let mut a = a;
    let mut sign = 1;
    let n_mod_8 = n[0] & 7;
    while a != 0 && a & 1 == 0 {
        a >>= 1;
        if n_mod_8 == 3 || n_mod_8 == 5 {
            sign = -sign;
        }
    }
    if a == 0 {
        return i32::from(montgomery::bit_len(n) == 1);
    }
    if a == 1 {
        return sign;
    }
    if a & 3 == 3 && n[0] & 3 == 3 {
        sign = -sign;
    }
    sign * jacobi_words(rem_word(n, a), a)
}

/// `x mod d` for `d > 0`.
fn rem_word(x: &[u64], d: u64) -> u64 {
    x.iter().rev().fold(0u64, |r, &w| {
        (((u128::from(r) << 64) | u128::from(w)) % u128::from(d)) as u64
    })
}

/// Jacobi(a, n) for word-sized `a` and odd `n`.
fn jacobi_words(mut a: u64, mut n: u64) -> i32 {
    let mut sign = 1;
    a %= n;
    while a != 0 {
        while a & 1 == 0 {
            a >>= 1;
            if n & 7 == 3 || n & 7 == 5 {
                sign = -sign;
            }
        }
        std::mem::swap(&mut a, &mut n);
        if a & 3 == 3 && n & 3 == 3 {
            sign = -sign;
        }
        a %= n;
    }
    if n == 1 {
        sign
    } else {
        0
    }
}

/// Whether `n` is a perfect square (Newton's integer square root; runs
/// only for the rare numbers that reach P = 40 above).
fn is_square(n: &[u64]) -> bool {
    let bytes: Vec<u8> = n.iter().flat_map(|w| w.to_le_bytes()).collect();
    let n = BigUint::from_bytes_le(&bytes);
    let mut x = BigUint::from(1u32) << (n.bits().div_ceil(2));
    loop {
        let y = (&x + &n / &x) >> 1usize;
        if y >= x {
            return &x * &x == n;
        }
        x = y;
    }
}

fn add_one(x: &mut [u64]) {
    for w in x.iter_mut() {
        *w = w.wrapping_add(1);
        if *w != 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint_dig::prime::probably_prime_lucas;
    use rand_core::{OsRng, RngCore};

    fn limbs(x: &BigUint) -> Vec<u64> {
        let bytes = x.to_bytes_le();
        let mut out = vec![0u64; bytes.len().div_ceil(8).max(1)];
        for (i, b) in bytes.iter().enumerate() {
            out[i / 8] |= u64::from(*b) << (8 * (i % 8));
        }
        out
    }

    #[test]
    fn word_jacobi_symbols() {
        // (2/7) = 1, (3/7) = -1, (5/9) = 1, (7/15) = -1, (6/15) = 0
        assert_eq!(jacobi_words(2, 7), 1);
        assert_eq!(jacobi_words(3, 7), -1);
        assert_eq!(jacobi_words(5, 9), 1);
        assert_eq!(jacobi_words(7, 15), -1);
        assert_eq!(jacobi_words(6, 15), 0);
        for n in (3u64..200).step_by(2) {
            for a in 0..60u64 {
                let via_big = jacobi_small(a, &[n, 0]);
                assert_eq!(via_big, jacobi_words(a, n), "({a}/{n})");
            }
        }
    }

    #[test]
    fn agrees_with_num_bigint_dig_on_small_odd_numbers() {
        // Includes the almost-extra-strong Lucas pseudoprimes below 10^5
        // (989, 3239, 5777, 10877, ...), squares and prime powers.
        for n in (3u64..60_000).step_by(2) {
            let expected = probably_prime_lucas(&BigUint::from(n));
            assert_eq!(probable_prime(&[n]), expected, "{n}");
        }
        for n in [989u64, 3239, 5777, 10877] {
            assert!(probable_prime(&[n]), "{n} is a Lucas pseudoprime");
        }
        assert!(!probable_prime(&[1]) && !probable_prime(&[0]) && !probable_prime(&[10]));
    }

    #[test]
    fn agrees_with_num_bigint_dig_on_big_numbers() {
        let one = BigUint::from(1u32);
        let mut cases = vec![
            (BigUint::from(1u32) << 521) - &one,
            (BigUint::from(1u32) << 523) - &one,
            (BigUint::from(1u32) << 607) - &one,
        ];
        // a large square, for the P = 40 check
        let q = (BigUint::from(1u32) << 127) - &one;
        cases.push(&q * &q);
        for bits in [64usize, 65, 512, 1024, 2048] {
            for _ in 0..4 {
                let mut bytes = vec![0u8; bits / 8 + 1];
                OsRng.fill_bytes(&mut bytes);
                let x = (BigUint::from_bytes_le(&bytes) >> (bytes.len() * 8 - bits)) | &one;
                cases.push(x);
            }
        }
        for x in cases {
            assert_eq!(probable_prime(&limbs(&x)), probably_prime_lucas(&x), "{x}");
        }
        for e in [521usize, 607] {
            assert!(probable_prime(&limbs(&((BigUint::from(1u32) << e) - &one))));
        }
        assert!(!probable_prime(&limbs(
            &((BigUint::from(1u32) << 523) - &one)
        )));
    }
}
