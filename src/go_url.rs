//! Go's `net/url` parser and serializer, as the helm binary has them (Go
//! 1.25): scheme and authority splitting, percent-decoding with Go's
//! per-component rules, IP-literal hosts, the error texts (`parse "::1":
//! missing protocol scheme`) and `URL.String`'s re-escaping.
//!
//! Sprig's `urlParse`/`urlJoin` expose it to templates, and the URL formats
//! of values.schema.json (`uri`, `uri-template`, ...) are checked with it.

use crate::render::gofmt::quote;

/// A parsed URL: the components Go's parser produces.
#[derive(Debug, Default, PartialEq)]
pub struct Url {
    pub scheme: String,
    pub opaque: String,
    pub user: Option<UserInfo>,
    /// Host and port, unescaped (`[::1]:80`).
    pub host: String,
    /// The path, unescaped.
    pub path: String,
    /// The path as written when Go would not write `path` that way itself
    /// (`URL.RawPath`), else empty.
    pub raw_path: String,
    pub omit_host: bool,
    pub force_query: bool,
    pub raw_query: String,
    pub fragment: String,
}

#[derive(Debug, PartialEq)]
pub struct UserInfo {
    pub username: String,
    pub password: Option<String>,
}

impl UserInfo {
    /// Go's `Userinfo.String`: escaped `user[:password]`.
    pub fn to_go_string(&self) -> String {
        let mut s = escape(&self.username, Mode::UserPassword);
        if let Some(p) = &self.password {
            s.push(':');
            s.push_str(&escape(p, Mode::UserPassword));
        }
        s
    }
}

/// Which URL component is being escaped/unescaped (Go's `encoding` enum).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `url.Parse`: `Err` is the whole `*url.Error` text (`parse "URL":
/// why`, the URL without its fragment unless the fragment is what failed).
pub fn parse(raw: &str) -> Result<Url, String> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    let mut url = parse_no_fragment(rest).map_err(|why| format!("parse {}: {why}", quote(rest)))?;
    if let Some(f) = fragment {
        url.fragment =
            unescape(f, Mode::Fragment).map_err(|why| format!("parse {}: {why}", quote(raw)))?;
    }
    Ok(url)
}

/// Go's `url.PathUnescape`.
pub fn path_unescape(s: &str) -> Result<String, String> {
    unescape(s, Mode::Path)
}

fn parse_no_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_string();
        return Ok(url);
    }
    let (scheme, mut rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // A rootless path after a scheme is opaque (`mailto:x@y`).
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    let mut path = rest;
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, p) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        path = p;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(path, Mode::Path)?;
    if escape(&url.path, Mode::Path) != path {
        url.raw_path = path.to_string();
    }
    Ok(url)
}

/// Go's `getScheme`: letters first, then letters, digits, `+-.`, up to `:`.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".to_string());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(Option<UserInfo>, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    })?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !userinfo.bytes().all(valid_userinfo_byte) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match userinfo.split_once(':') {
        None => UserInfo {
            username: unescape(userinfo, Mode::UserPassword)?,
            password: None,
        },
        Some((u, p)) => UserInfo {
            username: unescape(u, Mode::UserPassword)?,
            password: Some(unescape(p, Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

fn valid_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b)
}

fn valid_optional_port(port: &str) -> bool {
    if port.is_empty() {
        return true;
    }
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// Go's `parseHost`: a bracketed host must be an IPv6 address (a zone
/// allowed), a `[` elsewhere is refused, and the port follows the first
/// colon of any other host.
fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".to_string());
        };
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote(colon_port)));
        }
        // An IPv6 zone is percent-encoded as `%25`.
        let unescaped = match host[..i].find("%25") {
            Some(zone) => {
                let before = unescape(&host[..zone], Mode::Host)?;
                let zone_part = unescape(&host[zone..i], Mode::Zone)?;
                let after = unescape(&host[i..], Mode::Host)?;
                format!("{before}{zone_part}{after}")
            }
            None => unescape(host, Mode::Host)?,
        };
        let close = unescaped.rfind(']').unwrap_or(unescaped.len());
        check_ip_literal(&unescaped[1..close])?;
        return Ok(unescaped);
    }
    if host.contains('[') {
        return Err("invalid IP-literal".to_string());
    }
    if let Some(i) = host.find(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote(colon_port)));
        }
    }
    unescape(host, Mode::Host)
}

