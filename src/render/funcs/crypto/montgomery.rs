//! Montgomery arithmetic modulo one odd number, over little-endian `u64`
//! limbs, for the Miller-Rabin rounds of the RSA prime search.
//!
//! Why not `num_bigint_dig`: its `modpow` allocates fresh bignums for every
//! product and reduces generically; a 1024-bit exponentiation spent most of
//! its time in the allocator and in `div_rem`. Here every buffer is sized
//! once per modulus and each step is one CIOS (coarsely integrated operand
//! scanning) multiplication, i.e. about `2·n²` word multiplications for `n`
//! limbs and nothing else. Why not `crypto-bigint`: its Montgomery types are
//! constant-time (full table scans, no early exits), which costs a lot and
//! buys nothing while testing *candidates*: a composite is thrown away, and
//! the search walks on from a random start anyway.
//!
//! Not constant-time: the exponent bits decide which multiplications run.
//! That matters for secret exponents only; the Miller-Rabin exponents are
//! `(candidate - 1) / 2^s`, the same kind of data the `rsa` crate's own
//! (also variable-time) prime search exposes.

/// An odd modulus `n > 1` with what Montgomery multiplication by it needs.
pub struct Modulus {
    /// `n`, little-endian, with no zero top limb.
    n: Vec<u64>,
    /// `-n⁻¹ mod 2⁶⁴`, the per-limb reduction factor.
    n0_inv: u64,
    /// `R mod n` with `R = 2^(64·limbs)`: the Montgomery form of 1.
    one: Vec<u64>,
    /// `n - (R mod n)`: the Montgomery form of −1.
    minus_one: Vec<u64>,
    /// Product accumulator of `limbs` words, reused by every step.
    scratch: Vec<u64>,
    /// The double-width square of [`Modulus::square`] (`2·limbs + 1` words).
    wide: Vec<u64>,
}

