//! What Go's `url.Parse` accepts, and its error texts, for the URL formats
//! of values.schema.json (`uri`, `uri-reference`, `uri-template`, ...),
//! which Helm's validator checks with it: `parse "a b:": first path segment
//! in URL cannot contain colon`.
//!
//! Only the parts the format checks read are kept: the scheme, the host
//! and the path as written.

use crate::values::strvals::go_quote;

/// A URL Go's parser accepted.
pub struct GoUrl<'s> {
    pub scheme: &'s str,
    /// The authority's host and port (`[::1]:80`), without user info.
    pub host: &'s str,
    /// The path as written (escapes kept).
    pub raw_path: &'s str,
}

impl GoUrl<'_> {
    /// Go's `URL.Hostname`: the host without port and brackets.
    pub fn hostname(&self) -> &str {
        let mut host = self.host;
        if let Some(colon) = host.rfind(':') {
            if valid_optional_port(&host[colon..]) {
                host = &host[..colon];
            }
        }
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// Go's `URL.RawPath` is set (the path is not in the form Go would
    /// write it itself).
    pub fn has_raw_path(&self) -> bool {
        !is_canonical_path(self.raw_path)
    }
}

/// `url.Parse(s)`: `Err` is the whole `*url.Error` text.
pub fn parse(s: &str) -> Result<GoUrl<'_>, String> {
    let (before_fragment, fragment) = match s.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (s, None),
    };
    let url = parse_reference(before_fragment)
        .map_err(|why| format!("parse {}: {why}", go_quote(before_fragment)))?;
    if let Some(f) = fragment {
        unescape(f, Mode::Fragment).map_err(|why| format!("parse {}: {why}", go_quote(s)))?;
    }
    Ok(url)
}

fn parse_reference(s: &str) -> Result<GoUrl<'_>, String> {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = GoUrl {
        scheme: "",
        host: "",
        raw_path: "",
    };
    if s == "*" {
        url.raw_path = s;
        return Ok(url);
    }
    let (scheme, rest) = scheme_of(s)?;
    url.scheme = scheme;
    let mut rest = match rest.strip_suffix('?') {
        Some(r) if !r.contains('?') => r,
        _ => rest.split_once('?').map_or(rest, |(before, _)| before),
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // opaque: `mailto:x`
            return Ok(url);
        }
        let segment = rest.split_once('/').map_or(rest, |(first, _)| first);
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        url.host = parse_authority(authority)?;
        rest = path;
    }
    unescape(rest, Mode::Path)?;
    url.raw_path = rest;
    Ok(url)
}

/// Go's `getScheme`.
fn scheme_of(s: &str) -> Result<(&str, &str), String> {
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&s[..i], &s[i + 1..])),
            _ => return Ok(("", s)),
        }
    }
    Ok(("", s))
}

/// Go's `parseAuthority`: the host (and port), the user info checked.
fn parse_authority(authority: &str) -> Result<&str, String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    parse_host(host)?;
    if let Some(userinfo) = userinfo {
        let valid = userinfo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
        if !valid {
            return Err("net/url: invalid userinfo".into());
        }
        for part in userinfo.splitn(2, ':') {
            unescape(part, Mode::UserPassword)?;
        }
    }
    Ok(host)
}

fn parse_host(host: &str) -> Result<(), String> {
    if host.starts_with('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[close + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
        let literal = &host[1..close];
        if let Some(zone) = literal.find("%25") {
            unescape(&host[..zone + 1], Mode::Host)?;
            unescape(&literal[zone..], Mode::Zone)?;
            unescape(&host[close..], Mode::Host)?;
        } else {
            unescape(host, Mode::Host)?;
        }
        return check_ip_literal(&literal.replacen("%25", "%", 1));
    }
    if host.contains('[') {
        return Err("invalid IP-literal".into());
    }
    if let Some(colon) = host.find(':') {
        let port = &host[colon..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

/// A bracketed host must be an IPv6 address (a zone allowed). Go's own
/// words for an unparsable address are not reproduced past its prefix.
fn check_ip_literal(literal: &str) -> Result<(), String> {
    let address = literal.split_once('%').map_or(literal, |(a, _)| a);
    if address.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(());
    }
    if address.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("invalid IP-literal".into());
    }
    Err(format!("invalid host: ParseAddr({})", go_quote(literal)))
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `unescape` as a check: bad `%` escapes, and in a host the
/// characters it may not hold.
fn unescape(s: &str, mode: Mode) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(b.len());
                    return Err(escape_error(&b[i..end]));
                }
                let high = hex_value(b[i + 1]);
                if mode == Mode::Host && high < 8 && &s[i..i + 3] != "%25" {
                    return Err(escape_error(&b[i..i + 3]));
                }
                if mode == Mode::Zone {
                    let v = high * 16 + hex_value(b[i + 2]);
                    if &s[i..i + 3] != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(escape_error(&b[i..i + 3]));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&String::from_utf8_lossy(&b[i..i + 1]))
                    ));
                }
                i += 1;
            }
        }
    }
    Ok(())
}

fn escape_error(bytes: &[u8]) -> String {
    format!(
        "invalid URL escape {}",
        go_quote(&String::from_utf8_lossy(bytes))
    )
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Go's `shouldEscape` for the modes used here.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host | Mode::Zone => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

/// Whether Go would write `raw` itself as the path: `escape(unescape(raw))
/// == raw`.
fn is_canonical_path(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let (h, l) = (b[i + 1], b[i + 2]);
            let upper = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
            let v = hex_value(h) * 16 + hex_value(l);
            if !upper(h) || !upper(l) || !should_escape(v, Mode::Path) {
                return false;
            }
            i += 3;
        } else {
            if should_escape(b[i], Mode::Path) {
                return false;
            }
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse(s).err().unwrap_or_default()
    }

    #[test]
    fn go_errors() {
        assert_eq!(err("::1"), r#"parse "::1": missing protocol scheme"#);
        assert_eq!(
            err("12:00:00"),
            r#"parse "12:00:00": first path segment in URL cannot contain colon"#
        );
        assert_eq!(err("a b"), "");
        assert_eq!(
            err("http://a b/"),
            r#"parse "http://a b/": invalid character " " in host name"#
        );
        assert_eq!(
            err("http://h:x/"),
            r#"parse "http://h:x/": invalid port ":x" after host"#
        );
        assert_eq!(err("/a%zz"), r#"parse "/a%zz": invalid URL escape "%zz""#);
        assert_eq!(err("/a#%z"), r#"parse "/a#%z": invalid URL escape "%z""#);
        assert_eq!(
            err("http://[::1/"),
            r#"parse "http://[::1/": missing ']' in host"#
        );
        assert_eq!(
            err("http://::1/"),
            r#"parse "http://::1/": invalid port "::1" after host"#
        );
        assert_eq!(
            err("http://[1.2.3.4]/"),
            r#"parse "http://[1.2.3.4]/": invalid IP-literal"#
        );
        assert_eq!(
            err("http://x[::1]/"),
            r#"parse "http://x[::1]/": invalid IP-literal"#
        );
        assert_eq!(err("http://[::ffff:1.2.3.4]/"), "");
    }

    #[test]
    fn parts() {
        let u = parse("http://user@[::1]:80/a%20b?q#f").expect("parses");
        assert_eq!(
            (u.scheme, u.host, u.raw_path),
            ("http", "[::1]:80", "/a%20b")
        );
        assert_eq!(u.hostname(), "::1");
        assert!(!u.has_raw_path());
        assert!(parse("/a{b}").expect("parses").has_raw_path());
    }
}