/// The address in brackets must be IPv6. Go's own words for an unparsable
/// address are not reproduced past their prefix.
fn check_ip_literal(literal: &str) -> Result<(), String> {
    let address = literal.split_once('%').map_or(literal, |(a, _)| a);
    if address.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(());
    }
    if address.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("invalid IP-literal".to_string());
    }
    Err(format!("invalid host: ParseAddr({})", quote(literal)))
}

impl Url {
    /// Go's `URL.Hostname`: the host without its port and IPv6 brackets.
    pub fn hostname(&self) -> &str {
        let mut h = self.host.as_str();
        if let Some(colon) = h.rfind(':') {
            if valid_optional_port(&h[colon..]) {
                h = &h[..colon];
            }
        }
        if h.starts_with('[') && h.ends_with(']') && h.len() >= 2 {
            h = &h[1..h.len() - 1];
        }
        h
    }

    /// Go's `URL.String`.
    pub fn to_go_string(&self) -> String {
        let u = self;
        let mut buf = String::new();
        if !u.scheme.is_empty() {
            buf.push_str(&u.scheme);
            buf.push(':');
        }
        if !u.opaque.is_empty() {
            buf.push_str(&u.opaque);
        } else {
            if !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some() {
                if u.omit_host && u.host.is_empty() && u.user.is_none() {
                    // Empty host omitted.
                } else {
                    if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                        buf.push_str("//");
                    }
                    if let Some(user) = &u.user {
                        buf.push_str(&user.to_go_string());
                        buf.push('@');
                    }
                    if !u.host.is_empty() {
                        buf.push_str(&escape(&u.host, Mode::Host));
                    }
                }
            }
            let path = if u.path == "*" {
                "*".to_string()
            } else {
                escape(&u.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let segment = path.split('/').next().unwrap_or("");
                if segment.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if u.force_query || !u.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&u.raw_query);
        }
        if !u.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&u.fragment, Mode::Fragment));
        }
        buf
    }
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Go's `unescape`: `%XX` decoding with its validity rules; the error is
/// Go's error text.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let escape_error = |bytes: &[u8]| {
        format!(
            "invalid URL escape {}",
            quote(&String::from_utf8_lossy(bytes))
        )
    };
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
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
                let v = unhex(b[i + 1]) << 4 | unhex(b[i + 2]);
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && &s[i..i + 3] != "%25" {
                    return Err(escape_error(&b[i..i + 3]));
                }
                // A zone may escape only what it could hold unescaped (or
                // a space).
                if mode == Mode::Zone
                    && &s[i..i + 3] != "%25"
                    && v != b' '
                    && should_escape(v, Mode::Host)
                {
                    return Err(escape_error(&b[i..i + 3]));
                }
                out.push(v);
                i += 3;
            }
            c => {
                if (mode == Mode::Host || mode == Mode::Zone) && c < 0x80 && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote(&s[i..i + 1])
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `shouldEscape` for the components used here.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if (mode == Mode::Host || mode == Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host | Mode::Zone => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

/// Go's `escape`: percent-encodes (upper-case hex) what the mode requires.
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
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
        assert_eq!((u.scheme.as_str(), u.host.as_str()), ("http", "[::1]:80"));
        assert_eq!((u.path.as_str(), u.raw_path.as_str()), ("/a b", ""));
        assert_eq!(u.hostname(), "::1");
        assert_eq!(parse("/a{b}").expect("parses").raw_path, "/a{b}");
    }
}
