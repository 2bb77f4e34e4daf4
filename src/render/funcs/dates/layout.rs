//! Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`): formatting
//! (`Time.Format`) and parsing (`time.ParseInLocation`), with Go's error
//! texts (`parsing time "x" as "2006": cannot parse "x" as "2006"`).

use std::rc::Rc;

use super::civil::{
    civil_from_days, days_before_month, days_in_month, is_leap, weekday, year_day, LONG_DAYS,
    LONG_MONTHS,
};
use super::duration::go_time_quote;
use super::time_value::GoTime;
use super::zone::Location;

/// One element of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Iso8601TZ,
    Iso8601SecondsTZ,
    Iso8601ShortTZ,
    Iso8601ColonTZ,
    Iso8601ColonSecondsTZ,
    NumTZ,
    NumSecondsTz,
    NumShortTZ,
    NumColonTZ,
    NumColonSecondsTZ,
    /// Fractional seconds: digits, keep trailing zeros?, separator.
    Frac {
        digits: usize,
        zeros: bool,
        sep: u8,
    },
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

/// Splits `layout` at its first element: `(prefix, element, suffix)`.
fn next_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| b.len() >= i + s.len() && &b[i..i + s.len()] == s.as_bytes();
    for i in 0..b.len() {
        let hit = |std: Std, len: usize| Some((i, std, i + len));
        let found = match b[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    hit(Std::LongMonth, 7)
                } else if !starts_lower(&b[i + 3..]) {
                    hit(Std::Month, 3)
                } else {
                    None
                }
            }
            b'M' if b.len() >= i + 3 => {
                if at(i, "Mon") {
                    if at(i, "Monday") {
                        hit(Std::LongWeekDay, 6)
                    } else if !starts_lower(&b[i + 3..]) {
                        hit(Std::WeekDay, 3)
                    } else {
                        None
                    }
                } else if at(i, "MST") {
                    hit(Std::TZ, 3)
                } else {
                    None
                }
            }
            b'0' => {
                if b.len() >= i + 2 && (b'1'..=b'6').contains(&b[i + 1]) {
                    let std = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ][(b[i + 1] - b'1') as usize];
                    hit(std, 2)
                } else if at(i, "002") {
                    hit(Std::ZeroYearDay, 3)
                } else {
                    None
                }
            }
            b'1' => {
                if at(i, "15") {
                    hit(Std::Hour, 2)
                } else {
                    hit(Std::NumMonth, 1)
                }
            }
            b'2' => {
                if at(i, "2006") {
                    hit(Std::LongYear, 4)
                } else {
                    hit(Std::Day, 1)
                }
            }
            b'_' => {
                if at(i, "_2") {
                    if at(i + 1, "2006") {
                        // `_2006` is a literal underscore then the year.
                        return (&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]);
                    }
                    hit(Std::UnderDay, 2)
                } else if at(i, "__2") {
                    hit(Std::UnderYearDay, 3)
                } else {
                    None
                }
            }
            b'3' => hit(Std::Hour12, 1),
            b'4' => hit(Std::Minute, 1),
            b'5' => hit(Std::Second, 1),
            b'P' if at(i, "PM") => hit(Std::PM, 2),
            b'p' if at(i, "pm") => hit(Std::Pm, 2),
            b'-' => {
                if at(i, "-070000") {
                    hit(Std::NumSecondsTz, 7)
                } else if at(i, "-07:00:00") {
                    hit(Std::NumColonSecondsTZ, 9)
                } else if at(i, "-0700") {
                    hit(Std::NumTZ, 5)
                } else if at(i, "-07:00") {
                    hit(Std::NumColonTZ, 6)
                } else if at(i, "-07") {
                    hit(Std::NumShortTZ, 3)
                } else {
                    None
                }
            }
            b'Z' => {
                if at(i, "Z070000") {
                    hit(Std::Iso8601SecondsTZ, 7)
                } else if at(i, "Z07:00:00") {
                    hit(Std::Iso8601ColonSecondsTZ, 9)
                } else if at(i, "Z0700") {
                    hit(Std::Iso8601TZ, 5)
                } else if at(i, "Z07:00") {
                    hit(Std::Iso8601ColonTZ, 6)
                } else if at(i, "Z07") {
                    hit(Std::Iso8601ShortTZ, 3)
                } else {
                    None
                }
            }
            c @ (b'.' | b',') if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    Some((
                        i,
                        Std::Frac {
                            digits: j - (i + 1),
                            zeros: ch == b'0',
                            sep: c,
                        },
                        j,
                    ))
                }
            }
            _ => None,
        };
        if let Some((start, std, end)) = found {
            return (&layout[..start], Some(std), &layout[end..]);
        }
    }
    (layout, None, "")
}

