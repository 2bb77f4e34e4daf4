//! Sprig's string functions, with the byte-oriented behaviour of the Go
//! code behind them: `substr` and `trunc` cut at byte offsets, `initials`
//! and `nospace` walk bytes as Latin-1 runes, out-of-range slicing fails
//! with the Go runtime's panic text. Case conversions live in [`case`],
//! Go's Unicode rules in [`go_unicode`].
//!
//! Go strings are byte strings: cutting inside a multi-byte character
//! yields a [`Value::RawString`], and the functions whose Go code works on
//! bytes (`substr`, `trunc`, `quote`, `cat`, `indent`, `replace`, ...) take
//! [`Ty::StringBytes`] and keep such bytes; rune-wise functions (`upper`,
//! `title`, ...) see them as U+FFFD, as Go's do.

mod case;
pub mod go_unicode;

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::render::gofmt;
use crate::value::{ElemType, MapData, Value};

pub fn register(reg: &mut Registry) {
    use Ty::{Any, Int, String as Str, StringBytes as Bstr};
    let one_str = Sig::fixed(&[Str]);
    let two_str = Sig::fixed(&[Str, Str]);
    let two_bstr = Sig::fixed(&[Bstr, Bstr]);
    reg.add("trim", Sig::fixed(&[Bstr]), trim);
    reg.add("trimAll", Sig::fixed(&[Str, Bstr]), trim_all);
    reg.add("trimall", Sig::fixed(&[Str, Bstr]), trim_all);
    reg.add("trimPrefix", two_bstr, trim_prefix);
    reg.add("trimSuffix", two_bstr, trim_suffix);
    reg.add("upper", one_str, upper);
    reg.add("lower", one_str, lower);
    reg.add("title", one_str, title);
    reg.add("untitle", one_str, untitle);
    reg.add("substr", Sig::fixed(&[Int, Int, Bstr]), substr);
    reg.add("repeat", Sig::fixed(&[Int, Bstr]), repeat);
    reg.add("trunc", Sig::fixed(&[Int, Bstr]), trunc);
    reg.add("abbrev", Sig::fixed(&[Int, Bstr]), abbrev);
    reg.add("abbrevboth", Sig::fixed(&[Int, Int, Bstr]), abbrevboth);
    reg.add("nospace", Sig::fixed(&[Bstr]), nospace);
    reg.add("initials", Sig::fixed(&[Bstr]), initials);
    reg.add("swapcase", one_str, swapcase);
    reg.add("shuffle", one_str, shuffle);
    reg.add("snakecase", Sig::fixed(&[Bstr]), snakecase);
    reg.add("camelcase", one_str, camelcase);
    reg.add("kebabcase", Sig::fixed(&[Bstr]), kebabcase);
    reg.add("wrap", Sig::fixed(&[Int, Bstr]), wrap);
    reg.add("wrapWith", Sig::fixed(&[Int, Bstr, Bstr]), wrap_with);
    reg.add("contains", two_bstr, contains);
    reg.add("hasPrefix", two_bstr, has_prefix);
    reg.add("hasSuffix", two_bstr, has_suffix);
    reg.add("quote", Sig::variadic(&[], Any), quote);
    reg.add("squote", Sig::variadic(&[], Any), squote);
    reg.add("cat", Sig::variadic(&[], Any), cat);
    reg.add("indent", Sig::fixed(&[Int, Bstr]), indent);
    reg.add("nindent", Sig::fixed(&[Int, Bstr]), nindent);
    reg.add("replace", Sig::fixed(&[Bstr, Bstr, Bstr]), replace);
    reg.add("plural", Sig::fixed(&[Str, Str, Int]), plural);
    reg.add("toString", Sig::fixed(&[Any]), to_string);
    reg.add("toStrings", Sig::fixed(&[Any]), to_strings);
    reg.add("split", two_str, split);
    reg.add("splitList", two_str, split_list);
    reg.add("splitn", Sig::fixed(&[Str, Int, Str]), splitn);
    reg.add("join", Sig::fixed(&[Bstr, Any]), join);
    reg.add("sortAlpha", Sig::fixed(&[Any]), sort_alpha);
    reg.add("hello", Sig::fixed(&[]), hello);
}

