//! The `format` checks of santhosh-tekuri/jsonschema v6, the validator
//! Helm 4 uses, with its reasons (`'x' is not valid uuid: must have 5
//! elements`).
//!
//! v6 asserts every format it knows in drafts 4 to 7, whatever the draft
//! introduced it (`uuid`, `duration` and its own `period` and `semver`
//! included), and none in 2019-09 and 2020-12 unless asked. The `jsonschema`
//! crate knows fewer formats in the older drafts and judges some otherwise
//! (a date is parsed as Go's `time.Parse` does), so these checks are
//! registered with it as custom formats, which it applies exactly where v6
//! asserts formats; the reasons word the report.
//!
//! The URL formats read URLs as Go's `url.Parse` does ([`crate::go_url`]).

use crate::go_url;
use crate::render::gofmt::quote_rune;
use crate::values::strvals::go_quote;

/// The formats checked here.
pub const FORMATS: &[&str] = &[
    "date",
    "date-time",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "period",
    "regex",
    "relative-json-pointer",
    "semver",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// `options` with every format of [`FORMATS`] checked as v6 checks it
/// (wherever the draft asserts formats, or everywhere when asked to).
pub fn with_v6_formats(
    mut options: jsonschema::ValidationOptions<'_>,
) -> jsonschema::ValidationOptions<'_> {
    for &format in FORMATS {
        options = options.with_format(format, move |s: &str| {
            check(format, s).is_some_and(|v| v.is_ok())
        });
    }
    options
}

/// v6's verdict on `s` as `format`: `Err` holds its reason. `None` for a
/// format not checked here.
pub fn check(format: &str, s: &str) -> Option<Result<(), String>> {
    Some(match format {
        "date" => date(s),
        "date-time" => date_time(s),
        "duration" => duration(s),
        "email" => email(s),
        "hostname" => hostname(s),
        "ipv4" => ipv4(s),
        "ipv6" => ipv6(s),
        "json-pointer" => json_pointer(s),
        "period" => period(s),
        "regex" => crate::render::funcs::regex::compile(s)
            .map(drop)
            .map_err(|e| e.0),
        "relative-json-pointer" => relative_json_pointer(s),
        "semver" => semver(s),
        "time" => time(s),
        "uuid" => uuid(s),
        "uri" | "iri" => uri(s),
        "uri-reference" | "iri-reference" => uri_reference(s),
        "uri-template" => uri_template(s),
        _ => return None,
    })
}

type Check = Result<(), String>;

fn fail(why: impl Into<String>) -> Check {
    Err(why.into())
}

fn json_pointer(s: &str) -> Check {
    if s.is_empty() {
        return Ok(());
    }
    let Some(rest) = s.strip_prefix('/') else {
        return fail("not starting with /");
    };
    for token in rest.split('/') {
        let mut chars = token.chars();
        while let Some(c) = chars.next() {
            if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
                return fail("~ must be followed by 0 or 1");
            }
        }
    }
    Ok(())
}

fn relative_json_pointer(s: &str) -> Check {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return fail("must start with non-negative integer");
    }
    if digits > 1 && s.starts_with('0') {
        return fail("starts with zero");
    }
    match &s[digits..] {
        "#" => Ok(()),
        rest => json_pointer(rest),
    }
}

fn uuid(s: &str) -> Check {
    const LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = s.split('-').collect();
    if groups.len() != LENGTHS.len() {
        return fail(format!("must have {} elements", LENGTHS.len()));
    }
    for (i, (group, len)) in groups.iter().zip(LENGTHS).enumerate() {
        if group.len() != len {
            return fail(format!("element {} must be {len} characters long", i + 1));
        }
        if let Some(c) = group.chars().find(|c| !c.is_ascii_hexdigit()) {
            return fail(format!("non-hex character {}", quote_rune(c, false)));
        }
    }
    Ok(())
}