fn pad(out: &mut String, x: i64, width: usize) {
    if x < 0 {
        out.push('-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

fn push_offset(out: &mut String, std: Std, offset: i32) {
    let iso = matches!(
        std,
        Std::Iso8601TZ
            | Std::Iso8601ColonTZ
            | Std::Iso8601SecondsTZ
            | Std::Iso8601ShortTZ
            | Std::Iso8601ColonSecondsTZ
    );
    if offset == 0 && iso {
        out.push('Z');
        return;
    }
    let mut zone = offset / 60;
    let mut abs = offset;
    if zone < 0 {
        out.push('-');
        zone = -zone;
        abs = -abs;
    } else {
        out.push('+');
    }
    pad(out, (zone / 60) as i64, 2);
    let colon = matches!(
        std,
        Std::Iso8601ColonTZ | Std::NumColonTZ | Std::Iso8601ColonSecondsTZ | Std::NumColonSecondsTZ
    );
    if colon {
        out.push(':');
    }
    if !matches!(std, Std::NumShortTZ | Std::Iso8601ShortTZ) {
        pad(out, (zone % 60) as i64, 2);
    }
    if matches!(
        std,
        Std::Iso8601SecondsTZ
            | Std::NumSecondsTz
            | Std::NumColonSecondsTZ
            | Std::Iso8601ColonSecondsTZ
    ) {
        if matches!(std, Std::NumColonSecondsTZ | Std::Iso8601ColonSecondsTZ) {
            out.push(':');
        }
        pad(out, (abs % 60) as i64, 2);
    }
}

/// `Time.Format(layout)`.
pub fn format(t: &GoTime, layout: &str) -> String {
    let zone = t.zone();
    let local = t.unix + zone.offset as i64;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, min, sec) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    while !rest.is_empty() {
        let (prefix, std, suffix) = next_chunk(rest);
        out.push_str(prefix);
        let Some(std) = std else { break };
        rest = suffix;
        match std {
            Std::Year => pad(&mut out, year.abs() % 100, 2),
            Std::LongYear => pad(&mut out, year, 4),
            Std::Month => out.push_str(&LONG_MONTHS[(month - 1) as usize][..3]),
            Std::LongMonth => out.push_str(LONG_MONTHS[(month - 1) as usize]),
            Std::NumMonth => pad(&mut out, month, 0),
            Std::ZeroMonth => pad(&mut out, month, 2),
            Std::WeekDay => out.push_str(&LONG_DAYS[weekday(days)][..3]),
            Std::LongWeekDay => out.push_str(LONG_DAYS[weekday(days)]),
            Std::Day => pad(&mut out, day, 0),
            Std::UnderDay => {
                if day < 10 {
                    out.push(' ');
                }
                pad(&mut out, day, 0);
            }
            Std::ZeroDay => pad(&mut out, day, 2),
            Std::UnderYearDay => {
                let yd = year_day(days);
                if yd < 100 {
                    out.push(' ');
                    if yd < 10 {
                        out.push(' ');
                    }
                }
                pad(&mut out, yd, 0);
            }
            Std::ZeroYearDay => pad(&mut out, year_day(days), 3),
            Std::Hour => pad(&mut out, hour, 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let h = if hour % 12 == 0 { 12 } else { hour % 12 };
                pad(&mut out, h, if std == Std::Hour12 { 0 } else { 2 });
            }
            Std::Minute => pad(&mut out, min, 0),
            Std::ZeroMinute => pad(&mut out, min, 2),
            Std::Second => pad(&mut out, sec, 0),
            Std::ZeroSecond => pad(&mut out, sec, 2),
            Std::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Std::TZ => {
                if !zone.abbr.is_empty() {
                    out.push_str(&zone.abbr);
                } else {
                    let mut z = zone.offset / 60;
                    if z < 0 {
                        out.push('-');
                        z = -z;
                    } else {
                        out.push('+');
                    }
                    pad(&mut out, (z / 60) as i64, 2);
                    pad(&mut out, (z % 60) as i64, 2);
                }
            }
            Std::Frac { digits, zeros, sep } => {
                if !zeros && (digits == 0 || t.nsec == 0) {
                    continue;
                }
                let mut frac = format!("{:09}", t.nsec);
                frac.truncate(digits.min(9));
                if !zeros {
                    while frac.ends_with('0') {
                        frac.pop();
                    }
                    if frac.is_empty() {
                        continue;
                    }
                }
                out.push(sep as char);
                out.push_str(&frac);
            }
            tz => push_offset(&mut out, tz, zone.offset),
        }
    }
    out
}

/// Text of an element as it appears in the layout, for error messages.
fn std_text<'a>(layout: &'a str, prefix: &str, suffix: &str) -> &'a str {
    &layout[prefix.len()..layout.len() - suffix.len()]
}

