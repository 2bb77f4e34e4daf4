//! The syntax error Go's JSON decoder reports for a malformed document, as
//! Helm 4 prints it for a broken `values.schema.json` (`unexpected EOF`,
//! `invalid character '}' looking for beginning of value`, ...). serde_json
//! finds the same errors but words them its own way, with positions Helm
//! never shows.
//!
//! The wording is that of the Go release Helm 4.3.1 is built with (its JSON
//! text layer): numbers fail "in numeric literal" whatever the position,
//! control characters "in string", bad escapes quote the escape itself, and
//! trailing text is "after top-level value" without naming a character.

/// Go's error text for `data`, or `None` when it is well-formed JSON.
pub fn go_json_syntax_error(data: &[u8]) -> Option<String> {
    let mut s = Scanner { b: data, i: 0 };
    s.ws();
    if s.i == s.b.len() {
        return Some("EOF".to_string());
    }
    if let Err(e) = s.value() {
        return Some(e.text());
    }
    s.ws();
    (s.i < s.b.len()).then(|| "invalid character after top-level value".to_string())
}

enum Fail {
    Eof,
    Char(char, String),
    Escape(String),
}

impl Fail {
    fn text(&self) -> String {
        match self {
            Fail::Eof => "unexpected EOF".to_string(),
            Fail::Char(c, context) => format!("invalid character {} {context}", quote_char(*c)),
            Fail::Escape(esc) => format!("invalid escape sequence `{esc}` in string"),
        }
    }
}

/// Go's `quoteChar` (the same text as `strconv.QuoteRune`): `'x'`, `'\''`.
fn quote_char(c: char) -> String {
    crate::render::gofmt::quote_rune(c, false)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn peek(&self) -> Result<u8, Fail> {
        self.b.get(self.i).copied().ok_or(Fail::Eof)
    }

    /// The character starting at byte `i` (U+FFFD where the bytes are not
    /// UTF-8).
    fn char_at(&self, i: usize) -> char {
        let bytes = &self.b[i.min(self.b.len())..(i + 4).min(self.b.len())];
        String::from_utf8_lossy(bytes)
            .chars()
            .next()
            .unwrap_or('\u{FFFD}')
    }

    /// The character at the cursor, for an error.
    fn here(&self, context: &str) -> Fail {
        Fail::Char(self.char_at(self.i), context.to_string())
    }

    /// Steps over an opening bracket; `true` when `close` follows at once.
    fn open_empty(&mut self, close: u8) -> Result<bool, Fail> {
        self.i += 1;
        self.ws();
        let empty = self.peek()? == close;
        if empty {
            self.i += 1;
        }
        Ok(empty)
    }

    /// After a member or element: `true` at `,` (another one follows),
    /// `false` at the closing bracket.
    fn next_or_close(&mut self, close: u8, context: &str) -> Result<bool, Fail> {
        self.ws();
        match self.peek()? {
            b',' => {
                self.i += 1;
                self.ws();
                Ok(true)
            }
            c if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(self.here(context)),
        }
    }

    fn value(&mut self) -> Result<(), Fail> {
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.here("looking for beginning of value")),
        }
    }

    fn object(&mut self) -> Result<(), Fail> {
        if self.open_empty(b'}')? {
            return Ok(());
        }
        loop {
            if self.peek()? != b'"' {
                return Err(self.here("looking for beginning of object key string"));
            }
            self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return Err(self.here("after object key"));
            }
            self.i += 1;
            self.ws();
            self.value()?;
            if !self.next_or_close(b'}', "after object key:value pair")? {
                return Ok(());
            }
        }
    }

    fn array(&mut self) -> Result<(), Fail> {
        if self.open_empty(b']')? {
            return Ok(());
        }
        loop {
            self.value()?;
            if !self.next_or_close(b']', "after array element")? {
                return Ok(());
            }
        }
    }

    fn string(&mut self) -> Result<(), Fail> {
        self.i += 1;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    let esc = *self.b.get(self.i + 1).ok_or(Fail::Eof)?;
                    match esc {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            let end = (self.i + 6).min(self.b.len());
                            let hex = &self.b[self.i + 2..end];
                            if hex.len() == 4 && hex.iter().all(u8::is_ascii_hexdigit) {
                                self.i += 6;
                            } else if hex.len() < 4 && hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Fail::Eof);
                            } else {
                                let text = String::from_utf8_lossy(&self.b[self.i..end]);
                                return Err(Fail::Escape(text.into_owned()));
                            }
                        }
                        _ => return Err(Fail::Escape(format!("\\{}", self.char_at(self.i + 1)))),
                    }
                }
                c if c < 0x20 => return Err(self.here("in string")),
                _ => self.i += 1,
            }
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), Fail> {
        for want in word.bytes() {
            if self.peek()? != want {
                let context = format!(
                    "in literal {word} (expecting {})",
                    quote_char(char::from(want))
                );
                return Err(self.here(&context));
            }
            self.i += 1;
        }
        Ok(())
    }

    fn number(&mut self) -> Result<(), Fail> {
        const CONTEXT: &str = "in numeric literal";
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return Err(self.here(CONTEXT)),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return Err(self.here(CONTEXT));
            }
            self.digits();
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek()?, b'+' | b'-') {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return Err(self.here(CONTEXT));
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::go_json_syntax_error as check;

    /// Texts of helm 4.3.1 for broken values.schema.json files.
    #[test]
    fn words_errors_as_helm() {
        let cases: &[(&str, &str)] = &[
            ("{\"type\": ", "unexpected EOF"),
            (
                "{\"type\": x}",
                "invalid character 'x' looking for beginning of value",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{,}",
                "invalid character ',' looking for beginning of object key string",
            ),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("{\"a\":1}}", "invalid character after top-level value"),
            ("", "EOF"),
            ("  ", "EOF"),
            (
                "{\"a\":tru}",
                "invalid character '}' in literal true (expecting 'e')",
            ),
            (
                "{\"a\":nulx}",
                "invalid character 'x' in literal null (expecting 'l')",
            ),
            ("{\"a\":\"\\q\"}", "invalid escape sequence `\\q` in string"),
            (
                "{\"a\":\"\\u12\"}",
                "invalid escape sequence `\\u12\"}` in string",
            ),
            (
                "{\"a\":01}",
                "invalid character '1' after object key:value pair",
            ),
            (
                "{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            ("nul", "unexpected EOF"),
            ("{\"a\":-}", "invalid character '}' in numeric literal"),
            ("{\"a\":1.5e+}", "invalid character '}' in numeric literal"),
            ("{\"a\":\"x\ty\"}", "invalid character '\\t' in string"),
            (
                "{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
            (
                "{\"a\" : 1 \"b\": 2}",
                "invalid character '\"' after object key:value pair",
            ),
            ("{\"a\":[1 2]}", "invalid character '2' after array element"),
            ("-", "unexpected EOF"),
            ("1 2", "invalid character after top-level value"),
        ];
        for (input, want) in cases {
            assert_eq!(check(input.as_bytes()).as_deref(), Some(*want), "{input:?}");
        }
        assert_eq!(check(b"{\"a\":{\"b\":[1, -2.5e3, true, null]}}"), None);
        assert_eq!(check(b"{\"a\":\"\\u00e9\"} "), None);
    }
}