/// Sprig's sample function, still part of the function table.
fn hello(_: &mut FuncEnv, _: &[Value]) -> FuncResult {
    string_result("Hello!".to_string())
}

// ---- argument access (the executor has already checked the types) ----

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// The bytes of a [`Ty::StringBytes`] argument.
fn b(v: &Value) -> &[u8] {
    v.go_str_bytes().unwrap_or(b"")
}

fn bytes_result(bytes: Vec<u8>) -> FuncResult {
    Ok(Value::from_go_bytes(bytes))
}

/// Go's `bytes.Index`-style search: the first position of `needle`.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Go's `strings.Replace(s, old, new, -1)` on bytes; an empty `old` matches
/// before every rune and at the end.
fn replace_bytes(text: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    if old.is_empty() {
        let mut i = 0;
        out.extend_from_slice(new);
        while i < text.len() {
            let w = crate::value::decode_rune(&text[i..]).1;
            out.extend_from_slice(&text[i..i + w]);
            out.extend_from_slice(new);
            i += w;
        }
        return out;
    }
    // Non-overlapping, left to right, as Go replaces.
    let mut i = 0;
    for p in memchr::memmem::find_iter(text, old) {
        out.extend_from_slice(&text[i..p]);
        out.extend_from_slice(new);
        i = p + old.len();
    }
    out.extend_from_slice(&text[i..]);
    out
}

fn n(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        other => super::conversion::to_int64(other),
    }
}

fn string_result(text: String) -> FuncResult {
    Ok(Value::string(text))
}

/// Bytes back to text for rune-wise functions (invalid bytes as U+FFFD).
fn from_bytes(bytes: &[u8]) -> String {
    crate::value::go_lossy(bytes)
}

/// Go's runtime panic for a string slice `s[low:high]` out of range.
fn slice_error(low: Option<i64>, high: Option<i64>, len: usize) -> FuncError {
    let msg = match (low, high) {
        (None, Some(h)) if h < 0 => format!("slice bounds out of range [:{h}]"),
        (None, Some(h)) => format!("slice bounds out of range [:{h}] with length {len}"),
        (Some(l), None) if l < 0 => format!("slice bounds out of range [{l}:]"),
        (Some(l), None) => format!("slice bounds out of range [{l}:{len}]"),
        (Some(l), Some(h)) => format!("slice bounds out of range [{l}:{h}]"),
        (None, None) => "slice bounds out of range".to_string(),
    };
    FuncError::new(format!("runtime error: {msg}"))
}

/// Go's `strings.Repeat`, including its panics.
fn go_repeat(text: &[u8], count: i64) -> Result<Vec<u8>, FuncError> {
    if count < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let total = (text.len() as u128) * (count as u128);
    if total > (isize::MAX as u128) {
        return Err(FuncError::new("strings: Repeat output length overflow"));
    }
    if total > (1u128 << 32) {
        // Go would try to allocate it; refuse rather than exhaust memory.
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    Ok(text.repeat(count as usize))
}

/// Sprig's `strval`: strings as they are, everything else as `%v` (which
/// already uses `String()`/`Error()` for host objects).
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::RawString(b) | Value::Bytes(b) => from_bytes(b),
        other => gofmt::sprint(other),
    }
}

/// [`strval`] as a Go string value (keeps bytes that are not UTF-8).
pub fn strval_value(v: &Value) -> Value {
    match v {
        Value::String(_) | Value::RawString(_) => v.clone(),
        Value::Bytes(b) => Value::from_go_bytes(b.to_vec()),
        other => gofmt::sprint_value(other),
    }
}