fn digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|c| c.is_ascii_digit())
}

/// One or two digits (`fixed` requires two).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !digit(s, 0) {
        return None;
    }
    if !digit(s, 1) {
        if fixed {
            return None;
        }
        return Some(((s[0] - b'0') as i64, &s[1..]));
    }
    Some((((s[0] - b'0') * 10 + (s[1] - b'0')) as i64, &s[2..]))
}

fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && digit(s, i) {
        n = n * 10 + (s[i] - b'0') as i64;
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `atoi` on a fixed-width field: optional sign, digits only.
fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut x: i64 = 0;
    for &c in digits {
        x = x.checked_mul(10)?.checked_add((c - b'0') as i64)?;
    }
    Some(if neg { -x } else { x })
}

/// Case-insensitive prefix lookup in a name table (month/day names).
fn lookup<'a>(table: &[&str], value: &'a [u8]) -> Option<(usize, &'a [u8])> {
    for (i, name) in table.iter().enumerate() {
        let n = name.as_bytes();
        if value.len() >= n.len() && value[..n.len()].eq_ignore_ascii_case(n) {
            return Some((i, &value[n.len()..]));
        }
    }
    None
}

/// Skips literal layout text, treating runs of spaces as equivalent.
fn skip<'a>(mut value: &'a [u8], prefix: &str) -> Result<&'a [u8], &'a [u8]> {
    let mut p = prefix.as_bytes();
    while !p.is_empty() {
        if p[0] == b' ' {
            if !value.is_empty() && value[0] != b' ' {
                return Err(value);
            }
            while p.first() == Some(&b' ') {
                p = &p[1..];
            }
            while value.first() == Some(&b' ') {
                value = &value[1..];
            }
            continue;
        }
        if value.is_empty() || value[0] != p[0] {
            return Err(value);
        }
        p = &p[1..];
        value = &value[1..];
    }
    Ok(value)
}

fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1u64 << 63) / 10 {
            return None;
        }
        x = x * 10 + (s[i] - b'0') as u64;
        if x > 1u64 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

