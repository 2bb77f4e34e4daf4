//! The few Go `time.Time` forms release records and helm's output use:
//! RFC 3339 with nanoseconds (records), `Time.String()` (`helm list`),
//! ANSIC (`helm status`, `helm history`) and RFC 3339 (`get metadata`).
//! Times keep the UTC offset they were written with, as Go's decoder does.

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time with the offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (UTC).
    pub secs: i64,
    pub nanos: u32,
    /// Offset east of UTC in seconds.
    pub offset: i32,
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    weekday: usize,
}

impl Timestamp {
    pub fn now() -> Timestamp {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            offset: 0,
        }
    }

    /// Parses RFC 3339 (`2026-01-02T03:04:05.123Z`, `...+02:00`).
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            let mut padded = digits.chars().take(9).collect::<String>();
            while padded.len() < 9 {
                padded.push('0');
            }
            nanos = padded.parse().ok()?;
        }
        let offset = match s.get(i..)? {
            "Z" | "z" => 0,
            rest if rest.len() == 6 => {
                let sign = match &rest[..1] {
                    "+" => 1,
                    "-" => -1,
                    _ => return None,
                };
                let h: i32 = rest[1..3].parse().ok()?;
                let m: i32 = rest[4..6].parse().ok()?;
                sign * (h * 3600 + m * 60)
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let local = days * 86400 + hour * 3600 + min * 60 + sec;
        Some(Timestamp {
            secs: local - offset as i64,
            nanos,
            offset,
        })
    }

    fn civil(&self) -> Civil {
        let local = self.secs + self.offset as i64;
        let days = local.div_euclid(86400);
        let rem = local.rem_euclid(86400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            min: rem % 3600 / 60,
            sec: rem % 60,
            weekday: (days + 4).rem_euclid(7) as usize,
        }
    }

    fn fraction(&self) -> String {
        if self.nanos == 0 {
            return String::new();
        }
        let s = format!(".{:09}", self.nanos);
        s.trim_end_matches('0').to_string()
    }

    fn offset_colon(&self) -> String {
        if self.offset == 0 {
            return "Z".to_string();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let a = self.offset.abs();
        format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    }

    fn date_time(&self, c: &Civil) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.min, c.sec
        )
    }

    /// Go's `time.RFC3339Nano`, as encoding/json writes times.
    pub fn rfc3339_nano(&self) -> String {
        let c = self.civil();
        format!(
            "{}{}{}",
            self.date_time(&c),
            self.fraction(),
            self.offset_colon()
        )
    }

    /// Go's `time.RFC3339`.
    pub fn rfc3339(&self) -> String {
        let c = self.civil();
        format!("{}{}", self.date_time(&c), self.offset_colon())
    }

    /// Go's `time.ANSIC`: `Mon Jan _2 15:04:05 2006`.
    pub fn ansic(&self) -> String {
        let c = self.civil();
        format!(
            "{} {} {:>2} {:02}:{:02}:{:02} {:04}",
            WEEKDAYS[c.weekday],
            MONTHS[(c.month - 1) as usize],
            c.day,
            c.hour,
            c.min,
            c.sec,
            c.year
        )
    }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    pub fn go_string(&self) -> String {
        let c = self.civil();
        let sign = if self.offset < 0 { '-' } else { '+' };
        let a = self.offset.abs();
        let num = format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60);
        let zone = if self.offset == 0 {
            "UTC".to_string()
        } else {
            num.clone()
        };
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{} {} {}",
            c.year,
            c.month,
            c.day,
            c.hour,
            c.min,
            c.sec,
            self.fraction(),
            num,
            zone
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        let t = Timestamp::parse("2026-11-28T04:27:02.933727629Z").unwrap();
        assert_eq!(t.secs, 1795840022);
        assert_eq!(t.rfc3339_nano(), "2026-11-28T04:27:02.933727629Z");
        assert_eq!(t.ansic(), "Sat Nov 28 04:27:02 2026");
        assert_eq!(t.go_string(), "2026-11-28 04:27:02.933727629 +0000 UTC");
        assert_eq!(t.rfc3339(), "2026-11-28T04:27:02Z");
        let o = Timestamp::parse("2026-01-05T01:02:03.5+02:00").unwrap();
        assert_eq!(o.ansic(), "Mon Jan  5 01:02:03 2026");
        assert_eq!(o.rfc3339_nano(), "2026-01-05T01:02:03.5+02:00");
        assert!(Timestamp::parse("yesterday").is_none());
    }
}
