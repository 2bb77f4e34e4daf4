//! A TOML reader for `fromToml`: tables, arrays of tables, dotted keys,
//! basic/literal/multi-line strings, integers (int64, with `_` and
//! 0x/0o/0b), floats, booleans, arrays, inline tables; datetimes are kept as
//! their RFC 3339 text (what `toJson` of Go's time.Time prints for the
//! common forms). Errors use BurntSushi's `toml: line N: ...` shape.

use std::collections::BTreeMap;

use super::toml::TomlError;
use crate::value::{MapData, Value};

struct P {
    c: Vec<char>,
    i: usize,
    line: usize,
    /// The dotted key being parsed, which BurntSushi names in errors.
    last_key: Option<String>,
}

impl P {
    fn err(&self, msg: &str) -> TomlError {
        match &self.last_key {
            Some(k) => TomlError(format!("toml: line {} (last key {k:?}): {msg}", self.line)),
            None => TomlError(format!("toml: line {}: {msg}", self.line)),
        }
    }
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.i += 1;
        }
    }
    fn ws_nl(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r' | '\n') => {
                    self.bump();
                }
                Some('#') => self.comment(),
                _ => return,
            }
        }
    }
    fn comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                return;
            }
            self.i += 1;
        }
    }
    fn eol(&mut self) -> Result<(), TomlError> {
        self.ws();
        if self.peek() == Some('#') {
            self.comment();
        }
        match self.peek() {
            None => Ok(()),
            Some('\n') => {
                self.bump();
                Ok(())
            }
            Some('\r') if self.c.get(self.i + 1) == Some(&'\n') => {
                self.i += 1;
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.err(&format!("expected a top-level item to end with a newline, comment, or EOF, but got {c:?} instead"))),
        }
    }

    fn key(&mut self) -> Result<Vec<String>, TomlError> {
        let mut parts = Vec::new();
        loop {
            self.ws();
            let part = match self.peek() {
                Some('"') => self.basic_string()?,
                Some('\'') => self.literal_string()?,
                _ => {
                    let s = self.i;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        self.i += 1;
                    }
                    if s == self.i {
                        if self.peek() == Some('=') {
                            return Err(self.err("unexpected '=': key name appears blank"));
                        }
                        return Err(self.err("expected key"));
                    }
                    self.c[s..self.i].iter().collect()
                }
            };
            parts.push(part);
            self.ws();
            if self.peek() == Some('.') {
                self.i += 1;
            } else {
                return Ok(parts);
            }
        }
    }

    fn basic_string(&mut self) -> Result<String, TomlError> {
        let multi = self.c[self.i..].starts_with(&['"', '"', '"']);
        self.i += if multi { 3 } else { 1 };
        if multi && self.peek() == Some('\n') {
            self.bump();
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.err("unexpected EOF; expected '\"'"));
            };
            match c {
                '"' if !multi => return Ok(out),
                '"' if self.c[self.i..].starts_with(&['"', '"']) => {
                    self.i += 2;
                    while self.peek() == Some('"') {
                        out.push('"');
                        self.i += 1;
                    }
                    return Ok(out);
                }
                '\\' => {
                    let Some(e) = self.bump() else {
                        return Err(self.err("unexpected EOF"));
                    };
                    match e {
                        'b' => out.push('\u{8}'),
                        't' => out.push('\t'),
                        'n' => out.push('\n'),
                        'f' => out.push('\u{c}'),
                        'r' => out.push('\r'),
                        'e' => out.push('\u{1b}'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = self.c[self.i..(self.i + n).min(self.c.len())]
                                .iter()
                                .collect();
                            self.i += n;
                            let cp = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| {
                                    self.err(&format!("invalid escape: '\\{e}{hex}'"))
                                })?;
                            out.push(cp);
                        }
                        '\n' | ' ' | '\t' | '\r' if multi => {
                            while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
                                self.bump();
                            }
                        }
                        other => {
                            return Err(self.err(&format!("invalid escape in string '\\{other}'")))
                        }
                    }
                }
                '\n' if !multi => return Err(self.err("strings cannot contain newlines")),
                c => out.push(c),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, TomlError> {
        let multi = self.c[self.i..].starts_with(&['\'', '\'', '\'']);
        self.i += if multi { 3 } else { 1 };
        if multi && self.peek() == Some('\n') {
            self.bump();
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.err("unexpected EOF; expected \"'\""));
            };
            match c {
                '\'' if !multi => return Ok(out),
                '\'' if self.c[self.i..].starts_with(&['\'', '\'']) => {
                    self.i += 2;
                    return Ok(out);
                }
                '\n' if !multi => return Err(self.err("strings cannot contain newlines")),
                c => out.push(c),
            }
        }
    }

    fn value(&mut self) -> Result<Value, TomlError> {
        self.ws();
        match self.peek() {
            None | Some('\n') => Err(self.err("unexpected EOF; expected value")),
            Some('"') => Ok(Value::string(self.basic_string()?)),
            Some('\'') => Ok(Value::string(self.literal_string()?)),
            Some('[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws_nl();
                    if self.peek() == Some(']') {
                        self.i += 1;
                        return Ok(Value::list(items));
                    }
                    items.push(self.value()?);
                    self.ws_nl();
                    match self.peek() {
                        Some(',') => self.i += 1,
                        Some(']') => {
                            self.i += 1;
                            return Ok(Value::list(items));
                        }
                        _ => {
                            let got = match self.peek() {
                                None => "end of file".to_string(),
                                Some(c) => format!("{c:?}"),
                            };
                            return Err(self.err(&format!(
                                "expected a comma (',') or array terminator (']'), but got {got}"
                            )));
                        }
                    }
                }
            }
            Some('{') => {
                self.i += 1;
                let mut m = MapData::new();
                self.ws();
                if self.peek() == Some('}') {
                    self.i += 1;
                    return Ok(Value::map(m));
                }
                loop {
                    let k = self.key()?;
                    self.ws();
                    if self.peek() != Some('=') {
                        return Err(self.err("expected '='"));
                    }
                    self.i += 1;
                    let v = self.value()?;
                    insert_path(&mut m, &k, v).map_err(|e| self.err(&e))?;
                    self.ws();
                    match self.peek() {
                        Some(',') => self.i += 1,
                        Some('}') => {
                            self.i += 1;
                            return Ok(Value::map(m));
                        }
                        _ => {
                            return Err(
                                self.err("expected a comma or an inline table terminator '}'")
                            )
                        }
                    }
                }
            }
            _ => {
                let s = self.i;
                while self.peek().is_some_and(|c| {
                    !matches!(c, ',' | ']' | '}' | '\n' | '#' | '\r')
                        && (c != ' ' || self.datetime_space(s))
                }) {
                    self.i += 1;
                }
                let text: String = self.c[s..self.i]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string();
                scalar(&text)
                    .ok_or_else(|| self.err(&format!("expected value but found {text:?} instead")))
            }
        }
    }

    /// A space inside `1979-05-27 07:32:00` belongs to the datetime.
    fn datetime_space(&self, start: usize) -> bool {
        let sofar: String = self.c[start..self.i].iter().collect();
        sofar.len() == 10
            && sofar.as_bytes()[4] == b'-'
            && self.c.get(self.i + 1).is_some_and(|c| c.is_ascii_digit())
    }
}