/// The bytes of [`strval_value`].
fn strval_bytes(v: &Value) -> Vec<u8> {
    match strval_value(v) {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::RawString(b) => b.to_vec(),
        _ => Vec::new(),
    }
}

/// Sprig's `strslice`: a list's non-nil elements as strings (`[]string`
/// lists unchanged), nil as an empty list, any other value as a one-element
/// list.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => Vec::new(),
        Value::List(l) => l
            .items
            .borrow()
            .iter()
            .filter(|item| l.elem == ElemType::String || !item.is_nil())
            .map(strval)
            .collect(),
        // A []byte is a slice of uint8 numbers to reflection.
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        other => vec![strval(other)],
    }
}

fn strings_list(items: Vec<String>) -> Value {
    Value::typed_list(
        items.into_iter().map(Value::string).collect(),
        ElemType::String,
    )
}

// ---- trimming and case ----

/// Go's `strings.TrimFunc` on bytes: an invalid byte is U+FFFD of width 1
/// and is never trimmed (it stays as it is).
fn trim_bytes(b: &[u8], cut: impl Fn(char) -> bool) -> &[u8] {
    let mut i = 0;
    while i < b.len() {
        let (c, w) = crate::value::decode_rune(&b[i..]);
        if (c == char::REPLACEMENT_CHARACTER && w == 1) || !cut(c) {
            break;
        }
        i += w;
    }
    let mut j = b.len();
    while j > i {
        let mut k = j - 1;
        while k > i && j - k < 4 && b[k] & 0xC0 == 0x80 {
            k -= 1;
        }
        let (c, w) = crate::value::decode_rune(&b[k..j]);
        if w != j - k || (c == char::REPLACEMENT_CHARACTER && w == 1) || !cut(c) {
            break;
        }
        j = k;
    }
    &b[i..j]
}

fn trim(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(trim_bytes(b(&a[0]), go_unicode::is_space).to_vec())
}

/// `trimAll CUTSET S` (Go's `strings.Trim(s, cutset)`).
fn trim_all(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let cutset = s(&a[0]);
    bytes_result(trim_bytes(b(&a[1]), |c| cutset.contains(c)).to_vec())
}

