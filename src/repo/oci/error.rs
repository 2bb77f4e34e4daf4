//! Errors of registry operations, worded as helm (and the ORAS library it
//! uses) words them, so `Error: ...` lines match byte for byte.

use std::fmt::Write as _;

/// A failed registry operation; `Display` is helm's full message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OciError(pub String);

impl OciError {
    pub fn new(msg: impl Into<String>) -> OciError {
        OciError(msg.into())
    }

    /// ORAS's copy wrapper: `failed to perform "Op" on source|destination: ...`.
    pub fn during(self, op: &str, side: &str) -> OciError {
        OciError(format!("failed to perform \"{op}\" on {side}: {}", self.0))
    }
}

/// The `errors` array of a distribution-spec error body formatted as ORAS
/// does: `name unknown: repository name not known to registry: map[name:x]`.
pub fn describe_error_body(body: &[u8]) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
    let errors = doc.get("errors")?.as_array()?;
    if errors.is_empty() {
        return None;
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let code: String = e
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("")
                .chars()
                .map(|c| {
                    if c == '_' {
                        ' '
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("");
            match e.get("detail") {
                _ if message.is_empty() => code,
                None | Some(serde_json::Value::Null) => format!("{code}: {message}"),
                Some(d) => format!("{code}: {message}: {}", go_value(d)),
            }
        })
        .collect();
    Some(parts.join("; "))
}

/// Go's `%v` of a value decoded by `encoding/json` into `any`.
pub fn go_value(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_value(&mut out, v);
    out
}

fn write_go_value(out: &mut String, v: &serde_json::Value) {
    match v {
        serde_json::Value::Null => out.push_str("<nil>"),
        serde_json::Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        serde_json::Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e21 {
                let _ = write!(out, "{}", f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        serde_json::Value::String(s) => out.push_str(s),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_value(out, item);
            }
            out.push(']');
        }
        serde_json::Value::Object(map) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go_value(out, &map[k.as_str()]);
            }
            out.push(']');
        }
    }
}

/// Go's `http.StatusText`, for error responses without a body.
pub fn status_text(code: u16) -> &'static str {
    reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_format_like_oras() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"charts/sub/nope"}}]}"#;
        assert_eq!(
            describe_error_body(body).unwrap(),
            "name unknown: repository name not known to registry: map[name:charts/sub/nope]"
        );
        let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Class":"","Name":"c/o","Action":"pull"}]}]}"#;
        assert_eq!(
            describe_error_body(body).unwrap(),
            "unauthorized: authentication required: [map[Action:pull Class: Name:c/o Type:repository]]"
        );
        assert_eq!(describe_error_body(b"not json"), None);
    }
}
