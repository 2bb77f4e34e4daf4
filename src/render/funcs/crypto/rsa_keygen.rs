//! RSA key generation with a much cheaper prime search than the `rsa` crate's.
//!
//! Why: `rsa::RsaPrivateKey::new` sieves candidates only by the primes up to
//! 53 and then runs a `num_bigint_dig` modular exponentiation (allocating,
//! generic) on every survivor; `genCA` / `genSignedCert` / `genPrivateKey`
//! made key generation dominate the rendering of charts that use them.
//!
//! Here:
//! - candidates are walked from a random odd start, and a whole window of
//!   them is sieved at once by every odd prime below [`sieve_limit`]: the
//!   residues of the start are computed once (division-free, see
//!   [`SmallPrime`]), then multiples are crossed off in a bitmap. That
//!   leaves about `1.12 / ln(limit)` of the odd numbers, each needing one
//!   exponentiation.
//! - survivors get Miller-Rabin with our own fixed-width Montgomery
//!   arithmetic ([`super::montgomery`]): base 2 first (where nearly every
//!   composite fails, and which needs only squarings and doublings), then
//!   [`extra_rounds`] random bases, then a Lucas test ([`super::lucas`];
//!   base 2 + Lucas is Baillie-PSW), which runs about once per prime.
//! - the survivors of a window are tested by the calling thread and a
//!   detached helper thread together ([`first_prime`]), with exactly the
//!   result a sequential walk gives.
//! - the key is assembled by `rsa` itself, so the result is an ordinary
//!   valid key.

use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize};
use std::sync::Arc;

use rand_core::{CryptoRng, RngCore};
use rsa::{BigUint, RsaPrivateKey};

use super::montgomery::{self, Base, Modulus};

/// How many consecutive odd numbers one sieve window covers. The average
/// prime gap is `ln(2^bits)` (~710 at 1024 bits, so ~355 odd numbers); a
/// window this wide essentially never runs dry, and crossing off is cheap.
const WINDOW_ODDS: usize = 1 << 13;

/// Odd primes below this bound are sieved out before any exponentiation.
/// Each bound step thins the survivors only logarithmically (a fraction
/// `1.12 / ln(limit)` of the odd numbers is left), while the residues of
/// each start cost `bits / 16` cheap steps per small prime; exponentiations
/// grow with `bits³`, so bigger candidates warrant a longer list. Measured
/// on 2048- and 4096-bit keys: flat between 2^16 and 2^18 for 1024-bit
/// primes; for 2048-bit primes 2^18 beats 2^16 by ~15% and 2^20 gains
/// nothing more (while its table would take ~1 MiB).
fn sieve_limit(bits: usize) -> u32 {
    if bits > 1536 {
        1 << 18
    } else if bits > 384 {
        1 << 16
    } else {
        1 << 12
    }
}

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

/// A small prime with the reciprocal that makes reducing by it a pair of
/// multiplications (Lemire's "fastmod": `floor(2^64 / p) + 1`, exact for
/// 32-bit dividends), instead of a hardware division per step.
#[derive(Clone, Copy)]
struct SmallPrime {
    p: u32,
    reciprocal: u64,
}

impl SmallPrime {
    fn new(p: u32) -> SmallPrime {
        SmallPrime {
            p,
            reciprocal: (u64::MAX / u64::from(p)).wrapping_add(1),
        }
    }

    /// `x mod p` for any 32-bit `x`.
    #[inline(always)]
    fn reduce(self, x: u32) -> u32 {
        let low = self.reciprocal.wrapping_mul(u64::from(x));
        ((u128::from(low) * u128::from(self.p)) >> 64) as u32
    }
}

/// Odd primes below `limit` (Eratosthenes over the odd numbers).
fn small_odd_primes(limit: u32) -> Vec<SmallPrime> {
    let odds = (limit as usize) / 2; // index i stands for 2i + 1
    let mut composite = vec![false; odds];
    let mut primes = Vec::new();
    for i in 1..odds {
        if composite[i] {
            continue;
        }
        let p = 2 * i + 1;
        primes.push(SmallPrime::new(p as u32));
        let mut j = p * p / 2;
        while j < odds {
            composite[j] = true;
            j += p;
        }
    }
    primes
}

