//! A tar writer that produces the bytes Go's `archive/tar` writes for the
//! headers helm uses (name, mode, size, mtime; no owner, no directories),
//! so that `package` output is byte-identical to helm's:
//! - USTAR headers, with long names split into prefix/name when possible;
//! - otherwise a PAX `path` record in a `PaxHeaders.0/<name>` entry;
//! - numeric fields as zero-padded octal with a trailing NUL, the checksum
//!   as six octal digits, NUL, space;
//! - the archive ends with two zero blocks (no padding to a record size).

const BLOCK: usize = 512;
const NAME_SIZE: usize = 100;
const PREFIX_SIZE: usize = 155;

/// An in-memory tar stream.
#[derive(Default)]
pub struct TarWriter {
    out: Vec<u8>,
}

fn put_str(block: &mut [u8], at: usize, len: usize, s: &[u8]) {
    let n = s.len().min(len);
    block[at..at + n].copy_from_slice(&s[..n]);
}

/// Go's `formatOctal`: zero-padded to `len - 1` digits plus a NUL.
fn put_octal(block: &mut [u8], at: usize, len: usize, value: u64) {
    let digits = format!("{value:o}");
    let width = len - 1;
    let s = if digits.len() < width {
        format!("{}{digits}", "0".repeat(width - digits.len()))
    } else {
        digits
    };
    put_str(block, at, len, s.as_bytes());
}

/// Go's `splitUSTARPath`.
fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
    let len = name.len();
    if len <= NAME_SIZE || !name.is_ascii() {
        return None;
    }
    let mut cut = len;
    if cut > PREFIX_SIZE + 1 {
        cut = PREFIX_SIZE + 1;
    } else if name.as_bytes()[cut - 1] == b'/' {
        cut -= 1;
    }
    let i = name[..cut].rfind('/')?;
    let suffix_len = len - i - 1;
    if i == 0 || suffix_len > NAME_SIZE || suffix_len == 0 || i > PREFIX_SIZE {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `toASCII`: non-ASCII characters are dropped.
fn to_ascii(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii()).collect()
}

/// A PAX record `"%d %s=%s\n"` whose length counts itself.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut size = body.len() + 1;
    loop {
        let candidate = size.to_string().len() + body.len();
        if candidate == size {
            break;
        }
        size = candidate;
    }
    format!("{size}{body}")
}

impl TarWriter {
    pub fn new() -> TarWriter {
        TarWriter::default()
    }

    #[allow(clippy::too_many_arguments)]
    fn header(&mut self, name: &str, prefix: &str, mode: u64, size: u64, mtime: u64, typeflag: u8) {
        // Go's PAX extension headers (`writeRawFile`) leave the device
        // numbers empty; regular headers format them as octal zero.
        let device_fields = typeflag != b'x';
        let mut b = [0u8; BLOCK];
        put_str(&mut b, 0, NAME_SIZE, name.as_bytes());
        put_octal(&mut b, 100, 8, mode);
        put_octal(&mut b, 108, 8, 0);
        put_octal(&mut b, 116, 8, 0);
        put_octal(&mut b, 124, 12, size);
        put_octal(&mut b, 136, 12, mtime);
        b[156] = typeflag;
        put_str(&mut b, 257, 6, b"ustar\0");
        put_str(&mut b, 263, 2, b"00");
        if device_fields {
            put_octal(&mut b, 329, 8, 0);
            put_octal(&mut b, 337, 8, 0);
        }
        put_str(&mut b, 345, PREFIX_SIZE, prefix.as_bytes());
        let sum: u64 = b
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(*c)
                }
            })
            .sum();
        put_octal(&mut b, 148, 7, sum);
        b[155] = b' ';
        self.out.extend_from_slice(&b);
    }

    fn body(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
        let pad = (BLOCK - data.len() % BLOCK) % BLOCK;
        self.out.extend(std::iter::repeat_n(0u8, pad));
    }

    /// Appends a regular file with mode 0644 (Go rounds mtimes to seconds
    /// before writing; pass the rounded Unix time).
    pub fn add_file(&mut self, name: &str, data: &[u8], mtime: i64) {
        let mtime = mtime.max(0) as u64;
        let size = data.len() as u64;
        if name.len() <= NAME_SIZE && name.is_ascii() {
            self.header(name, "", 0o644, size, mtime, b'0');
        } else if let Some((prefix, suffix)) = split_ustar_path(name) {
            self.header(suffix, prefix, 0o644, size, mtime, b'0');
        } else {
            let records = pax_record("path", name);
            let (dir, file) = match name.rfind('/') {
                Some(i) => (&name[..=i], &name[i + 1..]),
                None => ("", name),
            };
            let mut pax_name = to_ascii(&crate::helmpath::go_clean(&format!(
                "{dir}PaxHeaders.0/{file}"
            )));
            pax_name.truncate(NAME_SIZE);
            let pax_name = pax_name.trim_end_matches('/').to_string();
            self.header(&pax_name, "", 0, records.len() as u64, 0, b'x');
            self.body(records.as_bytes());
            self.header(&to_ascii(name), "", 0o644, size, mtime, b'0');
        }
        self.body(data);
    }

    /// Ends the archive (two zero blocks) and returns the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend(std::iter::repeat_n(0u8, 2 * BLOCK));
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_length_counts_itself() {
        assert_eq!(pax_record("path", "a"), "9 path=a\n");
        let long = "x".repeat(95);
        let r = pax_record("path", &long);
        assert_eq!(r.len().to_string(), r.split(' ').next().unwrap());
    }

    #[test]
    fn ustar_split() {
        let name = format!("{}/{}", "d".repeat(60), "f".repeat(60));
        assert_eq!(split_ustar_path(&name), Some((&name[..60], &name[61..])));
        assert_eq!(split_ustar_path("short"), None);
    }

    #[test]
    fn header_layout() {
        let mut w = TarWriter::new();
        w.add_file("c/Chart.yaml", b"abc", 1);
        let b = w.finish();
        assert_eq!(b.len(), 512 * 4);
        assert_eq!(&b[100..108], b"0000644\0");
        assert_eq!(&b[124..136], b"00000000003\0");
        assert_eq!(&b[257..265], b"ustar\x0000");
        assert_eq!(b[155], b' ');
        assert_eq!(&b[512..515], b"abc");
    }
}