fn duration(s: &str) -> Check {
    let Some(s) = s.strip_prefix('P') else {
        return fail("must start with P");
    };
    if s.is_empty() {
        return fail("nothing after P");
    }
    if let Some(weeks) = s.strip_suffix('W') {
        if weeks.is_empty() {
            return fail("no number in week");
        }
        if !weeks.bytes().all(|b| b.is_ascii_digit()) {
            return fail("invalid week");
        }
        return Ok(());
    }
    const UNITS: [&str; 2] = ["YMD", "HMS"];
    for (i, part) in s.split('T').enumerate() {
        if i != 0 && part.is_empty() {
            return fail("no time elements");
        }
        let Some(all) = UNITS.get(i) else {
            return fail("more than one T");
        };
        let mut allowed = *all;
        let mut rest = part;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return fail("missing number");
            }
            rest = &rest[digits..];
            let Some(&unit) = rest.as_bytes().first() else {
                return fail("missing unit");
            };
            match allowed.bytes().position(|u| u == unit) {
                Some(at) => allowed = &allowed[at + 1..],
                None if all.as_bytes().contains(&unit) => {
                    return fail(format!(
                        "unit {} out of order",
                        quote_rune(char::from(unit), false)
                    ))
                }
                None => {
                    return fail(format!(
                        "invalid unit {}",
                        quote_rune(char::from(unit), false)
                    ))
                }
            }
            // The unit is ASCII: a char boundary follows it.
            rest = &rest[1..];
        }
    }
    Ok(())
}

fn ipv4(s: &str) -> Check {
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return fail("expected four decimals");
    }
    for group in groups {
        if group.len() > 1 && group.starts_with('0') {
            return fail("leading zeros");
        }
        let n = go_atoi(group)?;
        if !(0..=255).contains(&n) {
            return fail("decimal must be between 0 and 255");
        }
    }
    Ok(())
}

/// Go's `strconv.Atoi`, with its error text.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// Only the absence of a colon has v6's own reason; Go's address parser
/// words the rest, which is not reproduced (the verdict still is).
fn ipv6(s: &str) -> Check {
    if !s.contains(':') {
        return fail("missing colon");
    }
    match s.parse::<std::net::Ipv6Addr>() {
        Ok(_) => Ok(()),
        Err(_)
            if s.contains('%')
                && s[..s.find('%').unwrap_or(0)]
                    .parse::<std::net::Ipv6Addr>()
                    .is_ok() =>
        {
            fail("zone id is not a part of ipv6 address")
        }
        Err(_) => fail(format!("ParseAddr({})", go_quote(s))),
    }
}

fn hostname(s: &str) -> Check {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 {
        return fail("more than 253 characters long");
    }
    for label in s.split('.') {
        if label.is_empty() || label.len() > 63 {
            return fail("label must be 1 to 63 characters long");
        }
        if label.starts_with('-') {
            return fail("label starts with hyphen");
        }
        if label.ends_with('-') {
            return fail("label ends with hyphen");
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return fail(format!("invalid character {}", quote_rune(c, false)));
        }
    }
    Ok(())
}

fn email(s: &str) -> Check {
    if s.len() > 254 {
        // v6's words, though the limit is 254
        return fail("more than 255 characters long");
    }
    let Some(at) = s.rfind('@') else {
        return fail("missing @");
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return fail("local part more than 64 characters long");
    }
    if local.len() > 1 && local.starts_with('"') {
        // v6 takes a local part starting with a quote as quoted, and drops
        // its first and last bytes.
        let inner = local.get(1..local.len() - 1).unwrap_or_default();
        if inner.contains(['\\', '"']) {
            return fail("backslash and quote are not allowed within quoted local part");
        }
    } else {
        if local.starts_with('.') {
            return fail("starts with dot");
        }
        if local.ends_with('.') {
            return fail("ends with dot");
        }
        if local.contains("..") {
            return fail("consecutive dots");
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(*c)))
        {
            return fail(format!("invalid character {}", quote_rune(c, false)));
        }
    }
    if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return match inner.strip_prefix("IPv6:") {
            Some(v6) => ipv6(v6).map_err(|why| format!("invalid ipv6 address: {why}")),
            None => ipv4(inner).map_err(|why| format!("invalid ipv4 address: {why}")),
        };
    }
    hostname(domain).map_err(|why| format!("invalid domain: {why}"))
}