/// Runs a rune-wise text function that copies characters it does not know
/// (xstrings' case converters) on a Go string of any bytes: invalid bytes
/// travel through it as private-use characters and come back as themselves.
fn keep_invalid_bytes(v: &Value, f: impl Fn(&str) -> String) -> FuncResult {
    const BASE: u32 = 0x10_FF00;
    let Value::RawString(raw) = v else {
        return string_result(f(s(v)));
    };
    let mut text = String::new();
    for chunk in raw.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            text.push(char::from_u32(BASE + u32::from(byte)).unwrap_or('\u{FFFD}'));
        }
    }
    let mut out = Vec::new();
    for c in f(&text).chars() {
        match u32::from(c).checked_sub(BASE) {
            Some(byte @ 0x80..=0xFF) => out.push(byte as u8),
            _ => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    bytes_result(out)
}

fn trim_prefix(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let text = b(&a[1]);
    bytes_result(text.strip_prefix(b(&a[0])).unwrap_or(text).to_vec())
}

fn trim_suffix(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let text = b(&a[1]);
    bytes_result(text.strip_suffix(b(&a[0])).unwrap_or(text).to_vec())
}

fn upper(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(go_unicode::upper_str(s(&a[0])))
}

fn lower(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(go_unicode::lower_str(s(&a[0])))
}

fn title(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(case::title(s(&a[0])))
}

fn untitle(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(case::uncapitalize(s(&a[0])))
}

fn swapcase(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(case::swap_case(s(&a[0])))
}

fn snakecase(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    keep_invalid_bytes(&a[0], |t| case::camel_to_lower(t, '_'))
}

fn kebabcase(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    keep_invalid_bytes(&a[0], |t| case::camel_to_lower(t, '-'))
}

fn camelcase(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    string_result(case::pascal_case(s(&a[0])))
}

/// xstrings' `Shuffle`: the runes in random order (Fisher-Yates), drawn
/// from the environment's seedable generator.
fn shuffle(env: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut runes: Vec<char> = s(&a[0]).chars().collect();
    for i in (1..runes.len()).rev() {
        let j = env.random_below(i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    string_result(runes.into_iter().collect())
}

// ---- cutting ----

/// `substr START END S`, byte offsets: a negative START means from the
/// beginning; a negative or too large END means to the end.
fn substr(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let (start, end, text) = (n(&a[0]), n(&a[1]), b(&a[2]));
    let len = text.len() as i64;
    let piece = if start < 0 {
        if end < 0 || end > len {
            return Err(slice_error(None, Some(end), text.len()));
        }
        &text[..end as usize]
    } else if end < 0 || end > len {
        if start > len {
            return Err(slice_error(Some(start), None, text.len()));
        }
        &text[start as usize..]
    } else {
        if start > end {
            return Err(slice_error(Some(start), Some(end), text.len()));
        }
        &text[start as usize..end as usize]
    };
    bytes_result(piece.to_vec())
}

/// `trunc N S`: the first N bytes, or with a negative N the last |N|.
fn trunc(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let (c, bytes) = (n(&a[0]), b(&a[1]));
    let len = bytes.len() as i64;
    if c < 0 && len + c > 0 {
        return bytes_result(bytes[(len + c) as usize..].to_vec());
    }
    if c >= 0 && len > c {
        return bytes_result(bytes[..c as usize].to_vec());
    }
    Ok(a[1].clone())
}

fn repeat(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(go_repeat(b(&a[1]), n(&a[0]))?)
}

fn abbrev(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let (width, text) = (n(&a[0]), b(&a[1]));
    if width < 4 {
        return Ok(a[1].clone());
    }
    bytes_result(abbreviate_full(text, 0, width).unwrap_or_default())
}

fn abbrevboth(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let (left, right, text) = (n(&a[0]), n(&a[1]), b(&a[2]));
    if right < 4 || (left > 0 && right < 7) {
        return Ok(a[2].clone());
    }
    bytes_result(abbreviate_full(text, left, right).unwrap_or_default())
}

/// goutils' `AbbreviateFull` (byte based); `None` where it returns an error.
fn abbreviate_full(s: &[u8], offset: i64, max_width: i64) -> Option<Vec<u8>> {
    const MARKER: &[u8] = b"...";
    if s.is_empty() {
        return Some(Vec::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = s.len() as i64;
    if len <= max_width {
        return Some(s.to_vec());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Some([&s[..(max_width - 3) as usize], MARKER].concat());
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let inner = abbreviate_full(&s[offset as usize..], 0, max_width - 3)?;
        return Some([MARKER, &inner].concat());
    }
    Some([MARKER, &s[(len - (max_width - 3)) as usize..]].concat())
}

/// goutils' `DeleteWhiteSpace`: walks bytes as Latin-1 runes, so when it
/// removes anything, non-ASCII text is re-encoded byte by byte.
fn nospace(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let text = b(&a[0]);
    let kept: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !go_unicode::is_latin1_space(*b))
        .collect();
    if kept.len() == text.len() {
        return Ok(a[0].clone());
    }
    string_result(kept.into_iter().map(char::from).collect())
}

/// goutils' `Initials`: the first byte of each white-space separated word,
/// written as a Latin-1 rune.
fn initials(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut out = String::new();
    let mut last_was_gap = true;
    for &b in b(&a[0]) {
        if go_unicode::is_latin1_space(b) {
            last_was_gap = true;
        } else if last_was_gap {
            out.push(char::from(b));
            last_was_gap = false;
        }
    }
    string_result(out)
}

fn wrap(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(wrap_custom(b(&a[1]), n(&a[0]), b"", false))
}

fn wrap_with(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(wrap_custom(b(&a[2]), n(&a[0]), b(&a[1]), true))
}

/// goutils' `WrapCustom`: breaks at the last space within `width` bytes;
/// long words are split only when `wrap_long_words`.
fn wrap_custom(text: &[u8], width: i64, newline: &[u8], wrap_long_words: bool) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    let newline = if newline.is_empty() { b"\n" } else { newline };
    let width = width.max(1) as usize;
    let s = text;
    let len = s.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - offset > width {
        if s[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        let space = s[offset..end].iter().rposition(|&b| b == b' ');
        if let Some(pos) = space {
            let at = offset + pos;
            out.extend_from_slice(&s[offset..at]);
            out.extend_from_slice(newline);
            offset = at + 1;
        } else if wrap_long_words {
            let end = width + offset;
            out.extend_from_slice(&s[offset..end]);
            out.extend_from_slice(newline);
            offset += width;
        } else {
            let end = width + offset;
            match s[end..].iter().position(|&b| b == b' ') {
                None => {
                    out.extend_from_slice(&s[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let at = i + end;
                    out.extend_from_slice(&s[offset..at]);
                    out.extend_from_slice(newline);
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&s[offset..]);
    out
}

// ---- predicates, quoting, joining ----

fn contains(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(find_bytes(b(&a[1]), b(&a[0])).is_some()))
}

fn has_prefix(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(b(&a[1]).starts_with(b(&a[0]))))
}

fn has_suffix(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(b(&a[1]).ends_with(b(&a[0]))))
}

/// The non-nil arguments, each turned into bytes by `part`, joined by spaces.
fn join_non_nil(a: &[Value], part: impl Fn(&Value) -> Vec<u8>) -> FuncResult {
    let mut out = Vec::new();
    for (i, v) in a.iter().filter(|v| !v.is_nil()).enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(&part(v));
    }
    bytes_result(out)
}

/// `quote`: each non-nil argument as a Go double-quoted string, joined by
/// spaces; bytes that are not UTF-8 are escaped as `\xNN`.
fn quote(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    join_non_nil(a, |v| {
        gofmt::quote_bytes(&strval_bytes(v), false).into_bytes()
    })
}

/// `squote`: each non-nil argument (`%v`) in single quotes, no escaping.
fn squote(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    join_non_nil(a, |v| [&b"'"[..], &strval_bytes(v), b"'"].concat())
}

/// `cat`: the non-nil arguments printed with `%v`, separated by spaces.
fn cat(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    join_non_nil(a, strval_bytes)
}

/// `prefix`, then `text` with `spaces` spaces before each of its lines
/// (sprig's `pad + strings.Replace(text, "\n", "\n"+pad, -1)`), built in
/// one buffer: `nindent` runs on most blocks of most charts.
fn indent_text(prefix: &[u8], spaces: i64, text: &[u8]) -> Result<Vec<u8>, FuncError> {
    let pad = go_repeat(b" ", spaces)?;
    let lines = memchr::memchr_iter(b'\n', text).count() + 1;
    let size = lines
        .checked_mul(pad.len())
        .and_then(|pads| pads.checked_add(prefix.len() + text.len()))
        .filter(|&size| size <= 1 << 32)
        // As `go_repeat`: refused rather than exhausting memory.
        .ok_or_else(|| FuncError::new("runtime error: makeslice: len out of range"))?;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&pad);
    let mut i = 0;
    for nl in memchr::memchr_iter(b'\n', text) {
        out.extend_from_slice(&text[i..=nl]);
        out.extend_from_slice(&pad);
        i = nl + 1;
    }
    out.extend_from_slice(&text[i..]);
    Ok(out)
}

fn indent(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(indent_text(b"", n(&a[0]), b(&a[1]))?)
}

fn nindent(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(indent_text(b"\n", n(&a[0]), b(&a[1]))?)
}

/// `replace OLD NEW S`: every occurrence; an empty OLD matches between runes.
fn replace(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    bytes_result(replace_bytes(b(&a[2]), b(&a[0]), b(&a[1])))
}

fn plural(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let chosen = if n(&a[2]) == 1 { &a[0] } else { &a[1] };
    Ok(chosen.clone())
}

fn to_string(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(strval_value(&a[0]))
}

fn to_strings(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(strings_list(strslice(&a[0])))
}

/// Go's `strings.SplitN` (`limit` < 0 = no limit); an empty separator
/// splits between runes.
fn go_split<'a>(text: &'a str, sep: &str, limit: i64) -> Vec<&'a str> {
    if limit == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut parts: Vec<&str> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if limit > 0 && parts.len() as i64 == limit - 1 {
                parts.push(rest);
                return parts;
            }
            let len = rest.chars().next().map_or(1, char::len_utf8);
            parts.push(&rest[..len]);
            rest = &rest[len..];
        }
        return parts;
    }
    if limit < 0 {
        text.split(sep).collect()
    } else {
        text.splitn(limit as usize, sep).collect()
    }
}

