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

use regex::Regex;
use regex_syntax::ast;

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
    if let Err(e) = compile(s(&a[0])) {
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
    static CACHE: RefCell<HashMap<String, Result<Regex, GoRegexError>>> = RefCell::new(HashMap::new());
}

/// Compiles a Go RE2 pattern.
pub fn compile(pattern: &str) -> Result<Regex, GoRegexError> {
    if let Some(hit) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return hit;
    }
    let result = compile_uncached(pattern);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 512 {
            c.clear();
        }
        c.insert(pattern.to_string(), result.clone());
    });
    result
}

fn go_error(code: &str, expr: &str) -> GoRegexError {
    GoRegexError(format!("error parsing regexp: {code}: `{expr}`"))
}

fn compile_uncached(pattern: &str) -> Result<Regex, GoRegexError> {
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
    Regex::new(rust).map_err(|_| go_error("expression too large", pattern))
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

/// A pattern rewritten into the `regex` dialect, with the original byte
/// offset of every byte of the rewrite (for error positions).
struct Translated {
    pattern: String,
    origin: Vec<usize>,
}

impl Translated {
    fn push(&mut self, text: &str, from: usize) {
        self.pattern.push_str(text);
        self.origin.extend(std::iter::repeat_n(from, text.len()));
    }
}

/// Go's perl classes, which are ASCII-only.
fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        's' => "[\\t\\n\\f\\r ]",
        'S' => "[^\\t\\n\\f\\r ]",
        _ => return None,
    })
}

/// Length of a valid Go repeat `{n}`, `{n,}`, `{n,m}` at the start of `s`,
/// with its bounds.
fn repeat_spec(s: &str) -> Option<(usize, i64, Option<i64>)> {
    let close = s.find('}')?;
    let body = &s[1..close];
    let (min, max) = match body.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let number = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(t.parse::<i64>().unwrap_or(i64::MAX))
    };
    let lo = number(min)?;
    let hi = match max {
        None => Some(lo),
        Some("") => None,
        Some(m) => Some(number(m)?),
    };
    Some((close + 1, lo, hi))
}

fn translate(pattern: &str) -> Result<Translated, GoRegexError> {
    let mut out = Translated {
        pattern: String::with_capacity(pattern.len() + 8),
        origin: Vec::with_capacity(pattern.len() + 8),
    };
    let chars: Vec<(usize, char)> = pattern.char_indices().collect();
    let mut i = 0;
    // Inside a bracket class, and the index where its items start.
    let mut class_items_start: Option<usize> = None;
    // Start of the repetition operator just emitted, if the last token was one.
    let mut last_repeat: Option<usize> = None;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let mut buf = [0u8; 4];
        if c == '\\' || class_items_start.is_some() {
            last_repeat = None;
        }
        if c == '\\' {
            let Some(&(_, next)) = chars.get(i + 1) else {
                out.push("\\", pos);
                i += 1;
                continue;
            };
            if let Some(class) = perl_class(next) {
                out.push(class, pos);
                i += 2;
                continue;
            }
            if class_items_start.is_none() && (next == 'b' || next == 'B') {
                out.push(
                    if next == 'b' {
                        "(?-u:\\b)"
                    } else {
                        "(?-u:\\B)"
                    },
                    pos,
                );
                i += 2;
                continue;
            }
            if next == 'Q' {
                // Literal text up to `\E`.
                let rest = &pattern[chars[i + 1].0 + 1..];
                let (literal, consumed) = match rest.find("\\E") {
                    Some(e) => (&rest[..e], e + 2),
                    None => (rest, rest.len()),
                };
                for (k, lc) in literal.char_indices() {
                    out.push(&regex::escape(lc.encode_utf8(&mut buf)), pos + 2 + k);
                }
                let end = chars[i + 1].0 + 1 + consumed;
                while i < chars.len() && chars[i].0 < end {
                    i += 1;
                }
                continue;
            }
            out.push("\\", pos);
            out.push(next.encode_utf8(&mut buf), chars[i + 1].0);
            i += 2;
            continue;
        }
        if let Some(items_start) = class_items_start {
            match c {
                ']' if i > items_start => {
                    class_items_start = None;
                    out.push("]", pos);
                }
                '[' => {
                    let rest = &pattern[pos..];
                    let posix = rest.starts_with("[:")
                        && rest[2..].find(":]").is_some_and(|e| {
                            rest[2..2 + e]
                                .bytes()
                                .all(|b| b.is_ascii_alphabetic() || b == b'^')
                        });
                    if posix {
                        let len = rest[2..].find(":]").unwrap_or(0) + 4;
                        out.push(&rest[..len], pos);
                        while i < chars.len() && chars[i].0 < pos + len {
                            i += 1;
                        }
                        continue;
                    }
                    out.push("\\[", pos);
                }
                '&' | '~' => out.push(&format!("\\{c}"), pos),
                _ => out.push(c.encode_utf8(&mut buf), pos),
            }
            i += 1;
            continue;
        }
        let is_repeat_op =
            matches!(c, '*' | '+' | '?') || (c == '{' && repeat_spec(&pattern[pos..]).is_some());
        if !is_repeat_op {
            last_repeat = None;
        }
        match c {
            '[' => {
                out.push("[", pos);
                i += 1;
                if chars.get(i).map(|p| p.1) == Some('^') {
                    out.push("^", chars[i].0);
                    i += 1;
                }
                class_items_start = Some(i);
                continue;
            }
            '*' | '+' | '?' | '{' if is_repeat_op => {
                // The operator, then an optional lazy `?`.
                let mut len = 1;
                if c == '{' {
                    let (spec_len, lo, hi) = repeat_spec(&pattern[pos..]).unwrap_or((1, 0, None));
                    if lo > 1000 || hi.is_some_and(|h| h > 1000 || h < lo) {
                        return Err(go_error(
                            "invalid repeat count",
                            &pattern[pos..pos + spec_len],
                        ));
                    }
                    len = spec_len;
                }
                if pattern[pos + len..].starts_with('?') {
                    len += 1;
                }
                // Go (like Perl) rejects stacked operators such as `a**`.
                if let Some(start) = last_repeat {
                    return Err(go_error(
                        "invalid nested repetition operator",
                        &pattern[start..pos + len],
                    ));
                }
                last_repeat = Some(pos);
                out.push(&pattern[pos..pos + len], pos);
                while i < chars.len() && chars[i].0 < pos + len {
                    i += 1;
                }
                continue;
            }
            '{' => out.push("\\{", pos),
            '(' if pattern[pos..].starts_with("(?") => {
                check_flags(pattern, pos)?;
                out.push("(?", pos);
                i += 2;
                continue;
            }
            _ => out.push(c.encode_utf8(&mut buf), pos),
        }
        i += 1;
    }
    out.origin.push(pattern.len());
    Ok(out)
}

