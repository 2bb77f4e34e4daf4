//! Sprig's regular-expression functions over Go's RE2 syntax.
//!
//! Patterns are translated to the `regex` crate's dialect where the two
//! differ in meaning: Go's `\d`, `\w`, `\s`, `\b` are ASCII-only, a `[`
//! inside a class and `&&`/`~~` are literals, and a `{` that does not start
//! a valid repeat is a literal. Compile errors are reported in Go's words
//! (`error parsing regexp: missing closing ]: `[a``), and the plain (non-
//! `must`) functions fail as Go's `regexp.MustCompile` panics.
//! Matching semantics (leftmost-first, empty matches not adjacent to a
//! previous match) are the same in both engines.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use regex::Regex;
use regex_syntax::ast;

mod translate;
use super::strings::go_unicode::{is_digit, is_letter};
use translate::{go_error, repeat_spec, translate};

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::{ElemType, Value};

pub fn register(reg: &mut Registry) {
    use Ty::{Int, String as Str};
    let two = Sig::fixed(&[Str, Str]);
    let three_str = Sig::fixed(&[Str, Str, Str]);
    let with_n = Sig::fixed(&[Str, Str, Int]);
    reg.add("regexMatch", two, regex_match);
    reg.add("mustRegexMatch", two, must_regex_match);
    reg.add("regexFind", two, |e, a| plain(e, a, regex_find));
    reg.add("mustRegexFind", two, regex_find);
    reg.add("regexFindAll", with_n, |e, a| plain(e, a, regex_find_all));
    reg.add("mustRegexFindAll", with_n, regex_find_all);
    reg.add("regexReplaceAll", three_str, |e, a| {
        plain(e, a, replace_all)
    });
    reg.add("mustRegexReplaceAll", three_str, replace_all);
    reg.add("regexReplaceAllLiteral", three_str, |e, a| {
        plain(e, a, replace_all_literal)
    });
    reg.add("mustRegexReplaceAllLiteral", three_str, replace_all_literal);
    reg.add("regexSplit", with_n, |e, a| plain(e, a, split));
    reg.add("mustRegexSplit", with_n, split);
    reg.add("regexQuoteMeta", Sig::fixed(&[Str]), quote_meta);
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A compile error: Go's `*syntax.Error` text (`error parsing regexp: ...`).
#[derive(Clone, Debug, PartialEq)]
pub struct GoRegexError(pub String);

/// The non-`must` form: a compile error becomes `regexp.MustCompile`'s panic.
fn plain(env: &mut FuncEnv, a: &[Value], must: super::NativeFn) -> FuncResult {
    if let Err(e) = compile_go(s(&a[0])) {
        return Err(FuncError::new(format!(
            "regexp: Compile({}): {}",
            go_backquote(s(&a[0])),
            e.0
        )));
    }
    must(env, a)
}

/// Go's `regexp.quote`: backquoted when possible, else `strconv.Quote`.
fn go_backquote(s: &str) -> String {
    let can_backquote = !s
        .chars()
        .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'));
    if can_backquote {
        format!("`{s}`")
    } else {
        crate::render::gofmt::quote(s)
    }
}

thread_local! {
    /// Compiled patterns; templates often apply one pattern in a loop.
    /// Shared, not cloned, on a hit: a cloned `Regex` starts with an empty
    /// pool of match caches, and building one on every call cost more than
    /// the matching itself.
    static CACHE: RefCell<HashMap<String, Result<Rc<GoRegex>, GoRegexError>>> = RefCell::new(HashMap::new());
}

/// A compiled pattern with the Go names of its groups (Go allows duplicate
/// names, which the compiled form spells differently).
#[derive(Debug)]
pub struct GoRegex {
    pub re: Regex,
    /// Index 0 is the whole match; `None` for unnamed groups.
    pub group_names: Vec<Option<String>>,
}

/// Compiles a Go RE2 pattern into an ordinary [`Regex`] (for callers that
/// only match, such as `helm search --regexp`).
pub fn compile(pattern: &str) -> Result<Regex, GoRegexError> {
    compile_go(pattern).map(|g| g.re.clone())
}

/// Compiles a Go RE2 pattern, keeping its Go group names.
pub fn compile_go(pattern: &str) -> Result<Rc<GoRegex>, GoRegexError> {
    if let Some(hit) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return hit;
    }
    let result = compile_uncached(pattern).map(Rc::new);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 512 {
            c.clear();
        }
        c.insert(pattern.to_string(), result.clone());
    });
    result
}

