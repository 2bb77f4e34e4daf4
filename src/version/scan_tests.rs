//! The hand-written scans ([`super::scan`], the plain constraint parse)
//! against Masterminds' regular expressions, on generated inputs: where the
//! scan answers, it must give exactly what the expressions give.

use regex::Regex;

use super::constraint::{parse_plain, parse_with_expressions};
use super::error::{parse_u64_segment, VersionError};
use super::Version;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VERSION_TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "10",
    "01",
    "007",
    "99999999999999999999",
    ".",
    ".",
    "-",
    "+",
    "v",
    "x",
    "X",
    "*",
    "a",
    "beta",
    "rc",
    "-",
    "A-b",
    "|",
    " ",
    "",
];

fn version_like(g: &mut Gen) -> String {
    if g.below(3) == 0 {
        // well-formed shapes, to reach every branch past the segments
        let mut s = String::new();
        if g.below(4) == 0 {
            s.push('v');
        }
        s.push_str(g.pick(&["1", "0", "12", "01", "x", "*"]));
        for _ in 0..g.below(4) {
            s.push('.');
            s.push_str(g.pick(&["2", "0", "x", "X", "*", "03", ""]));
        }
        if g.below(2) == 0 {
            s.push('-');
            s.push_str(g.pick(&["beta", "0", "rc.1", "a.b.c", "x-y", "", "1.", "01"]));
        }
        if g.below(3) == 0 {
            s.push('+');
            s.push_str(g.pick(&["build", "1.2", "", "x.", "sha-1"]));
        }
        return s;
    }
    (0..1 + g.below(8))
        .map(|_| g.pick(VERSION_TOKENS))
        .collect()
}

/// The lenient version parse as it was written with the expression.
fn parse_by_expression(re: &Regex, v: &str) -> Result<Version, VersionError> {
    let caps = re.captures(v).ok_or(VersionError::InvalidSemVer)?;
    let segment = |i: usize| -> Result<u64, VersionError> {
        match caps.get(i) {
            None => Ok(0),
            Some(m) => {
                parse_u64_segment(m.as_str().trim_start_matches('.')).map_err(VersionError::Segment)
            }
        }
    };
    let (major, minor, patch) = (segment(1)?, segment(2)?, segment(3)?);
    let pre = caps.get(5).map_or("", |m| m.as_str());
    let metadata = caps.get(8).map_or("", |m| m.as_str());
    // The validation of the parts is shared code: compare through it.
    let text = format!(
        "{major}.{minor}.{patch}{}{pre}{}{metadata}",
        if pre.is_empty() { "" } else { "-" },
        if metadata.is_empty() { "" } else { "+" }
    );
    Version::parse(&text).map(|_| Version::new(major, minor, patch, pre, metadata))
}

#[test]
fn versions_parse_as_the_expression_parses_them() {
    let re = Regex::new(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
    )
    .expect("regex");
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..40_000 {
        let v = version_like(&mut g);
        let ours = Version::parse(&v);
        let theirs = parse_by_expression(&re, &v);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                accepted += 1;
                assert_eq!(
                    (
                        a.major(),
                        a.minor(),
                        a.patch(),
                        a.prerelease(),
                        a.metadata()
                    ),
                    (
                        b.major(),
                        b.minor(),
                        b.patch(),
                        b.prerelease(),
                        b.metadata()
                    ),
                    "{v:?}"
                );
                assert_eq!(a.original(), v);
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{v:?}"),
            _ => panic!("{v:?}: scan {ours:?}, expression {theirs:?}"),
        }
    }
    assert!(
        accepted > 3_000,
        "only {accepted} generated versions parsed"
    );
}

const CONSTRAINT_TOKENS: &[&str] = &[
    ">", "<", "=", "!", "~", "^", ">=", "=>", "<=", "=<", "!=", "~>", " ", " ", "  ", "\t", ",",
    ", ", "||", " || ", "|", "-", " - ", "\u{b}", "\u{a0}",
];

fn constraint_like(g: &mut Gen) -> String {
    let mut s = String::new();
    for _ in 0..1 + g.below(4) {
        if g.below(2) == 0 {
            s.push_str(g.pick(CONSTRAINT_TOKENS));
        }
        if g.below(3) == 0 {
            s.push_str(g.pick(&[" ", "", "\n"]));
        }
        s.push_str(&version_like(g));
        if g.below(3) == 0 {
            s.push_str(g.pick(CONSTRAINT_TOKENS));
        }
    }
    s
}

#[test]
fn plain_constraints_parse_as_the_expressions_parse_them() {
    let mut g = Gen(0x2545_F491_4F6C_DD1D);
    let mut answered = 0;
    for _ in 0..40_000 {
        let c = constraint_like(&mut g);
        let Some(ours) = parse_plain(&c) else {
            continue;
        };
        answered += 1;
        let theirs = parse_with_expressions(&c);
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{c:?}");
    }
    assert!(
        answered > 1_500,
        "only {answered} generated constraints took the plain parse"
    );
}

#[test]
fn common_constraints_take_the_plain_parse() {
    for c in [
        "~1.2.3",
        ">=1.21.0-0",
        ">= 1.19.0-0 < 2",
        "1.x || 2.x",
        "^16.0.0",
        "18.x.x",
        "*",
        ">=1.16-0, <1.30.0",
    ] {
        let plain = parse_plain(c).unwrap_or_else(|| panic!("{c} not plain"));
        assert_eq!(
            format!("{plain:?}"),
            format!("{:?}", parse_with_expressions(c))
        );
    }
}
