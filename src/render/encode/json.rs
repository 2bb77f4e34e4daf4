//! Go's encoding/json as templates see it: `toJson` (json.Marshal: sorted
//! keys, `<>&` escaped as `\u003c`..., U+2028/U+2029 escaped, Go float
//! spelling), `toPrettyJson` (MarshalIndent with two spaces), `toRawJson`
//! (no HTML escaping), and `fromJson` (numbers become float64).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::float::format_json;
use crate::value::Value;
use crate::values::go_json_type_error::{json_kind, path_key, unmarshal_type_error};

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
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
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
            // encoding/json replaces each invalid byte with U+FFFD.
            Value::RawString(b) => write_string(out, &crate::value::go_lossy(b), self.escape_html),
            Value::Bytes(b) => write_string(out, &base64(b), self.escape_html),
            Value::List(l) => {
                let items = l.items.borrow();
                if items.is_empty() {
                    out.push_str(if l.nil { "null" } else { "[]" });
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
            Value::Map(m) if m.nil && m.entries.borrow().is_empty() => out.push_str("null"),
            Value::Map(m) => self.map(out, &m.entries.borrow(), depth)?,
            Value::Object(o) => match (o.json_fields(), o.to_data()) {
                (Some(fields), _) => self.fields(out, &fields, depth)?,
                (None, Some(data)) => self.value(out, &data, depth)?,
                (None, None) => out.push_str("{}"),
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
        self.object(out, entries.iter().map(|(k, v)| (k.as_str(), v)), depth)
    }

    /// A struct's fields, in their order.
    fn fields(
        &self,
        out: &mut String,
        fields: &[(&'static str, Value)],
        depth: usize,
    ) -> Result<(), JsonError> {
        self.object(out, fields.iter().map(|(k, v)| (*k, v)), depth)
    }

    fn object<'v>(
        &self,
        out: &mut String,
        entries: impl ExactSizeIterator<Item = (&'v str, &'v Value)>,
        depth: usize,
    ) -> Result<(), JsonError> {
        if entries.len() == 0 {
            out.push_str("{}");
            return Ok(());
        }
        out.push('{');
        for (i, (k, v)) in entries.enumerate() {
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

/// How encoding/json names a character in syntax errors (`'x'`, `'\n'`).
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => {
            let q = quote_go(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// A JSON reader with encoding/json's error messages. Numbers become
/// float64, objects `map[string]interface{}`, arrays `[]interface{}`.
struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    _src: &'a str,
    /// Where the value being read sits (`.a.0`): a number overflow error
    /// names it (`Go struct field .a.b`, `.a.0`).
    path: String,
    /// encoding/json keeps decoding after a number overflow and reports the
    /// first one at the end.
    deferred: Option<String>,
}

type ParseResult<T> = Result<T, JsonError>;

impl Parser<'_> {
    fn eof() -> JsonError {
        JsonError("unexpected end of JSON input".to_string())
    }

    fn invalid(c: char, context: &str) -> JsonError {
        JsonError(format!("invalid character {} {context}", quote_char(c)))
    }

    fn skip_ws(&mut self) {
        while self.pos < self.chars.len()
            && matches!(self.chars[self.pos], ' ' | '\t' | '\n' | '\r')
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> ParseResult<Value> {
        if depth > 10000 {
            return Err(JsonError("exceeded max depth".to_string()));
        }
        self.skip_ws();
        let c = self.peek().ok_or_else(Self::eof)?;
        match c {
            '{' => {
                self.pos += 1;
                let mut m = BTreeMap::new();
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.pos += 1;
                    return Ok(Value::map(m));
                }
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(Self::eof()),
                        Some('"') => {}
                        Some(c) => {
                            return Err(Self::invalid(
                                c,
                                "looking for beginning of object key string",
                            ))
                        }
                    }
                    let k = self.string()?;
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(Self::eof()),
                        Some(':') => self.pos += 1,
                        Some(c) => return Err(Self::invalid(c, "after object key")),
                    }
                    let depth_path = self.path.len();
                    self.path.push('.');
                    self.path.push_str(&path_key(&k));
                    let v = self.value(depth + 1)?;
                    self.path.truncate(depth_path);
                    m.insert(k, v);
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(Self::eof()),
                        Some(',') => self.pos += 1,
                        Some('}') => {
                            self.pos += 1;
                            return Ok(Value::map(m));
                        }
                        Some(c) => return Err(Self::invalid(c, "after object key:value pair")),
                    }
                }
            }
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    let depth_path = self.path.len();
                    // (Writing to a String cannot fail.)
                    let _ = write!(self.path, ".{}", items.len());
                    let item = self.value(depth + 1);
                    self.path.truncate(depth_path);
                    items.push(item?);
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(Self::eof()),
                        Some(',') => self.pos += 1,
                        Some(']') => {
                            self.pos += 1;
                            return Ok(Value::list(items));
                        }
                        Some(c) => return Err(Self::invalid(c, "after array element")),
                    }
                }
            }
            '"' => Ok(Value::string(self.string()?)),
            't' => self.literal("true", Value::Bool(true)),
            'f' => self.literal("false", Value::Bool(false)),
            'n' => self.literal("null", Value::Nil),
            '-' | '0'..='9' => self.number(),
            c => Err(Self::invalid(c, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> ParseResult<Value> {
        for (i, expected) in word.chars().enumerate() {
            match self.peek() {
                None => return Err(Self::eof()),
                Some(c) if c == expected => self.pos += 1,
                Some(c) => {
                    return Err(Self::invalid(
                        c,
                        &format!("in literal {word} (expecting {})", quote_char(expected)),
                    ))
                }
            }
            let _ = i;
        }
        Ok(v)
    }

    fn number(&mut self) -> ParseResult<Value> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.peek() == Some('-') {
            self.pos += 1;
            match self.peek() {
                None => return Err(Self::eof()),
                Some(c) if c.is_ascii_digit() => {}
                Some(c) => return Err(Self::invalid(c, "in numeric literal")),
            }
        }
        if self.peek() == Some('0') {
            self.pos += 1;
        } else {
            digits(self);
        }
        if self.peek() == Some('.') {
            self.pos += 1;
            match self.peek() {
                None => return Err(Self::eof()),
                Some(c) if c.is_ascii_digit() => {}
                Some(c) => return Err(Self::invalid(c, "after decimal point in numeric literal")),
            }
            digits(self);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(Self::eof()),
                Some(c) if c.is_ascii_digit() => {}
                Some(c) => return Err(Self::invalid(c, "in exponent of numeric literal")),
            }
            digits(self);
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                self.deferred.get_or_insert(unmarshal_type_error(
                    &format!("number {text}"),
                    &self.path,
                    "float64",
                ));
                Ok(Value::Float(0.0))
            }
        }
    }

    fn string(&mut self) -> ParseResult<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let c = self.peek().ok_or_else(Self::eof)?;
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let e = self.peek().ok_or_else(Self::eof)?;
                    self.pos += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp)
                                && self.chars.get(self.pos) == Some(&'\\')
                                && self.chars.get(self.pos + 1) == Some(&'u')
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                } else {
                                    self.pos = save;
                                }
                            }
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                        c => return Err(Self::invalid(c, "in string escape code")),
                    }
                }
                c if (c as u32) < 0x20 => return Err(Self::invalid(c, "in string literal")),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> ParseResult<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let c = self.peek().ok_or_else(Self::eof)?;
            let d = c
                .to_digit(16)
                .ok_or_else(|| Self::invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }
}