fn compile_uncached(pattern: &str) -> Result<GoRegex, GoRegexError> {
    let translated = translate(pattern)?;
    let rust = &translated.pattern;
    let original_at = |rust_pos: usize| -> usize {
        translated
            .origin
            .get(rust_pos)
            .copied()
            .unwrap_or(pattern.len())
    };
    let parsed = ast::parse::Parser::new().parse(rust);
    let ast = match parsed {
        Ok(ast) => ast,
        Err(e) => {
            let span = e.span();
            let (start, end) = (original_at(span.start.offset), original_at(span.end.offset));
            return Err(map_ast_error(e.kind(), pattern, start, end));
        }
    };
    if let Err(e) = regex_syntax::hir::translate::Translator::new().translate(rust, &ast) {
        let span = e.span();
        let (start, end) = (original_at(span.start.offset), original_at(span.end.offset));
        let expr = pattern.get(start..end).unwrap_or(pattern);
        return Err(go_error("invalid character class range", expr));
    }
    let re = Regex::new(rust).map_err(|_| go_error("expression too large", pattern))?;
    Ok(GoRegex {
        re,
        group_names: translated.group_names,
    })
}

/// Go's error code and offending text for a parse failure at
/// `pattern[start..end]`.
fn map_ast_error(kind: &ast::ErrorKind, pattern: &str, start: usize, end: usize) -> GoRegexError {
    use ast::ErrorKind as K;
    let span_text = pattern.get(start..end.max(start)).unwrap_or("");
    // Text from the innermost `(?` before the error through its end.
    let from_group = || {
        let open = pattern[..start.min(pattern.len())]
            .rfind("(?")
            .unwrap_or(start);
        let stop = (end + 1).min(pattern.len()).max(open);
        pattern.get(open..stop).unwrap_or(pattern).to_string()
    };
    match kind {
        K::ClassUnclosed => go_error("missing closing ]", &pattern[start.min(pattern.len())..]),
        K::GroupUnclosed => go_error("missing closing )", pattern),
        K::GroupUnopened => go_error("unexpected )", pattern),
        K::RepetitionMissing => {
            let at = start.min(pattern.len());
            let op_len = match pattern[at..].chars().next() {
                Some('{') => repeat_spec(&pattern[at..]).map_or(1, |(len, _, _)| len),
                Some(c) => c.len_utf8(),
                None => 0,
            };
            let op = &pattern[at..at + op_len];
            let before = pattern[..at].chars().last();
            if matches!(before, Some('*' | '+' | '?' | '}')) {
                go_error(
                    "invalid nested repetition operator",
                    &pattern[at - 1..at + op_len],
                )
            } else {
                go_error("missing argument to repetition operator", op)
            }
        }
        K::RepetitionCountInvalid => go_error("invalid repeat count", span_text),
        K::EscapeUnexpectedEof => go_error("trailing backslash at end of expression", ""),
        K::EscapeUnrecognized
        | K::EscapeHexEmpty
        | K::EscapeHexInvalid
        | K::EscapeHexInvalidDigit
        | K::ClassEscapeInvalid
        | K::UnsupportedBackreference
        | K::UnicodeClassInvalid => go_error("invalid escape sequence", span_text),
        K::ClassRangeInvalid | K::ClassRangeLiteral => {
            go_error("invalid character class range", span_text)
        }
        K::GroupNameDuplicate { .. }
        | K::GroupNameEmpty
        | K::GroupNameInvalid
        | K::GroupNameUnexpectedEof => go_error("invalid named capture", &from_group()),
        K::NestLimitExceeded(_) => go_error("expression nests too deeply", pattern),
        K::CaptureLimitExceeded => go_error("expression too large", pattern),
        _ => go_error("invalid or unsupported Perl syntax", &from_group()),
    }
}