/// A TOML date/time as Go's time.Time marshals to JSON (RFC 3339 with
/// nanoseconds trimmed); dates and local date-times are taken as UTC.
fn datetime_text(t: &str) -> String {
    let mut s = t.replacen(' ', "T", 1).replace('t', "T").replace('z', "Z");
    if s.len() == 10 {
        s.push_str("T00:00:00Z");
        return s;
    }
    if s.len() >= 8 && s.as_bytes()[2] == b':' && !s.contains('-') {
        s = format!("0000-01-01T{s}");
    }
    // Trim trailing zeros of the fraction.
    if let Some(dot) = s.find('.') {
        let end = s[dot + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(s.len(), |i| dot + 1 + i);
        let frac = s[dot + 1..end].trim_end_matches('0').to_string();
        let rest = s[end..].to_string();
        s = if frac.is_empty() {
            format!("{}{rest}", &s[..dot])
        } else {
            format!("{}.{frac}{rest}", &s[..dot])
        };
    }
    let time_part = s.split_once('T').map_or("", |(_, t)| t);
    if !time_part.ends_with('Z') && !time_part.contains('+') && !time_part.contains('-') {
        s.push('Z');
    }
    s
}

fn scalar(t: &str) -> Option<Value> {
    match t {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        "inf" | "+inf" => return Some(Value::Float(f64::INFINITY)),
        "-inf" => return Some(Value::Float(f64::NEG_INFINITY)),
        "nan" | "+nan" | "-nan" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let plain: String = t.chars().filter(|&c| c != '_').collect();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = plain.strip_prefix(prefix) {
            return i64::from_str_radix(rest, radix).ok().map(Value::Int64);
        }
    }
    if let Ok(i) = plain.parse::<i64>() {
        return Some(Value::Int64(i));
    }
    if plain
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && plain.chars().any(|c| c.is_ascii_digit())
    {
        if let Ok(f) = plain.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    if t.len() >= 8 && t.as_bytes().iter().take(4).all(u8::is_ascii_digit) || t.contains(':') {
        return Some(Value::string(datetime_text(t)));
    }
    None
}

fn insert_path(m: &mut MapData, key: &[String], v: Value) -> Result<(), String> {
    let (last, parents) = key.split_last().ok_or("empty key")?;
    // Walk/create intermediate tables.
    fn walk(m: &mut MapData, parents: &[String], last: &str, v: Value) -> Result<(), String> {
        match parents.split_first() {
            None => {
                if m.contains_key(last) {
                    return Err(format!("Key '{last}' has already been defined."));
                }
                m.insert(last.to_string(), v);
                Ok(())
            }
            Some((p, rest)) => {
                let entry = m.entry(p.clone()).or_insert_with(Value::empty_map);
                let Some(sub) = entry.as_map() else {
                    return Err(format!("Key '{p}' has already been defined."));
                };
                let mut inner = sub.entries.borrow_mut();
                walk(&mut inner, rest, last, v)
            }
        }
    }
    walk(m, parents, last, v)
}

/// The table a `[a.b]` or `[[a.b]]` header selects (created on demand).
fn table_at(root: &Value, path: &[String], array: bool) -> Result<Value, String> {
    let mut cur = root.clone();
    for (n, p) in path.iter().enumerate() {
        let last = n + 1 == path.len();
        let map = cur.as_map().ok_or("not a table")?.clone();
        let mut entries = map.entries.borrow_mut();
        let next = if last && array {
            let list = entries
                .entry(p.clone())
                .or_insert_with(|| Value::list(Vec::new()))
                .clone();
            let l = list
                .as_list()
                .ok_or_else(|| format!("Key '{p}' has already been defined."))?;
            let t = Value::empty_map();
            l.items.borrow_mut().push(t.clone());
            t
        } else {
            let e = entries
                .entry(p.clone())
                .or_insert_with(Value::empty_map)
                .clone();
            match &e {
                Value::Map(_) => e,
                Value::List(l) => l
                    .items
                    .borrow()
                    .last()
                    .cloned()
                    .ok_or_else(|| format!("Key '{p}' has already been defined."))?,
                _ => return Err(format!("Key '{p}' has already been defined.")),
            }
        };
        drop(entries);
        cur = next;
    }
    Ok(cur)
}

/// `toml.Unmarshal` into `map[string]interface{}`.
pub fn from_toml(src: &str) -> Result<Value, TomlError> {
    let mut p = P {
        c: src.chars().collect(),
        i: 0,
        line: 1,
        last_key: None,
    };
    let mut table_path: Vec<String> = Vec::new();
    let mut defined_tables: std::collections::HashSet<Vec<String>> = Default::default();
    let root = Value::map(BTreeMap::new());
    let mut current = root.clone();
    loop {
        p.ws_nl();
        match p.peek() {
            None => return Ok(root),
            Some('[') => {
                let array = p.c.get(p.i + 1) == Some(&'[');
                p.i += if array { 2 } else { 1 };
                let key = p.key()?;
                if !array && !defined_tables.insert(key.clone()) {
                    p.last_key = None;
                    return Err(p.err(&format!(
                        "Key '{}' has already been defined.",
                        key.join(".")
                    )));
                }
                p.last_key = Some(key.join("."));
                table_path = key.clone();
                p.ws();
                let close = if array { "]]" } else { "]" };
                for ch in close.chars() {
                    if p.peek() != Some(ch) {
                        return Err(p.err("expected ']'"));
                    }
                    p.i += 1;
                }
                current = table_at(&root, &key, array).map_err(|e| p.err(&e))?;
                p.eol()?;
            }
            Some(_) => {
                let key = p.key()?;
                let mut full = table_path.clone();
                full.extend(key.iter().cloned());
                p.last_key = Some(full.join("."));
                p.ws();
                if p.peek().is_none() {
                    // BurntSushi's lexer fails before its parser takes the key.
                    p.last_key = None;
                    return Err(p.err("unexpected EOF; expected key separator '='"));
                }
                if p.peek() != Some('=') {
                    return Err(p.err(&format!(
                        "expected key separator '=', but got {:?} instead",
                        p.peek().unwrap_or(' ')
                    )));
                }
                p.i += 1;
                let v = p.value()?;
                {
                    let map = current
                        .as_map()
                        .cloned()
                        .ok_or_else(|| p.err("not a table"))?;
                    let mut entries = map.entries.borrow_mut();
                    insert_path(&mut entries, &key, v).map_err(|e| p.err(&e))?;
                }
                p.eol()?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::to_json;

    #[test]
    fn reads_common_toml() {
        let v = from_toml("a = 1\nb = 1.5\n[c]\nd = \"x\"\ne = 1979-05-27T07:32:00Z\n[[t]]\nu = 1\n[[t]]\nu = 2\n").unwrap();
        assert_eq!(
            to_json(&v).unwrap(),
            r#"{"a":1,"b":1.5,"c":{"d":"x","e":"1979-05-27T07:32:00Z"},"t":[{"u":1},{"u":2}]}"#
        );
        assert!(from_toml("a = ").is_err());
    }
}
