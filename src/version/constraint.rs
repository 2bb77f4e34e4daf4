//! Version ranges in Masterminds/semver v3 syntax, as Helm uses them for
//! dependency versions, `kubeVersion`, `semverCompare`, `helm search --version`
//! and `--version` on pulls.
//!
//! Grammar: `||` separates alternatives; inside one, constraints are joined by
//! spaces or commas (AND). A constraint is an operator (`=`, `!=`, `>`, `<`,
//! `>=`, `=>`, `<=`, `=<`, `~`, `~>`, `^` or none) and a version that may use
//! `x`/`X`/`*` wildcards or omit trailing segments. `A - B` is `>= A, <= B`.
//!
//! Prereleases only match when the AND group mentions a prerelease itself
//! (`>=1.20-0`), or when [`Constraint::include_prerelease`] is set.
//!
//! The parsing deliberately follows Masterminds' regular expressions, quirks
//! included (`|` is accepted inside a version's digits), so that Helm and
//! rudder accept and reject exactly the same strings. The shapes charts
//! actually write are scanned by hand first ([`parse_plain`], no expression
//! to compile); anything else goes through the expressions themselves.

use std::fmt;
use std::sync::LazyLock;

/// Masterminds/semver's `MaxConstraintLen`: longer constraint strings are refused.
pub const MAX_CONSTRAINT_LEN: usize = 512;

use regex::Regex;

use super::error::{go_quote, ConstraintError};
use super::semver::{compare_prerelease, Version};

const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
/// Go RE2's `\s` (ASCII only, no `\v`).
const WS: &str = r"[\t\n\f\r ]";
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

static SINGLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{WS}*({OPS}){WS}*({CV}){WS}*$")).expect("static regex"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")).expect("static regex")
});
static FIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("({OPS}){WS}*({CV})")).expect("static regex"));
static VALID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        "^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
    ))
    .expect("static regex")
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_str(s: &str) -> Op {
        match s {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

/// One comparison, e.g. `>= 1.2.x`.
#[derive(Clone, Debug)]
struct Single {
    op: Op,
    /// The operator as written (`=>`), for `Display`.
    op_text: String,
    /// The version as written (`1.2.x`), for messages and `Display`.
    orig: String,
    con: Version,
    /// Some segment was a wildcard or missing.
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// A parsed range: alternatives (`||`) of AND groups.
#[derive(Clone, Debug)]
pub struct Constraint {
    groups: Vec<Vec<Single>>,
    /// Per group: whether some constraint in it names a prerelease.
    group_has_pre: Vec<bool>,
    /// Let prereleases match every group (Masterminds `IncludePrerelease`).
    pub include_prerelease: bool,
}

impl Constraint {
    /// Masterminds `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraint, ConstraintError> {
        if text.len() > MAX_CONSTRAINT_LEN {
            return Err(ConstraintError::TooLong);
        }
        parse_plain(text).unwrap_or_else(|| parse_with_expressions(text))
    }

    /// Masterminds `Check`: does `v` satisfy some alternative?
    pub fn matches(&self, v: &Version) -> bool {
        self.groups.iter().zip(&self.group_has_pre).any(|(g, pre)| {
            let include_pre = self.include_prerelease || *pre;
            g.iter().all(|c| c.check(v, include_pre).is_ok())
        })
    }

    /// Masterminds `Validate`: `Ok` when satisfied, else every reason found
    /// (texts as Masterminds words them).
    pub fn validate(&self, v: &Version) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let mut prerelease_reported = false;
        for (g, pre) in self.groups.iter().zip(&self.group_has_pre) {
            let include_pre = self.include_prerelease || *pre;
            let mut ok = true;
            for c in g {
                if !include_pre && !v.prerelease().is_empty() {
                    if !prerelease_reported {
                        errors.push(prerelease_message(v));
                        prerelease_reported = true;
                    }
                    ok = false;
                } else if let Err(e) = c.check(v, include_pre) {
                    errors.push(e);
                    ok = false;
                }
            }
            if ok {
                return Ok(());
            }
        }
        Err(errors)
    }
}

impl fmt::Display for Constraint {
    /// Masterminds `String()`: constraints of a group joined by spaces,
    /// groups by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| format!("{}{}", c.op_text, c.orig))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&groups.join(" || "))
    }
}

