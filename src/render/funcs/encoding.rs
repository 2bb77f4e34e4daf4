//! Sprig's base64/base32 functions, and Go-compatible codecs other function
//! families reuse (PEM bodies, `randBytes`, `encryptAES`).
//!
//! Decoding follows Go's `encoding/base64` and `encoding/base32` exactly,
//! including which byte offset a `illegal base64 data at input byte N` error
//! names: Sprig returns that error text *as the decoded string*.

use super::{FuncEnv, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    // Go strings are bytes: encoders see binary data as it is, and decoded
    // binary stays binary (a `Value::RawString` when it is not UTF-8).
    const ONE_STRING: Sig = Sig::fixed(&[Ty::StringBytes]);
    reg.add("b64enc", ONE_STRING, b64enc);
    reg.add("b64dec", ONE_STRING, b64dec);
    reg.add("b32enc", ONE_STRING, b32enc);
    reg.add("b32dec", ONE_STRING, b32dec);
}

fn input(args: &[Value]) -> &[u8] {
    args.first().and_then(Value::go_str_bytes).unwrap_or(b"")
}

/// The decoder input as text: the decoders reject every non-ASCII byte, so
/// a lossy view names the same offsets.
fn input_text(args: &[Value]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input(args))
}

fn b64enc(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(base64_encode(input(args))))
}

fn b64dec(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(match base64_decode(&input_text(args)) {
        Ok(bytes) => Value::from_go_bytes(bytes),
        Err(e) => Value::string(e),
    })
}

fn b32enc(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(base32_encode(input(args))))
}

fn b32dec(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(match base32_decode(&input_text(args)) {
        Ok(bytes) => Value::from_go_bytes(bytes),
        Err(e) => Value::string(e),
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Standard base64 with `=` padding.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_value(c: u8) -> Option<u32> {
    B64.iter().position(|&x| x == c).map(|p| p as u32)
}

fn corrupt64(at: usize) -> String {
    format!("illegal base64 data at input byte {at}")
}

/// Go's `base64.StdEncoding.DecodeString`: `\r` and `\n` are skipped,
/// padding is mandatory; the error names Go's offset.
pub(crate) fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let src = s.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        let mut trailing_error = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is required: a partial quantum at the end is corrupt.
                return Err(corrupt64(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = b64_value(c) {
                quantum[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(corrupt64(si - 1));
            }
            // Padding: only after two or three data characters.
            match j {
                0 | 1 => return Err(corrupt64(si - 1)),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(corrupt64(src.len()));
                    }
                    if src[si] != b'=' {
                        return Err(corrupt64(si - 1));
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_error = Some(corrupt64(si));
            }
            len = j;
            break;
        }
        let n = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(e) = trailing_error {
            return Err(e);
        }
    }
    Ok(out)
}

/// Standard base32 (RFC 4648) with `=` padding.
pub(crate) fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, &b| acc << 8 | b as u64);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn corrupt32(at: usize) -> String {
    format!("illegal base32 data at input byte {at}")
}

/// Go's `base32.StdEncoding.DecodeString`: newlines are removed first, then
/// 8-character quanta are decoded; offsets refer to the newline-free text.
pub(crate) fn base32_decode(s: &str) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = s.bytes().filter(|&c| c != b'\n' && c != b'\r').collect();
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::new();
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut quantum = [0u8; 8];
        let mut len = 8;
        let mut j = 0;
        while j < 8 {
            if rest.is_empty() {
                return Err(corrupt32(olen - j));
            }
            let c = rest[0];
            rest = &rest[1..];
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(corrupt32(olen));
                }
                for k in 0..(7 - j) {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(corrupt32(olen - rest.len() + k - 1));
                    }
                }
                len = j;
                end = true;
                if matches!(len, 1 | 3 | 6) {
                    return Err(corrupt32(olen - rest.len() - 1));
                }
                break;
            }
            match B32.iter().position(|&x| x == c) {
                Some(v) => quantum[j] = v as u8,
                None => return Err(corrupt32(olen - rest.len() - 1)),
            }
            j += 1;
        }
        let n = quantum.iter().fold(0u64, |acc, &v| acc << 5 | v as u64);
        let bytes = n.to_be_bytes();
        let produced = match len {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&bytes[3..3 + produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_roundtrip_and_errors() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "1e+06"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), s.as_bytes(), "{s}");
        }
        assert_eq!(base64_encode(b"1e+06"), "MWUrMDY=");
        assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
        assert_eq!(
            base64_decode("Zm9").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            base64_decode("Zm9v!").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
        assert_eq!(
            base64_decode("Zg=").unwrap_err(),
            "illegal base64 data at input byte 3"
        );
        assert_eq!(
            base64_decode("Zg==x").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
        assert_eq!(
            base64_decode("Z===").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
    }

    #[test]
    fn base32_roundtrip_and_errors() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "hello"] {
            let enc = base32_encode(s.as_bytes());
            assert_eq!(base32_decode(&enc).unwrap(), s.as_bytes(), "{s}");
        }
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"f"), "MY======");
        assert_eq!(
            base32_decode("!!").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
        assert_eq!(
            base32_decode("NBSWY3D").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
        assert_eq!(
            base32_decode("MY=====").unwrap_err(),
            "illegal base32 data at input byte 7"
        );
    }
}
