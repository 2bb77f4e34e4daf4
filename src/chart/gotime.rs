//! The little of Go's `time` that chart files need: RFC 3339 timestamps
//! (Chart.lock's `generated`, written by `json.Marshal(time.Time)`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds and nanoseconds relative to the Unix epoch.
fn split(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let mut secs = -(d.as_secs() as i64);
            let mut nanos = d.subsec_nanos();
            if nanos > 0 {
                secs -= 1;
                nanos = 1_000_000_000 - nanos;
            }
            (secs, nanos)
        }
    }
}

/// Go's `time.Time.UTC().Format(time.RFC3339Nano)` (trailing zeros of the
/// fraction dropped, `Z` for UTC).
pub fn format_rfc3339_utc(t: SystemTime) -> String {
    let (secs, nanos) = split(t);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Parses an RFC 3339 timestamp (`2006-01-02T15:04:05.999999999Z07:00`).
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        let padded = format!("{:0<9}", &digits[..digits.len().min(9)]);
        nanos = padded.parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        b'+' | b'-' if i + 6 == b.len() => {
            let sign = if b[i] == b'-' { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    Some(if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs as u64, nanos)
    } else {
        UNIX_EPOCH - Duration::from_secs((-secs) as u64) + Duration::from_nanos(u64::from(nanos))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = parse_rfc3339("2024-02-29T12:34:56.5+01:00").unwrap();
        assert_eq!(format_rfc3339_utc(t), "2024-02-29T11:34:56.5Z");
        assert_eq!(format_rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert!(parse_rfc3339("nope").is_none());
    }
}

/// Go's `time.Parse(time.RFC3339, s)` followed by `MarshalJSON`'s
/// RFC3339Nano formatting: the same instant and offset, fraction without
/// trailing zeros, `Z` for a zero offset. The error is Go's text.
pub fn normalize_rfc3339(s: &str) -> Result<String, String> {
    const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
    let fail = |rest: &str, elem: &str| {
        Err(format!(
            "parsing time {s:?} as {LAYOUT:?}: cannot parse {rest:?} as {elem:?}"
        ))
    };
    let digits = |rest: &str, n: usize| -> Option<u32> {
        let d = rest.get(..n)?;
        d.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| d.parse().ok())?
    };
    let mut rest = s;
    let mut fields = [0u32; 6];
    let plan: [(&str, usize, Option<&str>); 6] = [
        ("2006", 4, Some("-")),
        ("01", 2, Some("-")),
        ("02", 2, Some("T")),
        ("15", 2, Some(":")),
        ("04", 2, Some(":")),
        ("05", 2, None),
    ];
    for (i, (elem, width, sep)) in plan.iter().enumerate() {
        match digits(rest, *width) {
            Some(v) => fields[i] = v,
            None => return fail(rest, elem),
        }
        rest = &rest[*width..];
        if let Some(sep) = sep {
            match rest.strip_prefix(sep) {
                Some(r) => rest = r,
                None => return fail(rest, sep),
            }
        }
    }
    let mut frac = "";
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        frac = &r[..n];
        rest = &r[n..];
    }
    let offset = if let Some(r) = rest.strip_prefix('Z') {
        rest = r;
        "Z".to_string()
    } else {
        let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-');
        let (Some(sign), Some(hh), Some(mm)) = (
            sign,
            rest.get(1..3)
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit())),
            rest.get(4..6)
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit())),
        ) else {
            return fail(rest, "Z07:00");
        };
        if rest.as_bytes().get(3) != Some(&b':') {
            return fail(rest, "Z07:00");
        }
        let zero = hh == "00" && mm == "00";
        let out = if zero {
            "Z".to_string()
        } else {
            format!("{sign}{hh}:{mm}")
        };
        rest = &rest[6..];
        out
    };
    if !rest.is_empty() {
        return Err(format!("parsing time {s:?}: extra text: {rest:?}"));
    }
    let [y, mo, d, h, mi, se] = fields;
    let why = if !(1..=12).contains(&mo) {
        Some("month out of range")
    } else if d < 1 || d > days_in_month(y, mo) {
        Some("day out of range")
    } else if h > 23 {
        Some("hour out of range")
    } else if mi > 59 {
        Some("minute out of range")
    } else if se > 59 {
        Some("second out of range")
    } else {
        None
    };
    if let Some(why) = why {
        return Err(format!("parsing time {s:?}: {why}"));
    }
    let frac = frac
        .get(..frac.len().min(9))
        .unwrap_or("")
        .trim_end_matches('0');
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Ok(format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}{frac}{offset}"
    ))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod normalize_tests {
    use super::normalize_rfc3339;

    #[test]
    fn like_go() {
        assert_eq!(
            normalize_rfc3339("2024-01-02T03:04:05.120+02:00").unwrap(),
            "2024-01-02T03:04:05.12+02:00"
        );
        assert_eq!(
            normalize_rfc3339("2024-01-02T03:04:05+00:00").unwrap(),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            normalize_rfc3339("nope").unwrap_err(),
            "parsing time \"nope\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"nope\" as \"2006\""
        );
        assert_eq!(
            normalize_rfc3339("2024-01-02").unwrap_err(),
            "parsing time \"2024-01-02\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""
        );
    }
}
