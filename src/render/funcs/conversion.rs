//! Sprig's number conversions (`atoi`, `int`, `int64`, `float64`,
//! `toDecimal`) and the `spf13/cast` rules every Sprig math function uses to
//! turn an arbitrary template value into a number.
//!
//! The rules are lenient in Go's particular way and charts observe them:
//! a string goes through `strconv.ParseInt(s, 0, 0)` (so `"010"` is 8, `"0x1f"`
//! is 31, `"1_000"` is 1000) after `12.000` → `12` trimming, anything that
//! fails to convert is 0, floats truncate toward zero, booleans are 0/1.
//! Go's `strconv` parsers are re-implemented here because Rust's accept a
//! different grammar.

use super::{FuncEnv, FuncResult, Registry, Sig, Ty};
use crate::render::gofmt;
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    reg.add("atoi", Sig::fixed(&[Ty::String]), atoi);
    reg.add("int", Sig::fixed(&[Ty::Any]), int);
    reg.add("int64", Sig::fixed(&[Ty::Any]), int64);
    reg.add("float64", Sig::fixed(&[Ty::Any]), float64);
    reg.add("toDecimal", Sig::fixed(&[Ty::Any]), to_decimal);
}

/// `atoi`: Go's `strconv.Atoi` with its error ignored, so a syntax error is
/// 0 but an out-of-range number is clamped to the int64 limits.
fn atoi(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let s = args[0].as_str().unwrap_or("");
    let value = parse_int(s, 10).unwrap_or_else(|_| {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        match (
            digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()),
            negative,
        ) {
            (true, _) => 0,
            (false, true) => i64::MIN,
            (false, false) => i64::MAX,
        }
    });
    Ok(Value::Int(value))
}

fn int(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Int(to_int64(&args[0])))
}

fn int64(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(to_int64(&args[0])))
}

fn float64(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0])))
}

/// `toDecimal`: the value printed with `%v`, read as an octal number (Unix
/// permission notation); 0 when that fails.
fn to_decimal(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let text = gofmt::sprint(&args[0]);
    Ok(Value::Int64(parse_int(&text, 8).unwrap_or(0)))
}

/// `cast.ToInt64` (and `cast.ToInt`, identical on 64-bit): 0 for anything
/// that does not convert.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(x) => float_to_int_go(*x),
        Value::String(s) => parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToFloat64`: 0 for anything that does not convert.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(x) => *x,
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        Value::Bool(true) => 1.0,
        _ => 0.0,
    }
}

/// Go's `int64(f)` conversion as the amd64 compiler performs it: truncation
/// toward zero, and the "integer indefinite" value `MinInt64` for NaN and
/// out-of-range inputs (Rust's `as` would saturate instead).
pub fn float_to_int_go(x: f64) -> i64 {
    // 2^63 as f64; every float in [-2^63, 2^63) truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x.trunc() as i64
    }
}

/// cast's `trimZeroDecimal`: `"12.000"` → `"12"`, `"12."` and `"1.5"` unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=bytes.len()).rev() {
        match bytes[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// A string that Go's `strconv` rejects (syntax or range); callers only
/// need "failed", because cast turns every failure into 0.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid number syntax or range")]
pub struct NumberError;

/// Go `strconv.ParseInt(s, base, 64)`; `base` 0 means "from the prefix"
/// (`0x`, `0o`, `0b`, leading `0` = octal) and allows `_` digit separators.
pub fn parse_int(s: &str, base: u32) -> Result<i64, NumberError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_uint(body, base)?;
    if neg {
        if magnitude > 1u64 << 63 {
            return Err(NumberError);
        }
        Ok((magnitude as i64).wrapping_neg())
    } else {
        if magnitude >= 1u64 << 63 {
            return Err(NumberError);
        }
        Ok(magnitude as i64)
    }
}

/// Go `strconv.ParseUint(s, base, 64)`.
fn parse_uint(s: &str, base: u32) -> Result<u64, NumberError> {
    if s.is_empty() {
        return Err(NumberError);
    }
    let base0 = base == 0;
    let original = s;
    let mut digits = s;
    let mut base = base;
    if base0 {
        base = 10;
        let b = s.as_bytes();
        if b[0] == b'0' {
            if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'b') {
                base = 2;
                digits = &s[2..];
            } else if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'o') {
                base = 8;
                digits = &s[2..];
            } else if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'x') {
                base = 16;
                digits = &s[2..];
            } else {
                base = 8;
                digits = &s[1..];
            }
        }
    }
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in digits.bytes() {
        if c == b'_' && base0 {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err(NumberError),
        };
        if d >= base {
            return Err(NumberError);
        }
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(NumberError)?;
    }
    if underscores && !underscore_ok(original) {
        return Err(NumberError);
    }
    Ok(n)
}

/// Go's `underscoreOK`: underscores only between digits, or between a base
/// prefix and a digit.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2
        && b[i] == b'0'
        && matches!(b[i + 1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        hex = b[i + 1].eq_ignore_ascii_case(&b'x');
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1p-2`)
/// forms, `_` separators, `inf`/`infinity`/`nan`. Out-of-range values are
/// errors, as Go reports them (cast then yields 0).
pub fn parse_float(s: &str) -> Result<f64, NumberError> {
    if let Some(x) = special_float(s) {
        return Ok(x);
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let hex = b.len() >= i + 2 && b[i] == b'0' && b[i + 1].eq_ignore_ascii_case(&b'x');
    if hex {
        i += 2;
    }
    let mut mantissa = String::new();
    let mut saw_digits = false;
    let mut saw_dot = false;
    let mut dot_pos: i64 = 0;
    let mut underscores = false;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if saw_dot {
                break;
            }
            saw_dot = true;
            dot_pos = mantissa.len() as i64;
        } else if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw_digits = true;
            mantissa.push(c as char);
        } else {
            break;
        }
        i += 1;
    }
    if !saw_digits {
        return Err(NumberError);
    }
    if !saw_dot {
        dot_pos = mantissa.len() as i64;
    }
    let mut exp: i64 = 0;
    let mut saw_exp = false;
    if i < b.len()
        && ((!hex && b[i].eq_ignore_ascii_case(&b'e')) || (hex && b[i].eq_ignore_ascii_case(&b'p')))
    {
        saw_exp = true;
        i += 1;
        let mut eneg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            eneg = b[i] == b'-';
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else if exp < 100_000_000 {
                exp = exp * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return Err(NumberError);
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != b.len() || (hex && !saw_exp) {
        return Err(NumberError);
    }
    if underscores && !underscore_ok(s) {
        return Err(NumberError);
    }
    let value = if hex {
        hex_float(&mantissa, dot_pos, exp)
    } else {
        let text = format!("{mantissa}e{}", exp + dot_pos - mantissa.len() as i64);
        text.parse::<f64>().map_err(|_| NumberError)?
    };
    if value.is_infinite() {
        return Err(NumberError);
    }
    Ok(if neg { -value } else { value })
}

/// `inf`, `infinity` (optionally signed) and unsigned `nan`, case-insensitive.
fn special_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    }
}

