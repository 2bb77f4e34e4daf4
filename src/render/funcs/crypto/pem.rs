//! PEM armour as Go's `encoding/pem` writes and reads it.

use super::super::encoding::{base64_decode, base64_encode};

/// `pem.EncodeToMemory`: 64-column base64 body, trailing newline.
pub fn encode(kind: &str, der: &[u8]) -> String {
    let body = base64_encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The first PEM block in `text`: `(type, bytes)`; `None` like `pem.Decode`
/// returning nil.
pub fn decode(text: &str) -> Option<(String, Vec<u8>)> {
    let mut rest = text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        let end_marker = format!("-----END {kind}-----");
        if kind.contains('\n') {
            rest = after;
            continue;
        }
        let Some(end) = body_start.find(&end_marker) else {
            rest = after;
            continue;
        };
        let body = &body_start[..end];
        // Skip RFC 1421 headers ("Key: value" lines before a blank line).
        let body = match body.find("\n\n") {
            Some(i) if body[..i].contains(':') => &body[i + 2..],
            _ => body,
        };
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        match base64_decode(&clean) {
            Ok(bytes) => return Some((kind.to_string(), bytes)),
            Err(_) => {
                rest = after;
                continue;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let data: Vec<u8> = (0..100u8).collect();
        let pem = encode("TEST", &data);
        assert!(pem.starts_with("-----BEGIN TEST-----\n"));
        assert!(pem.ends_with("\n-----END TEST-----\n"));
        assert_eq!(pem.lines().nth(1).unwrap().len(), 64);
        assert_eq!(decode(&pem), Some(("TEST".to_string(), data)));
        assert_eq!(decode("garbage"), None);
    }
}
