//! Sprig's `urlParse` and `urlJoin`, which expose Go's `net/url` parser
//! and serializer through a dict of `scheme`, `host`, `hostname`, `path`,
//! `query`, `opaque`, `fragment` and `userinfo`.
//!
//! The parts of `net/url` they reach are reproduced here: scheme and
//! authority splitting, percent-decoding with Go's per-component rules and
//! error texts, and `URL.String`'s re-escaping.

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::{MapData, Value};

pub fn register(reg: &mut Registry) {
    reg.add("urlParse", Sig::fixed(&[Ty::String]), url_parse);
    reg.add("urlJoin", Sig::fixed(&[Ty::Map]), url_join);
}

/// The URL components Go's parser produces (the subset Sprig reads).
#[derive(Debug, Default, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<UserInfo>,
    host: String,
    path: String,
    omit_host: bool,
    force_query: bool,
    raw_query: String,
    fragment: String,
}

#[derive(Debug, PartialEq)]
struct UserInfo {
    username: String,
    password: Option<String>,
}

impl UserInfo {
    /// Go's `Userinfo.String`: escaped `user[:password]`.
    fn to_go_string(&self) -> String {
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

fn url_parse(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let raw = a[0].as_str().unwrap_or("");
    let url = parse(raw).map_err(|e| {
        FuncError::new(format!(
            "unable to parse url: parse {}: {e}",
            crate::render::gofmt::quote(raw)
        ))
    })?;
    let mut out = MapData::new();
    let hostname = hostname(&url.host);
    out.insert("scheme".into(), Value::string(url.scheme));
    out.insert("host".into(), Value::string(url.host));
    out.insert("hostname".into(), Value::string(hostname));
    out.insert("path".into(), Value::string(url.path));
    out.insert("query".into(), Value::string(url.raw_query));
    out.insert("opaque".into(), Value::string(url.opaque));
    out.insert("fragment".into(), Value::string(url.fragment));
    let userinfo = url.user.map(|u| u.to_go_string()).unwrap_or_default();
    out.insert("userinfo".into(), Value::string(userinfo));
    Ok(Value::map(out))
}

/// A dict entry that must be a string when present.
fn dict_string(d: &Value, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Nil) => Err(FuncError::new(super::lists::NIL_DEREFERENCE)),
        Some(other) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        ))),
    }
}

fn url_join(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let d = &a[0];
    let mut url = Url {
        scheme: dict_string(d, "scheme")?,
        host: dict_string(d, "host")?,
        path: dict_string(d, "path")?,
        raw_query: dict_string(d, "query")?,
        opaque: dict_string(d, "opaque")?,
        fragment: dict_string(d, "fragment")?,
        ..Url::default()
    };
    let userinfo = dict_string(d, "userinfo")?;
    if !userinfo.is_empty() {
        let raw = format!("proto://{userinfo}@host");
        let parsed = parse(&raw).map_err(|e| {
            FuncError::new(format!(
                "unable to parse userinfo in dict: parse {}: {e}",
                crate::render::gofmt::quote(&raw)
            ))
        })?;
        url.user = parsed.user;
    }
    Ok(Value::string(to_string(&url)))
}

/// Go's `url.Parse`: the fragment is split off first, then the rest parsed.
fn parse(raw: &str) -> Result<Url, String> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    let mut url = parse_no_fragment(rest)?;
    if let Some(f) = fragment {
        url.fragment = unescape(f, Mode::Fragment)?;
    }
    Ok(url)
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

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".to_string());
        };
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                crate::render::gofmt::quote(colon_port)
            ));
        }
        // An IPv6 zone is percent-encoded as `%25`.
        if let Some(zone) = host[..i].find("%25") {
            let before = unescape(&host[..zone], Mode::Host)?;
            let zone_part = unescape(&host[zone..i], Mode::Zone)?;
            let after = unescape(&host[i..], Mode::Host)?;
            return Ok(format!("{before}{zone_part}{after}"));
        }
    } else if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                crate::render::gofmt::quote(colon_port)
            ));
        }
    }
    unescape(host, Mode::Host)
}

/// `URL.Hostname`: the host without its port and IPv6 brackets.
fn hostname(host: &str) -> String {
    let mut h = host;
    if let Some(colon) = h.rfind(':') {
        if valid_optional_port(&h[colon..]) {
            h = &h[..colon];
        }
    }
    if h.starts_with('[') && h.ends_with(']') && h.len() >= 2 {
        h = &h[1..h.len() - 1];
    }
    h.to_string()
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
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::render::gofmt::quote(&String::from_utf8_lossy(&b[i..end]))
                    ));
                }
                let v = unhex(b[i + 1]) << 4 | unhex(b[i + 2]);
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::render::gofmt::quote(&s[i..i + 3])
                    ));
                }
                if mode == Mode::Zone
                    && v < 0x80
                    && &s[i..i + 3] != "%25"
                    && should_escape(v, Mode::Host)
                {
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::render::gofmt::quote(&s[i..i + 3])
                    ));
                }
                out.push(v);
                i += 3;
            }
            c => {
                if (mode == Mode::Host || mode == Mode::Zone) && c < 0x80 && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {} in host name",
                        crate::render::gofmt::quote(&s[i..i + 1])
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
    if (mode == Mode::Host || mode == Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
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

/// Go's `URL.String`.
fn to_string(u: &Url) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::gofmt::sprint;

    fn parsed(raw: &str) -> String {
        sprint(&url_parse(&mut FuncEnv::default(), &[Value::str(raw)]).unwrap())
    }

    #[test]
    fn parse_like_net_url() {
        assert_eq!(
            parsed("https://user:pw@example.com:8443/p/a%20th?q=1&r=two#frag"),
            "map[fragment:frag host:example.com:8443 hostname:example.com opaque: path:/p/a th query:q=1&r=two scheme:https userinfo:user:pw]"
        );
        assert_eq!(
            parsed("/just/a/path?x=y"),
            "map[fragment: host: hostname: opaque: path:/just/a/path query:x=y scheme: userinfo:]"
        );
        assert_eq!(
            parsed("mailto:me@x.org"),
            "map[fragment: host: hostname: opaque:me@x.org path: query: scheme:mailto userinfo:]"
        );
        let e = url_parse(&mut FuncEnv::default(), &[Value::str("%zz")]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse url: parse \"%zz\": invalid URL escape \"%zz\""
        );
        let e = url_parse(&mut FuncEnv::default(), &[Value::str(":x")]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse url: parse \":x\": missing protocol scheme"
        );
    }

    #[test]
    fn join_like_url_string() {
        let mut d = MapData::new();
        d.insert("scheme".into(), Value::str("https"));
        d.insert("host".into(), Value::str("h:1"));
        d.insert("path".into(), Value::str("/a b"));
        d.insert("query".into(), Value::str("x=1"));
        d.insert("fragment".into(), Value::str("f g"));
        d.insert("userinfo".into(), Value::str("u:p"));
        let r = url_join(&mut FuncEnv::default(), &[Value::map(d)]).unwrap();
        assert_eq!(r.as_str(), Some("https://u:p@h:1/a%20b?x=1#f%20g"));
        let mut d = MapData::new();
        d.insert("host".into(), Value::Int(1));
        let e = url_join(&mut FuncEnv::default(), &[Value::map(d)]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse host key, must be of type string, but int found"
        );
    }
}