/// Value of a hexadecimal mantissa with a binary exponent.
fn hex_float(mantissa: &str, dot_pos: i64, exp: i64) -> f64 {
    let mut value = 0.0f64;
    for c in mantissa.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16).unwrap_or(0));
    }
    let frac_digits = mantissa.len() as i64 - dot_pos;
    let shift = exp - 4 * frac_digits;
    value * 2f64.powi(shift.clamp(-2000, 2000) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_int_rules() {
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("0x1f")), 31);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_int64(&Value::str("12.000")), 12);
        assert_eq!(to_int64(&Value::str("1.9")), 0);
        assert_eq!(to_int64(&Value::str("x")), 0);
        assert_eq!(to_int64(&Value::str("-42")), -42);
        assert_eq!(to_int64(&Value::str("08")), 0);
        assert_eq!(to_int64(&Value::str("0")), 0);
        assert_eq!(to_int64(&Value::Float(-2.9)), -2);
        assert_eq!(to_int64(&Value::Float(f64::NAN)), i64::MIN);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
        assert_eq!(to_int64(&Value::str("9223372036854775808")), 0);
        assert_eq!(to_int64(&Value::str("-9223372036854775808")), i64::MIN);
    }

    #[test]
    fn go_parse_float_grammar() {
        assert_eq!(parse_float("1.5"), Ok(1.5));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1."), Ok(1.0));
        assert_eq!(parse_float("1_000.5"), Ok(1000.5));
        assert_eq!(parse_float("0x1p-2"), Ok(0.25));
        assert_eq!(parse_float("0x10"), Err(NumberError));
        assert_eq!(parse_float("x"), Err(NumberError));
        assert_eq!(parse_float(" 1"), Err(NumberError));
        assert_eq!(parse_float("1e400"), Err(NumberError));
        assert_eq!(parse_float("-Inf"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_float("_1"), Err(NumberError));
        assert_eq!(parse_float("."), Err(NumberError));
    }

    #[test]
    fn atoi_clamps_out_of_range() {
        let mut env = FuncEnv::default();
        let r = atoi(&mut env, &[Value::str("9223372036854775808")]).unwrap();
        assert!(matches!(r, Value::Int(i64::MAX)));
        let r = atoi(&mut env, &[Value::str("-99999999999999999999")]).unwrap();
        assert!(matches!(r, Value::Int(i64::MIN)));
        let r = atoi(&mut env, &[Value::str("0x1")]).unwrap();
        assert!(matches!(r, Value::Int(0)));
    }

    #[test]
    fn octal_to_decimal() {
        let mut env = FuncEnv::default();
        let r = to_decimal(&mut env, &[Value::str("0777")]).unwrap();
        assert!(matches!(r, Value::Int64(511)));
        let r = to_decimal(&mut env, &[Value::Int(10)]).unwrap();
        assert!(matches!(r, Value::Int64(8)));
        let r = to_decimal(&mut env, &[Value::str("9")]).unwrap();
        assert!(matches!(r, Value::Int64(0)));
    }
}
