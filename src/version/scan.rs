//! A hand-written matcher for the version shape Masterminds/semver writes
//! as a regular expression:
//! `v?N(\.N)?(\.N)?(-ID(\.ID)*)?(\+ID(\.ID)*)?` with `ID = [0-9A-Za-z-]+`
//! and `N` digits (versions) or digits and `x`/`X`/`*` (constraints).
//!
//! Why not the regular expressions themselves: compiling them was a fixed
//! ~0.5 ms of every `template` run of a chart with dependencies or a
//! `semverCompare` (most charts), more than the matching. The shape has one
//! way to match, scanned left to right: each part is decided by the next
//! character alone. `crate::version::scan_tests` checks every parse
//! against the original expressions on generated inputs.

/// Which characters a numeric segment may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Segments {
    /// `[0-9]+` (a version).
    Digits,
    /// `[0-9xX*]+` (a version in a constraint). Masterminds' class also
    /// admits `|`; callers that meet one defer to the regular expression.
    Wildcards,
}

/// The parts of one matched version, as byte ranges of the scanned text,
/// each with its leading separator (`.1`, `-beta`, `+build`) as the
/// regular expressions' groups have them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    /// The whole version, `v` included.
    pub whole: (usize, usize),
    pub major: (usize, usize),
    pub minor: Option<(usize, usize)>,
    pub patch: Option<(usize, usize)>,
    pub pre: Option<(usize, usize)>,
    pub meta: Option<(usize, usize)>,
}

impl Parts {
    /// The end of the match.
    pub fn end(&self) -> usize {
        self.whole.1
    }
}

fn is_segment_byte(b: u8, kind: Segments) -> bool {
    b.is_ascii_digit() || (kind == Segments::Wildcards && matches!(b, b'x' | b'X' | b'*'))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The end of a run of bytes satisfying `ok` from `at` (at least one), or
/// `None` when there is none.
fn run(s: &[u8], at: usize, ok: impl Fn(u8) -> bool) -> Option<usize> {
    let len = s.get(at..)?.iter().take_while(|&&b| ok(b)).count();
    (len > 0).then_some(at + len)
}

/// `ID(\.ID)*` from `at`: its end, or `None` when it does not match (an
/// empty identifier, a trailing dot) — where the regular expression, which
/// must then end or go on with `+`/`$`, fails as well.
fn dotted_identifiers(s: &[u8], at: usize) -> Option<usize> {
    let mut end = run(s, at, is_ident_byte)?;
    while s.get(end) == Some(&b'.') {
        end = run(s, end + 1, is_ident_byte)?;
    }
    Some(end)
}

/// Matches a version starting exactly at `at`, taking as much as the
/// regular expression's greedy parts take. `None` when no version starts
/// there, or when the expression would backtrack into a shorter match
/// (a `-` or `+` not followed by an identifier, a dot not followed by a
/// segment): callers that need the whole text to match treat that as no
/// match, which the expression agrees with, and callers scanning within a
/// longer text defer to the expression.
pub fn version_at(text: &str, at: usize, kind: Segments) -> Option<Parts> {
    let s = text.as_bytes();
    let start = at;
    let mut i = at;
    if s.get(i) == Some(&b'v') {
        i += 1;
    }
    let major_end = run(s, i, |b| is_segment_byte(b, kind))?;
    let major = (i, major_end);
    i = major_end;
    let segment = |i: &mut usize| -> Option<Option<(usize, usize)>> {
        if s.get(*i) != Some(&b'.') {
            return Some(None);
        }
        let end = run(s, *i + 1, |b| is_segment_byte(b, kind))?;
        let part = (*i, end);
        *i = end;
        Some(Some(part))
    };
    let minor = segment(&mut i)?;
    let patch = if minor.is_some() {
        segment(&mut i)?
    } else {
        None
    };
    let tagged = |i: &mut usize, tag: u8| -> Option<Option<(usize, usize)>> {
        if s.get(*i) != Some(&tag) {
            return Some(None);
        }
        let end = dotted_identifiers(s, *i + 1)?;
        let part = (*i, end);
        *i = end;
        Some(Some(part))
    };
    let pre = tagged(&mut i, b'-')?;
    let meta = tagged(&mut i, b'+')?;
    Some(Parts {
        whole: (start, i),
        major,
        minor,
        patch,
        pre,
        meta,
    })
}
