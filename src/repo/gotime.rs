//! Go `time.Time` as index files carry it: decoded from RFC 3339 text and
//! re-encoded with `time.RFC3339Nano` (fraction without trailing zeros,
//! the original UTC offset kept, `Z` for UTC).

use std::time::SystemTime;

/// Go's zero time, what `json.Marshal` writes for an absent `created`.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A timestamp that does not parse as RFC 3339; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "parsing time {quoted} as \"2006-01-02T15:04:05Z07:00\": cannot parse {rest} as \"{elem}\""
)]
pub struct TimeError {
    quoted: String,
    rest: String,
    elem: &'static str,
}

fn fail(s: &str, at: usize, elem: &'static str) -> TimeError {
    TimeError {
        quoted: crate::chart::metadata::go_quote(s),
        rest: crate::chart::metadata::go_quote(s.get(at..).unwrap_or("")),
        elem,
    }
}

/// Re-encodes an RFC 3339 timestamp the way Go prints it after parsing.
pub fn normalize(s: &str) -> Result<String, TimeError> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> bool {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let layout = [
        (0, 4, "2006"),
        (5, 2, "01"),
        (8, 2, "02"),
        (11, 2, "15"),
        (14, 2, "04"),
        (17, 2, "05"),
    ];
    let seps = [
        (4, b'-', "-"),
        (7, b'-', "-"),
        (10, b'T', "T"),
        (13, b':', ":"),
        (16, b':', ":"),
    ];
    for (i, &(at, n, elem)) in layout.iter().enumerate() {
        if !digits(at, n) {
            return Err(fail(s, at.min(b.len()), elem));
        }
        if let Some(&(pos, ch, name)) = seps.get(i) {
            let ok = b
                .get(pos)
                .is_some_and(|&c| c == ch || (ch == b'T' && c == b't'));
            if !ok {
                return Err(fail(s, pos.min(b.len()), name));
            }
        }
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..10]);
    out.push('T');
    out.push_str(&s[11..19]);
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = s[start..i.min(start + 9)].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    }
    match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => out.push('Z'),
        Some(b'+') | Some(b'-')
            if i + 6 == b.len() && digits(i + 1, 2) && b[i + 3] == b':' && digits(i + 4, 2) =>
        {
            if &s[i + 1..] == "00:00" {
                out.push('Z');
            } else {
                out.push_str(&s[i..]);
            }
        }
        _ => return Err(fail(s, i.min(b.len()), "Z07:00")),
    }
    Ok(out)
}

/// The current time as Go's `time.Now()` marshals it (UTC).
pub fn now_rfc3339_nano() -> String {
    format_utc(SystemTime::now())
}

/// RFC 3339 with nanoseconds (trailing zeros dropped) in UTC.
pub fn format_utc(t: SystemTime) -> String {
    crate::chart::gotime::format_rfc3339_utc(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn normalizes_like_go() {
        assert_eq!(
            normalize("2023-05-16T14:00:04Z").unwrap(),
            "2023-05-16T14:00:04Z"
        );
        assert_eq!(
            normalize("2023-05-16T14:00:04.500Z").unwrap(),
            "2023-05-16T14:00:04.5Z"
        );
        assert_eq!(
            normalize("2023-05-16T14:00:04.000-06:00").unwrap(),
            "2023-05-16T14:00:04-06:00"
        );
        assert!(normalize("yesterday").is_err());
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