impl std::str::FromStr for Constraint {
    type Err = ConstraintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constraint::parse(s)
    }
}

/// [`Constraint::parse`] by Masterminds' own regular expressions: every
/// shape, quirks included.
pub(super) fn parse_with_expressions(text: &str) -> Result<Constraint, ConstraintError> {
    let text = rewrite_hyphen_ranges(text);
    let mut groups = Vec::new();
    let mut group_has_pre = Vec::new();
    for alt in text.split("||") {
        if !VALID.is_match(alt) {
            return Err(ConstraintError::Improper(go_quote(alt)));
        }
        let mut found: Vec<&str> = FIND.find_iter(alt).map(|m| m.as_str()).collect();
        if found.is_empty() {
            found.push(alt);
        }
        let mut group = Vec::with_capacity(found.len());
        let mut has_pre = false;
        for s in found {
            let c = parse_single(s)?;
            if !c.con.prerelease().is_empty() {
                has_pre = true;
            }
            group.push(c);
        }
        groups.push(group);
        group_has_pre.push(has_pre);
    }
    Ok(Constraint {
        groups,
        group_has_pre,
        include_prerelease: false,
    })
}

/// The two-character operators, tried before the one-character ones (as
/// the expression's alternation effectively does: the version after an
/// operator cannot start with `=` or `>`).
const OPS_TWO: [&str; 6] = ["!=", ">=", "=>", "<=", "=<", "~>"];
const OPS_ONE: [&str; 5] = ["=", ">", "<", "~", "^"];

/// Go RE2's `\s`.
fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// [`Constraint::parse`] without the regular expressions, for the shapes
/// charts write (`~1.2.3`, `>=1.21.0-0`, `>= 1.19 < 2`, `1.x || 2.x`):
/// alternatives of comparisons separated by spaces or commas. `None`
/// whenever the text strays from that (a hyphen range, a `|` inside a
/// version, anything the scan does not know): the expressions decide then.
/// Where it answers, the answer is the expressions' (checked on generated
/// inputs by `crate::version::scan_tests`).
pub(super) fn parse_plain(text: &str) -> Option<Result<Constraint, ConstraintError>> {
    let b = text.as_bytes();
    // `A - B` ranges are rewritten by the expressions.
    if (1..b.len()).any(|i| b[i] == b'-' && is_ws(b[i - 1])) {
        return None;
    }
    let mut groups = Vec::new();
    let mut group_has_pre = Vec::new();
    for alt in text.split("||") {
        let a = alt.as_bytes();
        let skip_ws = |mut i: usize| {
            while i < a.len() && is_ws(a[i]) {
                i += 1;
            }
            i
        };
        // The shape of the whole alternative first: the expressions reject
        // a malformed one before they read any of its versions.
        let mut found = Vec::new();
        let mut i = skip_ws(0);
        loop {
            let rest = &alt[i..];
            let op = OPS_TWO
                .iter()
                .chain(OPS_ONE.iter())
                .find(|op| rest.starts_with(**op))
                .map_or("", |op| *op);
            let at = skip_ws(i + op.len());
            let parts = super::scan::version_at(alt, at, super::scan::Segments::Wildcards)?;
            found.push((op, parts));
            let end = parts.end();
            let next = skip_ws(end);
            match a.get(next) {
                None => break,
                Some(b',') => i = skip_ws(next + 1),
                Some(_) if next > end => i = next,
                Some(_) => return None,
            }
            if i >= a.len() {
                return None;
            }
        }
        let span = |s: Option<(usize, usize)>| s.map_or("", |(x, y)| &alt[x..y]);
        let mut group = Vec::with_capacity(found.len());
        let mut has_pre = false;
        for (op, parts) in found {
            let single = single_from(
                op,
                span(Some(parts.whole)),
                span(Some(parts.major)),
                span(parts.minor),
                span(parts.patch),
                span(parts.pre),
            );
            let single = match single {
                Ok(single) => single,
                Err(e) => return Some(Err(e)),
            };
            has_pre |= !single.con.prerelease().is_empty();
            group.push(single);
        }
        groups.push(group);
        group_has_pre.push(has_pre);
    }
    Some(Ok(Constraint {
        groups,
        group_has_pre,
        include_prerelease: false,
    }))
}