/// Go's `time.Parse("2006-01-02", s)`, with its error texts.
fn date(s: &str) -> Check {
    let whole = go_quote(s);
    let cannot = |rest: &str, elem: &str| {
        Err(format!(
            "parsing time {whole} as \"2006-01-02\": cannot parse {} as \"{elem}\"",
            go_quote(rest)
        ))
    };
    let out_of_range = |what: &str| Err(format!("parsing time {whole}: {what} out of range"));
    // year: four characters, an optional sign and digits
    let Some(year_text) = s.get(..4) else {
        return cannot(s, "2006");
    };
    let unsigned = year_text.strip_prefix(['+', '-']).unwrap_or(year_text);
    if !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return cannot(s, "2006");
    }
    let year: i64 = year_text.parse().unwrap_or(0);
    let rest = &s[4..];
    let Some(rest) = rest.strip_prefix('-') else {
        return cannot(rest, "-");
    };
    let Some((month, rest)) = two_digits(rest) else {
        return cannot(rest, "01");
    };
    if !(1..=12).contains(&month) {
        return out_of_range("month");
    }
    let Some(rest) = rest.strip_prefix('-') else {
        return cannot(rest, "-");
    };
    let Some((day, rest)) = two_digits(rest) else {
        return cannot(rest, "02");
    };
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {whole}: extra text: {}",
            go_quote(rest)
        ));
    }
    if day < 1 || day > days_in(month, year) {
        return out_of_range("day");
    }
    Ok(())
}

/// Go's fixed two-digit number of a layout (`01`, `02`).
fn two_digits(s: &str) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_digit() || !b[1].is_ascii_digit() {
        return None;
    }
    Some((
        u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'),
        &s[2..],
    ))
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn time(s: &str) -> Check {
    if s.len() < 9 {
        return fail("less than 9 characters long");
    }
    let b = s.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return fail("missing colon in correct place");
    }
    let Some(hms) = s.get(..8) else {
        return fail("invalid hour/min/sec");
    };
    let mut parts = [0i64; 3];
    for (slot, token) in parts.iter_mut().zip(hms.splitn(3, ':')) {
        let n = go_atoi(token).map_err(|_| "invalid hour/min/sec".to_string())?;
        if n < 0 {
            return fail("non-positive hour/min/sec");
        }
        *slot = n;
    }
    let [mut h, mut m, sec] = parts;
    if h > 23 || m > 59 || sec > 60 {
        return fail("hour/min/sec out of range");
    }
    let mut rest = &s[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return fail("no digits in second fraction");
        }
        rest = &fraction[digits..];
    }
    if rest != "z" && rest != "Z" {
        if rest.len() != 6 {
            return fail("offset must be 6 characters long");
        }
        let sign = match rest.as_bytes()[0] {
            b'+' => -1,
            b'-' => 1,
            _ => return fail("offset must begin with plus/minus"),
        };
        let offset = &rest[1..];
        if offset.as_bytes()[2] != b':' {
            return fail("missing colon in offset in correct place");
        }
        let mut zone = [0i64; 2];
        for (slot, token) in zone.iter_mut().zip(offset.splitn(2, ':')) {
            let n = go_atoi(token).map_err(|_| "invalid hour/min in offset".to_string())?;
            if n < 0 {
                return fail("non-positive hour/min in offset");
            }
            *slot = n;
        }
        let [zh, zm] = zone;
        if zh > 23 || zm > 59 {
            return fail("hour/min in offset out of range");
        }
        let mut minutes = h * 60 + m + sign * (zh * 60 + zm);
        if minutes < 0 {
            minutes += 24 * 60;
        }
        h = minutes / 60;
        m = minutes % 60;
    }
    if sec >= 60 && (h != 23 || m != 59) {
        return fail("invalid leap second");
    }
    Ok(())
}