/// Go accepts only the flags `imsU` (and `-`) in `(?flags)` / `(?flags:`.
fn check_flags(pattern: &str, pos: usize) -> Result<(), GoRegexError> {
    let rest = &pattern[pos + 2..];
    if rest.starts_with("P<") || rest.starts_with('<') || rest.starts_with(':') {
        if rest.starts_with("<=") || rest.starts_with("<!") {
            return Err(go_error(
                "invalid or unsupported Perl syntax",
                &pattern[pos..pos + 4],
            ));
        }
        return Ok(());
    }
    let mut negated = false;
    for (k, c) in rest.char_indices() {
        match c {
            'i' | 'm' | 's' | 'U' => {}
            '-' if !negated => negated = true,
            ':' | ')' => return Ok(()),
            _ => {
                let end = pos + 2 + k + c.len_utf8();
                return Err(go_error(
                    "invalid or unsupported Perl syntax",
                    &pattern[pos..end],
                ));
            }
        }
    }
    Err(go_error("missing closing )", pattern))
}

fn compiled(a: &[Value]) -> Result<Regex, FuncError> {
    compile(s(&a[0])).map_err(|e| FuncError::new(e.0))
}

/// `regexMatch`: false for an invalid pattern.
fn regex_match(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(
        compile(s(&a[0])).is_ok_and(|re| re.is_match(s(&a[1]))),
    ))
}

fn must_regex_match(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(compiled(a)?.is_match(s(&a[1]))))
}

fn regex_find(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let re = compiled(a)?;
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
    let re = compiled(a)?;
    let n = limit(&a[2]);
    let take = if n < 0 { usize::MAX } else { n as usize };
    let found: Vec<Value> = re
        .find_iter(s(&a[1]))
        .take(take)
        .map(|m| Value::str(m.as_str()))
        .collect();
    Ok(Value::typed_list(found, ElemType::String))
}

/// `$1`, `${name}` expansion is the same in both engines.
fn replace_all(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let re = compiled(a)?;
    Ok(Value::string(
        re.replace_all(s(&a[1]), s(&a[2])).into_owned(),
    ))
}

fn replace_all_literal(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let re = compiled(a)?;
    Ok(Value::string(
        re.replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
            .into_owned(),
    ))
}

/// Go's `Regexp.Split(s, n)`.
fn split(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let re = compiled(a)?;
    let (text, n) = (s(&a[1]), limit(&a[2]));
    let parts: Vec<Value> = go_split(&re, s(&a[0]), text, n)
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
