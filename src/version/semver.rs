//! A semantic version as Masterminds/semver v3 models it.
//!
//! Helm parses almost every version leniently (`NewVersion`: `v1.2`, `1`,
//! leading zeros) and only a few places strictly (`StrictNewVersion`: OCI tags,
//! `helm lint`'s recommendation). Both are here so that every caller gets the
//! same acceptance and the same error texts as Helm.

use super::error::{parse_u64_segment, VersionError};
use super::scan::{version_at, Segments};
use std::cmp::Ordering;
use std::fmt;

const ALLOWED_IDENT: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

#[derive(Clone, Debug)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// Masterminds `NewVersion` (with its default coercion): accepts `v1.2`,
    /// `1`, `01.02.3`, `1.2-beta`; missing segments are zero.
    pub fn parse(v: &str) -> Result<Version, VersionError> {
        // The lenient grammar: optional `v`, one to three numeric segments
        // (leading zeros allowed), then optional prerelease and metadata.
        let parts = version_at(v, 0, Segments::Digits)
            .filter(|p| p.end() == v.len())
            .ok_or(VersionError::InvalidSemVer)?;
        let text = |span: (usize, usize)| &v[span.0..span.1];
        let segment = |span: Option<(usize, usize)>| -> Result<u64, VersionError> {
            match span {
                None => Ok(0),
                Some(span) => parse_u64_segment(text(span).trim_start_matches('.'))
                    .map_err(VersionError::Segment),
            }
        };
        let major = segment(Some(parts.major))?;
        let minor = segment(parts.minor)?;
        let patch = segment(parts.patch)?;
        let tagged = |span: Option<(usize, usize)>| span.map_or("", |s| &text(s)[1..]).to_string();
        let pre = tagged(parts.pre);
        let metadata = tagged(parts.meta);
        if !pre.is_empty() {
            validate_prerelease(&pre)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// Masterminds `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH[-pre][+meta]`,
    /// no `v`, no leading zeros.
    pub fn parse_strict(v: &str) -> Result<Version, VersionError> {
        if v.is_empty() {
            return Err(VersionError::EmptyString);
        }
        let parts: Vec<&str> = v.splitn(3, '.').collect();
        if parts.len() != 3 {
            return Err(VersionError::InvalidSemVer);
        }
        let mut last = parts[2];
        let mut metadata = "";
        if let Some((rest, meta)) = last.split_once('+') {
            metadata = meta;
            last = rest;
            validate_metadata(metadata)?;
        }
        let mut pre = "";
        if let Some((rest, p)) = last.split_once('-') {
            pre = p;
            last = rest;
            validate_prerelease(pre)?;
        }
        let numbers = [parts[0], parts[1], last];
        for p in numbers {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(VersionError::InvalidCharacters);
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err(VersionError::SegmentStartsZero);
            }
        }
        let num = |s: &str| parse_u64_segment(s).map_err(VersionError::StrictSegment);
        Ok(Version {
            major: num(numbers[0])?,
            minor: num(numbers[1])?,
            patch: num(numbers[2])?,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: v.to_string(),
        })
    }

    /// A version from its parts (Masterminds `New`); `original` is its string form.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    /// Masterminds `SetPrerelease`: a copy with another prerelease
    /// (validated unless empty); `original` keeps a leading `v`.
    pub fn with_prerelease(&self, pre: &str) -> Result<Version, VersionError> {
        if !pre.is_empty() {
            validate_prerelease(pre)?;
        }
        let mut next = self.clone();
        next.pre = pre.to_string();
        next.original = format!("{}{next}", self.v_prefix());
        Ok(next)
    }

    /// Masterminds `SetMetadata`, like [`Version::with_prerelease`].
    pub fn with_metadata(&self, metadata: &str) -> Result<Version, VersionError> {
        if !metadata.is_empty() {
            validate_metadata(metadata)?;
        }
        let mut next = self.clone();
        next.metadata = metadata.to_string();
        next.original = format!("{}{next}", self.v_prefix());
        Ok(next)
    }

    /// Masterminds `IncPatch`/`IncMinor`/`IncMajor` share this: new numbers,
    /// no prerelease or metadata, `original` keeps a leading `v`.
    pub fn with_numbers(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut next = Version::new(major, minor, patch, "", "");
        next.original = format!("{}{next}", self.v_prefix());
        next
    }

    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    pub fn major(&self) -> u64 {
        self.major
    }
    pub fn minor(&self) -> u64 {
        self.minor
    }
    pub fn patch(&self) -> u64 {
        self.patch
    }
    pub fn prerelease(&self) -> &str {
        &self.pre
    }
    pub fn metadata(&self) -> &str {
        &self.metadata
    }
    /// The text the version was parsed from (`v1.2`), unlike `Display` (`1.2.0`).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Masterminds `Compare`: -1, 0 or 1. Build metadata is ignored; a
    /// prerelease sorts before its release.
    pub fn compare(&self, other: &Version) -> i32 {
        match self.cmp(other) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }
    }
}

impl fmt::Display for Version {
    /// Masterminds `String()`: canonical `X.Y.Z[-pre][+meta]`, no `v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equality is precedence equality (Masterminds `Equal`): `1.0.0+a == 1.0.0+b`.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

/// Consistent with `Eq`: build metadata does not take part.
impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.major, self.minor, self.patch, &self.pre).hash(state);
    }
}