/// Split results as Sprig's `map[string]string` with keys `_0`, `_1`, ...
fn indexed_map(parts: Vec<&str>) -> Value {
    let entries: MapData = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::str(p)))
        .collect();
    let Value::Map(mut m) = Value::map(entries) else {
        unreachable!("Value::map builds a map")
    };
    m.elem = ElemType::String;
    Value::Map(m)
}

/// `split SEP S`: a map `{_0: ..., _1: ...}`.
fn split(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(indexed_map(go_split(s(&a[1]), s(&a[0]), -1)))
}

fn split_list(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let parts = go_split(s(&a[1]), s(&a[0]), -1);
    Ok(strings_list(
        parts.into_iter().map(str::to_string).collect(),
    ))
}

/// `splitn SEP N S`: at most N parts, as a `{_0: ...}` map.
fn splitn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(indexed_map(go_split(s(&a[2]), s(&a[0]), n(&a[1]))))
}

/// `join SEP LIST`: the list's non-nil elements as strings.
fn join(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items: Vec<Vec<u8>> = match &a[1] {
        Value::List(l) => l
            .items
            .borrow()
            .iter()
            .filter(|item| l.elem == ElemType::String || !item.is_nil())
            .map(strval_bytes)
            .collect(),
        Value::Nil => Vec::new(),
        Value::Bytes(_) => strslice(&a[1])
            .into_iter()
            .map(String::into_bytes)
            .collect(),
        other => vec![strval_bytes(other)],
    };
    bytes_result(items.join(b(&a[0])))
}

