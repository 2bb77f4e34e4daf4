//! Go's `time.Duration`: `ParseDuration` and `String()` (`1h2m3.5s`,
//! `1.5µs`), plus the rounding helpers templates can reach.

use std::rc::Rc;

use crate::value::{Object, Value};

pub const NANOSECOND: i64 = 1;
pub const MICROSECOND: i64 = 1_000;
pub const MILLISECOND: i64 = 1_000_000;
pub const SECOND: i64 = 1_000_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

fn invalid(orig: &str) -> String {
    format!("time: invalid duration {}", go_time_quote(orig))
}

/// Go's `time` package quoting (non-ASCII bytes as `\x..`).
pub fn go_time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `time.ParseDuration`, with Go's error texts.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let mut s = orig.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid(orig));
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid(orig));
        }
        // Integer part.
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > (1u64 << 63) / 10 {
                return Err(invalid(orig));
            }
            v = v * 10 + (s[i] - b'0') as u64;
            if v > 1u64 << 63 {
                return Err(invalid(orig));
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        // Fraction.
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let mut j = 0;
            let mut overflow = false;
            while j < s.len() && s[j].is_ascii_digit() {
                if !overflow {
                    if f > ((1u64 << 63) - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + (s[j] - b'0') as u64;
                        if y > 1u64 << 63 {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                j += 1;
            }
            post = j > 0;
            s = &s[j..];
        }
        if !pre && !post {
            return Err(invalid(orig));
        }
        // Unit.
        let mut k = 0;
        while k < s.len() && !(s[k] == b'.' || s[k].is_ascii_digit()) {
            k += 1;
        }
        if k == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                go_time_quote(orig)
            ));
        }
        let unit_text = String::from_utf8_lossy(&s[..k]).into_owned();
        s = &s[k..];
        let unit: u64 = match unit_text.as_str() {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => SECOND as u64,
            "m" => MINUTE as u64,
            "h" => HOUR as u64,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_time_quote(&unit_text),
                    go_time_quote(orig)
                ))
            }
        };
        if v > (1u64 << 63) / unit {
            return Err(invalid(orig));
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1u64 << 63 {
                return Err(invalid(orig));
            }
        }
        total += v;
        if total > 1u64 << 63 {
            return Err(invalid(orig));
        }
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    if total > (1u64 << 63) - 1 {
        return Err(invalid(orig));
    }
    Ok(total as i64)
}

/// Appends the fraction of `v / 10^prec` (trailing zeros dropped, no dot
/// when zero) to the front of `out`; returns the integer part.
fn frac(out: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
    let mut digits = Vec::new();
    let mut printed = false;
    for _ in 0..prec {
        let digit = v % 10;
        printed = printed || digit != 0;
        if printed {
            digits.push(b'0' + digit as u8);
        }
        v /= 10;
    }
    if printed {
        digits.push(b'.');
    }
    out.extend(digits);
    v
}

fn int_rev(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    while v > 0 {
        out.push(b'0' + (v % 10) as u8);
        v /= 10;
    }
}

/// `time.Duration.String()`.
pub fn format_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    // Built back to front, then reversed.
    let mut rev: Vec<u8> = Vec::with_capacity(32);
    if u < SECOND as u64 {
        rev.push(b's');
        let prec;
        if u == 0 {
            return "0s".to_string();
        } else if u < MICROSECOND as u64 {
            prec = 0;
            rev.push(b'n');
        } else if u < MILLISECOND as u64 {
            prec = 3;
            // "µ" (U+00B5) in UTF-8, reversed.
            rev.push(0xB5);
            rev.push(0xC2);
        } else {
            prec = 6;
            rev.push(b'm');
        }
        u = frac(&mut rev, u, prec);
        int_rev(&mut rev, u);
    } else {
        rev.push(b's');
        u = frac(&mut rev, u, 9);
        int_rev(&mut rev, u % 60);
        u /= 60;
        if u > 0 {
            rev.push(b'm');
            int_rev(&mut rev, u % 60);
            u /= 60;
            if u > 0 {
                rev.push(b'h');
                int_rev(&mut rev, u);
            }
        }
    }
    if neg {
        rev.push(b'-');
    }
    rev.reverse();
    String::from_utf8(rev).unwrap_or_default()
}

/// `Duration.Round(m)`.
pub fn round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        let d1 = d.wrapping_sub(m).wrapping_add(r);
        if d1 < d {
            return d1;
        }
        return i64::MIN;
    }
    if less_than_half(r, m) {
        return d - r;
    }
    let d1 = d.wrapping_add(m).wrapping_sub(r);
    if d1 > d {
        return d1;
    }
    i64::MAX
}

