//! A TOML reader for `fromToml`: tables, arrays of tables, dotted keys,
//! basic/literal/multi-line strings, integers (int64, with `_` and
//! 0x/0o/0b), floats, booleans, arrays, inline tables; datetimes are kept as
//! their RFC 3339 text (what `toJson` of Go's time.Time prints for the
//! common forms). Errors use BurntSushi's `toml: line N: ...` shape.

use std::collections::BTreeMap;

use super::toml::TomlError;
use crate::render::funcs::dates::days_in_month;
use crate::render::gofmt::{quote, quote_rune};
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

    /// One bare or quoted part of a key or table name; a bare part may be
    /// empty (the next character is then reported by the caller, as
    /// BurntSushi's lexer does).
    fn key_part(&mut self) -> Result<String, TomlError> {
        Ok(match self.peek() {
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
                self.c[s..self.i].iter().collect()
            }
        })
    }

    /// A dotted key up to (not including) its `=`.
    fn key(&mut self) -> Result<Vec<String>, TomlError> {
        self.ws();
        match self.peek() {
            Some('=') | None => return Err(self.err("unexpected '=': key name appears blank")),
            Some('.') => return Err(self.err("unexpected '.': keys cannot start with a '.'")),
            _ => {}
        }
        let mut parts = Vec::new();
        loop {
            self.ws();
            parts.push(self.key_part()?);
            self.ws();
            match self.peek() {
                Some('.') => self.i += 1,
                Some('=') => return Ok(parts),
                None => return Err(self.err("unexpected EOF; expected key separator '='")),
                Some(c) => {
                    return Err(self.err(&format!(
                        "expected '.' or '=', but got {} instead",
                        quote_rune(c, false)
                    )))
                }
            }
        }
    }

    /// The dotted name of a `[table]` header, up to its first `]`.
    fn table_name(&mut self) -> Result<Vec<String>, TomlError> {
        let mut parts = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                Some(']') | None => {
                    return Err(
                        self.err("unexpected end of table name (table names cannot be empty)")
                    )
                }
                Some('.') => {
                    return Err(self.err("unexpected table separator (table names cannot be empty)"))
                }
                _ => {}
            }
            parts.push(self.key_part()?);
            self.ws();
            match self.peek() {
                Some('.') => self.i += 1,
                Some(']') => return Ok(parts),
                other => {
                    self.bump();
                    return Err(self.err(&format!(
                        "expected '.' or ']' to end table name, but got {} instead",
                        quote_rune(other.unwrap_or('\0'), false)
                    )));
                }
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
                        'x' => {
                            let hex: String = self.c[self.i..(self.i + 2).min(self.c.len())]
                                .iter()
                                .collect();
                            let byte = u8::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 2);
                            match byte {
                                Some(b) => {
                                    self.i += 2;
                                    out.push(char::from(b));
                                }
                                None => {
                                    // BurntSushi quotes the escape read so far.
                                    let mut got = String::from("\\x");
                                    for c in self.c[self.i..].iter().take(2) {
                                        got.push(*c);
                                        if !c.is_ascii_hexdigit() {
                                            break;
                                        }
                                    }
                                    return Err(self.err(&format!(
                                        "expected two hexadecimal digits after '\\x', but got {} instead",
                                        quote(&got)
                                    )));
                                }
                            }
                        }
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
                // BurntSushi names the inline table's keys under the outer key.
                let outer = self.last_key.clone();
                let outer_path: Vec<String> = outer
                    .as_deref()
                    .map(|o| o.split('.').map(str::to_string).collect())
                    .unwrap_or_default();
                loop {
                    // TOML 1.1 (BurntSushi 1.6) allows a trailing comma.
                    self.ws();
                    if self.peek() == Some('}') {
                        self.i += 1;
                        self.last_key = outer;
                        return Ok(Value::map(m));
                    }
                    let k = self.key()?;
                    self.i += 1;
                    self.last_key = Some(match &outer {
                        Some(o) => format!("{o}.{}", k.join(".")),
                        None => k.join("."),
                    });
                    let v = self.value()?;
                    insert_path(&mut m, &outer_path, &k, v).map_err(|e| self.err(&e))?;
                    self.ws();
                    match self.peek() {
                        Some(',') => self.i += 1,
                        Some('}') => {
                            self.i += 1;
                            self.last_key = outer;
                            return Ok(Value::map(m));
                        }
                        other => {
                            let got = match other {
                                None => "end of file".to_string(),
                                Some(c) => quote_rune(c, false),
                            };
                            return Err(self.err(&format!(
                                "expected a comma or an inline table terminator '}}', but got {got} instead"
                            )));
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
                if text.starts_with('_') {
                    return Err(self.err("expected value but found '_' instead"));
                }
                for (prefix, kind) in [
                    ("0x", "a hexadecimal"),
                    ("0o", "an octal"),
                    ("0b", "a binary"),
                ] {
                    if let Some(rest) = text.strip_prefix(prefix) {
                        let next = rest.chars().next().unwrap_or('\0');
                        let radix = match prefix {
                            "0x" => 16,
                            "0o" => 8,
                            _ => 2,
                        };
                        if !next.is_digit(radix) {
                            return Err(self.err(&format!("not {kind} number: '{prefix}{next}'")));
                        }
                    }
                }
                if !text.contains([':', 'T', 't', ' '])
                    && text.contains('_')
                    && !underscores_ok(&text)
                {
                    let kind = if text.contains(['.', 'e', 'E']) && !text.starts_with("0x") {
                        "float"
                    } else {
                        "integer"
                    };
                    return Err(self.err(&format!(
                        "Invalid {kind} {}: underscores must be surrounded by digits",
                        quote(&text)
                    )));
                }
                if let Some(err) = int_out_of_range(&text) {
                    return Err(self.err(&err));
                }
                match scalar(&text) {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(())) => Err(self.err(&format!("invalid datetime: {}", quote(&text)))),
                    None => Err(self.err(&format!(
                        "expected value but found {} instead",
                        quote(&text)
                    ))),
                }
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

/// BurntSushi's check: every `_` sits between two (hex) digits.
fn underscores_ok(s: &str) -> bool {
    let mut accept = false;
    for c in s.chars() {
        if c == '_' && !accept {
            return false;
        }
        accept = c.is_ascii_hexdigit();
    }
    accept
}

/// A decimal integer literal beyond int64, in BurntSushi's words.
fn int_out_of_range(t: &str) -> Option<String> {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let plain: String = t.chars().filter(|&c| c != '_').collect();
    match plain.parse::<i64>() {
        Ok(_) => None,
        Err(_) => Some(format!("{t} is out of range for int64")),
    }
}

/// A TOML date/time as BurntSushi decodes it: a Go `time.Time`, in UTC or
/// a fixed offset when the text has one, else in its fixed zero-offset
/// zones `datetime-local`, `date-local` (midnight) and `time-local`
/// (on 0000-01-01). `None` for a shape this reader does not know.
fn datetime_value(t: &str) -> Option<Result<Value, ()>> {
    use crate::render::funcs::dates::{GoTime, Location};
    fn num(s: &str) -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    }
    let (date, rest) = if t.len() >= 10 && t.as_bytes()[4] == b'-' {
        let rest = &t[10..];
        let rest = rest.strip_prefix(['T', 't', ' ']).unwrap_or(rest);
        (Some(&t[..10]), rest)
    } else {
        (None, t)
    };
    let (y, mo, d) = match date {
        Some(date) => (num(&date[..4])?, num(&date[5..7])?, num(&date[8..10])?),
        None => (0, 1, 1),
    };
    if rest.is_empty() {
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(mo, y) {
            return Some(Err(()));
        }
        let loc = Location::fixed("date-local", "date-local", 0);
        return Some(Ok(GoTime::date(y, mo, d, 0, 0, 0, 0, loc).value()));
    }
    // HH:MM:SS[.frac] then Z / ±HH:MM / nothing
    let zone_at = rest[8.min(rest.len())..]
        .find(['Z', 'z', '+', '-'])
        .map(|i| i + 8.min(rest.len()));
    let (clock, zone) = match zone_at {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if clock.len() < 8 || &clock[2..3] != ":" || &clock[5..6] != ":" {
        return None;
    }
    let (h, mi, sec) = (num(&clock[..2])?, num(&clock[3..5])?, num(&clock[6..8])?);
    let nsec = match clock[8..].strip_prefix('.') {
        Some(frac) => {
            let digits: String = frac.chars().take(9).collect();
            num(&digits)? * 10i64.pow(9 - digits.len() as u32)
        }
        None if clock.len() == 8 => 0,
        None => return None,
    };
    let date_ok = date.is_none() || (1..=12).contains(&mo) && d >= 1 && d <= days_in_month(mo, y);
    if !date_ok || h > 23 || mi > 59 || sec > 59 {
        return Some(Err(()));
    }
    let loc = match zone {
        "" if date.is_some() => Location::fixed("datetime-local", "datetime-local", 0),
        "" => Location::fixed("time-local", "time-local", 0),
        "Z" | "z" => Location::utc(),
        z if z.len() == 6 && &z[3..4] == ":" => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let offset = sign * (num(&z[1..3])? * 3600 + num(&z[4..6])? * 60);
            Location::fixed("", "", offset as i32)
        }
        _ => return None,
    };
    Some(Ok(GoTime::date(y, mo, d, h, mi, sec, nsec, loc).value()))
}

/// The value of a bare TOML scalar; `Some(Err(()))` for a date or time with
/// fields out of range, `None` for text that is no value.
fn scalar(t: &str) -> Option<Result<Value, ()>> {
    if let Some(v) = number_or_bool(t) {
        return Some(Ok(v));
    }
    if t.len() >= 8 && t.as_bytes().iter().take(4).all(u8::is_ascii_digit) || t.contains(':') {
        return Some(datetime_value(t).unwrap_or_else(|| Ok(Value::string(datetime_text(t)))));
    }
    None
}

fn number_or_bool(t: &str) -> Option<Value> {
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
    None
}

/// Sets a dotted key in `m`; `table` is the path of `m` itself, which
/// BurntSushi's "already defined" errors include.
fn insert_path(m: &mut MapData, table: &[String], key: &[String], v: Value) -> Result<(), String> {
    let (last, parents) = key.split_last().ok_or("empty key")?;
    let defined = |upto: usize| {
        let mut path: Vec<&str> = table.iter().map(String::as_str).collect();
        path.extend(key[..=upto].iter().map(String::as_str));
        format!("Key '{}' has already been defined.", path.join("."))
    };
    // Walk/create intermediate tables.
    let mut cur: Option<Value> = None;
    for (n, p) in parents.iter().enumerate() {
        let next = {
            let mut scope = match &cur {
                None => None,
                Some(v) => Some(v.as_map().ok_or_else(|| defined(n))?.entries.borrow_mut()),
            };
            let entries: &mut MapData = match scope.as_deref_mut() {
                Some(e) => e,
                None => m,
            };
            let entry = entries.entry(p.clone()).or_insert_with(Value::empty_map);
            if entry.as_map().is_none() {
                return Err(defined(n));
            }
            entry.clone()
        };
        cur = Some(next);
    }
    let mut scope = match &cur {
        None => None,
        Some(v) => v.as_map().map(|m| m.entries.borrow_mut()),
    };
    let entries: &mut MapData = match scope.as_deref_mut() {
        Some(e) => e,
        None => m,
    };
    if entries.contains_key(last) {
        return Err(defined(key.len() - 1));
    }
    entries.insert(last.to_string(), v);
    Ok(())
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
            let l = list.as_list().ok_or_else(|| {
                format!(
                    "Key '{}' was already created and cannot be used as an array.",
                    path.join(".")
                )
            })?;
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
                // `[a]` after `[[a]]` redefines it.
                Value::List(_) if last => {
                    return Err(format!(
                        "Key '{}' has already been defined.",
                        path.join(".")
                    ))
                }
                Value::List(l) => l.items.borrow().last().cloned().ok_or_else(|| {
                    format!("Key '{}' has already been defined.", path[..=n].join("."))
                })?,
                _ => {
                    return Err(format!(
                        "Key '{}' has already been defined.",
                        path[..=n].join(".")
                    ))
                }
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
                let key = p.table_name()?;
                p.i += 1;
                if array {
                    if p.peek() != Some(']') {
                        let got = quote_rune(p.peek().unwrap_or('\0'), false);
                        return Err(p.err(&format!(
                            "expected end of table array name delimiter ']', but got {got} instead"
                        )));
                    }
                    p.i += 1;
                }
                // Errors of the header name its parent table (BurntSushi sets
                // that context before it checks the last part).
                let parent = &key[..key.len() - 1];
                p.last_key = (!parent.is_empty()).then(|| parent.join("."));
                if !array && !defined_tables.insert(key.clone()) {
                    return Err(p.err(&format!(
                        "Key '{}' has already been defined.",
                        key.join(".")
                    )));
                }
                current = table_at(&root, &key, array).map_err(|e| p.err(&e))?;
                p.last_key = Some(key.join("."));
                table_path = key.clone();
                p.eol()?;
            }
            Some(_) => {
                // BurntSushi's parser takes the key only at its `=`: errors
                // before that name just the table.
                let table = (!table_path.is_empty()).then(|| table_path.join("."));
                p.last_key = table.clone();
                let key = p.key()?;
                let mut full = table_path.clone();
                full.extend(key.iter().cloned());
                p.last_key = Some(full.join("."));
                p.i += 1;
                let v = p.value()?;
                {
                    let map = current
                        .as_map()
                        .cloned()
                        .ok_or_else(|| p.err("not a table"))?;
                    let mut entries = map.entries.borrow_mut();
                    insert_path(&mut entries, &table_path, &key, v).map_err(|e| p.err(&e))?;
                }
                p.last_key = table;
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
