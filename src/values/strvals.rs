//! Helm's `--set` line grammar ("strvals"): `a.b[0].c=x,list={x,y}`.
//!
//! One grammar serves five flags that differ only in how a value's text becomes
//! a value: `--set` types it (`true`, `null`, int64), `--set-string` keeps the
//! text, `--set-json` decodes a JSON value, `--set-file` reads the named file,
//! and `--set-literal` takes everything after the first `=` verbatim and has
//! no `,` separator or `\` escapes.
//!
//! The parser writes *into* an existing map (the values read from `-f` files),
//! so a path that crosses a value of the wrong type fails the way Helm's type
//! assertion does (`interface conversion: interface {} is string, not
//! map[string]interface {}`). Error texts are Helm's, including its quirk that
//! running out of input in some places (an unclosed `[`) is *not* an error.

use std::fmt;

use crate::value::{Map, Value};

/// Largest list index a `--set` path may use (Helm's `MaxIndex`).
pub const MAX_INDEX: i64 = 65536;
/// Deepest `a.b.c...` nesting a key may have (Helm's `MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A failed `--set`-family line. Display is Helm's message without the
/// `failed parsing --set data: ` prefix (the caller adds it per flag).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Reads the value text of `--set-file` (a path) into a value.
pub type ValueReader<'a> = dyn FnMut(&str) -> Result<Value, String> + 'a;

/// How the text after `=` becomes a value.
pub enum SetMode<'a> {
    /// `--set`: `true`/`false`/`null` (any case), int64 integers, else string.
    Typed,
    /// `--set-string`: always the text.
    String,
    /// `--set-json`: one JSON value; an empty value is null.
    Json,
    /// `--set-file`: the reader turns the text (a path) into the value.
    File(&'a mut ValueReader<'a>),
}

/// Parses a `--set`/`--set-string`/`--set-json`/`--set-file` line into `dest`.
pub fn parse_into(line: &str, dest: &Map, mode: SetMode<'_>) -> Result<(), StrvalsError> {
    let mut p = Parser {
        src: line,
        pos: 0,
        last_len: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(e) if e.is_eof() => return Ok(()),
            Err(e) => return Err(StrvalsError(e.to_string())),
        }
    }
}

/// Parses a `--set-literal` line into `dest`.
pub fn parse_literal_into(line: &str, dest: &Map) -> Result<(), StrvalsError> {
    let mut p = LiteralParser { src: line, pos: 0 };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(e) if e.is_eof() => return Ok(()),
            Err(e) => return Err(StrvalsError(e.to_string())),
        }
    }
}

/// Internal error: either end of input, or a message that may wrap end of
/// input (Go's `fmt.Errorf("...: %w", io.EOF)`, which `errors.Is` still sees
/// as EOF and which therefore ends parsing successfully).
#[derive(Debug)]
enum PErr {
    Eof,
    Msg { text: String, wraps_eof: bool },
}

impl PErr {
    fn msg(text: impl Into<String>) -> PErr {
        PErr::Msg {
            text: text.into(),
            wraps_eof: false,
        }
    }

    fn wrap(self, prefix: &str) -> PErr {
        let wraps_eof = self.is_eof();
        PErr::Msg {
            text: format!("{prefix}: {self}"),
            wraps_eof,
        }
    }

    fn is_eof(&self) -> bool {
        match self {
            PErr::Eof => true,
            PErr::Msg { wraps_eof, .. } => *wraps_eof,
        }
    }
}

impl fmt::Display for PErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PErr::Eof => f.write_str("EOF"),
            PErr::Msg { text, .. } => f.write_str(text),
        }
    }
}

/// A Go runtime type-assertion failure, recovered by Helm as a parse error.
fn conversion_error(found: &Value, want: &str) -> PErr {
    let found = match found {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    PErr::msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {found}, not {want}"
    ))
}

const MAP_TYPE: &str = "map[string]interface {}";
const LIST_TYPE: &str = "[]interface {}";