/// `Duration.Truncate(m)`.
pub fn truncate(d: i64, m: i64) -> i64 {
    if m <= 0 {
        d
    } else {
        d - d % m
    }
}

/// `Duration.Seconds()` and friends: whole units plus the fractional rest.
pub fn in_units(d: i64, unit: i64) -> f64 {
    (d / unit) as f64 + (d % unit) as f64 / unit as f64
}

/// A `time.Duration` template value (prints as `1h0m0s`).
#[derive(Debug, Clone, Copy)]
pub struct DurationObject(pub i64);

impl DurationObject {
    pub fn value(d: i64) -> Value {
        Value::Object(Rc::new(DurationObject(d)))
    }
}

impl Object for DurationObject {
    fn type_name(&self) -> String {
        "time.Duration".to_string()
    }
    fn kind_name(&self) -> &'static str {
        "int64"
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        let d = self.0;
        Some(match name {
            "String" => Value::string(format_duration(d)),
            "Seconds" => Value::Float(in_units(d, SECOND)),
            "Minutes" => Value::Float(in_units(d, MINUTE)),
            "Hours" => Value::Float(in_units(d, HOUR)),
            "Milliseconds" => Value::Int64(d / MILLISECOND),
            "Microseconds" => Value::Int64(d / MICROSECOND),
            "Nanoseconds" => Value::Int64(d / NANOSECOND),
            "Abs" => DurationObject::value(if d == i64::MIN { i64::MAX } else { d.abs() }),
            _ => return None,
        })
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Round" | "Truncate") || self.get_field(name).is_some()
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Round" | "Truncate" => {
                let m = match args {
                    [Value::Int(m)] | [Value::Int64(m)] => *m,
                    [Value::Object(o)] => match o.as_any().downcast_ref::<DurationObject>() {
                        Some(d) => d.0,
                        None => {
                            return Some(Err(format!(
                                "wrong type for value; expected time.Duration; got {}",
                                o.type_name()
                            )))
                        }
                    },
                    [other] => {
                        return Some(Err(format!(
                            "wrong type for value; expected time.Duration; got {}",
                            other.type_name()
                        )))
                    }
                    _ => {
                        return Some(Err(format!(
                            "wrong number of args for {name}: want 1 got {}",
                            args.len()
                        )))
                    }
                };
                let r = if name == "Round" {
                    round(self.0, m)
                } else {
                    truncate(self.0, m)
                };
                Some(Ok(DurationObject::value(r)))
            }
            _ if args.is_empty() => self.get_field(name).map(Ok),
            _ => self.get_field(name).map(|_| {
                Err(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                ))
            }),
        }
    }
    fn format_go(&self) -> String {
        format_duration(self.0)
    }
    fn go_int(&self) -> Option<i64> {
        Some(self.0)
    }
    fn truthy(&self) -> bool {
        self.0 != 0
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    /// JSON marshals a Duration as its integer nanoseconds.
    fn to_data(&self) -> Option<Value> {
        Some(Value::Int64(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert_eq!(parse_duration("1h30m"), Ok(90 * MINUTE));
        assert_eq!(parse_duration("1.5s"), Ok(1_500 * MILLISECOND));
        assert_eq!(parse_duration("-90m"), Ok(-90 * MINUTE));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1µs"), Ok(1_000));
        assert_eq!(parse_duration(".5h"), Ok(30 * MINUTE));
        assert_eq!(
            parse_duration("bogus").unwrap_err(),
            "time: invalid duration \"bogus\""
        );
        assert_eq!(
            parse_duration("2.5").unwrap_err(),
            "time: missing unit in duration \"2.5\""
        );
        assert_eq!(
            parse_duration("3d").unwrap_err(),
            "time: unknown unit \"d\" in duration \"3d\""
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
    }

    #[test]
    fn format() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(HOUR), "1h0m0s");
        assert_eq!(format_duration(90 * SECOND), "1m30s");
        assert_eq!(format_duration(1_500 * MILLISECOND), "1.5s");
        assert_eq!(format_duration(2 * MILLISECOND), "2ms");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(7), "7ns");
        assert_eq!(format_duration(-(26 * HOUR + 3 * SECOND)), "-26h0m3s");
        assert_eq!(format_duration(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn rounding() {
        assert_eq!(round(90 * MINUTE + 29 * SECOND, MINUTE), 90 * MINUTE);
        assert_eq!(round(90 * SECOND, MINUTE), 2 * MINUTE);
        assert_eq!(round(-90 * SECOND, MINUTE), -2 * MINUTE);
        assert_eq!(truncate(119 * SECOND, MINUTE), MINUTE);
        assert_eq!(in_units(90 * SECOND, MINUTE), 1.5);
    }
}