fn compiled(a: &[Value]) -> Result<Rc<GoRegex>, FuncError> {
    compile_go(s(&a[0])).map_err(|e| FuncError::new(e.0))
}

/// `regexMatch`: false for an invalid pattern.
fn regex_match(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(
        compile_go(s(&a[0])).is_ok_and(|g| g.re.is_match(s(&a[1]))),
    ))
}

fn must_regex_match(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(compiled(a)?.re.is_match(s(&a[1]))))
}

fn regex_find(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let g = compiled(a)?;
    let re = &g.re;
    Ok(Value::str(re.find(s(&a[1])).map_or("", |m| m.as_str())))
}

fn limit(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => -1,
    }
}

/// `regexFindAll RE S N`: at most N matches (all when N < 0).
fn regex_find_all(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let g = compiled(a)?;
    let re = &g.re;
    let n = limit(&a[2]);
    let take = if n < 0 { usize::MAX } else { n as usize };
    let found: Vec<Value> = re
        .find_iter(s(&a[1]))
        .take(take)
        .map(|m| Value::str(m.as_str()))
        .collect();
    if found.is_empty() {
        // Go's FindAllString returns a nil slice when nothing matched.
        return Ok(Value::nil_list(ElemType::String));
    }
    Ok(Value::typed_list(found, ElemType::String))
}

/// `regexReplaceAll RE S REPL`: every match replaced by REPL with Go's
/// `$1` / `${name}` expansion.
fn replace_all(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let g = compiled(a)?;
    let (text, template) = (s(&a[1]), s(&a[2]));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in g.re.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&text[last..m.start()]);
        expand(&mut out, template, &caps, &g.group_names);
        last = m.end();
    }
    out.push_str(&text[last..]);
    Ok(Value::string(out))
}

/// Go's `Regexp.expand`: `$$` is `$`; `$name`/`${name}` (letters, digits,
/// `_`) is a group by number or name, empty if it did not participate;
/// anything malformed leaves the `$` as text.
fn expand(out: &mut String, template: &str, caps: &regex::Captures, names: &[Option<String>]) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, after)) = extract_name(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(n) => caps.get(n),
            None => names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_deref() == Some(name))
                .find_map(|(i, _)| caps.get(i)),
        };
        if let Some(m) = group {
            out.push_str(m.as_str());
        }
    }
    out.push_str(rest);
}

/// The group name after a `$` (bare or braced) and the text after it.
fn extract_name(s: &str) -> Option<(&str, &str)> {
    let (body, braced) = match s.strip_prefix('{') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let len: usize = body
        .chars()
        .take_while(|c| *c == '_' || is_letter(*c) || is_digit(*c))
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    if braced {
        let after = body[len..].strip_prefix('}')?;
        return Some((name, after));
    }
    Some((name, &body[len..]))
}

/// A group number: decimal without leading zeros (Go caps it at 1e8).
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    name.parse::<usize>().ok().filter(|n| *n < 100_000_000)
}

fn replace_all_literal(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let g = compiled(a)?;
    let re = &g.re;
    Ok(Value::string(
        re.replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
            .into_owned(),
    ))
}

/// Go's `Regexp.Split(s, n)`.
fn split(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let g = compiled(a)?;
    let re = &g.re;
    let (text, n) = (s(&a[1]), limit(&a[2]));
    if n == 0 {
        // Go's Regexp.Split returns a nil slice for n == 0.
        return Ok(Value::nil_list(ElemType::String));
    }
    let parts: Vec<Value> = go_split(re, s(&a[0]), text, n)
        .into_iter()
        .map(Value::str)
        .collect();
    Ok(Value::typed_list(parts, ElemType::String))
}

fn go_split<'t>(re: &Regex, pattern: &str, text: &'t str, n: i64) -> Vec<&'t str> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && text.is_empty() {
        return vec![""];
    }
    let take = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in re.find_iter(text).take(take) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(&text[beg..end]);
        }
        beg = m.end();
    }
    if end != text.len() {
        out.push(&text[beg..]);
    }
    out
}