/// Existing map at `data[key]`, a new one if absent, or Helm's assertion error.
fn existing_map(data: &Map, key: &str) -> Result<Map, PErr> {
    match data.entries.borrow().get(key) {
        None => Ok(new_map()),
        Some(Value::Map(m)) => Ok(m.clone()),
        Some(other) => Err(conversion_error(other, MAP_TYPE)),
    }
}

/// Existing list items at `data[key]`, empty if absent, or Helm's assertion error.
fn existing_list(data: &Map, key: &str) -> Result<Vec<Value>, PErr> {
    match data.entries.borrow().get(key) {
        None => Ok(Vec::new()),
        Some(Value::List(l)) => Ok(l.items.borrow().clone()),
        Some(other) => Err(conversion_error(other, LIST_TYPE)),
    }
}

fn new_map() -> Map {
    match Value::empty_map() {
        Value::Map(m) => m,
        _ => unreachable!("empty_map builds a map"),
    }
}

fn map_len(m: &Map) -> usize {
    m.entries.borrow().len()
}

/// Helm's `set`: an empty key is silently dropped.
fn set(data: &Map, key: &str, val: Value) {
    if key.is_empty() {
        return;
    }
    data.entries.borrow_mut().insert(key.to_string(), val);
}

/// Helm's `setIndex`: grows the list with nulls as needed.
fn set_index(
    mut list: Vec<Value>,
    index: i64,
    val: Value,
) -> Result<Vec<Value>, (Vec<Value>, PErr)> {
    if index < 0 {
        return Err((
            list,
            PErr::msg(format!("negative {index} index not allowed")),
        ));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            PErr::msg(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )),
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = val;
    Ok(list)
}

/// Go's `strconv.Atoi` as used for list indexes, with its error text.
fn atoi(text: &str) -> Result<i64, PErr> {
    let quoted = go_quote(text);
    let syntax = || PErr::msg(format!("strconv.Atoi: parsing {quoted}: invalid syntax"));
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let magnitude: i128 = digits
        .bytes()
        .try_fold(0i128, |acc, b| {
            let next = acc * 10 + i128::from(b - b'0');
            (next <= i128::from(i64::MAX) + 1).then_some(next)
        })
        .unwrap_or(i128::MAX);
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| {
        PErr::msg(format!(
            "strconv.Atoi: parsing {quoted}: value out of range"
        ))
    })
}

/// `--set` typing of a value's text (Helm's `typedVal`).
pub fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if text == "0" {
        return Value::Int64(0);
    }
    if !text.is_empty() && !text.starts_with('0') {
        if let Some(i) = parse_int64(text) {
            return Value::Int64(i);
        }
    }
    Value::str(text)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits only.
fn parse_int64(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let text = text.strip_prefix('+').unwrap_or(text);
    text.parse::<i64>().ok()
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of a `[]rune`: `['a' 'b']`.
fn go_quote_runes(s: &str) -> String {
    let parts: Vec<String> = s
        .chars()
        .map(|c| {
            let mut q = String::from('\'');
            push_escaped(&mut q, c, '\'');
            q.push('\'');
            q
        })
        .collect();
    format!("[{}]", parts.join(" "))
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if c.is_control() => {
            if (c as u32) < 0x10000 {
                out.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                out.push_str(&format!("\\U{:08x}", c as u32));
            }
        }
        c => out.push(c),
    }
}

/// Converts a decoded JSON value to a `Value` the way Go's `encoding/json`
/// decodes into `interface{}`: every number is a float64.
pub fn json_to_value(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(a) => Value::list(a.into_iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.into_iter().map(|(k, v)| (k, json_to_value(v))).collect())
        }
    }
}

/// A stop set for `runes_until`.
type Stops = &'static [char];

struct Parser<'s, 'm> {
    src: &'s str,
    /// Byte offset of the next unread character.
    pos: usize,
    /// Byte length of the last character read (for `unread`).
    last_len: usize,
    mode: SetMode<'m>,
}

impl Parser<'_, '_> {
    fn read(&mut self) -> Option<char> {
        let c = self.src[self.pos..].chars().next()?;
        self.last_len = c.len_utf8();
        self.pos += self.last_len;
        Some(c)
    }

    fn unread(&mut self) {
        self.pos -= self.last_len;
        self.last_len = 0;
    }

