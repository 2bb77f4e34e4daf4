//! The user-supplied values of a command: `-f/--values` files and the
//! `--set` family, merged in Helm's fixed order (by flag kind, not by
//! command-line position): files (later wins), `--set-json`, `--set`,
//! `--set-string`, `--set-file`, `--set-literal`.

use crate::value::{Map, Value};
use crate::values::coalesce::merge_maps;
use crate::values::strvals::{self, SetMode};
use crate::values::yaml;

/// The values flags as given.
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    pub value_files: Vec<String>,
    pub values: Vec<String>,
    pub string_values: Vec<String>,
    pub json_values: Vec<String>,
    pub file_values: Vec<String>,
    pub literal_values: Vec<String>,
}

/// A values flag that could not be used; `Display` is Helm's error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValuesError(pub String);

/// Reads a values source (`-` for stdin, a path, later URLs); the error is
/// Go's wording (`open x: no such file or directory`).
pub type ReadSource<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

impl ValueOptions {
    /// Helm's `MergeValues`: the user values as one map.
    pub fn merge_values(&self, read: &mut ReadSource<'_>) -> Result<Value, ValuesError> {
        let mut base = new_map();
        for path in &self.value_files {
            let raw = read(path).map_err(ValuesError)?;
            let text = String::from_utf8_lossy(&raw);
            let current = yaml::parse_values(&text)
                .map_err(|e| ValuesError(format!("failed to parse {path}: {e}")))?;
            if let Value::Map(m) = current {
                base = merge_maps(&base, &m);
            }
        }
        for value in &self.json_values {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                let parsed: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(trimmed).map_err(|_| {
                        ValuesError(format!("failed parsing --set-json data JSON: {value}"))
                    })?;
                if let Value::Map(m) = strvals::json_to_value(serde_json::Value::Object(parsed)) {
                    base = merge_maps(&base, &m);
                }
            } else {
                strvals::parse_into(value, &base, SetMode::Json)
                    .map_err(|_| ValuesError(format!("failed parsing --set-json data {value}")))?;
            }
        }
        for value in &self.values {
            strvals::parse_into(value, &base, SetMode::Typed)
                .map_err(|e| ValuesError(format!("failed parsing --set data: {e}")))?;
        }
        for value in &self.string_values {
            strvals::parse_into(value, &base, SetMode::String)
                .map_err(|e| ValuesError(format!("failed parsing --set-string data: {e}")))?;
        }
        for value in &self.file_values {
            let mut reader = |path: &str| -> Result<Value, String> {
                let bytes = read(path)?;
                Ok(Value::string(String::from_utf8_lossy(&bytes).into_owned()))
            };
            strvals::parse_into(value, &base, SetMode::File(&mut reader))
                .map_err(|e| ValuesError(format!("failed parsing --set-file data: {e}")))?;
        }
        for value in &self.literal_values {
            strvals::parse_literal_into(value, &base)
                .map_err(|e| ValuesError(format!("failed parsing --set-literal data: {e}")))?;
        }
        Ok(Value::Map(base))
    }
}

fn new_map() -> Map {
    match Value::empty_map() {
        Value::Map(m) => m,
        _ => unreachable!("empty_map builds a map"),
    }
}

/// pflag's `StringSlice` parsing of one flag occurrence: comma-separated,
/// with CSV double quotes (`a,"b,c"` is two items).
pub fn split_string_slice(arg: &str) -> Vec<String> {
    if arg.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = arg.chars().peekable();
    let mut at_field_start = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            ',' => {
                out.push(std::mem::take(&mut cur));
                at_field_start = true;
                continue;
            }
            '"' if at_field_start => quoted = true,
            c => cur.push(c),
        }
        at_field_start = false;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::to_json;

    fn files(name: &str) -> Result<Vec<u8>, String> {
        match name {
            "a.yaml" => Ok(b"a: 1\nm:\n  x: a\n  z: a\n".to_vec()),
            "b.yaml" => Ok(b"m:\n  z: b\nl: [1]\n".to_vec()),
            "bad.yaml" => Ok(b"a: b: c\n".to_vec()),
            "payload.txt" => Ok(b"file body\n".to_vec()),
            other => Err(format!("open {other}: no such file or directory")),
        }
    }

    fn merged(o: &ValueOptions) -> Result<String, String> {
        let v = o.merge_values(&mut files).map_err(|e| e.0)?;
        Ok(to_json(&v).unwrap())
    }

    #[test]
    fn precedence_is_by_flag_kind() {
        let o = ValueOptions {
            value_files: vec!["a.yaml".into(), "b.yaml".into()],
            values: vec!["a=2,s=set".into()],
            string_values: vec!["s=str".into()],
            json_values: vec![r#"a=3"#.into(), r#"{"j":{"k":true}}"#.into()],
            file_values: vec!["f=payload.txt".into()],
            literal_values: vec!["lit=x,y".into()],
        };
        assert_eq!(
            merged(&o).unwrap(),
            r#"{"a":2,"f":"file body\n","j":{"k":true},"l":[1],"lit":"x,y","m":{"x":"a","z":"b"},"s":"str"}"#
        );
    }

    #[test]
    fn helm_error_texts() {
        let o = ValueOptions {
            value_files: vec!["missing.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            merged(&o).unwrap_err(),
            "open missing.yaml: no such file or directory"
        );
        let o = ValueOptions {
            json_values: vec![r#"tolerations=[{"key":}]"#.into()],
            ..Default::default()
        };
        assert_eq!(
            merged(&o).unwrap_err(),
            r#"failed parsing --set-json data tolerations=[{"key":}]"#
        );
        let o = ValueOptions {
            value_files: vec!["bad.yaml".into()],
            ..Default::default()
        };
        assert!(merged(&o)
            .unwrap_err()
            .starts_with("failed to parse bad.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: "));
    }

    #[test]
    fn string_slice_splitting() {
        assert_eq!(split_string_slice("a,b"), vec!["a", "b"]);
        assert_eq!(split_string_slice(r#"a,"b,c""#), vec!["a", "b,c"]);
        assert!(split_string_slice("").is_empty());
    }
}
