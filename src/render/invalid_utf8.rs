//! Rendered output that is not valid UTF-8.
//!
//! Go strings are bytes, so a template can write bytes that are not UTF-8
//! (`substr` inside a character, `b64dec` or `.Files.Get` of binary data).
//! Helm keeps them in the rendered file, and its manifest sorting then fails
//! to read the document as YAML: go-yaml's reader checks the encoding of the
//! input before parsing (for the first 512-byte chunk, which is where charts
//! put such bytes in practice) and reports the first bad sequence:
//! `YAML parse error on c/templates/x.yaml: error converting YAML to JSON:
//! yaml: invalid trailing UTF-8 octet`.
//!
//! The engine keeps text as `String`, so it records such a file's reader
//! error here when it converts the output (bytes become U+FFFD), and the
//! pipeline reports it as helm does.

/// go-yaml's reader verdict on `doc`: the first invalid UTF-8 sequence, or
/// a character YAML does not allow before it. `None` when the reader accepts
/// the whole input.
pub fn yaml_reader_error(doc: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < doc.len() {
        let lead = doc[i];
        let width = match lead {
            _ if lead & 0x80 == 0x00 => 1,
            _ if lead & 0xE0 == 0xC0 => 2,
            _ if lead & 0xF0 == 0xE0 => 3,
            _ if lead & 0xF8 == 0xF0 => 4,
            _ => return Some("invalid leading UTF-8 octet"),
        };
        if i + width > doc.len() {
            return Some("incomplete UTF-8 octet sequence");
        }
        let mut value: u32 = match width {
            1 => u32::from(lead & 0x7F),
            2 => u32::from(lead & 0x1F),
            3 => u32::from(lead & 0x0F),
            _ => u32::from(lead & 0x07),
        };
        for &octet in &doc[i + 1..i + width] {
            if octet & 0xC0 != 0x80 {
                return Some("invalid trailing UTF-8 octet");
            }
            value = (value << 6) | u32::from(octet & 0x3F);
        }
        let shortest = match width {
            1 => true,
            2 => value >= 0x80,
            3 => value >= 0x800,
            _ => value >= 0x10000,
        };
        if !shortest {
            return Some("invalid length of a UTF-8 sequence");
        }
        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
            return Some("invalid Unicode character");
        }
        if !yaml_printable(value) {
            return Some("control characters are not allowed");
        }
        i += width;
    }
    None
}

/// The characters a YAML stream may contain (go-yaml's reader check).
fn yaml_printable(c: u32) -> bool {
    matches!(c, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD)
        || (0x10000..=0x10FFFF).contains(&c)
}

/// The reader error of the first non-blank document of a rendered file that
/// holds invalid UTF-8 (documents split as Helm's `SplitManifests`: at lines
/// starting with `---`, leading white space removed).
pub fn first_reader_error(output: &[u8]) -> Option<&'static str> {
    let mut starts = vec![0];
    let mut line_start = true;
    for (i, &b) in output.iter().enumerate() {
        if line_start && output[i..].starts_with(b"---") {
            starts.push(i);
        }
        line_start = b == b'\n';
    }
    starts.push(output.len());
    starts.windows(2).find_map(|w| {
        let mut doc = &output[w[0]..w[1]];
        if w[0] > 0 || output.starts_with(b"---") {
            doc = doc.strip_prefix(b"---").unwrap_or(doc);
            let rest = doc.iter().position(|&b| b != b' ' && b != b'\t');
            doc = &doc[rest.unwrap_or(doc.len())..];
        }
        let start = doc.iter().position(|b| !b.is_ascii_whitespace())?;
        let doc = &doc[start..];
        if std::str::from_utf8(doc).is_ok() {
            return None;
        }
        yaml_reader_error(doc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_errors_are_go_yamls() {
        assert_eq!(
            yaml_reader_error(b"a: h\xc3\n"),
            Some("invalid trailing UTF-8 octet")
        );
        assert_eq!(
            yaml_reader_error(b"a: h\xc3"),
            Some("incomplete UTF-8 octet sequence")
        );
        assert_eq!(
            yaml_reader_error(b"a: \x80\n"),
            Some("invalid leading UTF-8 octet")
        );
        assert_eq!(
            yaml_reader_error(b"a: \xc0\x80"),
            Some("invalid length of a UTF-8 sequence")
        );
        assert_eq!(
            yaml_reader_error(b"a: \xed\xa0\x80"),
            Some("invalid Unicode character")
        );
        assert_eq!(
            yaml_reader_error(b"a: \x01 \x80"),
            Some("control characters are not allowed")
        );
        assert_eq!(yaml_reader_error("a: é\n".as_bytes()), None);
    }

    #[test]
    fn only_documents_with_invalid_bytes_count() {
        assert_eq!(
            first_reader_error(b"a: 1\n---\nb: \x80\n"),
            Some("invalid leading UTF-8 octet")
        );
        assert_eq!(
            first_reader_error(b"a: \x01\n---\nb: \xc3\n"),
            Some("invalid trailing UTF-8 octet")
        );
        assert_eq!(first_reader_error(b"a: 1\n"), None);
    }
}
