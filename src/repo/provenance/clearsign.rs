//! The OpenPGP cleartext-signature framework (RFC 4880 §7) exactly as
//! helm's Go OpenPGP library writes and reads it, so that a `.prov` file
//! made by rudder is byte-for-byte laid out like helm's and a file that
//! helm rejects as malformed is rejected here too.
//!
//! Writing: the text is dash-escaped, trailing blanks of each line are
//! dropped (they are not covered by the signature either), a blank line
//! ends the text, and the armored signature follows with 64-column base64
//! lines, no armor headers, no CRC line and no final newline.
//!
//! Reading: only a `Hash:` armor header is allowed; the signed bytes are the
//! text lines (dash-unescaped, right-trimmed) joined with CRLF.

use base64::Engine;

const BEGIN_SIGNED: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";
const BEGIN_SIGNATURE: &[u8] = b"-----BEGIN PGP SIGNATURE-----";
const END_SIGNATURE: &[u8] = b"\n-----END PGP SIGNATURE-----";
const ALLOWED_HASHES: &[&str] = &[
    "MD5",
    "SHA1",
    "RIPEMD160",
    "SHA224",
    "SHA256",
    "SHA384",
    "SHA512",
    "SHA3-256",
    "SHA3-512",
];

/// The bytes a text signature covers: each line right-trimmed of blanks
/// (space, tab, CR), lines joined with CRLF (a final newline gives a final
/// CRLF).
pub fn canonical_text(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 16);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(trim_blanks(line, b" \t\r"));
    }
    out
}

/// Writes the clearsigned document: `text` dash-escaped under a
/// `Hash: <hash_name>` header, then the armored `signature` packet bytes.
pub fn encode(text: &[u8], hash_name: &str, signature: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len() + signature.len() * 2 + 128);
    out.extend_from_slice(BEGIN_SIGNED);
    out.push(b'\n');
    out.extend_from_slice(format!("Hash: {hash_name}\n\n").as_bytes());
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if line.first() == Some(&b'-') {
            out.extend_from_slice(b"- ");
        }
        out.extend_from_slice(trim_blanks(line, b" \t\r"));
    }
    out.push(b'\n');
    out.extend_from_slice(armor_signature(signature).as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// The `PGP SIGNATURE` armor block, as Go's armor encoder writes it
/// without a checksum.
fn armor_signature(packet: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(packet);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 80);
    out.push_str("-----BEGIN PGP SIGNATURE-----\n\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PGP SIGNATURE-----");
    out
}

/// A decoded cleartext-signed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text as written, dash-unescaped, lines right-trimmed, `\n`-joined.
    pub plaintext: Vec<u8>,
    /// The bytes the signature covers (CRLF-joined lines).
    pub signed: Vec<u8>,
    /// The binary signature packets from the armor block.
    pub signature: Vec<u8>,
}

/// Splits off the first line: the line without its `\n` (or `\r\n`), and
/// the rest after the newline.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        None => (data, &data[data.len()..]),
        Some(i) => {
            let end = if i > 0 && data[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            (&data[..end], &data[i + 1..])
        }
    }
}