fn date_time(s: &str) -> Check {
    if s.len() < 20 {
        return fail("less than 20 characters long");
    }
    let b = s.as_bytes();
    if b[10] != b't' && b[10] != b'T' {
        return fail("11th character must be t or T");
    }
    let (Some(day), Some(clock)) = (s.get(..10), s.get(11..)) else {
        return fail("invalid date element");
    };
    date(day).map_err(|why| format!("invalid date element: {why}"))?;
    time(clock).map_err(|why| format!("invalid time element: {why}"))
}

fn period(s: &str) -> Check {
    let Some((start, end)) = s.split_once('/') else {
        return fail("missing slash");
    };
    if start.starts_with('P') {
        duration(start).map_err(|why| format!("invalid start duration: {why}"))?;
        date_time(end).map_err(|why| format!("invalid end date-time: {why}"))
    } else {
        date_time(start).map_err(|why| format!("invalid start date-time: {why}"))?;
        if end.starts_with('P') {
            duration(end).map_err(|why| format!("invalid end duration: {why}"))
        } else {
            date_time(end).map_err(|why| format!("invalid end date-time: {why}"))
        }
    }
}

fn semver(s: &str) -> Check {
    let mut s = s;
    if let Some((core, build)) = s.split_once('+') {
        if build.is_empty() {
            return fail("build is empty");
        }
        for id in build.split('.') {
            if id.is_empty() {
                return fail("build identifier is empty");
            }
            if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return fail(format!(
                    "invalid character {} in build identifier",
                    quote_rune(c, false)
                ));
            }
        }
        s = core;
    }
    if let Some((core, pre)) = s.split_once('-') {
        for id in pre.split('.') {
            if id.is_empty() {
                return fail("pre-release identifier is empty");
            }
            if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return fail(format!(
                    "invalid character {} in pre-release identifier",
                    quote_rune(c, false)
                ));
            }
            if id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()) {
                return fail("pre-release numeric identifier starts with zero");
            }
        }
        s = core;
    }
    let numbers: Vec<&str> = s.split('.').collect();
    if numbers.len() != 3 {
        return fail("versionCore must have 3 numbers separated by dot");
    }
    for (n, name) in numbers.iter().zip(["major", "minor", "patch"]) {
        if n.is_empty() {
            return fail(format!("{name} is empty"));
        }
        if n.len() > 1 && n.starts_with('0') {
            return fail(format!("{name} starts with zero"));
        }
        if !n.bytes().all(|b| b.is_ascii_digit()) {
            return fail(format!("{name} contains non-digit"));
        }
    }
    Ok(())
}

/// v6's `parseURL`: Go's parser, and a host with a colon must be an IPv6
/// address in brackets.
fn parse_url(s: &str) -> Result<go_url::Url, String> {
    let url = go_url::parse(s)?;
    let hostname = url.hostname();
    if hostname.contains(':') {
        if !(url.host.contains('[') && url.host.contains(']')) {
            return Err("ipv6 address not enclosed in brackets".into());
        }
        ipv6(hostname).map_err(|why| format!("invalid ipv6 address: {why}"))?;
    }
    Ok(url)
}

fn uri(s: &str) -> Check {
    if parse_url(s)?.scheme.is_empty() {
        return fail("relative url");
    }
    Ok(())
}

fn uri_reference(s: &str) -> Check {
    if s.contains('\\') {
        return fail("contains \\");
    }
    parse_url(s).map(|_| ())
}