/// Go's `regexp.QuoteMeta`: backslashes before `\.+*?()|[]{}^$`.
fn quote_meta(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut out = String::new();
    for c in s(&a[0]).chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::gofmt::sprint;

    fn call(f: super::super::NativeFn, args: &[&str]) -> FuncResult {
        let args: Vec<Value> = args.iter().map(|x| Value::str(x)).collect();
        f(&mut FuncEnv::default(), &args)
    }

    fn err(pattern: &str) -> String {
        compile(pattern).unwrap_err().0
    }

    #[test]
    fn go_error_texts() {
        assert_eq!(err("["), "error parsing regexp: missing closing ]: `[`");
        assert_eq!(
            err("x[ab"),
            "error parsing regexp: missing closing ]: `[ab`"
        );
        assert_eq!(err("(ab"), "error parsing regexp: missing closing ): `(ab`");
        assert_eq!(err("ab)"), "error parsing regexp: unexpected ): `ab)`");
        assert_eq!(
            err("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            err("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("\\q"),
            "error parsing regexp: invalid escape sequence: `\\q`"
        );
        assert_eq!(
            err("a\\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
        assert_eq!(
            err("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            err("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            err("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        let e = plain(
            &mut FuncEnv::default(),
            &[Value::str("["), Value::str("x")],
            regex_find,
        );
        assert_eq!(
            e.unwrap_err().0,
            "regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`"
        );
    }

    #[test]
    fn go_dialect() {
        assert!(compile("a{").unwrap().is_match("a{"));
        assert!(compile("a*?b+?c??d{2}?").is_ok());
        assert_eq!(
            err("a{2}{3}"),
            "error parsing regexp: invalid nested repetition operator: `{2}{3}`"
        );
        assert_eq!(
            err("a*?+"),
            "error parsing regexp: invalid nested repetition operator: `*?+`"
        );
        assert!(compile("x{a}").unwrap().is_match("x{a}"));
        assert!(!compile("^\\d$").unwrap().is_match("٣"));
        assert!(compile("[[]").unwrap().is_match("["));
        assert!(compile("[a&&b]").unwrap().is_match("&"));
        assert!(compile("[[:alpha:]]+").unwrap().is_match("abc"));
        assert!(compile("\\Qa.b\\E").unwrap().is_match("a.b"));
        assert!(!compile("\\Qa.b\\E").unwrap().is_match("axb"));
    }

    #[test]
    fn functions() {
        assert_eq!(
            sprint(&call(regex_find, &["[0-9]+", "ab12cd345"]).unwrap()),
            "12"
        );
        let all = regex_find_all(
            &mut FuncEnv::default(),
            &[
                Value::str("[0-9]+"),
                Value::str("ab12cd345ef6"),
                Value::Int(2),
            ],
        );
        assert_eq!(sprint(&all.unwrap()), "[12 345]");
        let empties = regex_find_all(
            &mut FuncEnv::default(),
            &[Value::str("a*"), Value::str("baaac"), Value::Int(-1)],
        );
        assert_eq!(sprint(&empties.unwrap()), "[ aaa ]");
        assert_eq!(
            sprint(&call(replace_all, &["a(x*)b", "-ab-axxb-", "${1}W"]).unwrap()),
            "-W-xxW-"
        );
        assert_eq!(
            sprint(&call(replace_all, &["a(x*)b", "-ab-axxb-", "$1W"]).unwrap()),
            "---"
        );
        assert_eq!(
            sprint(&call(replace_all_literal, &["a(x*)b", "-axb-", "${1}"]).unwrap()),
            "-${1}-"
        );
        assert_eq!(
            sprint(&call(quote_meta, &["1.5+[x]"]).unwrap()),
            "1\\.5\\+\\[x\\]"
        );
        let re = compile("a").unwrap();
        assert_eq!(go_split(&re, "a", "banana", -1), vec!["b", "n", "n", ""]);
        assert_eq!(go_split(&re, "a", "banana", 2), vec!["b", "nana"]);
        let re = compile("").unwrap();
        assert_eq!(go_split(&re, "", "abc", -1), vec!["a", "b", "c"]);
        assert!(
            !regex_match(&mut FuncEnv::default(), &[Value::str("["), Value::str("x")])
                .unwrap()
                .truthy()
        );
    }
}