    /// Reads up to (and consumes) a stop character; `\` escapes the next one.
    /// Returns the text and the stop char, or the text read so far and EOF.
    fn runes_until(&mut self, stops: Stops) -> (String, Result<char, PErr>) {
        let mut text = String::new();
        loop {
            match self.read() {
                None => return (text, Err(PErr::Eof)),
                Some(c) if stops.contains(&c) => return (text, Ok(c)),
                Some('\\') => match self.read() {
                    None => return (text, Err(PErr::Eof)),
                    Some(next) => text.push(next),
                },
                Some(c) => text.push(c),
            }
        }
    }

    fn convert(&mut self, text: &str) -> Result<Value, PErr> {
        match &mut self.mode {
            SetMode::Typed => Ok(typed_value(text)),
            SetMode::String | SetMode::Json => Ok(Value::str(text)),
            SetMode::File(reader) => reader(text).map_err(PErr::msg),
        }
    }

    fn key(&mut self, data: &Map, mut level: usize) -> Result<(), PErr> {
        let (k, last) = self.runes_until(&['=', '[', ',', '.']);
        let last = match last {
            Ok(c) => c,
            Err(e) => {
                if k.is_empty() {
                    return Err(e);
                }
                return Err(PErr::msg(format!("key {} has no value", go_quote(&k))));
            }
        };
        match last {
            '[' => {
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index"))?;
                let list = existing_list(data, &k)?;
                let (list, result) = match self.list_item(list, i, level) {
                    Ok(l) => (l, Ok(())),
                    Err((l, e)) => (l, Err(e)),
                };
                set(data, &k, Value::list(list));
                result
            }
            '=' => {
                if matches!(self.mode, SetMode::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(list) => {
                        set(data, &k, Value::list(list));
                        Ok(())
                    }
                    Err(ListErr::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(PErr::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let text = self.val();
                        let v = self.convert(&text);
                        match v {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &k, Value::Nil);
                                Err(e)
                            }
                        }
                    }
                    Err(ListErr::Other(e)) => Err(e),
                }
            }
            ',' => {
                set(data, &k, Value::str(""));
                Err(PErr::msg(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                )))
            }
            _ => {
                // '.'
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(PErr::msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let inner = existing_map(data, &k)?;
                let e = self.key(&inner, level);
                if e.is_ok() && map_len(&inner) == 0 {
                    return Err(PErr::msg(format!("key map {} has no value", go_quote(&k))));
                }
                if map_len(&inner) != 0 {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, PErr> {
        let (text, last) = self.runes_until(&[']']);
        last?;
        atoi(&text)
    }

    /// Handles what follows `[i]`. On error the (possibly partly updated)
    /// list is returned with it, because Helm stores it anyway.
    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> Result<Vec<Value>, (Vec<Value>, PErr)> {
        if i < 0 {
            return Err((list, PErr::msg(format!("negative {i} index not allowed"))));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err((
                list,
                PErr::msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&k)
                )),
            ));
        }
        let last = match last {
            Ok(c) => c,
            Err(e) => return Err((list, e)),
        };
        match last {
            '=' => {
                if matches!(self.mode, SetMode::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Nil);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return Err((list, e)),
                    };
                    let list = set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(list);
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::list(vl)),
                    Err(ListErr::Eof) => set_index(list, i, Value::str("")),
                    Err(ListErr::NotList) => {
                        let text = self.val();
                        match self.convert(&text) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => Err((list, e)),
                        }
                    }
                    Err(ListErr::Other(e)) => Err((list, e)),
                }
            }
            '[' => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return Err((list, e.wrap("error parsing index"))),
                };
                let mut current = Vec::new();
                if let Some(existing) = list.get(i as usize) {
                    match existing {
                        Value::Nil => {}
                        Value::List(l) => current = l.items.borrow().clone(),
                        other => return Err((list.clone(), conversion_error(other, LIST_TYPE))),
                    }
                }
                match self.list_item(current, next_i, level) {
                    Ok(inner) => set_index(list, i, Value::list(inner)),
                    Err((_, e)) => Err((list, e)),
                }
            }
            '.' => {
                let mut inner = new_map();
                if let Some(slot) = list.get_mut(i as usize) {
                    match slot {
                        Value::Map(m) => inner = m.clone(),
                        _ => *slot = Value::Map(inner.clone()),
                    }
                }
                if let Err(e) = self.key(&inner, level) {
                    return Err((list, e));
                }
                set_index(list, i, Value::Map(inner))
            }
            other => Err((
                Vec::new(),
                PErr::msg(format!("parse error: unexpected token {}", other as u32)),
            )),
        }
    }

    /// Skips blanks; true (and the comma consumed) at `,` or end of input.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// Decodes one JSON value at the current position and consumes it.
    fn json_value(&mut self) -> Result<Value, PErr> {
        let rest = &self.src[self.pos..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                self.pos += stream.byte_offset();
                self.last_len = 0;
                Ok(json_to_value(v))
            }
            Some(Err(e)) => Err(PErr::msg(e.to_string())),
            None => Err(PErr::Eof),
        }
    }

    fn val(&mut self) -> String {
        let (text, _) = self.runes_until(&[',']);
        text
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        match self.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (text, last) = self.runes_until(&[',', '}']);
            match last {
                Err(_) => {
                    return Err(ListErr::Other(PErr::msg("list must terminate with '}'")));
                }
                Ok('}') => {
                    if let Some(c) = self.read() {
                        if c != ',' {
                            self.unread();
                        }
                    }
                    let v = self.convert(&text).map_err(ListErr::Other)?;
                    list.push(v);
                    return Ok(list);
                }
                Ok(_) => {
                    let v = self.convert(&text).map_err(ListErr::Other)?;
                    list.push(v);
                }
            }
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Other(PErr),
}