/// `x mod p` for every small prime, by Horner's rule over chunks of as
/// many bits as keep `(r << chunk) | bits` below 2^32 (so each step is one
/// [`SmallPrime::reduce`]). `primes` must be ascending.
///
/// The loop runs chunk-major so that the reductions for different primes
/// are independent and overlap in the pipeline.
fn residues(x: &[u64], primes: &[SmallPrime]) -> Vec<u32> {
    let mut out = vec![0u32; primes.len()];
    let Some(largest) = primes.last() else {
        return out;
    };
    let chunk = largest.p.leading_zeros() as usize;
    let bits = montgomery::bit_len(x);
    let mut top = bits.div_ceil(chunk) * chunk;
    while top > 0 {
        top -= chunk;
        let piece = bits_at(x, top, chunk);
        for (r, sp) in out.iter_mut().zip(primes) {
            *r = sp.reduce((*r << chunk) | piece);
        }
    }
    out
}

/// The `width` bits of `x` starting at bit `at` (zero past the end).
fn bits_at(x: &[u64], at: usize, width: usize) -> u32 {
    let word = at / 64;
    let shift = at % 64;
    let mut v = x.get(word).map_or(0, |w| w >> shift);
    if shift + width > 64 {
        v |= x.get(word + 1).map_or(0, |w| w << (64 - shift));
    }
    (v & ((1u64 << width) - 1)) as u32
}

/// A random odd number of exactly `bits` bits with the two top bits set
/// (so the product of two such primes has exactly twice as many bits),
/// as little-endian limbs.
fn random_start<R: RngCore + CryptoRng>(rng: &mut R, bits: usize) -> Vec<u64> {
    let len = bits.div_ceil(64);
    let mut x: Vec<u64> = (0..len).map(|_| rng.next_u64()).collect();
    let top = bits - (len - 1) * 64; // 1..=64 bits used in the top limb
    if top < 64 {
        x[len - 1] &= (1u64 << top) - 1;
    }
    set_bit(&mut x, bits - 1);
    set_bit(&mut x, bits - 2);
    x[0] |= 1;
    x
}

fn set_bit(x: &mut [u64], i: usize) {
    x[i / 64] |= 1 << (i % 64);
}

/// `x + small`, in place; returns the carry out of the top limb.
fn add_small(x: &mut [u64], small: u64) -> bool {
    let mut carry = small;
    for w in x.iter_mut() {
        let (s, c) = w.overflowing_add(carry);
        *w = s;
        if !c {
            return false;
        }
        carry = 1;
    }
    carry != 0
}

/// A uniformly random base in `[2, 2^(bits-1))`, which lies inside
/// `[2, n - 2]` for an odd `n` of `bits` bits.
fn random_base<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Vec<u64> {
    let keep = bits - 1;
    loop {
        let mut a: Vec<u64> = (0..keep.div_ceil(64)).map(|_| rng.next_u64()).collect();
        if !keep.is_multiple_of(64) {
            if let Some(top) = a.last_mut() {
                *top &= (1u64 << (keep % 64)) - 1;
            }
        }
        if montgomery::bit_len(&a) > 1 {
            return a;
        }
    }
}

/// Baillie-PSW plus `extra_rounds` random-base Miller-Rabin rounds on an
/// odd `candidate` that survived the sieve.
fn is_probable_prime<R: RngCore + CryptoRng + ?Sized>(rng: &mut R, candidate: &[u64]) -> bool {
    let bits = montgomery::bit_len(candidate);
    if bits < 3 {
        return bits == 2 && candidate[0] == 3; // no base fits between 1 and n - 1
    }
    let Some(mut modulus) = Modulus::new(candidate) else {
        return false;
    };
    if !montgomery::strong_probable_prime(&mut modulus, Base::Two) {
        return false;
    }
    for _ in 0..extra_rounds(bits) {
        let base = random_base(rng, bits);
        if !montgomery::strong_probable_prime(&mut modulus, Base::Value(&base)) {
            return false;
        }
    }
    super::lucas::probable_prime(candidate)
}

