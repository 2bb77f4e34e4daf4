//! The type error Go's `encoding/json` reports when a JSON value does not
//! fit the Go type it is decoded into, as Helm 4.3.1 prints it (the decoder
//! of its Go release is built on json/v2 and words the place as a dotted
//! JSON pointer): `json: cannot unmarshal array into Go struct field
//! .annotations.a~1b of type string`.

use std::borrow::Cow;

use crate::value::Value;

/// encoding/json's name for the JSON kind of a value (`array`, `number`, ...).
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::RawString(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

/// A map key as a segment of the dotted path: JSON pointer escaping, `~`
/// as `~0` and `/` as `~1` (dots stay as they are).
pub fn path_key(key: &str) -> Cow<'_, str> {
    if !key.contains(['~', '/']) {
        return Cow::Borrowed(key);
    }
    Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
}

/// The message for a value of JSON kind `kind` (`array`, `string`, ...) at
/// `path` (`""` for the document itself, else `.a.b.0`). A path whose text
/// after its last dot is a number reads as a place in an array, without
/// "Go struct field" (even when that number is a map key).
pub fn unmarshal_type_error(kind: &str, path: &str, go_type: &str) -> String {
    if path.is_empty() {
        return format!("json: cannot unmarshal {kind} into Go value of type {go_type}");
    }
    let last = path.rsplit('.').next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        format!("json: cannot unmarshal {kind} into {path} of type {go_type}")
    } else {
        format!("json: cannot unmarshal {kind} into Go struct field {path} of type {go_type}")
    }
}

#[cfg(test)]
mod tests {
    use super::{path_key, unmarshal_type_error};

    #[test]
    fn wording_follows_the_last_path_segment() {
        assert_eq!(
            unmarshal_type_error("array", ".annotations.a.1", "string"),
            "json: cannot unmarshal array into .annotations.a.1 of type string"
        );
        assert_eq!(
            unmarshal_type_error("array", ".annotations.1a", "string"),
            "json: cannot unmarshal array into Go struct field .annotations.1a of type string"
        );
        assert_eq!(
            unmarshal_type_error("string", "", "[]string"),
            "json: cannot unmarshal string into Go value of type []string"
        );
        assert_eq!(path_key("x/1~"), "x~11~0");
    }
}
