//! Errors of version and constraint parsing, with the exact texts of
//! Masterminds/semver v3 because Helm prints them verbatim (for example
//! `invalid semantic version` from `semverCompare`, or
//! `improper constraint: "foo"` from a dependency's version range).

use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum VersionError {
    #[error("invalid semantic version")]
    InvalidSemVer,
    #[error("version string empty")]
    EmptyString,
    #[error("invalid characters in version")]
    InvalidCharacters,
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    #[error("invalid metadata string")]
    InvalidMetadata,
    #[error("invalid prerelease string")]
    InvalidPrerelease,
    /// A numeric segment that does not fit a `uint64`; the payload is Go's
    /// `strconv.ParseUint` error text.
    #[error("error parsing version segment: {0}")]
    Segment(String),
    /// The strict parser reports `ParseUint` failures without the prefix.
    #[error("{0}")]
    StrictSegment(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConstraintError {
    /// The payload is the offending segment, already Go-quoted (`%q`).
    #[error("improper constraint: {0}")]
    Improper(String),
    #[error("constraint parser error")]
    Parser,
    /// Masterminds refuses constraints longer than its `MaxConstraintLen`.
    #[error(
        "constraint string is too long (max {} bytes)",
        super::constraint::MAX_CONSTRAINT_LEN
    )]
    TooLong,
}

/// Go's `%q` for a string: double-quoted with Go escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.ParseUint(s, 10, 64)` error text for a digit string that
/// does not fit (the only way a regex-validated segment can fail).
pub(crate) fn parse_u64_segment(s: &str) -> Result<u64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseUint: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<u64>().map_err(|_| {
        format!(
            "strconv.ParseUint: parsing {}: value out of range",
            go_quote(s)
        )
    })
}
