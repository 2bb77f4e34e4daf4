//! Plain-scalar resolution as go-yaml v2 does it (YAML 1.1 flavoured):
//! `yes/no/on/off/y/n` are booleans, `0777` is octal, `0x1F` hex, `1_000`
//! drops underscores, base-60 is not supported, timestamps stay strings.

/// A decoded YAML scalar or collection, typed the way go-yaml v2 hands it to
/// `interface{}` before sigs.k8s.io/yaml converts it to JSON.
#[derive(Clone, Debug)]
pub enum GoYaml {
    Null,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `uint64` (only for values above `i64::MAX`).
    Uint(u64),
    /// A `*big.Int` beyond 64 bits, kept as its (approximate) float value.
    Big(f64),
    Float(f64),
    Str(String),
    Seq(Vec<GoYaml>),
    /// Entries in first-insertion order; keys are unique by Go equality.
    Map(Vec<(GoYaml, GoYaml)>),
}

const BOOL_TRUE: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const BOOL_FALSE: &[&str] = &[
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];
const NULLS: &[&str] = &["", "~", "null", "Null", "NULL"];

/// The outcome of Go's `strconv.ParseInt`/`ParseUint`.
enum IntParse<T> {
    Ok(T),
    Range,
    Syntax,
}

/// Splits Go's base-0 integer prefix: returns (radix, digits).
fn split_radix(s: &str) -> (u32, &str) {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => return (16, &s[2..]),
            b'o' | b'O' => return (8, &s[2..]),
            b'b' | b'B' => return (2, &s[2..]),
            _ => return (8, &s[1..]),
        }
    }
    (10, s)
}

/// Magnitude of an unsigned Go integer literal (base 0, no sign).
fn parse_magnitude(s: &str) -> IntParse<u64> {
    let (radix, digits) = split_radix(s);
    if digits.is_empty() {
        return IntParse::Syntax;
    }
    let mut acc: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            return IntParse::Syntax;
        };
        match acc
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(d as u64))
        {
            Some(v) => acc = v,
            None => overflow = true,
        }
    }
    if overflow {
        IntParse::Range
    } else {
        IntParse::Ok(acc)
    }
}

/// `strconv.ParseInt(s, 0, 64)`.
fn parse_int(s: &str) -> IntParse<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    match parse_magnitude(body) {
        IntParse::Ok(m) => {
            if neg {
                if m <= i64::MAX as u64 + 1 {
                    IntParse::Ok((m as i128).wrapping_neg() as i64)
                } else {
                    IntParse::Range
                }
            } else if m <= i64::MAX as u64 {
                IntParse::Ok(m as i64)
            } else {
                IntParse::Range
            }
        }
        IntParse::Range => IntParse::Range,
        IntParse::Syntax => IntParse::Syntax,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms the resolver feeds
/// it; overflow is an error as in Go.
fn parse_float(s: &str) -> Option<f64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.starts_with(['+', '-']) && s.starts_with('+') {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    if v.is_infinite() || v.is_nan() {
        // Rust accepts "inf"/"nan" spellings the callers never pass in a
        // number-looking string; overflow is ErrRange in Go.
        return None;
    }
    Some(v)
}

/// go-yaml's resolver hint for a plain scalar's first byte; `None` means
/// the scalar is a string whatever follows.
fn plain_hint(first: u8) -> Option<char> {
    match first {
        b'+' | b'-' => Some('S'),
        b'0'..=b'9' => Some('D'),
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => Some('M'),
        b'.' => Some('.'),
        _ => None,
    }
}

/// Whether [`resolve_plain`] could make `s` anything but a string (false
/// for the empty text). Decoders check this first to keep the text they
/// already own instead of the copy `resolve_plain` returns.
pub fn may_resolve_to_non_string(s: &str) -> bool {
    s.as_bytes().first().copied().and_then(plain_hint).is_some()
}

/// Resolves an untagged plain scalar.
pub fn resolve_plain(s: &str) -> GoYaml {
    if NULLS.contains(&s) {
        return GoYaml::Null;
    }
    let Some(hint) = plain_hint(s.as_bytes()[0]) else {
        return GoYaml::Str(s.to_string());
    };
    if BOOL_TRUE.contains(&s) {
        return GoYaml::Bool(true);
    }
    if BOOL_FALSE.contains(&s) {
        return GoYaml::Bool(false);
    }
    match s {
        ".nan" | ".NaN" | ".NAN" => return GoYaml::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return GoYaml::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return GoYaml::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match hint {
        '.' => {
            if let Some(v) = parse_float(s) {
                return GoYaml::Float(v);
            }
        }
        'D' | 'S' => {
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            let mut range = false;
            match parse_int(&plain) {
                IntParse::Ok(v) => return GoYaml::Int(v),
                IntParse::Range | IntParse::Syntax => {}
            }
            match parse_magnitude_unsigned(&plain) {
                IntParse::Ok(v) => return GoYaml::Uint(v),
                IntParse::Range => range = true,
                IntParse::Syntax => {}
            }
            if is_yaml_style_float(&plain) {
                if let Some(v) = parse_float(&plain) {
                    return GoYaml::Float(v);
                }
            }
            // Out-of-range integers that are not decimal floats stay
            // strings in the go-yaml Helm links (no big.Int support).
            let _ = range;
        }
        _ => {}
    }
    GoYaml::Str(s.to_string())
}

/// `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn parse_magnitude_unsigned(s: &str) -> IntParse<u64> {
    if s.starts_with(['+', '-']) {
        return IntParse::Syntax;
    }
    parse_magnitude(s)
}

/// The short form of a resolved tag (`!!int`), for error messages.
fn tag_of(v: &GoYaml) -> &'static str {
    match v {
        GoYaml::Null => "!!null",
        GoYaml::Bool(_) => "!!bool",
        GoYaml::Int(_) | GoYaml::Uint(_) | GoYaml::Big(_) => "!!int",
        GoYaml::Float(_) => "!!float",
        _ => "!!str",
    }
}