impl Modulus {
    /// `None` unless `n` is odd and greater than 1 (the Montgomery
    /// representation needs `n` coprime to the limb base).
    pub fn new(n: &[u64]) -> Option<Modulus> {
        let len = n.iter().rposition(|&w| w != 0)? + 1;
        let n = n[..len].to_vec();
        if n[0] & 1 == 0 || (len == 1 && n[0] == 1) {
            return None;
        }
        let n0_inv = neg_inverse_mod_word(n[0]);
        // R mod n: start from the top bit of n (below n, as n is odd and
        // larger than it) and double up to 2^(64·len).
        let bits = bit_len(&n);
        let mut one = vec![0u64; len];
        one[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
        let mut m = Modulus {
            n,
            n0_inv,
            one: Vec::new(),
            minus_one: Vec::new(),
            scratch: vec![0; len],
            wide: vec![0; 2 * len + 1],
        };
        for _ in 0..(64 * len - (bits - 1)) {
            m.double(&mut one);
        }
        let mut minus_one = m.n.clone();
        sub_in_place(&mut minus_one, &one);
        m.one = one;
        m.minus_one = minus_one;
        Some(m)
    }

    /// Number of limbs every residue of this modulus has.
    pub fn limbs(&self) -> usize {
        self.n.len()
    }

    /// The modulus itself.
    pub fn value(&self) -> &[u64] {
        &self.n
    }

    /// The Montgomery form of 1.
    pub fn one(&self) -> &[u64] {
        &self.one
    }

    /// `x ← 2x mod n` for `x < n`: a shift and at most one subtraction,
    /// far cheaper than a multiplication.
    pub fn double(&self, x: &mut [u64]) {
        let mut carry = 0u64;
        for w in x.iter_mut() {
            let top = *w >> 63;
            *w = (*w << 1) | carry;
            carry = top;
        }
        if carry != 0 || !less_than(x, &self.n) {
            sub_in_place(x, &self.n);
        }
    }

    /// `x ← x - y mod n` for `x, y < n`.
    pub fn sub(&self, x: &mut [u64], y: &[u64]) {
        let below = less_than(x, y);
        sub_in_place(x, y);
        if below {
            add_in_place(x, &self.n);
        }
    }

    /// `out ← a·b·R⁻¹ mod n` for `a, b < n` (Montgomery product, CIOS
    /// with the multiplication and reduction passes fused into one loop so
    /// their two carry chains overlap). `out` must not alias the inputs; it
    /// always ends up below `n`.
    pub fn mul(&mut self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let len = self.n.len();
        let (n, a, b) = (&self.n[..len], &a[..len], &b[..len]);
        let t = &mut self.scratch[..len];
        t.fill(0);
        let mut top = 0u64; // t's word above the `len` limbs (0 or 1)
        for &bi in b {
            // t = (t + a·bi + m·n) / 2^64, where m makes the low word vanish
            let (low, mut carry_ab) = mul_add(t[0], a[0], bi, 0);
            let m = low.wrapping_mul(self.n0_inv);
            let (_, mut carry_mn) = mul_add(low, m, n[0], 0);
            for j in 1..len {
                let (sum, c) = mul_add(t[j], a[j], bi, carry_ab);
                carry_ab = c;
                let (sum, c) = mul_add(sum, m, n[j], carry_mn);
                carry_mn = c;
                t[j - 1] = sum;
            }
            let high = u128::from(top) + u128::from(carry_ab) + u128::from(carry_mn);
            t[len - 1] = high as u64;
            top = (high >> 64) as u64;
        }
        // t < 2n: one conditional subtraction brings it below n.
        out.copy_from_slice(t);
        if top != 0 || !less_than(out, n) {
            sub_in_place(out, n);
        }
    }

    /// `out ← a²·R⁻¹ mod n` for `a < n`: the full square first, each cross
    /// product computed once and doubled (about ¾ of [`Modulus::mul`]'s
    /// multiplications), then a separate Montgomery reduction. Squarings are
    /// most of a modular exponentiation, hence most of RSA key generation.
    /// `out` must not alias `a`.
    pub fn square(&mut self, out: &mut [u64], a: &[u64]) {
        let Modulus {
            n, n0_inv, wide, ..
        } = self;
        // The sizes of RSA primes (1024 bits for 2048-bit keys, the common
        // case; 512, 1536 and 2048) get copies of the code with the width
        // a constant: the loops have fixed bounds, their index checks
        // vanish and they unroll (measured: nginx's `genCA` +
        // `genSignedCert` ~20% faster).
        match n.len() {
            8 => square_width(8, n, *n0_inv, wide, out, a),
            16 => square_width(16, n, *n0_inv, wide, out, a),
            24 => square_width(24, n, *n0_inv, wide, out, a),
            32 => square_width(32, n, *n0_inv, wide, out, a),
            len => square_width(len, n, *n0_inv, wide, out, a),
        }
    }

    /// `x mod n` in Montgomery form (`x·R mod n`) for any `x`: Horner's
    /// rule over the bits of `x` with doublings, then `64·limbs` more
    /// doublings for the factor `R`. A few multiplications' worth of shifts,
    /// and no need for `R² mod n`.
    pub fn to_montgomery(&self, x: &[u64]) -> Vec<u64> {
        let mut v = vec![0u64; self.n.len()];
        for i in (0..bit_len(x)).rev() {
            self.double(&mut v);
            if bit(x, i) {
                self.add_one(&mut v);
            }
        }
        for _ in 0..64 * self.n.len() {
            self.double(&mut v);
        }
        v
    }

    /// `x ← x + 1 mod n` for `x < n`.
    fn add_one(&self, x: &mut [u64]) {
        for w in x.iter_mut() {
            *w = w.wrapping_add(1);
            if *w != 0 {
                break;
            }
        }
        if x == self.n.as_slice() {
            x.fill(0);
        }
    }

    /// The ordinary value of a Montgomery-form residue (`x·R⁻¹ mod n`).
    #[cfg(test)]
    pub fn plain_value(&mut self, x: &[u64]) -> Vec<u64> {
        let mut unit = vec![0u64; self.n.len()];
        unit[0] = 1;
        let mut out = vec![0u64; self.n.len()];
        self.mul(&mut out, x, &unit);
        out
    }

    /// `base^exp` for a Montgomery-form `base`, result in Montgomery form.
    /// Left-to-right sliding window over odd powers: one squaring per
    /// exponent bit plus one multiplication per window.
    pub fn pow(&mut self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        let len = self.n.len();
        let bits = bit_len(exp);
        if bits == 0 {
            return self.one.clone();
        }
        let window = window_size(bits);
        // table[k] = base^(2k+1)
        let entries = 1usize << (window - 1);
        let mut table = vec![0u64; entries * len];
        table[..len].copy_from_slice(base);
        let mut square = vec![0u64; len];
        self.square(&mut square, base);
        for k in 1..entries {
            let (done, rest) = table.split_at_mut(k * len);
            self.mul(&mut rest[..len], &done[(k - 1) * len..], &square);
        }

        let mut acc = self.one.clone();
        let mut tmp = vec![0u64; len];
        let mut started = false;
        let mut i = bits as isize - 1;
        while i >= 0 {
            if !bit(exp, i as usize) {
                self.square(&mut tmp, &acc);
                std::mem::swap(&mut acc, &mut tmp);
                i -= 1;
                continue;
            }
            // Longest window i..=j (at most `window` bits) ending in a 1.
            let mut j = (i - window as isize + 1).max(0);
            while !bit(exp, j as usize) {
                j += 1;
            }
            let mut value = 0usize;
            for b in (j..=i).rev() {
                value = (value << 1) | bit(exp, b as usize) as usize;
            }
            let entry = &table[(value >> 1) * len..][..len];
            if started {
                for _ in j..=i {
                    self.square(&mut tmp, &acc);
                    std::mem::swap(&mut acc, &mut tmp);
                }
                self.mul(&mut tmp, &acc, entry);
                std::mem::swap(&mut acc, &mut tmp);
            } else {
                acc.copy_from_slice(entry);
                started = true;
            }
            i = j - 1;
        }
        acc
    }

    /// `2^exp` in Montgomery form. Base 2 is where almost every composite
    /// candidate is rejected, and multiplying by 2 is a doubling, so this
    /// is one squaring per bit and nothing else of note.
    pub fn pow2(&mut self, exp: &[u64]) -> Vec<u64> {
        let len = self.n.len();
        let mut acc = self.one.clone();
        let mut tmp = vec![0u64; len];
        for i in (0..bit_len(exp)).rev() {
            self.square(&mut tmp, &acc);
            std::mem::swap(&mut acc, &mut tmp);
            if bit(exp, i) {
                self.double(&mut acc);
            }
        }
        acc
    }

    /// Whether `x` (Montgomery form) is `n - 1`, i.e. −1.
    fn is_minus_one(&self, x: &[u64]) -> bool {
        x == self.minus_one.as_slice()
    }
}

/// Which base a Miller-Rabin round uses.
pub enum Base<'a> {
    /// Base 2, computed with doublings (see [`Modulus::pow2`]).
    Two,
    /// Any base `1 < a < n - 1`, little-endian limbs.
    Value(&'a [u64]),
}

/// One Miller-Rabin round: whether `n` is a strong probable prime to
/// `base`. `n` must be odd and greater than 3; otherwise `false`.
pub fn strong_probable_prime(m: &mut Modulus, base: Base<'_>) -> bool {
    let n = m.value().to_vec();
    if bit_len(&n) < 3 {
        return false;
    }
    // n - 1 = d · 2^s with d odd
    let mut n_minus_1 = n.clone();
    n_minus_1[0] &= !1;
    let s = trailing_zeros(&n_minus_1);
    let d = shift_right(&n_minus_1, s);
    let mut x = match base {
        Base::Two => m.pow2(&d),
        Base::Value(a) => {
            let a = m.to_montgomery(a);
            m.pow(&a, &d)
        }
    };
    if x == m.one() || m.is_minus_one(&x) {
        return true;
    }
    let mut tmp = vec![0u64; m.limbs()];
    for _ in 1..s {
        m.square(&mut tmp, &x);
        std::mem::swap(&mut x, &mut tmp);
        if m.is_minus_one(&x) {
            return true;
        }
        if x == m.one() {
            return false; // a non-trivial square root of 1: composite
        }
    }
    false
}

/// `-n⁻¹ mod 2⁶⁴` for odd `n`, by Newton iteration (each step doubles the
/// number of correct low bits; `n` itself is right to 3 bits).
fn neg_inverse_mod_word(n: u64) -> u64 {
    let mut inv = n;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// [`Modulus::square`] for a modulus `n` of `len` limbs, with `t` its
/// `2·len + 1`-word scratch. Always inlined, so that a constant `len`
/// makes a copy with fixed loop bounds. The reduction carries each row's
/// overflow into the next row's top word (`extra`) instead of rippling it
/// up at once, so no loop has a data-dependent length.
#[inline(always)]
fn square_width(len: usize, n: &[u64], n0_inv: u64, t: &mut [u64], out: &mut [u64], a: &[u64]) {
    let (n, a, t, out) = (&n[..len], &a[..len], &mut t[..2 * len + 1], &mut out[..len]);
    t.fill(0);
    // cross products a[i]·a[j], i < j
    for i in 0..len {
        let mut carry = 0u64;
        for j in i + 1..len {
            let (sum, c) = mul_add(t[i + j], a[i], a[j], carry);
            t[i + j] = sum;
            carry = c;
        }
        t[i + len] = carry;
    }
    // doubled, plus the squares a[i]² on the diagonal
    let mut shifted_out = 0u64;
    for w in t[..2 * len].iter_mut() {
        let next = *w >> 63;
        *w = (*w << 1) | shifted_out;
        shifted_out = next;
    }
    let mut carry = 0u64;
    for i in 0..len {
        let (low, high) = mul_add(t[2 * i], a[i], a[i], carry);
        t[2 * i] = low;
        let sum = u128::from(t[2 * i + 1]) + u128::from(high);
        t[2 * i + 1] = sum as u64;
        carry = (sum >> 64) as u64;
    }
    // Montgomery reduction: clear the low `len` words one at a time.
    let mut extra = 0u64;
    for i in 0..len {
        let factor = t[i].wrapping_mul(n0_inv);
        let mut carry = 0u64;
        for j in 0..len {
            let (sum, c) = mul_add(t[i + j], factor, n[j], carry);
            t[i + j] = sum;
            carry = c;
        }
        let top = u128::from(t[i + len]) + u128::from(carry) + u128::from(extra);
        t[i + len] = top as u64;
        extra = (top >> 64) as u64;
    }
    // t[len..] + extra·R < 2n: one conditional subtraction brings it below n.
    out.copy_from_slice(&t[len..2 * len]);
    if extra != 0 || !less_than(out, n) {
        sub_in_place(out, n);
    }
}

/// `t + a·b + c` as (low, high) words; cannot overflow 128 bits.
#[inline(always)]
fn mul_add(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = u128::from(t) + u128::from(a) * u128::from(b) + u128::from(c);
    (r as u64, (r >> 64) as u64)
}

/// `a < b` for equally long little-endian numbers.
fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a ← a - b` modulo `2^(64·len)` (the borrow out is dropped: callers
/// only subtract when the true result is non-negative).
fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
}

/// `a ← a + b` modulo `2^(64·len)` (used to undo a wrapped subtraction).
fn add_in_place(a: &mut [u64], b: &[u64]) {
    let mut carry = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (s1, c1) = x.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 || c2;
    }
}

/// Number of significant bits.
pub fn bit_len(x: &[u64]) -> usize {
    match x.iter().rposition(|&w| w != 0) {
        Some(i) => i * 64 + 64 - x[i].leading_zeros() as usize,
        None => 0,
    }
}

pub fn bit(x: &[u64], i: usize) -> bool {
    (x[i / 64] >> (i % 64)) & 1 == 1
}

pub fn trailing_zeros(x: &[u64]) -> usize {
    match x.iter().position(|&w| w != 0) {
        Some(i) => i * 64 + x[i].trailing_zeros() as usize,
        None => 0,
    }
}

pub fn shift_right(x: &[u64], shift: usize) -> Vec<u64> {
    let (words, bits) = (shift / 64, shift % 64);
    let mut out = vec![0u64; x.len()];
    for i in 0..x.len().saturating_sub(words) {
        let lo = x[i + words] >> bits;
        let hi = if bits > 0 && i + words + 1 < x.len() {
            x[i + words + 1] << (64 - bits)
        } else {
            0
        };
        out[i] = lo | hi;
    }
    out
}

/// Sliding-window width for an exponent of `bits` bits: wider windows
/// save multiplications but cost `2^(w-1)` table entries up front.
fn window_size(bits: usize) -> usize {
    match bits {
        0..=24 => 2,
        25..=80 => 3,
        81..=240 => 4,
        241..=1536 => 5,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint_dig::BigUint;
    use rand_core::{OsRng, RngCore};

    fn limbs(x: &BigUint, len: usize) -> Vec<u64> {
        let bytes = x.to_bytes_le();
        let mut out = vec![0u64; len.max(bytes.len().div_ceil(8))];
        for (i, b) in bytes.iter().enumerate() {
            out[i / 8] |= u64::from(*b) << (8 * (i % 8));
        }
        out
    }

    fn big(x: &[u64]) -> BigUint {
        let bytes: Vec<u8> = x.iter().flat_map(|w| w.to_le_bytes()).collect();
        BigUint::from_bytes_le(&bytes)
    }

    fn random(bits: usize) -> BigUint {
        let mut bytes = vec![0u8; bits.div_ceil(8)];
        OsRng.fill_bytes(&mut bytes);
        BigUint::from_bytes_le(&bytes) >> (bytes.len() * 8 - bits)
    }

    /// A random odd modulus of exactly `bits` bits.
    fn odd_modulus(bits: usize) -> BigUint {
        let n = random(bits) | (BigUint::from(1u32) << (bits - 1)) | BigUint::from(1u32);
        assert_eq!(n.bits(), bits);
        n
    }

    /// `base^exp mod n` through the Montgomery code, in ordinary form.
    fn modexp(n: &BigUint, base: &BigUint, exp: &BigUint) -> BigUint {
        let mut m = Modulus::new(&limbs(n, 0)).expect("odd modulus");
        let len = m.limbs();
        let b = m.to_montgomery(&limbs(base, len));
        let r = m.pow(&b, &limbs(exp, 0));
        big(&m.plain_value(&r))
    }

    #[test]
    fn word_inverse() {
        for n in [1u64, 3, 5, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def1] {
            assert_eq!(n.wrapping_mul(neg_inverse_mod_word(n)), u64::MAX);
        }
    }

    #[test]
    fn rejects_even_and_trivial_moduli() {
        assert!(Modulus::new(&[]).is_none());
        assert!(Modulus::new(&[0, 0]).is_none());
        assert!(Modulus::new(&[1, 0]).is_none());
        assert!(Modulus::new(&[10]).is_none());
        assert!(Modulus::new(&[3, 0, 0]).is_some_and(|m| m.limbs() == 1));
    }

    #[test]
    fn pow_matches_modpow_on_random_inputs() {
        for bits in [3usize, 64, 65, 127, 512, 1024, 1536, 2048] {
            for _ in 0..3 {
                let n = odd_modulus(bits);
                let base = random(bits + 7);
                let exp = random(bits);
                assert_eq!(
                    modexp(&n, &base, &exp),
                    base.modpow(&exp, &n),
                    "{bits} bits"
                );
            }
        }
    }

    #[test]
    fn square_matches_mul() {
        for bits in [64, 65, 127, 128, 500, 512, 1024, 1536, 2048] {
            for round in 0..20 {
                let n = odd_modulus(bits);
                let mut m = Modulus::new(&limbs(&n, 0)).expect("odd modulus");
                let len = m.limbs();
                // random residues, and n - 1 (every word of the square carries)
                let a = if round == 0 {
                    &n - 1u32
                } else {
                    random(bits) % &n
                };
                let a = limbs(&a, len);
                let (mut by_mul, mut by_square) = (vec![0; len], vec![0; len]);
                m.mul(&mut by_mul, &a, &a);
                m.square(&mut by_square, &a);
                assert_eq!(by_mul, by_square, "{bits} bits, round {round}");
            }
        }
    }

    #[test]
    fn pow_edge_exponents_and_bases() {
        let n = odd_modulus(1024);
        let base = random(1000);
        let zero = BigUint::from(0u32);
        let one = BigUint::from(1u32);
        assert_eq!(modexp(&n, &base, &zero), one);
        assert_eq!(modexp(&n, &base, &one), &base % &n);
        assert_eq!(modexp(&n, &zero, &BigUint::from(5u32)), zero);
        let n_minus_1 = &n - &one;
        assert_eq!(modexp(&n, &n_minus_1, &BigUint::from(2u32)), one);
        // every window pattern: all-ones exponents and a single top bit
        let ones = (BigUint::from(1u32) << 300) - &one;
        assert_eq!(modexp(&n, &base, &ones), base.modpow(&ones, &n));
        let top = BigUint::from(1u32) << 777;
        assert_eq!(modexp(&n, &base, &top), base.modpow(&top, &n));
    }

    #[test]
    fn pow2_matches_modpow() {
        let two = BigUint::from(2u32);
        for bits in [5usize, 64, 512, 1024, 2048] {
            let n = odd_modulus(bits);
            let exp = random(bits);
            let mut m = Modulus::new(&limbs(&n, 0)).unwrap();
            let r = m.pow2(&limbs(&exp, 0));
            assert_eq!(big(&m.plain_value(&r)), two.modpow(&exp, &n));
        }
    }

    fn is_sprp(n: u64, base: u64) -> bool {
        let mut m = Modulus::new(&[n]).unwrap();
        if base == 2 {
            strong_probable_prime(&mut m, Base::Two)
        } else {
            strong_probable_prime(&mut m, Base::Value(&[base]))
        }
    }

    #[test]
    fn miller_rabin_small_numbers() {
        for p in [5u64, 7, 13, 65_537, 2_147_483_647, 1_000_000_007] {
            for base in [2u64, 3] {
                assert!(is_sprp(p, base), "{p} is prime");
            }
        }
        // Carmichael numbers: Fermat liars for every coprime base, but not
        // strong probable primes to base 2 (8911 even fools base 3).
        for c in [561u64, 1105, 1729, 2465, 2821, 6601, 8911] {
            assert!(!is_sprp(c, 2), "{c}");
        }
        assert!(is_sprp(8911, 3));
        // strong pseudoprimes to base 2 (pass base 2, fail base 3)
        for c in [2047u64, 3277, 4033, 4681] {
            assert!(is_sprp(c, 2), "{c} fools base 2");
            assert!(!is_sprp(c, 3), "{c} is caught by base 3");
        }
        // 3215031751 is a strong pseudoprime to bases 2, 3, 5 and 7
        for base in [2u64, 3, 5, 7] {
            assert!(is_sprp(3_215_031_751, base));
        }
        assert!(!is_sprp(3_215_031_751, 11));
        for c in [9u64, 15, 21, 1_000_000_007 * 3] {
            assert!(!is_sprp(c, 2), "{c}");
        }
    }

    #[test]
    fn miller_rabin_big_numbers() {
        // 2^521 - 1 and 2^607 - 1 are Mersenne primes; 2^523 - 1 is not, but
        // like every 2^p - 1 with p prime it is a strong pseudoprime to base 2
        // (2^p ≡ 1), which is why random bases follow the base-2 round.
        let one = BigUint::from(1u32);
        let base = limbs(&BigUint::from(12_345u32), 1);
        for (e, prime) in [(521usize, true), (607, true), (523, false)] {
            let n = (BigUint::from(1u32) << e) - &one;
            let mut m = Modulus::new(&limbs(&n, 0)).unwrap();
            assert!(strong_probable_prime(&mut m, Base::Two), "2^{e}-1");
            assert_eq!(
                strong_probable_prime(&mut m, Base::Value(&base)),
                prime,
                "2^{e}-1"
            );
        }
        // a product of two ~512-bit primes is rejected
        let p = (BigUint::from(1u32) << 521) - &one;
        let q = (BigUint::from(1u32) << 607) - &one;
        let mut m = Modulus::new(&limbs(&(p * q), 0)).unwrap();
        assert!(!strong_probable_prime(&mut m, Base::Two));
        assert!(!strong_probable_prime(&mut m, Base::Value(&base)));
    }
}
