//! A multiply-rotate hash for the render pipeline's own tables and checks:
//! several times cheaper than the default SipHash, which showed in parse
//! profiles. Not for anything fed by an attacker who benefits from
//! collisions: the parser's interning tables are capped in size, and the
//! manifest fingerprint only confirms a text the pipeline produced itself.

use std::hash::Hasher;

/// The hasher (use with `BuildHasherDefault<FastHasher>`).
#[derive(Default)]
pub struct FastHasher(u64);

impl FastHasher {
    fn mix(&mut self, word: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut word = [0u8; 8];
            word[..tail.len()].copy_from_slice(tail);
            self.mix(u64::from_le_bytes(word));
        }
    }

    // One round per integer, without the byte-slice loop (interned path
    // addresses, the end marker `str` hashing writes).
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Length and hash of `bytes`: tells whether two texts are the same
/// without keeping a copy of one of them.
pub fn fingerprint(bytes: &[u8]) -> (usize, u64) {
    let mut h = FastHasher::default();
    h.write(bytes);
    (bytes.len(), h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_texts_apart() {
        assert_eq!(fingerprint(b"kind: A\n"), fingerprint(b"kind: A\n"));
        assert_ne!(fingerprint(b"kind: A\n"), fingerprint(b"kind: B\n"));
        // The zero padding of a short tail does not make texts equal.
        assert_ne!(fingerprint(b"ab"), fingerprint(b"ab\0"));
        assert_ne!(fingerprint(b""), fingerprint(b"\0"));
    }
}