/// Resolves a scalar carrying an explicit standard tag (`!!int "12"`).
/// Returns `Err(message)` with go-yaml's wording when the value does not fit.
pub fn resolve_tagged(tag: &str, s: &str) -> Result<GoYaml, String> {
    match tag {
        "!!str" => return Ok(GoYaml::Str(s.to_string())),
        "!!binary" => {
            return decode_base64(s)
                .map(GoYaml::Str)
                .ok_or_else(|| "!!binary value contains invalid base64 data".to_string());
        }
        _ => {}
    }
    let resolved = if s.is_empty() && tag != "!!null" {
        // resolve("") is null; a tag demanding something else fails below.
        GoYaml::Null
    } else {
        resolve_plain(s)
    };
    let rtag = tag_of(&resolved);
    if rtag == tag || tag == "!!timestamp" && rtag == "!!str" {
        return Ok(resolved);
    }
    if tag == "!!float" {
        match resolved {
            GoYaml::Int(i) => return Ok(GoYaml::Float(i as f64)),
            GoYaml::Uint(u) => return Ok(GoYaml::Float(u as f64)),
            _ => {}
        }
    }
    Err(format!("cannot decode {rtag} `{s}` as a {tag}"))
}

/// `!!binary` as go-yaml decodes it: Go's `base64.StdEncoding`.
fn decode_base64(s: &str) -> Option<String> {
    crate::render::funcs::encoding::base64_decode(s)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        match resolve_plain(s) {
            GoYaml::Null => "null".into(),
            GoYaml::Bool(b) => format!("bool {b}"),
            GoYaml::Int(i) => format!("int {i}"),
            GoYaml::Uint(u) => format!("uint {u}"),
            GoYaml::Big(f) => format!("big {f}"),
            GoYaml::Float(f) => format!("float {f}"),
            GoYaml::Str(s) => format!("str {s}"),
            _ => "?".into(),
        }
    }

    #[test]
    fn yaml11_scalars() {
        assert_eq!(show("yes"), "bool true");
        assert_eq!(show("Off"), "bool false");
        assert_eq!(show("y"), "bool true");
        assert_eq!(show("yEs"), "str yEs");
        assert_eq!(show("~"), "null");
        assert_eq!(show("0777"), "int 511");
        assert_eq!(show("0x1F"), "int 31");
        assert_eq!(show("-0x1f"), "int -31");
        assert_eq!(show("0o17"), "int 15");
        assert_eq!(show("0b101"), "int 5");
        assert_eq!(show("1_000"), "int 1000");
        assert_eq!(show("089"), "float 89");
        assert_eq!(show("1_0.5"), "float 10.5");
        assert_eq!(show("+12"), "int 12");
        assert_eq!(show(".5"), "float 0.5");
        assert_eq!(show("+.5"), "float 0.5");
        assert_eq!(show("1."), "float 1");
        assert_eq!(show("1e3"), "float 1000");
        assert_eq!(show("1e400"), "str 1e400");
        assert_eq!(show("1:30"), "str 1:30");
        assert_eq!(show("2001-12-14"), "str 2001-12-14");
        assert_eq!(show("12345678901234567890"), "uint 12345678901234567890");
        assert_eq!(show("0xFFFFFFFFFFFFFFFFFF"), "str 0xFFFFFFFFFFFFFFFFFF");
        assert_eq!(show("-"), "str -");
        assert_eq!(show(".inf"), "float inf");
        assert_eq!(show("0x"), "str 0x");
    }

    #[test]
    fn explicit_tags() {
        assert!(matches!(resolve_tagged("!!str", "12"), Ok(GoYaml::Str(_))));
        assert!(matches!(resolve_tagged("!!int", "12"), Ok(GoYaml::Int(12))));
        assert!(matches!(
            resolve_tagged("!!float", "1"),
            Ok(GoYaml::Float(_))
        ));
        assert_eq!(
            resolve_tagged("!!int", "abc").unwrap_err(),
            "cannot decode !!str `abc` as a !!int"
        );
        assert!(
            matches!(resolve_tagged("!!binary", "aGVsbG8="), Ok(GoYaml::Str(s)) if s == "hello")
        );
    }
}