/// `sortAlpha LIST`: the elements as strings, byte-wise sorted; a non-list
/// becomes a one-element list of its `%v` form.
fn sort_alpha(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut items = match &a[0] {
        Value::List(_) | Value::Bytes(_) => strslice(&a[0]),
        other => vec![strval(other)],
    };
    items.sort();
    Ok(strings_list(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::NativeFn, args: &[Value]) -> FuncResult {
        f(&mut FuncEnv::default(), args)
    }

    fn text(r: FuncResult) -> String {
        gofmt::sprint(&r.unwrap())
    }

    fn st(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn substr_and_trunc_are_byte_based() {
        assert_eq!(
            text(call(substr, &[Value::Int(1), Value::Int(4), st("abcdef")])),
            "bcd"
        );
        assert_eq!(
            text(call(substr, &[Value::Int(2), Value::Int(99), st("abcdef")])),
            "cdef"
        );
        assert_eq!(
            text(call(substr, &[Value::Int(-1), Value::Int(2), st("abcdef")])),
            "ab"
        );
        assert_eq!(
            text(call(substr, &[Value::Int(2), Value::Int(-1), st("abcdef")])),
            "cdef"
        );
        assert_eq!(
            call(substr, &[Value::Int(-1), Value::Int(9), st("abc")])
                .unwrap_err()
                .0,
            "runtime error: slice bounds out of range [:9] with length 3"
        );
        assert_eq!(
            call(substr, &[Value::Int(3), Value::Int(1), st("abc")])
                .unwrap_err()
                .0,
            "runtime error: slice bounds out of range [3:1]"
        );
        assert_eq!(text(call(trunc, &[Value::Int(-2), st("abcdef")])), "ef");
        assert_eq!(text(call(trunc, &[Value::Int(40), st("abc")])), "abc");
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            text(call(abbrev, &[Value::Int(5), st("hello world")])),
            "he..."
        );
        assert_eq!(
            text(call(
                abbrevboth,
                &[Value::Int(5), Value::Int(10), st("1234 5678 9123")]
            )),
            "...5678..."
        );
        assert_eq!(
            text(call(initials, &[st("John Ronald Reuel Tolkien")])),
            "JRRT"
        );
        assert_eq!(text(call(initials, &[st("élan vital")])), "Ãv");
        assert_eq!(text(call(nospace, &[st("é x")])), "Ã©x");
        assert_eq!(text(call(nospace, &[st(" a b\tc\nd ")])), "abcd");
    }

    #[test]
    fn quoting_and_joining() {
        let args = [Value::Int(1), Value::Float(2.5), Value::Bool(true)];
        assert_eq!(text(call(quote, &args)), "\"1\" \"2.5\" \"true\"");
        assert_eq!(
            text(call(squote, &[Value::Int(1), Value::Nil, Value::Int(2)])),
            "'1' '2'"
        );
        assert_eq!(text(call(cat, &[st("x"), Value::Nil, st("y")])), "x y");
        let list = Value::list(vec![Value::Int(1), Value::Float(2.5), Value::Nil, st("x")]);
        assert_eq!(text(call(join, &[st("-"), list])), "1-2.5-x");
        assert_eq!(text(call(sort_alpha, &[Value::Nil])), "[<nil>]");
    }

    #[test]
    fn indent_and_split() {
        assert_eq!(text(call(indent, &[Value::Int(2), st("x\n")])), "  x\n  ");
        assert_eq!(text(call(nindent, &[Value::Int(2), st("")])), "\n  ");
        assert!(call(indent, &[Value::Int(-1), st("x")]).is_err());
        assert_eq!(
            text(call(splitn, &[st("="), Value::Int(2), st("k=v=w")])),
            "map[_0:k _1:v=w]"
        );
        assert_eq!(text(call(split_list, &[st(""), st("abc")])), "[a b c]");
        assert_eq!(text(call(split_list, &[st(","), st("")])), "[]");
        assert_eq!(
            text(call(replace, &[st(""), st("-"), st("abc")])),
            "-a-b-c-"
        );
    }

    #[test]
    fn wrapping() {
        assert_eq!(
            wrap_custom(b"The quick brown fox", 10, b"", false),
            b"The quick\nbrown fox"
        );
        assert_eq!(
            wrap_custom(b"abcdefghij", 3, b"<br>", true),
            b"abc<br>def<br>ghi<br>j"
        );
        assert_eq!(
            wrap_custom(b"abcdefghij xy", 3, b"", false),
            b"abcdefghij\nxy"
        );
    }

    #[test]
    fn shuffle_keeps_the_runes() {
        let mut env = FuncEnv {
            rng_seed: Some(7),
            ..FuncEnv::default()
        };
        let out = shuffle(&mut env, &[st("héllo")]).unwrap();
        let mut got: Vec<char> = out.as_str().unwrap().chars().collect();
        got.sort();
        let mut want: Vec<char> = "héllo".chars().collect();
        want.sort();
        assert_eq!(got, want);
    }
}