/// Parses a whole JSON text: syntax errors fail outright; a number
/// overflow yields the (partial) value and the deferred error, as
/// encoding/json does.
fn parse_partial(src: &str) -> Result<(Value, Option<String>), JsonError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        _src: src,
        path: String::new(),
        deferred: None,
    };
    let v = p.value(0)?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        return Err(Parser::invalid(c, "after top-level value"));
    }
    Ok((v, p.deferred))
}

/// `json.Unmarshal` into `interface{}`: syntax errors with Go's text.
pub fn parse_json(src: &str) -> Result<Value, JsonError> {
    match parse_partial(src)? {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(JsonError(e)),
    }
}

/// What `fromJson` sees: the decoded map (possibly partial) and the error
/// encoding/json reported, if any.
pub fn from_json_lenient(src: &str) -> (Value, Option<String>) {
    match parse_partial(src) {
        Err(e) => (Value::empty_map(), Some(e.0)),
        Ok((v @ (Value::Map(_) | Value::Nil), deferred)) => (v, deferred),
        Ok((other, _)) => (
            Value::empty_map(),
            Some(unmarshal_type_error(
                json_kind(&other),
                "",
                "map[string]interface {}",
            )),
        ),
    }
}

/// `json.Unmarshal` into `map[string]interface{}` (`fromJson`); `Nil` for
/// JSON `null` (Go leaves a nil map).
pub fn from_json(src: &str) -> Result<Value, JsonError> {
    let (v, deferred) = parse_partial(src)?;
    match v {
        Value::Map(_) | Value::Nil => match deferred {
            None => Ok(v),
            Some(e) => Err(JsonError(e)),
        },
        other => Err(JsonError(unmarshal_type_error(
            json_kind(&other),
            "",
            "map[string]interface {}",
        ))),
    }
}

/// `json.Unmarshal` into `[]interface{}` (`fromJsonArray`).
pub fn from_json_array(src: &str) -> Result<Value, JsonError> {
    let v = parse_json(src)?;
    // (A number overflow fails the whole array, as Helm replaces it.)
    match v {
        Value::List(_) | Value::Nil => Ok(v),
        other => Err(JsonError(unmarshal_type_error(
            json_kind(&other),
            "",
            "[]interface {}",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marshal_like_go() {
        let v = from_json(r#"{"b":[1,2.5,1e21,"<&>"],"a":{"x":null,"y":true}}"#).unwrap();
        assert_eq!(
            to_json(&v).unwrap(),
            r#"{"a":{"x":null,"y":true},"b":[1,2.5,1e+21,"\u003c\u0026\u003e"]}"#
        );
        assert_eq!(
            to_raw_json(&v).unwrap(),
            r#"{"a":{"x":null,"y":true},"b":[1,2.5,1e+21,"<&>"]}"#
        );
        assert_eq!(
            to_pretty_json(&from_json(r#"{"a":[1,2],"b":{},"c":[]}"#).unwrap()).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}"
        );
        assert_eq!(
            to_json(&Value::str("\u{2028}\n\u{1}")).unwrap(),
            r#""\u2028\n\u0001""#
        );
    }

    #[test]
    fn parse_errors_like_go() {
        let e = |s: &str| from_json(s).unwrap_err().0;
        assert_eq!(e(""), "unexpected end of JSON input");
        assert_eq!(
            e("{bad"),
            "invalid character 'b' looking for beginning of object key string"
        );
        assert_eq!(
            e("[1]"),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(e("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(e("{} x"), "invalid character 'x' after top-level value");
        assert_eq!(
            e("{\"a\": tru}"),
            "invalid character '}' in literal true (expecting 'e')"
        );
        assert_eq!(
            from_json_array("{}").unwrap_err().0,
            "json: cannot unmarshal object into Go value of type []interface {}"
        );
    }
}