impl From<(Vec<Value>, PErr)> for PErr {
    fn from((_, e): (Vec<Value>, PErr)) -> PErr {
        e
    }
}

/// The `--set-literal` parser: keys end at `=`, `[` or `.`; the value is the
/// rest of the line, verbatim.
struct LiteralParser<'s> {
    src: &'s str,
    pos: usize,
}

impl LiteralParser<'_> {
    fn runes_until(&mut self, stops: Stops) -> (String, Result<char, PErr>) {
        let rest = &self.src[self.pos..];
        match rest.char_indices().find(|(_, c)| stops.contains(c)) {
            Some((at, c)) => {
                self.pos += at + c.len_utf8();
                (rest[..at].to_string(), Ok(c))
            }
            None => {
                self.pos = self.src.len();
                (rest.to_string(), Err(PErr::Eof))
            }
        }
    }

    fn rest(&mut self) -> String {
        let (text, _) = self.runes_until(&[]);
        text
    }

    fn key(&mut self, data: &Map, mut level: usize) -> Result<(), PErr> {
        let (key, last) = self.runes_until(&['=', '[', '.']);
        let last = match last {
            Ok(c) => c,
            Err(e) => {
                if key.is_empty() {
                    return Err(e);
                }
                return Err(PErr::msg(format!("key {} has no value", go_quote(&key))));
            }
        };
        match last {
            '=' => {
                let value = self.rest();
                set(data, &key, Value::string(value));
                Ok(())
            }
            '.' => {
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(PErr::msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let inner = existing_map(data, &key)?;
                let e = self.key(&inner, level);
                if e.is_ok() && map_len(&inner) == 0 {
                    return Err(PErr::msg(format!(
                        "key map {} has no value",
                        go_quote(&key)
                    )));
                }
                if map_len(&inner) != 0 {
                    set(data, &key, Value::Map(inner));
                }
                e
            }
            _ => {
                // '['
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index"))?;
                let list = existing_list(data, &key)?;
                let (list, result) = match self.list_item(list, i, level) {
                    Ok(l) => (l, Ok(())),
                    Err((l, e)) => (l, Err(e)),
                };
                set(data, &key, Value::list(list));
                result
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, PErr> {
        let (text, last) = self.runes_until(&[']']);
        last?;
        atoi(&text)
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> Result<Vec<Value>, (Vec<Value>, PErr)> {
        if i < 0 {
            return Err((list, PErr::msg(format!("negative {i} index not allowed"))));
        }
        let (key, last) = self.runes_until(&['[', '.', '=']);
        if !key.is_empty() {
            return Err((
                list,
                PErr::msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&key)
                )),
            ));
        }
        let last = match last {
            Ok(c) => c,
            Err(e) => return Err((list, e)),
        };
        match last {
            '=' => {
                let value = self.rest();
                set_index(list, i, Value::string(value))
            }
            '.' => {
                let mut inner = new_map();
                if let Some(slot) = list.get_mut(i as usize) {
                    match slot {
                        Value::Map(m) => inner = m.clone(),
                        _ => *slot = Value::Map(inner.clone()),
                    }
                }
                if let Err(e) = self.key(&inner, level) {
                    return Err((list, e));
                }
                set_index(list, i, Value::Map(inner))
            }
            _ => {
                // '['
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return Err((list, e.wrap("error parsing index"))),
                };
                let mut current = Vec::new();
                if let Some(existing) = list.get(i as usize) {
                    match existing {
                        Value::Nil => {}
                        Value::List(l) => current = l.items.borrow().clone(),
                        other => return Err((list.clone(), conversion_error(other, LIST_TYPE))),
                    }
                }
                match self.list_item(current, next_i, level) {
                    Ok(inner) => set_index(list, i, Value::list(inner)),
                    Err((_, e)) => Err((list, e)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(v: &Value) -> String {
        match v {
            Value::Nil => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) | Value::Int64(i) => i.to_string(),
            Value::Float(f) => format!("{f}f"),
            Value::String(s) => format!("{s:?}"),
            Value::List(l) => format!(
                "[{}]",
                l.items
                    .borrow()
                    .iter()
                    .map(to_json)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Value::Map(m) => format!(
                "{{{}}}",
                m.entries
                    .borrow()
                    .iter()
                    .map(|(k, v)| format!("{k:?}:{}", to_json(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => format!("{other:?}"),
        }
    }

    fn run(line: &str, mode: SetMode<'_>) -> Result<String, String> {
        let dest = new_map();
        parse_into(line, &dest, mode).map_err(|e| e.0)?;
        Ok(to_json(&Value::Map(dest)))
    }

    fn set(line: &str) -> Result<String, String> {
        run(line, SetMode::Typed)
    }

    #[test]
    fn typing_of_set_values() {
        assert_eq!(
            set("i=1,f=1.5,b=TRUE,n=null,z=0,l=007,e=1e3,neg=-5,plus=+5,h=0x10").unwrap(),
            r#"{"b":true,"e":"1e3","f":"1.5","h":"0x10","i":1,"l":"007","n":null,"neg":-5,"plus":5,"z":0}"#
        );
        assert_eq!(
            set("x=9223372036854775808").unwrap(),
            r#"{"x":"9223372036854775808"}"#
        );
    }

    #[test]
    fn paths_lists_and_escapes() {
        assert_eq!(
            set("a.b[1].c=x").unwrap(),
            r#"{"a":{"b":[null,{"c":"x"}]}}"#
        );
        assert_eq!(set("l[2]=c").unwrap(), r#"{"l":[null,null,"c"]}"#);
        assert_eq!(set("a={x,y},b=1").unwrap(), r#"{"a":["x","y"],"b":1}"#);
        assert_eq!(set("a={}").unwrap(), r#"{"a":[""]}"#);
        assert_eq!(set(r"a=x\,y,b\.c=d").unwrap(), r#"{"a":"x,y","b.c":"d"}"#);
        assert_eq!(set("e=f=g").unwrap(), r#"{"e":"f=g"}"#);
        assert_eq!(set("a[0][1]=2").unwrap(), r#"{"a":[[null,2]]}"#);
        assert_eq!(
            set("a.b[1]=c,a.b[0]=d").unwrap(),
            r#"{"a":{"b":["d","c"]}}"#
        );
        assert_eq!(set("a=,b=2").unwrap(), r#"{"a":"","b":2}"#);
    }

    #[test]
    fn running_out_of_input_is_not_always_an_error() {
        assert_eq!(set("a[=1").unwrap(), "{}");
        assert_eq!(set("a[0]").unwrap(), r#"{"a":[]}"#);
        assert_eq!(set("a[0]=1,b[").unwrap(), r#"{"a":[1]}"#);
        assert_eq!(set("=1").unwrap(), "{}");
    }

    #[test]
    fn helm_error_texts() {
        assert_eq!(set("a").unwrap_err(), r#"key "a" has no value"#);
        assert_eq!(
            set("a,").unwrap_err(),
            r#"key "a" has no value (cannot end with ,)"#
        );
        assert_eq!(set("a.=1").unwrap_err(), r#"key map "a" has no value"#);
        assert_eq!(
            set("a[x]=1").unwrap_err(),
            r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#
        );
        assert_eq!(set("a[-1]=1").unwrap_err(), "negative -1 index not allowed");
        assert_eq!(
            set("a[0]x=1").unwrap_err(),
            "unexpected data at end of array index: ['x']"
        );
        assert_eq!(set("a={x,y").unwrap_err(), "list must terminate with '}'");
        assert_eq!(
            set("a[70000]=1").unwrap_err(),
            "index of 70000 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            set("a[0]=1,a.b=2").unwrap_err(),
            "unable to parse key: interface conversion: interface {} is []interface {}, not map[string]interface {}"
        );
        assert_eq!(
            set("a.b=1,a[0]=2").unwrap_err(),
            "unable to parse key: interface conversion: interface {} is map[string]interface {}, not []interface {}"
        );
        assert_eq!(set("a={x}y").unwrap_err(), r#"key "y" has no value"#);
    }

    #[test]
    fn string_and_json_modes() {
        assert_eq!(
            run("i=1,b=true,n=null", SetMode::String).unwrap(),
            r#"{"b":"true","i":"1","n":"null"}"#
        );
        assert_eq!(
            run(
                r#"a={"b":[1,2.5,"x"],"c":null},n=9007199254740993"#,
                SetMode::Json
            )
            .unwrap(),
            r#"{"a":{"b":[1f,2.5f,"x"],"c":null},"n":9007199254740992f}"#
        );
        assert_eq!(
            run("a=,b=2 , c=1", SetMode::Json).unwrap(),
            r#"{" c":1f,"a":null,"b":2f}"#
        );
        assert!(run(r#"t=[{"key":}]"#, SetMode::Json).is_err());
    }

    #[test]
    fn file_mode_uses_reader() {
        let mut reader = |p: &str| -> Result<Value, String> {
            if p == "ok.txt" {
                Ok(Value::str("body"))
            } else {
                Err(format!("open {p}: no such file or directory"))
            }
        };
        assert_eq!(
            run("c=ok.txt", SetMode::File(&mut reader)).unwrap(),
            r#"{"c":"body"}"#
        );
        let mut reader2 = |p: &str| -> Result<Value, String> {
            Err(format!("open {p}: no such file or directory"))
        };
        assert_eq!(
            run("c=x.txt", SetMode::File(&mut reader2)).unwrap_err(),
            "open x.txt: no such file or directory"
        );
    }

    #[test]
    fn literal_mode() {
        let dest = new_map();
        parse_literal_into(r"lit={a,b},c=d\,e", &dest).unwrap();
        assert_eq!(to_json(&Value::Map(dest)), r#"{"lit":"{a,b},c=d\\,e"}"#);
        let dest = new_map();
        parse_literal_into("a.b[1]=x", &dest).unwrap();
        assert_eq!(to_json(&Value::Map(dest)), r#"{"a":{"b":[null,"x"]}}"#);
    }

    #[test]
    fn writes_into_existing_values() {
        let dest = new_map();
        dest.entries
            .borrow_mut()
            .insert("s".into(), Value::str("x"));
        dest.entries.borrow_mut().insert("n".into(), Value::Nil);
        let e = parse_into("s.x=1", &dest, SetMode::Typed).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse key: interface conversion: interface {} is string, not map[string]interface {}"
        );
        let e = parse_into("n[0]=1", &dest, SetMode::Typed).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse key: interface conversion: interface {} is nil, not []interface {}"
        );
    }
}
