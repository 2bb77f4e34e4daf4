//! Sprig's digest functions: lowercase hex of SHA-1/256/512, and Adler-32 as
//! a decimal number (`adler32sum "abc"` is `38600999`).

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::{FuncEnv, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    // Digests of the string's bytes, binary data included.
    const ONE_STRING: Sig = Sig::fixed(&[Ty::StringBytes]);
    reg.add("sha1sum", ONE_STRING, sha1sum);
    reg.add("sha256sum", ONE_STRING, sha256sum);
    reg.add("sha512sum", ONE_STRING, sha512sum);
    reg.add("adler32sum", ONE_STRING, adler32sum);
}

fn input(args: &[Value]) -> &[u8] {
    args.first().and_then(Value::go_str_bytes).unwrap_or(b"")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

fn sha1sum(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(hex(&Sha1::digest(input(args)))))
}

fn sha256sum(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(hex(&Sha256::digest(input(args)))))
}

fn sha512sum(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(hex(&Sha512::digest(input(args)))))
}

/// Adler-32 (RFC 1950): two running sums modulo 65521.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before b could overflow.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += byte as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

fn adler32sum(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(adler32(input(args)).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::NativeFn, s: &str) -> String {
        f(&mut FuncEnv::default(), &[Value::str(s)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            call(sha1sum, "abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            call(sha256sum, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(call(sha512sum, "abc").starts_with("ddaf35a193617aba"));
        assert_eq!(call(adler32sum, "abc"), "38600999");
        assert_eq!(call(adler32sum, ""), "1");
        let big = "x".repeat(100_000);
        assert_eq!(adler32(big.as_bytes()), {
            // Reference: the unchunked definition with u64 sums.
            let (mut a, mut b) = (1u64, 0u64);
            for &c in big.as_bytes() {
                a = (a + c as u64) % 65521;
                b = (b + a) % 65521;
            }
            ((b << 16) | a) as u32
        });
    }
}