/// Rewrites each `A - B` into `>= A, <= B `.
fn rewrite_hyphen_ranges(text: &str) -> String {
    let found: Vec<(String, String, String)> = RANGE
        .captures_iter(text)
        .map(|c| {
            (
                c[0].to_string(),
                c.get(1).map_or("", |m| m.as_str()).to_string(),
                c.get(11).map_or("", |m| m.as_str()).to_string(),
            )
        })
        .collect();
    let mut out = text.to_string();
    for (whole, from, to) in found {
        out = out.replacen(&whole, &format!(">= {from}, <= {to} "), 1);
    }
    out
}

fn is_wildcard(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_single(s: &str) -> Result<Single, ConstraintError> {
    let caps = SINGLE
        .captures(s)
        .ok_or_else(|| ConstraintError::Improper(go_quote(s)))?;
    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    single_from(group(1), group(2), group(3), group(4), group(5), group(6))
}

/// A comparison from the groups Masterminds' expression captures: the
/// operator, the whole version, its major segment, its minor and patch
/// segments with their dots and its prerelease with its `-` (each `""`
/// when absent).
fn single_from(
    op_text: &str,
    orig: &str,
    major: &str,
    minor: &str,
    patch: &str,
    pre: &str,
) -> Result<Single, ConstraintError> {
    let mut dirty = false;
    let mut minor_dirty = false;
    let mut patch_dirty = false;
    let ver = if is_wildcard(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if minor.is_empty() || is_wildcard(minor.trim_start_matches('.')) {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{pre}")
    } else if patch.is_empty() || is_wildcard(patch.trim_start_matches('.')) {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        orig.to_string()
    };
    let con = Version::parse(&ver).map_err(|_| ConstraintError::Parser)?;
    Ok(Single {
        op: Op::from_str(op_text),
        op_text: op_text.to_string(),
        orig: orig.to_string(),
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

fn prerelease_message(v: &Version) -> String {
    format!(
        "{} is a prerelease version and the constraint is only looking for release versions",
        go_quote(&v.to_string())
    )
}

impl Single {
    /// `Ok` when `v` satisfies this comparison, else Masterminds' reason.
    fn check(&self, v: &Version, include_pre: bool) -> Result<(), String> {
        if !v.prerelease().is_empty() && !include_pre {
            return Err(prerelease_message(v));
        }
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else if v == &self.con {
                    Ok(())
                } else {
                    Err(self.reason(v, "is not equal to"))
                }
            }
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => {
                if v < &self.con {
                    Ok(())
                } else {
                    Err(self.reason(v, "is greater than or equal to"))
                }
            }
            Op::GreaterEqual => {
                if v >= &self.con {
                    Ok(())
                } else {
                    Err(self.reason(v, "is less than"))
                }
            }
            Op::LessEqual => self.less_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn reason(&self, v: &Version, what: &str) -> String {
        format!(
            "{} {what} {}",
            go_quote(&v.to_string()),
            go_quote(&self.orig)
        )
    }

    fn not_equal(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if self.dirty {
            if c.major() != v.major() {
                return Ok(());
            }
            if c.minor() != v.minor() && !self.minor_dirty {
                return Ok(());
            } else if self.minor_dirty {
                return Err(self.reason(v, "is equal to"));
            } else if c.patch() != v.patch() && !self.patch_dirty {
                return Ok(());
            } else if self.patch_dirty {
                if (!v.prerelease().is_empty() || !c.prerelease().is_empty())
                    && compare_prerelease(v.prerelease(), c.prerelease())
                        != std::cmp::Ordering::Equal
                {
                    return Ok(());
                }
                return Err(self.reason(v, "is equal to"));
            }
        }
        if v == c {
            Err(self.reason(v, "is equal to"))
        } else {
            Ok(())
        }
    }

    fn greater(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        let fail = || Err(self.reason(v, "is less than or equal to"));
        if !self.dirty {
            return if v > c { Ok(()) } else { fail() };
        }
        if v.major() > c.major() {
            Ok(())
        } else if v.major() < c.major() || self.minor_dirty {
            fail()
        } else if self.patch_dirty {
            if v.minor() > c.minor() {
                Ok(())
            } else {
                fail()
            }
        } else if v > c {
            Ok(())
        } else {
            fail()
        }
    }

    fn less_equal(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if !self.dirty {
            return if v <= c {
                Ok(())
            } else {
                Err(self.reason(v, "is greater than"))
            };
        }
        if v.major() > c.major()
            || (v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty)
        {
            return Err(self.reason(v, "is greater than"));
        }
        Ok(())
    }

    fn tilde(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if v < c {
            return Err(self.reason(v, "is less than"));
        }
        // `~0.0.0` (and `~*`) accept everything.
        if c.major() == 0
            && c.minor() == 0
            && c.patch() == 0
            && !self.minor_dirty
            && !self.patch_dirty
        {
            return Ok(());
        }
        if v.major() != c.major() {
            return Err(self.reason(v, "does not have same major version as"));
        }
        if v.minor() != c.minor() && !self.minor_dirty {
            return Err(self.reason(v, "does not have same major and minor version as"));
        }
        Ok(())
    }

    fn caret(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if v < c {
            return Err(self.reason(v, "is less than"));
        }
        if c.major() > 0 || self.minor_dirty {
            return if v.major() == c.major() {
                Ok(())
            } else {
                Err(self.reason(v, "does not have same major version as"))
            };
        }
        if v.major() > 0 {
            return Err(self.reason(v, "does not have same major version as"));
        }
        if c.minor() > 0 || self.patch_dirty {
            return if v.minor() == c.minor() {
                Ok(())
            } else {
                Err(self.reason(v, "does not have same minor version as")
                    + ". Expected minor versions to match when constraint major version is 0")
            };
        }
        if v.minor() > 0 {
            return Err(self.reason(v, "does not have same minor version as"));
        }
        if c.patch() == v.patch() {
            Ok(())
        } else {
            Err(self.reason(v, "does not equal")
                + ". Expect version and constraint to equal when major and minor versions are 0")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        let c = Constraint::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        let v = Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        c.matches(&v)
    }

    #[test]
    fn check_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "1.2.3", true),
            ("*", "1.2.3-alpha", false),
            ("~0.0.0", "1.2.3", true),
            ("0.x.x", "1.2.3", false),
            ("0.0.0", "1.2.3", false),
            ("^0.0.0", "1.2.3", false),
            ("= 2.0", "2.0.0", true),
            ("= 2.0", "1.2.3", false),
            ("4.1", "4.1.0", true),
            ("4.1.x", "4.1.3", true),
            ("1.x", "1.4", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1-alpha", "4.1.0-alpha", false),
            ("!=4.1-alpha", "4.1.1-alpha", false),
            ("!=4.1-alpha", "4.1.0", true),
            ("!=4.x", "5.1.0", true),
            ("!=4.x", "4.1.0", false),
            ("!=4.1.x", "4.2.0", true),
            ("!=4.2.x", "4.2.3", false),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "1.1.1", false),
            ("<1.x", "0.1.1", true),
            ("<1.x", "1.1.1", false),
            ("<1.1.x", "1.0.500", true),
            (">=1.1", "4.1.0-beta", false),
            (">=1.1", "0.0.9", false),
            ("<=1.1", "1.1.1", true),
            ("<=1.1-a", "0.1.0-alpha", true),
            ("<=2.x", "3.0.0", false),
            ("<=4.5", "4.6.3", false),
            (">1.1, <2", "1.2.1", true),
            (">=1.1 <2 !=1.2.3", "1.2.3", false),
            (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true),
            (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false),
            (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true),
            ("1.1 - 2", "1.1.1", true),
            ("1.5.0 - 4.5", "3.7.0", true),
            ("1.1-3", "4.3.2", false),
            ("^1.1", "1.1.1", true),
            ("^1.1", "4.3.2", false),
            ("^1.x", "1.1.1-beta1", false),
            ("^1.1.2-alpha", "1.2.1-beta1", true),
            ("^1.2.x-alpha", "1.1.1-beta1", false),
            ("^0.0.1", "0.3.1", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("~*", "2.1.1", true),
            ("~1", "1.3.5", true),
            ("~1", "2.1.1", false),
            ("~1.1", "1.1.1-alpha", false),
            ("~1.1-alpha", "1.1.1-beta", true),
            ("~1.1.1-beta", "1.1.1-alpha", false),
            ("~1.2.3", "1.3.2", false),
            ("~>1.2.3", "1.2.5", true),
            ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
            (">=1.20", "1.21.0-rc.1", false),
            (">=1.20-0", "1.21.0-rc.1", true),
            (">=v1.2.3", "1.2.3", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(check(c, v), *want, "{c:?} with {v:?}");
        }
    }

    #[test]
    fn include_prerelease_flag() {
        let mut c = Constraint::parse(">=1.1").unwrap();
        let v = Version::parse("4.1.0-beta").unwrap();
        assert!(!c.matches(&v));
        c.include_prerelease = true;
        assert!(c.matches(&v));
    }

    #[test]
    fn parse_errors() {
        let e = |c: &str| Constraint::parse(c).unwrap_err().to_string();
        assert_eq!(e("foo"), "improper constraint: \"foo\"");
        let long = format!(">=1.0.0{}", " ".repeat(506));
        assert_eq!(e(&long), "constraint string is too long (max 512 bytes)");
        assert!(Constraint::parse(&long[..512]).is_ok());
        assert_eq!(e(""), "improper constraint: \"\"");
        assert_eq!(e(">=1 || bar"), "improper constraint: \" bar\"");
        assert_eq!(e("1.2 <> 3"), "improper constraint: \"1.2 <> 3\"");
        assert_eq!(e("**"), "constraint parser error");
        assert!(Constraint::parse("~> 1.0, != 1.0.1 || ^2").is_ok());
    }

    #[test]
    fn display() {
        let c = Constraint::parse(">= 1.1, <2 || ~1.0.x").unwrap();
        assert_eq!(c.to_string(), ">=1.1 <2 || ~1.0.x");
        let c = Constraint::parse("1.1 - 2").unwrap();
        assert_eq!(c.to_string(), ">=1.1 <=2");
    }

    #[test]
    fn validate_reasons() {
        let c = Constraint::parse("<=1.1").unwrap();
        let v = Version::parse("1.2.0").unwrap();
        assert_eq!(
            c.validate(&v).unwrap_err(),
            vec!["\"1.2.0\" is greater than \"1.1\"".to_string()]
        );
        let v = Version::parse("1.0.0-rc1").unwrap();
        assert_eq!(
            c.validate(&v).unwrap_err(),
            vec![
                "\"1.0.0-rc1\" is a prerelease version and the constraint is only looking for release versions"
                    .to_string()
            ]
        );
    }
}