impl std::str::FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

/// Compares dot-separated prerelease identifiers. A missing identifier sorts
/// first; numeric identifiers sort before alphanumeric ones and compare as
/// numbers; alphanumerics compare bytewise.
pub(crate) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let x = ap.get(i).copied().unwrap_or("");
        let y = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    let numeric = |x: &str| -> Option<u64> {
        if x.bytes().all(|b| b.is_ascii_digit()) {
            x.parse().ok()
        } else {
            None
        }
    };
    match (numeric(s), numeric(o)) {
        (None, None) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(a), Some(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

fn only(s: &str, allowed: &str) -> bool {
    s.chars().all(|c| allowed.contains(c))
}

fn validate_prerelease(p: &str) -> Result<(), VersionError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(VersionError::InvalidPrerelease);
        } else if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(VersionError::SegmentStartsZero);
            }
        } else if !only(part, ALLOWED_IDENT) {
            return Err(VersionError::InvalidPrerelease);
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), VersionError> {
    for part in m.split('.') {
        if part.is_empty() || !only(part, ALLOWED_IDENT) {
            return Err(VersionError::InvalidMetadata);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parse_acceptance() {
        let cases: &[(&str, bool)] = &[
            ("1.2.3", true),
            ("1.2.3-alpha.01", false),
            ("1.2.3+test.01", true),
            ("1.2.3-alpha.-1", true),
            ("v1.2.3", true),
            ("1.0", true),
            ("v1", true),
            ("1", true),
            ("1.2.beta", false),
            ("foo", false),
            ("1.2-5", true),
            ("v1.2-beta.5", true),
            ("\n1.2", false),
            ("1.2\n", false),
            ("1.2.0-x.Y.0+metadata-width-hypen", true),
            ("1.2.3-0abc123", true),
            ("1.2.3.4", false),
            ("20221209-update-renovatejson-v4", true),
            ("1.1.2+.123", false),
            ("1.0.0-alpha_beta", false),
            ("1.0.0-alpha..1", false),
            ("9.8.7+meta+meta", false),
            ("01.1.1", true),
            ("1.1.01", true),
            ("", false),
            ("V1.2.3", false),
        ];
        for (v, ok) in cases {
            assert_eq!(Version::parse(v).is_ok(), *ok, "{v:?}");
        }
    }

    #[test]
    fn strict_parse_acceptance() {
        let cases: &[(&str, bool)] = &[
            ("1.2.3", true),
            ("1.2.3-alpha.01", false),
            ("1.2.3+test.01", true),
            ("v1.2.3", false),
            ("1.0", false),
            ("1", false),
            ("1.2.3-rc1-with-hypen", true),
            ("1.2.3.4", false),
            ("01.1.1", false),
            ("1.2.3-0123", false),
            ("+invalid", false),
        ];
        for (v, ok) in cases {
            assert_eq!(Version::parse_strict(v).is_ok(), *ok, "{v:?}");
        }
    }

    #[test]
    fn error_texts() {
        let e = |v: &str| Version::parse(v).unwrap_err().to_string();
        assert_eq!(e("garbage"), "invalid semantic version");
        assert_eq!(e("1.2.3-beta.01"), "version segment starts with 0");
        // Empty identifiers fail the grammar itself, before validation.
        assert_eq!(e("1.0.0-alpha..1"), "invalid semantic version");
        assert_eq!(e("1.1.2+.123"), "invalid semantic version");
        assert_eq!(
            e("99999999999999999999"),
            "error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        let s = |v: &str| Version::parse_strict(v).unwrap_err().to_string();
        assert_eq!(s(""), "version string empty");
        assert_eq!(s("1.2"), "invalid semantic version");
        assert_eq!(s("v1.2.3"), "invalid characters in version");
        assert_eq!(s("1.02.3"), "version segment starts with 0");
        assert_eq!(s("1..3"), "strconv.ParseUint: parsing \"\": invalid syntax");
    }

    #[test]
    fn display_and_original() {
        let v = Version::parse("v1.2").unwrap();
        assert_eq!(v.to_string(), "1.2.0");
        assert_eq!(v.original(), "v1.2");
        let v = Version::parse("01.02.3-rc.1+b.7").unwrap();
        assert_eq!(v.to_string(), "1.2.3-rc.1+b.7");
        assert_eq!(
            (
                v.major(),
                v.minor(),
                v.patch(),
                v.prerelease(),
                v.metadata()
            ),
            (1, 2, 3, "rc.1", "b.7")
        );
    }

    #[test]
    fn ordering() {
        let ordered = [
            "0.0.1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.2.0",
            "1.10.0",
            "2.0.0",
        ];
        for w in ordered.windows(2) {
            let a = Version::parse(w[0]).unwrap();
            let b = Version::parse(w[1]).unwrap();
            assert_eq!(a.compare(&b), -1, "{} < {}", w[0], w[1]);
            assert_eq!(b.compare(&a), 1, "{} > {}", w[1], w[0]);
        }
        let a = Version::parse("1.0.0+a").unwrap();
        let b = Version::parse("v1.0+b").unwrap();
        assert_eq!(a, b);
    }
}