fn trim_blanks<'a>(s: &'a [u8], blanks: &[u8]) -> &'a [u8] {
    let mut end = s.len();
    while end > 0 && blanks.contains(&s[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Finds and decodes the first cleartext-signed block in `data`; `None`
/// when there is none or it is malformed (helm: "signature block not
/// found").
pub fn decode(data: &[u8]) -> Option<Block> {
    let mut rest = if data.starts_with(BEGIN_SIGNED) {
        &data[BEGIN_SIGNED.len()..]
    } else {
        let mut needle = b"\n".to_vec();
        needle.extend_from_slice(BEGIN_SIGNED);
        let i = find(data, &needle)?;
        &data[i + needle.len()..]
    };
    let (suffix, after) = get_line(rest);
    if !suffix.is_empty() {
        return None;
    }
    rest = after;

    // Armor headers: only `Hash:` with known algorithms, up to a blank line.
    loop {
        if rest.is_empty() {
            return None;
        }
        let (line, after) = get_line(rest);
        rest = after;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
        if line.iter().any(|&b| !(0x20..=0x7e).contains(&b)) {
            return None;
        }
        let colon = line.iter().position(|&b| b == b':')?;
        let key = String::from_utf8_lossy(&line[..colon]);
        if key.trim() != "Hash" {
            return None;
        }
        let values = String::from_utf8_lossy(&line[colon + 1..]).into_owned();
        for v in values.split(',') {
            if !ALLOWED_HASHES.contains(&v.trim().to_ascii_uppercase().as_str()) {
                return None;
            }
        }
    }

    let mut signed = Vec::new();
    let mut plaintext = Vec::new();
    let mut first = true;
    loop {
        let start = rest;
        let (line, after) = get_line(rest);
        rest = after;
        if line.is_empty() && rest.is_empty() {
            return None;
        }
        if line == BEGIN_SIGNATURE {
            rest = start;
            break;
        }
        if !first {
            signed.extend_from_slice(b"\r\n");
        }
        first = false;
        let line = line.strip_prefix(b"- ").unwrap_or(line);
        let line = trim_blanks(line, b" \t");
        signed.extend_from_slice(line);
        plaintext.extend_from_slice(line);
        plaintext.push(b'\n');
    }
    plaintext.pop();

    let end = find(rest, END_SIGNATURE)? + END_SIGNATURE.len();
    let signature = dearmor(&rest[..end])?;
    Some(Block {
        plaintext,
        signed,
        signature,
    })
}

/// Decodes one armor block (`-----BEGIN ...` up to `-----END ...`): armor
/// headers up to a blank line, then base64 lines, an optional `=` CRC line.
fn dearmor(block: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(block).ok()?;
    let mut lines = text.lines().map(str::trim);
    let begin = lines.next()?;
    if !begin.starts_with("-----BEGIN ") || !begin.ends_with("-----") {
        return None;
    }
    let mut body = String::new();
    let mut in_headers = true;
    for line in lines {
        if line.starts_with("-----END ") {
            return base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .ok();
        }
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            if line.contains(": ") {
                continue;
            }
            in_headers = false;
        }
        if line.starts_with('=') {
            continue;
        }
        body.push_str(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_uses_crlf_and_drops_trailing_blanks() {
        assert_eq!(canonical_text(b"a \nb\t\n"), b"a\r\nb\r\n");
        assert_eq!(canonical_text(b"a\n\nb"), b"a\r\n\r\nb");
        assert_eq!(canonical_text(b""), b"");
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let text = b"name: x\n-dash\n\n...\nfiles:\n  x-1.tgz: sha256:00\n";
        let doc = encode(text, "SHA512", &[0xc2, 1, 2, 3]);
        assert!(doc
            .starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: x\n- -dash\n"));
        assert!(doc.ends_with(
            "\n\n-----BEGIN PGP SIGNATURE-----\n\nwgECAw==\n-----END PGP SIGNATURE-----"
        ));
        let block = decode(doc.as_bytes()).expect("decodes");
        assert_eq!(block.signature, vec![0xc2, 1, 2, 3]);
        assert_eq!(block.signed, canonical_text(text));
        assert_eq!(
            block.plaintext,
            b"name: x\n-dash\n\n...\nfiles:\n  x-1.tgz: sha256:00\n".to_vec()
        );
    }

    #[test]
    fn long_signatures_wrap_at_64_columns() {
        let doc = encode(b"x\n", "SHA512", &[7u8; 100]);
        let lines: Vec<&str> = doc.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("-----BEGIN PGP SIGNATURE"))
            .unwrap();
        // 100 bytes are 136 base64 characters: 64 + 64 + 8.
        assert_eq!(lines[at + 2].len(), 64);
        assert_eq!(lines[at + 3].len(), 64);
        assert_eq!(lines[at + 4], "BwcHBw==");
        assert_eq!(lines[at + 5], "-----END PGP SIGNATURE-----");
    }

    #[test]
    fn malformed_documents_are_not_blocks() {
        assert!(decode(b"hello\n").is_none());
        let bad_header = b"-----BEGIN PGP SIGNED MESSAGE-----\nComment: x\n\nt\n-----BEGIN PGP SIGNATURE-----\n\nwgEC\n-----END PGP SIGNATURE-----";
        assert!(decode(bad_header).is_none());
        let no_end = b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nt\n-----BEGIN PGP SIGNATURE-----\n\nwgEC\n";
        assert!(decode(no_end).is_none());
    }
}
