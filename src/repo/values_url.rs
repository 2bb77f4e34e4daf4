//! `-f/--values` and `--set-file` sources given as URLs.
//!
//! helm parses every values source with Go's `url.Parse` and, when the
//! scheme names a getter (`http`, `https`), downloads it with that getter's
//! default options (no repository credentials or TLS flags); anything else
//! is read as a local file. A source Go cannot parse fails with Go's
//! wording before any file is opened.

use super::http::{get_bytes, HttpOptions};

/// Where a values source comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum ValuesSource<'a> {
    /// A path on disk (also `ftp://...` and other schemes without a getter).
    File(&'a str),
    /// An `http://` or `https://` URL.
    Url(&'a str),
}

/// Go's `url.Parse` failure for `raw`, as `parse "<raw>": <reason>`.
fn parse_error(raw: &str, reason: &str) -> String {
    format!(
        "parse {}: {reason}",
        crate::render::encode::json::quote_go(raw)
    )
}

/// The scheme as Go's `getScheme` finds it (lowercased), or `None` when
/// the text has no scheme; `Err` for a leading `:`.
fn scheme(raw: &str) -> Result<Option<String>, &'static str> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme"),
            ':' => return Ok(Some(raw[..i].to_ascii_lowercase())),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// The first malformed `%` escape in `s` (Go's `unescape` check), as Go
/// quotes it: the `%` and at most two following bytes.
fn bad_escape(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok =
                i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
            if !ok {
                let end = (i + 3).min(b.len());
                return Some(s.get(i..end).unwrap_or(&s[i..]));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}

/// Classifies a values source as helm's `readFile` does, with Go's parse
/// errors for text `url.Parse` rejects.
pub fn classify(raw: &str) -> Result<ValuesSource<'_>, String> {
    let scheme = scheme(raw).map_err(|reason| parse_error(raw, reason))?;
    let (before_fragment, fragment) = match raw.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (raw, None),
    };
    let path_part = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(p, _)| p);
    for part in std::iter::once(path_part).chain(fragment) {
        if let Some(esc) = bad_escape(part) {
            return Err(parse_error(
                raw,
                &format!(
                    "invalid URL escape {}",
                    crate::render::encode::json::quote_go(esc)
                ),
            ));
        }
    }
    match scheme.as_deref() {
        Some("http") | Some("https") => {
            check_host(raw, path_part)?;
            Ok(ValuesSource::Url(raw))
        }
        _ => Ok(ValuesSource::File(raw)),
    }
}

/// The host checks of Go's `parseHost` that matter for hand-typed URLs.
fn check_host(raw: &str, path_part: &str) -> Result<(), String> {
    let Some((_, rest)) = path_part.split_once("://") else {
        return Ok(());
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') && !host.contains(']') {
        return Err(parse_error(raw, "missing ']' in host"));
    }
    if let Some(c) = host.chars().find(|c| {
        matches!(
            c,
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}'
        )
    }) {
        return Err(parse_error(
            raw,
            &format!(
                "invalid character {} in host name",
                crate::render::encode::json::quote_go(&c.to_string())
            ),
        ));
    }
    Ok(())
}

/// Downloads a values URL with the HTTP getter's defaults (helm passes no
/// repository options here). Errors are helm's texts
/// (`failed to fetch <url> : 404 Not Found`, `Get "<url>": dial tcp ...`).
pub fn fetch(url: &str) -> Result<Vec<u8>, String> {
    get_bytes(url, &HttpOptions::default()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_like_go_url_parse() {
        assert_eq!(
            classify("values.yaml"),
            Ok(ValuesSource::File("values.yaml"))
        );
        assert_eq!(classify("./a:b.yaml"), Ok(ValuesSource::File("./a:b.yaml")));
        assert_eq!(classify("ftp://x/y"), Ok(ValuesSource::File("ftp://x/y")));
        assert_eq!(
            classify("HTTP://h/v.yaml"),
            Ok(ValuesSource::Url("HTTP://h/v.yaml"))
        );
        assert_eq!(
            classify("https://h/v.yaml?x=%zz"),
            Ok(ValuesSource::Url("https://h/v.yaml?x=%zz"))
        );
        assert_eq!(
            classify("a%zz.yaml").unwrap_err(),
            "parse \"a%zz.yaml\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            classify("a%4").unwrap_err(),
            "parse \"a%4\": invalid URL escape \"%4\""
        );
        assert_eq!(
            classify(":x.yaml").unwrap_err(),
            "parse \":x.yaml\": missing protocol scheme"
        );
        assert_eq!(
            classify("http://[::1").unwrap_err(),
            "parse \"http://[::1\": missing ']' in host"
        );
        assert_eq!(
            classify("http://a b/").unwrap_err(),
            "parse \"http://a b/\": invalid character \" \" in host name"
        );
    }
}
