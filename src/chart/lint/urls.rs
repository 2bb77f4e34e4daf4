//! Approximations of the govalidator checks helm's Chart.yaml lint uses
//! (`IsEmail`, `IsURL`, `IsRequestURL`).

use std::sync::OnceLock;

use regex::Regex;

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let atom = r"[a-zA-Z0-9!#$%&'*+\-/=?^_`{|}~\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]+";
        let label = r"[a-zA-Z0-9\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]([a-zA-Z0-9\-._~\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]*[a-zA-Z0-9\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])?";
        let tld = r"[a-zA-Z\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]([a-zA-Z0-9\-._~\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]*[a-zA-Z\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])?";
        Regex::new(&format!(r"^{atom}(\.{atom})*@(({label})\.)+({tld})\.?$")).expect("email regex")
    })
}

/// govalidator `IsEmail`.
pub fn is_email(s: &str) -> bool {
    email_re().is_match(s)
}

fn scheme_len(s: &str) -> Option<usize> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    chars
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        .then_some(colon)
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| (c as u32) < 0x20 || c as u32 == 0x7f)
}

/// govalidator `IsRequestURL`: `url.ParseRequestURI` succeeds with a scheme.
pub fn is_request_url(s: &str) -> bool {
    if has_control(s) {
        return false;
    }
    let Some(colon) = scheme_len(s) else {
        return false;
    };
    let rest = &s[colon + 1..];
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        if host.contains(' ') || host.contains('%') && !host.contains("%25") {
            return false;
        }
    }
    true
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^((ftp|tcp|udp|wss?|https?)://)?(\S+(:\S*)?@)?((\[[0-9a-fA-F:.]+\])|(([0-9]{1,3}\.){3}[0-9]{1,3})|(([a-zA-Z0-9\x{00a1}-\x{ffff}_]([a-zA-Z0-9\x{00a1}-\x{ffff}_-]*[a-zA-Z0-9\x{00a1}-\x{ffff}_])?\.)*[a-zA-Z\x{00a1}-\x{ffff}]([a-zA-Z0-9\x{00a1}-\x{ffff}-]*[a-zA-Z0-9\x{00a1}-\x{ffff}])?\.?)|localhost)(:\d{1,5})?([/?#]\S*)?$",
        )
        .expect("url regex")
    })
}

/// govalidator `IsURL`.
pub fn is_url(s: &str) -> bool {
    if s.is_empty() || s.chars().count() >= 2083 || s.len() <= 3 || s.starts_with('.') {
        return false;
    }
    url_re().is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("bad"));
        assert!(is_request_url("https://x/y.png"));
        assert!(!is_request_url("x.png"));
        assert!(!is_request_url("foo"));
        assert!(is_url("https://example.com/a"));
        assert!(is_url("example.com"));
        assert!(!is_url("not a url"));
    }
}