fn to_biguint(x: &[u64]) -> BigUint {
    let bytes: Vec<u8> = x.iter().flat_map(|w| w.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// A random prime of exactly `bits` bits (`bits >= 32`) with the two top
/// bits set. With `parallel`, the survivors of each window are tested by
/// two threads (see [`first_prime`]).
fn random_prime<R: RngCore + CryptoRng>(
    rng: &mut R,
    bits: usize,
    primes: &[SmallPrime],
    parallel: bool,
) -> BigUint {
    let mut crossed = vec![false; WINDOW_ODDS];
    loop {
        let start = random_start(rng, bits);
        let mut last = start.clone();
        if add_small(&mut last, 2 * (WINDOW_ODDS as u64 - 1)) || montgomery::bit_len(&last) != bits
        {
            continue; // the window would run past the bit size (~never)
        }
        let residues = residues(&start, primes);
        // Odd number k of the window is start + 2k; p divides it when
        // 2k ≡ -r (mod p), i.e. k ≡ (p - r)·(p + 1)/2 (mod p).
        crossed.fill(false);
        for (sp, &r) in primes.iter().zip(&residues) {
            let p = sp.p as usize;
            let half = p.div_ceil(2); // the inverse of 2 mod p
            let mut k = ((p - r as usize) % p) * half % p;
            while k < WINDOW_ODDS {
                crossed[k] = true;
                k += p;
            }
        }
        let offsets: Vec<usize> = (0..WINDOW_ODDS).filter(|&k| !crossed[k]).collect();
        if let Some(prime) = first_prime(rng, &start, &offsets, parallel) {
            return to_biguint(&prime);
        }
    }
}

/// `start + 2k`.
fn window_member(start: &[u64], k: usize) -> Vec<u64> {
    let mut x = start.to_vec();
    add_small(&mut x, 2 * k as u64);
    x
}

/// One window's survivors, shared with the helper thread of
/// [`first_prime`].
struct Window {
    start: Vec<u64>,
    offsets: Vec<usize>,
    /// Next index of `offsets` nobody has claimed yet.
    next: AtomicUsize,
    /// Per index: [`UNTESTED`], [`COMPOSITE`] or [`PRIME`]; the first
    /// verdict stored wins.
    verdict: Vec<AtomicU8>,
    /// Smallest index found prime so far (`usize::MAX`: none).
    best: AtomicUsize,
    /// Set when the answer is known: the helper stops.
    done: AtomicBool,
}

const UNTESTED: u8 = 0;
const COMPOSITE: u8 = 1;
const PRIME: u8 = 2;

impl Window {
    fn test<R: RngCore + CryptoRng + ?Sized>(&self, rng: &mut R, i: usize) {
        let prime = is_probable_prime(rng, &window_member(&self.start, self.offsets[i]));
        let verdict = if prime { PRIME } else { COMPOSITE };
        let _ = self.verdict[i].compare_exchange(UNTESTED, verdict, SeqCst, SeqCst);
        if prime {
            self.best.fetch_min(i, SeqCst);
        }
    }

    /// The helper's loop: claim indices in order until the answer is known
    /// or nothing below the best prime is left.
    fn help(&self) {
        while !self.done.load(SeqCst) {
            let i = self.next.fetch_add(1, SeqCst);
            if i >= self.offsets.len() || i > self.best.load(SeqCst) {
                break;
            }
            self.test(&mut rand_core::OsRng, i);
        }
    }
}

/// The first probable prime among `start + 2k` for the ascending
/// `offsets`, in that order (so exactly what a sequential walk returns).
///
/// Why a helper thread: testing the survivors is all of the work, the
/// tests are independent, and while a template renders the second core is
/// mostly idle. Both threads claim survivors in order from a shared
/// counter and record verdicts; the answer is the first prime verdict with
/// only composite ones before it. The calling thread never waits for the
/// helper: when the only open index before the answer is the helper's
/// current one, it tests that one itself; the helper is detached and stops
/// at its next check. On a busy machine this costs at most the helper's
/// CPU time, never the caller's progress. The helper draws its
/// Miller-Rabin bases from the OS (`OsRng`), as the callers' generator does.
fn first_prime<R: RngCore + CryptoRng>(
    rng: &mut R,
    start: &[u64],
    offsets: &[usize],
    parallel: bool,
) -> Option<Vec<u64>> {
    let len = offsets.len();
    let window = Arc::new(Window {
        start: start.to_vec(),
        offsets: offsets.to_vec(),
        next: AtomicUsize::new(0),
        verdict: (0..len).map(|_| AtomicU8::new(UNTESTED)).collect(),
        best: AtomicUsize::new(usize::MAX),
        done: AtomicBool::new(false),
    });
    if parallel && len > 1 {
        let shared = Arc::clone(&window);
        // Without the thread (spawn failed), this thread does all the work.
        let _ = std::thread::Builder::new().spawn(move || shared.help());
    }
    let mut resolved = 0; // every index below is known composite
    let answer = loop {
        while resolved < len && window.verdict[resolved].load(SeqCst) == COMPOSITE {
            resolved += 1;
        }
        if resolved == len {
            break None;
        }
        if window.verdict[resolved].load(SeqCst) == PRIME {
            break Some(resolved);
        }
        // Claim new work while it can still matter; otherwise the open index
        // `resolved` is in the helper's hands: test it here too.
        let i = window.next.fetch_add(1, SeqCst);
        let i = if i < len && i < window.best.load(SeqCst) {
            i
        } else {
            resolved
        };
        window.test(rng, i);
    };
    window.done.store(true, SeqCst);
    answer.map(|i| window_member(start, offsets[i]))
}

/// Whether a helper thread would find a core of its own: more than one
/// core, and (where Linux reports it) no more runnable threads right now
/// than cores, counting this one (an idle machine often shows one
/// transient extra). Why ask: with an idle core the helper made keys
/// ~1.5x faster, but on a machine busy with other work it only splits this
/// process's share of the CPU and key generation measured slower. (The
/// 1-minute load average would lag, and would count a benchmark loop of
/// rudder itself as load.)
fn spare_core() -> bool {
    let Ok(cores) = std::thread::available_parallelism() else {
        return false;
    };
    if cores.get() < 2 {
        return false;
    }
    // "0.52 0.58 0.59 2/467 12345": the fourth field is runnable/total.
    let runnable = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| {
            let field = text.split_whitespace().nth(3)?;
            field.split('/').next()?.parse::<usize>().ok()
        });
    runnable.is_none_or(|running| running <= cores.get())
}

/// A new RSA key with a `bits`-bit modulus and public exponent 65537, as Go's
/// `rsa.GenerateKey` makes for Sprig's `genPrivateKey`/`genCA`.
pub fn generate<R: RngCore + CryptoRng>(rng: &mut R, bits: usize) -> Result<RsaPrivateKey, String> {
    if bits < 64 {
        // Tiny sizes are never asked by the templates; keep the crate's path.
        return RsaPrivateKey::new(rng, bits).map_err(|e| e.to_string());
    }
    let (p_bits, q_bits) = (bits - bits / 2, bits / 2);
    let primes = small_odd_primes(sieve_limit(p_bits));
    let exponent = BigUint::from(65_537u32);
    let parallel = spare_core();
    loop {
        let p = random_prime(rng, p_bits, &primes, parallel);
        let q = random_prime(rng, q_bits, &primes, parallel);
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
    use num_bigint_dig::prime::probably_prime;
    use rand_core::OsRng;
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    fn bit(x: &BigUint, i: usize) -> bool {
        ((x >> i) & BigUint::from(1u32)) == BigUint::from(1u32)
    }

    #[test]
    fn sieve_lists_odd_primes() {
        let primes: Vec<u32> = small_odd_primes(1 << 12).iter().map(|s| s.p).collect();
        assert_eq!(&primes[..6], &[3, 5, 7, 11, 13, 17]);
        assert!(primes.iter().all(|&p| p < 1 << 12 && p % 2 == 1));
        assert!(!primes.contains(&9) && !primes.contains(&15));
        // π(4096) = 564, minus the prime 2
        assert_eq!(primes.len(), 563);
        assert_eq!(small_odd_primes(1 << 18).len(), 23_000 - 1);
    }

    #[test]
    fn residues_match_bignum_remainders() {
        let primes = small_odd_primes(1 << 18);
        for bits in [64usize, 100, 1024, 2048] {
            let x = random_start(&mut OsRng, bits);
            let big = to_biguint(&x);
            let got = residues(&x, &primes);
            for (sp, r) in primes.iter().zip(got).step_by(97) {
                assert_eq!(BigUint::from(r), &big % BigUint::from(sp.p), "mod {}", sp.p);
            }
            let last = primes.last().unwrap();
            assert_eq!(
                BigUint::from(residues(&x, &[*last])[0]),
                &big % BigUint::from(last.p)
            );
        }
    }

    #[test]
    fn starts_and_bases_have_the_promised_shape() {
        for bits in [32usize, 63, 64, 65, 1024, 1025] {
            let x = to_biguint(&random_start(&mut OsRng, bits));
            assert_eq!(x.bits(), bits);
            assert!(bit(&x, bits - 2) && bit(&x, 0));
            let a = to_biguint(&random_base(&mut OsRng, bits));
            assert!(a >= BigUint::from(2u32) && a.bits() < bits);
        }
    }

    #[test]
    fn known_numbers() {
        let check = |n: u64| is_probable_prime(&mut OsRng, &[n]);
        assert!(check(3) && check(5) && check(7));
        assert!(!check(1) && !check(9));
        assert!(check(2_147_483_647));
        assert!(check(4_294_967_291));
        // strong pseudoprimes to base 2 (and 3, 5, 7), Carmichael numbers
        for c in [
            2047u64,
            3_215_031_751,
            561,
            41_041,
            825_265,
            3_825_123_056_546_413_051,
        ] {
            assert!(!check(c), "{c}");
        }
    }

    #[test]
    fn primes_have_exact_size_and_pass_the_test() {
        for bits in [32usize, 128, 257, 512] {
            let primes = small_odd_primes(sieve_limit(bits));
            let p = random_prime(&mut OsRng, bits, &primes, bits > 128);
            assert_eq!(p.bits(), bits);
            assert!(bit(&p, bits - 2));
            assert!(probably_prime(&p, 20));
        }
    }

    #[test]
    fn two_lanes_find_the_same_prime_as_one() {
        for bits in [64usize, 256] {
            for _ in 0..20 {
                let start = random_start(&mut OsRng, bits);
                // unsieved: many composites before the first prime, which
                // the lanes must all test before agreeing on it
                let offsets: Vec<usize> = (0..4000).collect();
                let one = first_prime(&mut OsRng, &start, &offsets, false);
                let two = first_prime(&mut OsRng, &start, &offsets, true);
                assert!(one.is_some());
                assert_eq!(one, two);
            }
        }
        assert_eq!(first_prime(&mut OsRng, &[9], &[0], true), None);
        assert_eq!(first_prime(&mut OsRng, &[9], &[], true), None);
    }

    #[test]
    fn keys_are_valid_and_sized() {
        for bits in [512usize, 1024, 2048] {
            let key = generate(&mut OsRng, bits).expect("key");
            assert_eq!(key.n().bits(), bits);
            assert_eq!(key.e(), &BigUint::from(65_537u32));
            assert_eq!(key.primes().len(), 2);
            for p in key.primes() {
                assert_eq!(p.bits(), bits / 2);
                assert!(probably_prime(p, 10));
            }
            key.validate().expect("valid key");
        }
    }
}
