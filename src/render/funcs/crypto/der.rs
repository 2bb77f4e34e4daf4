//! Just enough ASN.1 DER to write X.509 certificates and key files the way
//! Go's `crypto/x509` does, and to read back the parts Sprig needs from a
//! CA certificate and from private keys.

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const BOOLEAN: u8 = 0x01;

/// One TLV with definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let mut body: Vec<u8> = bytes[skip..].to_vec();
    if body.is_empty() || body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    tlv(INTEGER, &body)
}

pub fn small_int(v: u64) -> Vec<u8> {
    uint(&v.to_be_bytes())
}

pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut push_base128 = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    push_base128(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push_base128(a);
    }
    tlv(OID, &body)
}

/// A BIT STRING whose first octet counts the unused trailing bits.
pub fn bit_string(bytes: &[u8], unused_bits: u8) -> Vec<u8> {
    let mut body = vec![unused_bits];
    body.extend_from_slice(bytes);
    tlv(BIT_STRING, &body)
}

pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, bytes)
}

pub fn null() -> Vec<u8> {
    vec![NULL, 0]
}

pub fn boolean(v: bool) -> Vec<u8> {
    vec![BOOLEAN, 1, if v { 0xff } else { 0 }]
}

/// Context-specific constructed tag `[n]` (explicit tagging).
pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

/// Context-specific primitive tag `[n]` (implicit tagging).
pub fn implicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0x80 | n, content)
}

/// A string as Go's `encoding/asn1` marshals it: PrintableString when every
/// character allows it, otherwise UTF8String.
pub fn go_string(s: &str) -> Vec<u8> {
    let printable = s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\''
                    | b'('
                    | b')'
                    | b'+'
                    | b','
                    | b'-'
                    | b'.'
                    | b'/'
                    | b':'
                    | b'='
                    | b'?'
                    | b'*'
                    | b'&'
            )
    });
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

/// A parsed TLV: tag, content, and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `data`, returning it and the rest.
pub fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let raw = data.get(..end)?;
    Some((
        Tlv {
            tag,
            content: &raw[header..],
            raw,
        },
        &data[end..],
    ))
}

/// All TLVs of a constructed value's content.
pub fn children(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (t, rest) = read(content)?;
        out.push(t);
        content = rest;
    }
    Some(out)
}

/// Exactly one TLV of the given tag spanning all of `data`.
pub fn read_exact(data: &[u8], tag: u8) -> Option<Tlv<'_>> {
    let (t, rest) = read(data)?;
    (t.tag == tag && rest.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 1, 11])[..],
            [6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11]
        );
        assert_eq!(small_int(0), [2, 1, 0]);
        assert_eq!(uint(&[0x80]), [2, 2, 0, 0x80]);
        assert_eq!(tlv(4, &[0u8; 200])[..3], [4, 0x81, 200]);
        let s = seq(&[small_int(1), boolean(true)]);
        let t = read_exact(&s, SEQUENCE).unwrap();
        let kids = children(t.content).unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1].content, [0xff]);
        assert_eq!(go_string("my-ca")[0], 0x13);
        assert_eq!(go_string("é")[0], 0x0c);
    }
}
