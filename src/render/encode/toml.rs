//! `toToml` as BurntSushi/toml's encoder writes it (Helm 4.3.1 passes the
//! value unchanged, so YAML numbers, being float64, print as `80.0`):
//! sorted keys, plain values before tables, nested tables indented two
//! spaces per level, a blank line before each top-level table, nil map
//! values skipped.

use super::float::format_g;
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TomlError(pub String);

fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote_string(k)
    }
}

fn quote_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format_g(f);
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
        || matches!(v, Value::Object(o) if o.to_data().is_some_and(|d| matches!(d, Value::Map(_))))
}

fn data(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.to_data().unwrap_or_else(Value::empty_map),
        other => other.clone(),
    }
}

/// An array whose elements are all tables is an array of tables.
fn is_array_of_tables(v: &Value) -> bool {
    match v {
        Value::List(l) => {
            let items = l.items.borrow();
            !items.is_empty() && items.iter().all(is_table)
        }
        _ => false,
    }
}

struct Encoder {
    out: String,
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn key_path(key: &[String]) -> String {
        key.iter()
            .map(|k| quote_key(k))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn element(&self, v: &Value) -> Result<String, TomlError> {
        Ok(match v {
            Value::Nil => return Err(TomlError("toml: cannot encode nil value".into())),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) | Value::Int64(i) => i.to_string(),
            Value::Float(f) => float_text(*f),
            Value::String(s) => quote_string(s),
            Value::RawString(b) | Value::Bytes(b) => quote_string(&String::from_utf8_lossy(b)),
            Value::List(l) => {
                let items = l.items.borrow();
                let mut parts = Vec::new();
                for item in items.iter() {
                    if item.is_nil() {
                        return Err(TomlError(
                            "toml: cannot encode array with nil element".into(),
                        ));
                    }
                    parts.push(self.element(item)?);
                }
                format!("[{}]", parts.join(", "))
            }
            Value::Map(m) => {
                // Like tables, inline tables list plain values before
                // nested tables.
                let entries = m.entries.borrow();
                let mut parts = Vec::new();
                let direct = entries
                    .iter()
                    .filter(|(_, v)| !is_table(v) && !is_array_of_tables(v));
                let sub = entries
                    .iter()
                    .filter(|(_, v)| is_table(v) || is_array_of_tables(v));
                let all: Vec<_> = direct.chain(sub).collect();
                // BurntSushi writes the separator after every entry but the
                // last by position, so a skipped nil at the end leaves `, `.
                for (i, (k, val)) in all.iter().enumerate() {
                    if val.is_nil() {
                        continue;
                    }
                    parts.push(format!("{} = {}", quote_key(k), self.element(val)?));
                    if i + 1 < all.len() {
                        parts.push(", ".to_string());
                    }
                }
                format!("{{{}}}", parts.concat())
            }
            Value::Object(_) => self.element(&data(v))?,
        })
    }

    fn map(&mut self, key: &[String], v: &Value) -> Result<(), TomlError> {
        let v = data(v);
        let Some(m) = v.as_map() else {
            return Ok(());
        };
        let entries = m.entries.borrow();
        let (mut direct, mut sub): (Vec<&String>, Vec<&String>) = (Vec::new(), Vec::new());
        for (k, val) in entries.iter() {
            if val.is_nil() {
                continue;
            }
            if is_table(val) || is_array_of_tables(val) {
                sub.push(k);
            } else {
                direct.push(k);
            }
        }
        for k in direct {
            let mut path = key.to_vec();
            path.push(k.clone());
            let text = self.element(&entries[k])?;
            self.out.push_str(&format!(
                "{}{} = {}",
                Self::indent(&path),
                quote_key(k),
                text
            ));
            self.out.push('\n');
        }
        for k in sub {
            let mut path = key.to_vec();
            path.push(k.clone());
            let val = &entries[k];
            if is_array_of_tables(val) {
                let items = val
                    .as_list()
                    .map(|l| l.items.borrow().clone())
                    .unwrap_or_default();
                for item in items {
                    self.newline();
                    self.out.push_str(&format!(
                        "{}[[{}]]",
                        Self::indent(&path),
                        Self::key_path(&path)
                    ));
                    self.out.push('\n');
                    self.map(&path, &item)?;
                }
            } else {
                if path.len() == 1 {
                    self.newline();
                }
                self.out.push_str(&format!(
                    "{}[{}]",
                    Self::indent(&path),
                    Self::key_path(&path)
                ));
                self.out.push('\n');
                self.map(&path, val)?;
            }
        }
        Ok(())
    }
}

/// BurntSushi/toml `Encoder.Encode(v)`.
pub fn to_toml(v: &Value) -> Result<String, TomlError> {
    let mut enc = Encoder { out: String::new() };
    if is_table(v) {
        enc.map(&[], v)?;
        Ok(enc.out)
    } else {
        enc.element(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    #[test]
    fn burntsushi_layout() {
        let v = parse_values(
            "a: 1.0\nb: 80\nc: 1.5\nd: [1, \"x\", true]\ne: {f: {g: \"h\"}}\ns: \"yes\"\nn: null\n",
        )
        .unwrap();
        assert_eq!(
            to_toml(&v).unwrap(),
            "a = 1.0\nb = 80.0\nc = 1.5\nd = [1.0, \"x\", true]\ns = \"yes\"\n\n[e]\n  [e.f]\n    g = \"h\"\n"
        );
        let v =
            parse_values("arr: [{x: 1}]\nm: {k: 1, sub: {s: 2}, t: [{u: 1}]}\nz: 1e21\n").unwrap();
        assert_eq!(
            to_toml(&v).unwrap(),
            "z = 1e+21\n\n[[arr]]\n  x = 1.0\n\n[m]\n  k = 1.0\n  [m.sub]\n    s = 2.0\n\n  [[m.t]]\n    u = 1.0\n"
        );
    }
}
