//! Go's encoding/json as templates see it: `toJson` (json.Marshal: sorted
//! keys, `<>&` escaped as `\u003c`..., U+2028/U+2029 escaped, Go float
//! spelling), `toPrettyJson` (MarshalIndent with two spaces), `toRawJson`
//! (no HTML escaping), and `fromJson` (numbers become float64).

use std::collections::BTreeMap;

use super::float::format_json;
use crate::value::Value;

/// A marshalling failure, with encoding/json's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str(&format!("\\u00{:02x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

struct Writer {
    escape_html: bool,
    indent: Option<&'static str>,
}

impl Writer {
    fn newline(&self, out: &mut String, depth: usize) {
        if let Some(ind) = self.indent {
            out.push('\n');
            for _ in 0..depth {
                out.push_str(ind);
            }
        }
    }

    fn value(&self, out: &mut String, v: &Value, depth: usize) -> Result<(), JsonError> {
        match v {
            Value::Nil => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(JsonError(format!(
                        "json: unsupported value: {}",
                        super::float::format_g(*f)
                    )));
                }
                out.push_str(&format_json(*f));
            }
            Value::String(s) => write_string(out, s, self.escape_html),
            Value::Bytes(b) => write_string(out, &base64(b), self.escape_html),
            Value::List(l) => {
                let items = l.items.borrow();
                if items.is_empty() {
                    out.push_str("[]");
                    return Ok(());
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.newline(out, depth + 1);
                    self.value(out, item, depth + 1)?;
                }
                self.newline(out, depth);
                out.push(']');
            }
            Value::Map(m) => self.map(out, &m.entries.borrow(), depth)?,
            Value::Object(o) => match o.to_data() {
                Some(data) => self.value(out, &data, depth)?,
                None => out.push_str("{}"),
            },
        }
        Ok(())
    }

    fn map(
        &self,
        out: &mut String,
        entries: &BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), JsonError> {
        if entries.is_empty() {
            out.push_str("{}");
            return Ok(());
        }
        out.push('{');
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.newline(out, depth + 1);
            write_string(out, k, self.escape_html);
            out.push(':');
            if self.indent.is_some() {
                out.push(' ');
            }
            self.value(out, v, depth + 1)?;
        }
        self.newline(out, depth);
        out.push('}');
        Ok(())
    }
}

/// `json.Marshal(v)`.
pub fn to_json(v: &Value) -> Result<String, JsonError> {
    let mut out = String::new();
    Writer {
        escape_html: true,
        indent: None,
    }
    .value(&mut out, v, 0)?;
    Ok(out)
}

/// `json.MarshalIndent(v, "", "  ")`.
pub fn to_pretty_json(v: &Value) -> Result<String, JsonError> {
    let mut out = String::new();
    Writer {
        escape_html: true,
        indent: Some("  "),
    }
    .value(&mut out, v, 0)?;
    Ok(out)
}

/// A json.Encoder with `SetEscapeHTML(false)`, trailing newline trimmed.
pub fn to_raw_json(v: &Value) -> Result<String, JsonError> {
    let mut out = String::new();
    Writer {
        escape_html: false,
        indent: None,
    }
    .value(&mut out, v, 0)?;
    Ok(out)
}

/// Go's `strconv.Quote` (also `%q` and the string form of `%#v`).
pub fn quote_go(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || c == '\u{feff}' => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