fn parse_signed_offset(value: &[u8]) -> usize {
    if value.is_empty() || (value[0] != b'-' && value[0] != b'+') {
        return 0;
    }
    match leading_int(&value[1..]) {
        Some((x, rem)) if rem.len() != value.len() - 1 && x <= 23 => value.len() - rem.len(),
        _ => 0,
    }
}

/// Length of a zone abbreviation at the start of `value` (Go's heuristics).
fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.len() >= 4 && (&value[..4] == b"ChST" || &value[..4] == b"MeST") {
        return Some(4);
    }
    if &value[..3] == b"GMT" {
        if value.len() == 3 {
            return Some(3);
        }
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if value[0] == b'+' || value[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let mut upper = 0;
    while upper < 6 && upper < value.len() && value[upper].is_ascii_uppercase() {
        upper += 1;
    }
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || &value[..4] == b"WITA" => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Fractional seconds `value[0]` is `.` or `,`; `nbytes` includes it.
fn parse_nanos(value: &[u8], nbytes: usize) -> Result<i64, ()> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(());
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(&value[1..nbytes]).ok_or(())?;
    if ns < 0 {
        return Err(());
    }
    let mut ns = ns;
    for _ in 0..(10 - nbytes) {
        ns *= 10;
    }
    Ok(ns)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `time.ParseInLocation(layout, value, loc)` (also `time.Parse` with
/// `loc` = UTC default and `local` = Local).
pub fn parse(
    layout: &str,
    value: &str,
    default_loc: &Rc<Location>,
    local: &Rc<Location>,
) -> Result<GoTime, String> {
    let elem_error = |layout_elem: &str, value_elem: &[u8]| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_time_quote(value),
            go_time_quote(layout),
            go_time_quote(&lossy(value_elem)),
            go_time_quote(layout_elem)
        )
    };
    let msg_error = |msg: &str| format!("parsing time {}{msg}", go_time_quote(value));

    let mut rest_layout = layout;
    let mut v: &[u8] = value.as_bytes();
    let (mut am, mut pm) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Rc<Location>> = None;
    let mut zone_offset: Option<i32> = None;
    let mut zone_name = String::new();

    loop {
        let (prefix, std, suffix) = next_chunk(rest_layout);
        let std_str = std_text(rest_layout, prefix, suffix).to_string();
        v = skip(v, prefix).map_err(|at| elem_error(prefix, at))?;
        let Some(std) = std else {
            if !v.is_empty() {
                return Err(msg_error(&format!(
                    ": extra text: {}",
                    go_time_quote(&lossy(v))
                )));
            }
            break;
        };
        rest_layout = suffix;
        let hold = v;
        let mut range_err: Option<&str> = None;
        let ok: bool = 'elem: {
            match std {
                Std::Year => {
                    if v.len() < 2 {
                        break 'elem false;
                    }
                    let Some(y) = atoi(&v[..2]) else {
                        break 'elem false;
                    };
                    v = &v[2..];
                    year = if y >= 69 { y + 1900 } else { y + 2000 };
                }
                Std::LongYear => {
                    if v.len() < 4 || !digit(v, 0) {
                        break 'elem false;
                    }
                    let Some(y) = atoi(&v[..4]) else {
                        break 'elem false;
                    };
                    v = &v[4..];
                    year = y;
                }
                Std::Month | Std::LongMonth => {
                    let names: Vec<&str> = if std == Std::Month {
                        LONG_MONTHS.iter().map(|m| &m[..3]).collect()
                    } else {
                        LONG_MONTHS.to_vec()
                    };
                    let Some((m, r)) = lookup(&names, v) else {
                        break 'elem false;
                    };
                    month = m as i64 + 1;
                    v = r;
                }
                Std::NumMonth | Std::ZeroMonth => {
                    let Some((m, r)) = getnum(v, std == Std::ZeroMonth) else {
                        break 'elem false;
                    };
                    month = m;
                    v = r;
                    if !(1..=12).contains(&m) {
                        range_err = Some("month");
                    }
                }
                Std::WeekDay | Std::LongWeekDay => {
                    let names: Vec<&str> = if std == Std::WeekDay {
                        LONG_DAYS.iter().map(|d| &d[..3]).collect()
                    } else {
                        LONG_DAYS.to_vec()
                    };
                    let Some((_, r)) = lookup(&names, v) else {
                        break 'elem false;
                    };
                    v = r;
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    if std == Std::UnderDay && v.first() == Some(&b' ') {
                        v = &v[1..];
                    }
                    let Some((d, r)) = getnum(v, std == Std::ZeroDay) else {
                        break 'elem false;
                    };
                    day = d;
                    v = r;
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    for _ in 0..2 {
                        if std == Std::UnderYearDay && v.first() == Some(&b' ') {
                            v = &v[1..];
                        }
                    }
                    let Some((d, r)) = getnum3(v, std == Std::ZeroYearDay) else {
                        break 'elem false;
                    };
                    yday = d;
                    v = r;
                }
                Std::Hour => {
                    let Some((h, r)) = getnum(v, false) else {
                        break 'elem false;
                    };
                    hour = h;
                    v = r;
                    if !(0..24).contains(&h) {
                        range_err = Some("hour");
                    }
                }
                Std::Hour12 | Std::ZeroHour12 => {
                    let Some((h, r)) = getnum(v, std == Std::ZeroHour12) else {
                        break 'elem false;
                    };
                    hour = h;
                    v = r;
                    if !(0..=12).contains(&h) {
                        range_err = Some("hour");
                    }
                }
                Std::Minute | Std::ZeroMinute => {
                    let Some((m, r)) = getnum(v, std == Std::ZeroMinute) else {
                        break 'elem false;
                    };
                    min = m;
                    v = r;
                    if !(0..60).contains(&m) {
                        range_err = Some("minute");
                    }
                }
                Std::Second | Std::ZeroSecond => {
                    let Some((s, r)) = getnum(v, std == Std::ZeroSecond) else {
                        break 'elem false;
                    };
                    sec = s;
                    v = r;
                    if !(0..60).contains(&s) {
                        range_err = Some("second");
                        break 'elem true;
                    }
                    // A fractional second in the input that the layout lacks.
                    if v.len() >= 2 && matches!(v[0], b'.' | b',') && digit(v, 1) {
                        let (_, next, _) = next_chunk(rest_layout);
                        if matches!(next, Some(Std::Frac { .. })) {
                            break 'elem true;
                        }
                        let mut n = 2;
                        while n < v.len() && digit(v, n) {
                            n += 1;
                        }
                        match parse_nanos(v, n) {
                            Ok(ns) => nsec = ns,
                            Err(()) => break 'elem false,
                        }
                        v = &v[n..];
                    }
                }
                Std::PM | Std::Pm => {
                    if v.len() < 2 {
                        break 'elem false;
                    }
                    let (p, r) = v.split_at(2);
                    v = r;
                    match (std, p) {
                        (Std::PM, b"PM") | (Std::Pm, b"pm") => pm = true,
                        (Std::PM, b"AM") | (Std::Pm, b"am") => am = true,
                        _ => break 'elem false,
                    }
                }
                Std::TZ => {
                    if v.len() >= 3 && &v[..3] == b"UTC" {
                        z = Some(Location::utc());
                        v = &v[3..];
                        break 'elem true;
                    }
                    let Some(n) = parse_time_zone(v) else {
                        break 'elem false;
                    };
                    zone_name = lossy(&v[..n]);
                    v = &v[n..];
                }
                Std::Frac { digits, zeros, .. } => {
                    if zeros {
                        let n = 1 + digits;
                        if v.len() < n {
                            break 'elem false;
                        }
                        match parse_nanos(v, n) {
                            Ok(ns) => nsec = ns,
                            Err(()) => break 'elem false,
                        }
                        v = &v[n..];
                    } else {
                        if v.len() < 2 || !matches!(v[0], b'.' | b',') || !digit(v, 1) {
                            break 'elem true;
                        }
                        let mut i = 0;
                        while i + 1 < v.len() && digit(v, i + 1) {
                            i += 1;
                        }
                        match parse_nanos(v, 1 + i) {
                            Ok(ns) => nsec = ns,
                            Err(()) => break 'elem false,
                        }
                        v = &v[1 + i..];
                    }
                }
                tz => {
                    let iso = matches!(
                        tz,
                        Std::Iso8601TZ
                            | Std::Iso8601ShortTZ
                            | Std::Iso8601ColonTZ
                            | Std::Iso8601SecondsTZ
                            | Std::Iso8601ColonSecondsTZ
                    );
                    if iso && v.first() == Some(&b'Z') {
                        v = &v[1..];
                        z = Some(Location::utc());
                        break 'elem true;
                    }
                    let (sign, hh, mm, ss, r): (u8, &[u8], &[u8], &[u8], &[u8]) = match tz {
                        Std::Iso8601ColonTZ | Std::NumColonTZ => {
                            if v.len() < 6 || v[3] != b':' {
                                break 'elem false;
                            }
                            (v[0], &v[1..3], &v[4..6], b"00", &v[6..])
                        }
                        Std::NumShortTZ | Std::Iso8601ShortTZ => {
                            if v.len() < 3 {
                                break 'elem false;
                            }
                            (v[0], &v[1..3], b"00", b"00", &v[3..])
                        }
                        Std::Iso8601ColonSecondsTZ | Std::NumColonSecondsTZ => {
                            if v.len() < 9 || v[3] != b':' || v[6] != b':' {
                                break 'elem false;
                            }
                            (v[0], &v[1..3], &v[4..6], &v[7..9], &v[9..])
                        }
                        Std::Iso8601SecondsTZ | Std::NumSecondsTz => {
                            if v.len() < 7 {
                                break 'elem false;
                            }
                            (v[0], &v[1..3], &v[3..5], &v[5..7], &v[7..])
                        }
                        _ => {
                            if v.len() < 5 {
                                break 'elem false;
                            }
                            (v[0], &v[1..3], &v[3..5], b"00", &v[5..])
                        }
                    };
                    v = r;
                    let (Some((h, _)), Some((m, _)), Some((s, _))) =
                        (getnum(hh, true), getnum(mm, true), getnum(ss, true))
                    else {
                        break 'elem false;
                    };
                    if h > 24 {
                        range_err = Some("time zone offset hour");
                    }
                    if m > 60 {
                        range_err = Some("time zone offset minute");
                    }
                    if s > 60 {
                        range_err = Some("time zone offset second");
                    }
                    let off = ((h * 60 + m) * 60 + s) as i32;
                    zone_offset = Some(match sign {
                        b'+' => off,
                        b'-' => -off,
                        _ => break 'elem false,
                    });
                }
            }
            true
        };
        if let Some(what) = range_err {
            return Err(msg_error(&format!(": {what} out of range")));
        }
        if !ok {
            return Err(elem_error(&std_str, hold));
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }

    if yday >= 0 {
        let mut d = 0;
        let mut m = 0;
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(msg_error(": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if days_before_month(m + 1) < yday {
                m += 1;
            }
            d = yday - days_before_month(m);
        }
        if month >= 0 && month != m {
            return Err(msg_error(": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(msg_error(": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in_month(month, year) {
        return Err(msg_error(": day out of range"));
    }

    if let Some(z) = z {
        return Ok(GoTime::date(year, month, day, hour, min, sec, nsec, z));
    }
    if let Some(offset) = zone_offset {
        let utc = GoTime::date(year, month, day, hour, min, sec, nsec, Location::utc());
        let unix = utc.unix - offset as i64;
        let at = local.lookup(unix);
        if at.offset == offset && (zone_name.is_empty() || at.abbr == zone_name) {
            return Ok(GoTime::from_unix(unix, nsec as u32, local.clone()));
        }
        return Ok(GoTime::from_unix(
            unix,
            nsec as u32,
            Location::fixed(&zone_name, &zone_name, offset),
        ));
    }
    if !zone_name.is_empty() {
        let utc = GoTime::date(year, month, day, hour, min, sec, nsec, Location::utc());
        if let Some(offset) = local.offset_of_abbr(&zone_name, utc.unix) {
            return Ok(GoTime::from_unix(
                utc.unix - offset as i64,
                nsec as u32,
                local.clone(),
            ));
        }
        let mut offset = 0;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            offset = atoi(&zone_name.as_bytes()[3..]).unwrap_or(0) as i32 * 3600;
        }
        // Go keeps the wall clock as UTC here and only labels it.
        return Ok(GoTime::from_unix(
            utc.unix,
            nsec as u32,
            Location::fixed(&zone_name, &zone_name, offset),
        ));
    }
    Ok(GoTime::date(
        year,
        month,
        day,
        hour,
        min,
        sec,
        nsec,
        default_loc.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> Rc<Location> {
        Location::utc()
    }

    fn p(layout: &str, value: &str) -> Result<GoTime, String> {
        parse(layout, value, &utc(), &utc())
    }

    #[test]
    fn format_variants() {
        let t = p("2006-01-02T15:04:05", "2024-09-08T07:06:05").unwrap();
        assert_eq!(format(&t, "02/01/06 3:04PM"), "08/09/24 7:06AM");
        assert_eq!(format(&t, "Jan _2 .000"), "Sep  8 .000");
        assert_eq!(format(&t, "Monday, January 2"), "Sunday, September 8");
        assert_eq!(
            format(&t, "2006-01-02T15:04:05Z07:00"),
            "2024-09-08T07:06:05Z"
        );
        assert_eq!(format(&t, "__2 002 -07:00 MST"), "252 252 +00:00 UTC");
        assert_eq!(format(&t, "Mond"), "Mond");
    }

    #[test]
    fn parse_offsets_and_fractions() {
        let t = p("2006-01-02T15:04:05Z07:00", "2024-06-01T10:30:00+02:00").unwrap();
        assert_eq!(t.unix, 1_717_230_600);
        assert_eq!(format(&t, "15:04 -0700"), "10:30 +0200");
        let t = p("2006-01-02 15:04:05", "2024-01-02 03:04:05.123456789").unwrap();
        assert_eq!(t.nsec, 123_456_789);
        let t = p("3:04PM", "12:30AM").unwrap();
        assert_eq!(format(&t, "2006-01-02 15:04"), "0000-01-01 00:30");
        let t = p("2006 002", "2024 060").unwrap();
        assert_eq!(format(&t, "01-02"), "02-29");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            p("2006-01-02", "nope").unwrap_err(),
            "parsing time \"nope\" as \"2006-01-02\": cannot parse \"nope\" as \"2006\""
        );
        assert_eq!(
            p("2006-01-02", "2024-13-01").unwrap_err(),
            "parsing time \"2024-13-01\": month out of range"
        );
        assert_eq!(
            p("2006-01-02", "2024-02-30").unwrap_err(),
            "parsing time \"2024-02-30\": day out of range"
        );
        assert_eq!(
            p("2006-01-02", "2024-01-02x").unwrap_err(),
            "parsing time \"2024-01-02x\": extra text: \"x\""
        );
        assert_eq!(
            p("2006-01-02", "2024/01/02").unwrap_err(),
            "parsing time \"2024/01/02\" as \"2006-01-02\": cannot parse \"/01/02\" as \"-\""
        );
    }
}
