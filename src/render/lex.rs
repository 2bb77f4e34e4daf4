//! Lexer for Go text/template source.
//!
//! Produces the same token stream as Go's `text/template/parse` lexer (Go
//! 1.23): trim markers `{{- ` / ` -}}` (the marker needs an adjacent ASCII
//! space, tab, CR or LF), comments `{{/* */}}`, spaces as tokens (they
//! separate arguments), newlines allowed inside actions, and Go's error texts
//! (`unclosed action`, `bad number syntax: "1a"`). Token positions are byte
//! offsets into the source; a token's line (Go's `item.line`, the line its
//! start is on) is counted from them only when an error message needs it
//! ([`Lexed::line_of`]), not for each of a big chart's many tokens.

/// Kind of a lexed item. Four bytes wide, so that an [`Item`] has no
/// padding: with a one-byte kind, copies of a token moved its padding
/// bytes separately and the next read of the kind stalled on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ItemType {
    Error,
    Bool,
    /// A printable ASCII character not otherwise recognised (`,`, `/`, ...).
    Char,
    CharConstant,
    Complex,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (printed as `<word>` in errors).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// One token: a byte range of the source (for `Text`, after trimming).
/// Small and `Copy` (12 bytes: `u32` offsets, see [`MAX_SOURCE_LEN`]),
/// because a big chart has a few hundred thousand of them, the lexer
/// writes them all before the parser reads them, and the parser passes
/// them around by value; with `usize` offsets (24 bytes) moving them cost
/// visibly more. The text is sliced from the source when needed
/// ([`Lexed::text`]). An `Error` token has an empty range; its message is
/// [`Lexed::error`].
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Item {
    pos: u32,
    end: u32,
    pub typ: ItemType,
}

impl Item {
    /// Where the token starts (a byte offset into the source).
    pub fn pos(&self) -> usize {
        self.pos as usize
    }

    /// Where the token ends.
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// A token of `typ` over `pos..end` (offsets below [`MAX_SOURCE_LEN`]).
    pub fn new(typ: ItemType, pos: usize, end: usize) -> Item {
        Item {
            typ,
            pos: offset32(pos),
            end: offset32(end),
        }
    }
}

/// The longest source the lexer tokenizes: offsets must fit a `u32`.
/// Longer input (4 GiB of template) is refused with an error token.
pub const MAX_SOURCE_LEN: usize = u32::MAX as usize;

fn offset32(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// The tokens of one source text.
#[derive(Debug)]
pub struct Lexed<'s> {
    pub input: &'s str,
    pub items: Vec<Item>,
    /// The message of the final `Error` token, if lexing failed.
    pub error: Option<String>,
}

impl<'s> Lexed<'s> {
    /// The 1-based line of the byte offset `pos` (Go's `item.line` of a
    /// token starting there).
    pub fn line_of(&self, pos: usize) -> u32 {
        let before = self
            .input
            .as_bytes()
            .get(..pos)
            .unwrap_or(self.input.as_bytes());
        let newlines = memchr::memchr_iter(b'\n', before).count();
        u32::try_from(newlines + 1).unwrap_or(u32::MAX)
    }

