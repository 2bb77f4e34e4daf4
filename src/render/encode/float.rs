//! Go's `strconv.FormatFloat` for the formats rudder needs (`'g'`, `'e'`,
//! `'f'` with the shortest round-trip precision), because YAML, JSON and
//! sigs.k8s.io/yaml's key conversion all print floats through it and the
//! exact spelling (`1e+06`, `1.5e-07`) is visible in rendered manifests.

/// The shortest decimal digits that round-trip `x` (as f64 or, when
/// `bits32`, as f32), and the decimal point position `dp` such that
/// `x = 0.d1d2...dn × 10^dp`. `x` must be finite and non-zero.
fn shortest_digits(x: f64, bits32: bool) -> (Vec<u8>, i32) {
    let s = if bits32 {
        format!("{:e}", x.abs() as f32)
    } else {
        format!("{:e}", x.abs())
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

fn push_exponent(out: &mut String, exp: i32) {
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

fn special(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x == f64::INFINITY {
        Some("+Inf")
    } else if x == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

fn format_e(neg: bool, digits: &[u8], dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push(digits[0] as char);
    if digits.len() > 1 {
        out.push('.');
        out.extend(digits[1..].iter().map(|&d| d as char));
    }
    push_exponent(&mut out, dp - 1);
    out
}

fn format_f(neg: bool, digits: &[u8], dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push('0');
    } else {
        for i in 0..dp as usize {
            out.push(*digits.get(i).unwrap_or(&b'0') as char);
        }
    }
    let frac = digits.len() as i32 - dp;
    if frac > 0 {
        out.push('.');
        for i in dp..digits.len() as i32 {
            if i < 0 {
                out.push('0');
            } else {
                out.push(digits[i as usize] as char);
            }
        }
    }
    out
}

/// `strconv.FormatFloat(x, fmt, -1, bits)` for `fmt` in `g`, `e`, `f`.
pub fn format_float(x: f64, fmt: char, bits32: bool) -> String {
    if let Some(s) = special(x) {
        return s.to_string();
    }
    let neg = x.is_sign_negative();
    if x == 0.0 {
        let z = match fmt {
            'e' => "0e+00",
            _ => "0",
        };
        return if neg { format!("-{z}") } else { z.to_string() };
    }
    let (digits, dp) = shortest_digits(x, bits32);
    match fmt {
        'e' => format_e(neg, &digits, dp),
        'f' => format_f(neg, &digits, dp),
        _ => {
            let exp = dp - 1;
            if !(-4..6).contains(&exp) {
                format_e(neg, &digits, dp)
            } else {
                format_f(neg, &digits, dp)
            }
        }
    }
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 64)` (also `%v` of a float64).
pub fn format_g(x: f64) -> String {
    format_float(x, 'g', false)
}

/// How Go's encoding/json writes a float64: `'f'` unless the magnitude is
/// below 1e-6 or at least 1e21, then `'e'` with a one-digit negative exponent
/// (`1e-7`, not `1e-07`). NaN and infinities are rejected by the caller.
pub fn format_json(x: f64) -> String {
    let abs = x.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_float(x, 'e', false);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        s
    } else {
        format_float(x, 'f', false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_go() {
        assert_eq!(format_g(1e6), "1e+06");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(123456789.0), "1.23456789e+08");
        assert_eq!(format_g(1.5), "1.5");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(-2.5e-7), "-2.5e-07");
        assert_eq!(format_g(1e21), "1e+21");
        assert_eq!(format_g(0.0), "0");
        assert_eq!(format_g(-0.0), "-0");
        assert_eq!(format_g(f64::INFINITY), "+Inf");
        assert_eq!(format_g(3.0), "3");
        assert_eq!(format_g(1e100), "1e+100");
    }

    #[test]
    fn float32_keys() {
        assert_eq!(format_float(0.1234567891, 'g', true), "0.12345679");
        assert_eq!(format_float(1000.0, 'g', true), "1000");
        assert_eq!(format_float(1.1, 'g', true), "1.1");
    }

    #[test]
    fn json_format_matches_go() {
        assert_eq!(format_json(1e6), "1000000");
        assert_eq!(format_json(1e21), "1e+21");
        assert_eq!(format_json(1e-7), "1e-7");
        assert_eq!(format_json(1.5e-7), "1.5e-7");
        assert_eq!(format_json(0.000001), "0.000001");
        assert_eq!(format_json(12345678901234567890.0), "12345678901234567000");
        assert_eq!(format_json(-0.5), "-0.5");
        assert_eq!(format_json(1e300), "1e+300");
    }
}