/// Braces are checked only in a path Go keeps as written (`RawPath`, empty
/// when Go would write the path so itself), one segment at a time.
fn uri_template(s: &str) -> Check {
    let url = parse_url(s)?;
    for segment in url.raw_path.split('/') {
        let decoded = go_url::path_unescape(segment)
            .map_err(|why| format!("percent decode failed: {why}"))?;
        let mut open = false;
        for c in decoded.chars() {
            match c {
                '{' if open => return fail("nested curly braces"),
                '}' if !open => return fail("nested curly braces"),
                '{' | '}' => open = !open,
                _ => {}
            }
        }
        if open {
            return fail("no matching closing brace");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(format: &str, s: &str) -> String {
        check(format, s).expect("known").err().unwrap_or_default()
    }

    #[test]
    fn reasons_in_v6_words() {
        assert_eq!(
            why("date", "x"),
            r#"parsing time "x" as "2006-01-02": cannot parse "x" as "2006""#
        );
        assert_eq!(
            why("date", "2020-13-01"),
            r#"parsing time "2020-13-01": month out of range"#
        );
        assert_eq!(
            why("date", "2021-02-29"),
            r#"parsing time "2021-02-29": day out of range"#
        );
        assert_eq!(why("date", "2020-02-29"), "");
        assert_eq!(
            why("date", "2020-1-01"),
            r#"parsing time "2020-1-01" as "2006-01-02": cannot parse "1-01" as "01""#
        );
        assert_eq!(
            why("date", "2020-01-01x"),
            r#"parsing time "2020-01-01x": extra text: "x""#
        );
        assert_eq!(why("time", "x"), "less than 9 characters long");
        assert_eq!(why("time", "23:59:60Z"), "");
        assert_eq!(why("time", "22:59:60Z"), "invalid leap second");
        assert_eq!(
            why("time", "12:00:00+0100"),
            "offset must be 6 characters long"
        );
        assert_eq!(
            why("date-time", "2020-01-01T25:00:00Z"),
            "invalid time element: hour/min/sec out of range"
        );
        assert_eq!(why("duration", "P1DT"), "no time elements");
        assert_eq!(why("duration", "P1D2Y"), "unit 'Y' out of order");
        assert_eq!(why("duration", "P1X"), "invalid unit 'X'");
        assert_eq!(why("duration", "P4W"), "");
        assert_eq!(why("period", "x"), "missing slash");
        assert_eq!(why("period", "P1D/2020-01-01T00:00:00Z"), "");
        assert_eq!(
            why("semver", "1.2"),
            "versionCore must have 3 numbers separated by dot"
        );
        assert_eq!(why("semver", "1.02.3"), "minor starts with zero");
        assert_eq!(
            why("semver", "1.2.3-01"),
            "pre-release numeric identifier starts with zero"
        );
        assert_eq!(why("semver", "1.2.3+"), "build is empty");
        assert_eq!(why("json-pointer", "a"), "not starting with /");
        assert_eq!(why("json-pointer", "/a~2"), "~ must be followed by 0 or 1");
        assert_eq!(why("relative-json-pointer", "01/a"), "starts with zero");
        assert_eq!(why("relative-json-pointer", "1#"), "");
        assert_eq!(why("uuid", "x"), "must have 5 elements");
        assert_eq!(
            why("ipv4", "1.2.3.x"),
            r#"strconv.Atoi: parsing "x": invalid syntax"#
        );
        assert_eq!(why("ipv6", "x"), "missing colon");
        assert_eq!(
            why("email", "a@[1.2.3]"),
            "invalid ipv4 address: expected four decimals"
        );
        assert_eq!(why("uri", "x"), "relative url");
        assert_eq!(
            why("uri-reference", "12:00"),
            r#"parse "12:00": first path segment in URL cannot contain colon"#
        );
        assert_eq!(why("uri-template", "/a/{b"), "no matching closing brace");
        assert_eq!(why("uri-template", "/a/{b}"), "");
        assert_eq!(
            why("regex", "("),
            "error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(check("no-such-format", "("), None);
    }
}