    /// The source text of a token (Go's `item.val`; for `Error`, the message).
    pub fn val<'a>(&'a self, it: &Item) -> &'a str {
        if it.typ == ItemType::Error {
            return self.error.as_deref().unwrap_or("");
        }
        self.text(it)
    }

    /// The source text of a non-error token, borrowed from the source.
    pub fn text(&self, it: &Item) -> &'s str {
        self.input.get(it.pos()..it.end()).unwrap_or("")
    }

    /// Go's `item.String()`, used in `unexpected X in Y` errors.
    pub fn describe(&self, it: &Item) -> String {
        let val = self.val(it);
        match it.typ {
            ItemType::Eof => "EOF".to_string(),
            ItemType::Error => val.to_string(),
            t if t.is_keyword() => format!("<{val}>"),
            _ => {
                if val.chars().count() > 10 {
                    let short: String = val.chars().take(10).collect();
                    format!("{}...", crate::render::gofmt::quote(&short))
                } else {
                    crate::render::gofmt::quote(val)
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

fn left_trim_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

fn right_trim_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

/// Go's `%#U` formatting of a rune.
fn go_sharp_u(c: Option<char>) -> String {
    match c {
        None => "U+FFFFFFFFFFFFFFFF".to_string(),
        Some(c) => {
            let base = format!("U+{:04X}", c as u32);
            if !c.is_control() {
                format!("{base} '{c}'")
            } else {
                base
            }
        }
    }
}

/// Where the next `{{` starts. Looks for `{` with the memchr-backed char
/// search and checks the byte after it: several times faster than the
/// two-way substring search on template text, where `{` is rare.
fn find_left_delim(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find('{') {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

thread_local! {
    /// The token vector of the last file lexed on this thread, kept for the
    /// next one. Tokens live only until their file is parsed, and a fresh
    /// vector for every file meant fresh pages (a page fault each, several
    /// microseconds on the VMs we measure on: ~300 per run on
    /// kube-prometheus-stack) where the kept one's are already mapped.
    static SPARE_ITEMS: std::cell::Cell<Vec<Item>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty token vector: this thread's spare one, if it has one.
fn spare_items() -> Vec<Item> {
    let mut items = SPARE_ITEMS
        .try_with(|spare| spare.take())
        .unwrap_or_default();
    items.clear();
    items
}

impl Drop for Lexed<'_> {
    /// Keeps the token vector as this thread's spare (the larger one, if
    /// it already has one).
    fn drop(&mut self) {
        let items = std::mem::take(&mut self.items);
        let _ = SPARE_ITEMS.try_with(|spare| {
            let kept = spare.take();
            spare.set(if kept.capacity() >= items.capacity() {
                kept
            } else {
                items
            });
        });
    }
}

/// Tokenizes `input` completely (stopping after the first error or EOF).
pub fn lex(input: &str) -> Lexed<'_> {
    if input.len() >= MAX_SOURCE_LEN {
        let mut items = spare_items();
        items.push(Item::new(ItemType::Error, 0, 0));
        return Lexed {
            input,
            items,
            error: Some(format!(
                "template source of {} bytes is too large (the limit is 4 GiB)",
                input.len()
            )),
        };
    }
    // Reserve for the typical token count up front: growing the vector by
    // doubling was a visible share of parse time on big charts (untouched
    // capacity of a large allocation costs no memory).
    let actions = memchr::memmem::find_iter(input.as_bytes(), LEFT).count();
    let mut items = spare_items();
    items.reserve(actions.saturating_mul(16).saturating_add(2));
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        items,
        error: None,
        paren_depth: 0,
    };
    l.run();
    Lexed {
        input,
        items: l.items,
        error: l.error,
    }
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    items: Vec<Item>,
    error: Option<String>,
    paren_depth: i32,
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
    Done,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// The character at `pos`, decoding only when it is not ASCII (almost
    /// every byte of an action is).
    fn peek(&self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            None => None,
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.rest().chars().next(),
        }
    }

    /// Moves past a run of letters, digits and `_` (an identifier, field or
    /// variable name). A plain loop over the bytes, decoding only a
    /// non-ASCII character: names are most of an action's bytes, and a
    /// `peek` per character kept the lexer's state in memory.
    fn skip_alnum(&mut self) {
        let bytes = self.input.as_bytes();
        let mut i = self.pos;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                if !is_alnum(char::from(b)) {
                    break;
                }
                i += 1;
                continue;
            }
            match self.input.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) if is_alnum(c) => i += c.len_utf8(),
                _ => break,
            }
        }
        self.pos = i;
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    fn emit_range(&mut self, typ: ItemType, start: usize, end: usize) {
        self.items.push(Item::new(typ, start, end));
    }

    fn emit(&mut self, typ: ItemType) {
        self.emit_range(typ, self.start, self.pos);
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        self.items
            .push(Item::new(ItemType::Error, self.start, self.start));
        self.error = Some(msg);
        State::Done
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Space => self.lex_space(),
                State::Identifier => self.lex_identifier(),
                State::Field => self.lex_field_or_variable(ItemType::Field),
                State::Variable => self.lex_variable(),
                State::Char => self.lex_char(),
                State::Number => self.lex_number(),
                State::Quote => self.lex_quote(),
                State::RawQuote => self.lex_raw_quote(),
                State::Done => return,
            }
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = find_left_delim(self.rest()) {
            let delim_pos = self.pos + x;
            let after = &self.input[delim_pos + LEFT.len()..];
            let mut end = delim_pos;
            if has_left_trim(after) {
                end -= right_trim_len(&self.input[self.start..delim_pos]);
            }
            if end > self.start {
                self.emit_range(ItemType::Text, self.start, end);
            }
            self.pos = delim_pos;
            self.start = delim_pos;
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof);
        State::Done
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        if rest.starts_with(RIGHT) {
            return (true, false);
        }
        (false, false)
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self.rest()[after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return State::Comment;
        }
        self.emit(ItemType::LeftDelim);
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(i) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".to_string());
        };
        self.pos += i + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".to_string());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += left_trim_len(self.rest());
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(ItemType::RightDelim);
        if trim {
            self.pos += left_trim_len(self.rest());
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error("unclosed left paren".to_string());
        }
        let r = self.next();
        match r {
            None => self.error("unclosed action".to_string()),
            Some(c) if is_space(c) => {
                self.backup(r);
                State::Space
            }
            Some('=') => {
                self.emit(ItemType::Assign);
                State::InsideAction
            }
            Some(':') => {
                if self.next() != Some('=') {
                    return self.error("expected :=".to_string());
                }
                self.emit(ItemType::Declare);
                State::InsideAction
            }
            Some('|') => {
                self.emit(ItemType::Pipe);
                State::InsideAction
            }
            Some('"') => State::Quote,
            Some('`') => State::RawQuote,
            Some('$') => State::Variable,
            Some('\'') => State::Char,
            Some('.') => {
                match self.input.as_bytes().get(self.pos) {
                    Some(b) if b.is_ascii_digit() => {
                        self.backup(r);
                        State::Number
                    }
                    Some(_) => State::Field,
                    // '.' at the very end of input: a number scan reports it.
                    None => {
                        self.backup(r);
                        State::Number
                    }
                }
            }
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                self.backup(r);
                State::Number
            }
            Some(c) if is_alnum(c) => {
                self.backup(r);
                State::Identifier
            }
            Some('(') => {
                self.emit(ItemType::LeftParen);
                self.paren_depth += 1;
                State::InsideAction
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".to_string());
                }
                self.emit(ItemType::RightParen);
                State::InsideAction
            }
            Some(c) if c.is_ascii() && !c.is_ascii_control() => {
                self.emit(ItemType::Char);
                State::InsideAction
            }
            Some(c) => self.error(format!(
                "unrecognized character in action: {}",
                go_sharp_u(Some(c))
            )),
        }
    }

    fn lex_space(&mut self) -> State {
        let mut num = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.pos += c.len_utf8();
            num += 1;
        }
        // A trim-marked right delimiter starts with a space: leave that space for it.
        let before = &self.input[self.pos - 1..];
        if has_right_trim(before) && before[2..].starts_with(RIGHT) {
            self.pos -= 1;
            if num == 1 {
                return State::RightDelim;
            }
        }
        self.emit(ItemType::Space);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_identifier(&mut self) -> State {
        self.skip_alnum();
        if !self.at_terminator() {
            let c = self.peek();
            return self.error(format!("bad character {}", go_sharp_u(c)));
        }
        let word = &self.input[self.start..self.pos];
        let typ = match word {
            "block" => ItemType::Block,
            "break" => ItemType::Break,
            "continue" => ItemType::Continue,
            "define" => ItemType::Define,
            "else" => ItemType::Else,
            "end" => ItemType::End,
            "if" => ItemType::If,
            "range" => ItemType::Range,
            "nil" => ItemType::Nil,
            "template" => ItemType::Template,
            "with" => ItemType::With,
            "true" | "false" => ItemType::Bool,
            _ => ItemType::Identifier,
        };
        self.emit(typ);
        State::InsideAction
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(ItemType::Variable);
            return State::InsideAction;
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> State {
        if self.at_terminator() {
            self.emit(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
            return State::InsideAction;
        }
        self.skip_alnum();
        if !self.at_terminator() {
            let c = self.peek();
            return self.error(format!("bad character {}", go_sharp_u(c)));
        }
        self.emit(typ);
        State::InsideAction
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated character constant".to_string())
                    }
                    Some(_) => {}
                },
                None | Some('\n') => {
                    return self.error("unterminated character constant".to_string())
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::CharConstant);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!(
                "bad number syntax: {}",
                crate::render::gofmt::quote(&text)
            ));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = self.input[self.start..self.pos].to_string();
                return self.error(format!(
                    "bad number syntax: {}",
                    crate::render::gofmt::quote(&text)
                ));
            }
            self.emit(ItemType::Complex);
        } else {
            self.emit(ItemType::Number);
        }
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.pos += c.len_utf8();
                return false;
            }
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        loop {
            // Only `\`, `"` and a newline matter; skip the bytes between
            // (no UTF-8 continuation byte equals one of them).
            let bytes = &self.input.as_bytes()[self.pos..];
            match memchr::memchr3(b'\\', b'"', b'\n', bytes) {
                Some(skip) => self.pos += skip,
                None => self.pos = self.input.len(),
            }
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated quoted string".to_string())
                    }
                    Some(_) => {}
                },
                None | Some('\n') => return self.error("unterminated quoted string".to_string()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match memchr::memchr(b'`', &self.input.as_bytes()[self.pos..]) {
                Some(skip) => self.pos += skip,
                None => self.pos = self.input.len(),
            }
            match self.next() {
                None => return self.error("unterminated raw quoted string".to_string()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::RawString);
        State::InsideAction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(ItemType, String)> {
        let l = lex(src);
        l.items
            .iter()
            .map(|i| (i.typ, l.val(i).to_string()))
            .collect()
    }

    #[test]
    fn trims_and_comments() {
        let k = kinds("a  {{- .x -}}  b{{/* c */}}d");
        assert_eq!(
            k,
            vec![
                (ItemType::Text, "a".into()),
                (ItemType::LeftDelim, "{{".into()),
                (ItemType::Field, ".x".into()),
                (ItemType::RightDelim, "}}".into()),
                (ItemType::Text, "b".into()),
                (ItemType::Text, "d".into()),
                (ItemType::Eof, "".into()),
            ]
        );
    }

    #[test]
    fn numbers_and_errors() {
        let k = kinds("{{ 1a }}");
        assert_eq!(k.last().unwrap().1, "bad number syntax: \"1a\"");
        let k = kinds("{{ 0x1F 1_000 -2.5e3 }}");
        let nums: Vec<_> = k
            .iter()
            .filter(|(t, _)| *t == ItemType::Number)
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(nums, vec!["0x1F", "1_000", "-2.5e3"]);
        let k = kinds("a: {{ .Values.x \n");
        assert_eq!(k.last().unwrap().1, "unclosed action");
    }

    #[test]
    fn left_trim_needs_space() {
        let k = kinds("{{-3}}");
        assert_eq!(k[1], (ItemType::Number, "-3".into()));
    }
}
