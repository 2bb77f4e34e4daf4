//! Rewrites a Go RE2 pattern into the `regex` crate's dialect, and rejects
//! what Go's parser rejects before the other engine gets a chance to
//! interpret it differently.
//!
//! Differences handled:
//! - `\d \w \s \b` are ASCII-only in Go (Unicode in `regex`);
//! - inside a class, `[` (except `[:name:]`), `&&` and `~~` are literals;
//! - a `{` that does not start a valid repeat is a literal; repeats above
//!   1000 and stacked repetition operators (`a**`) are errors;
//! - `\Q...\E` quotes literally;
//! - flag groups accept only `imsU`, may repeat or cancel a flag, and may be
//!   empty (`(?)`);
//! - named groups use Go's name rules and may share a name (renamed here;
//!   the Go names are kept for `${name}` expansion).

use super::GoRegexError;

/// The rewritten pattern, the original byte offset of every byte of it
/// (for error positions), and the Go name of every capture group.
pub struct Translated {
    pub pattern: String,
    pub origin: Vec<usize>,
    /// Index 0 is the whole match; `None` for unnamed groups.
    pub group_names: Vec<Option<String>>,
}

pub fn go_error(code: &str, expr: &str) -> GoRegexError {
    GoRegexError(format!("error parsing regexp: {code}: `{expr}`"))
}

/// Go's perl classes, which are ASCII-only.
fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        's' => "[\\t\\n\\f\\r ]",
        'S' => "[^\\t\\n\\f\\r ]",
        _ => return None,
    })
}

const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// A valid Go repeat `{n}`, `{n,}`, `{n,m}` at the start of `s`: its length
/// and bounds.
pub fn repeat_spec(s: &str) -> Option<(usize, i64, Option<i64>)> {
    let close = s.find('}')?;
    let body = &s[1..close];
    let (min, max) = match body.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let number = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(t.parse::<i64>().unwrap_or(i64::MAX))
    };
    let lo = number(min)?;
    let hi = match max {
        None => Some(lo),
        Some("") => None,
        Some(m) => Some(number(m)?),
    };
    Some((close + 1, lo, hi))
}

/// Go's `isValidCaptureName`.
fn valid_capture_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

struct Translator<'p> {
    pattern: &'p str,
    pos: usize,
    out: Translated,
    /// Inside a bracket class: the byte offset where its items start.
    class_items_start: Option<usize>,
    /// Start of the repetition operator just emitted, if the last token was one.
    last_repeat: Option<usize>,
}

pub fn translate(pattern: &str) -> Result<Translated, GoRegexError> {
    let mut t = Translator {
        pattern,
        pos: 0,
        out: Translated {
            pattern: String::with_capacity(pattern.len() + 8),
            origin: Vec::with_capacity(pattern.len() + 8),
            group_names: vec![None],
        },
        class_items_start: None,
        last_repeat: None,
    };
    while t.pos < pattern.len() {
        if t.class_items_start.is_some() {
            t.class_token()?;
        } else {
            t.token()?;
        }
    }
    t.out.origin.push(pattern.len());
    Ok(t.out)
}

impl<'p> Translator<'p> {
    fn rest(&self) -> &'p str {
        &self.pattern[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Emits `text` for the original bytes `pos..pos+consumed` and advances.
    fn emit(&mut self, text: &str, consumed: usize) {
        self.out.pattern.push_str(text);
        self.out
            .origin
            .extend(std::iter::repeat_n(self.pos, text.len()));
        self.pos += consumed;
    }

    /// An escape sequence's length: `\x{...}`, `\p{...}` and `\P{...}` run
    /// to the closing brace; others are one character after the backslash.
    fn escape_len(&self) -> usize {
        let rest = self.rest();
        let mut chars = rest.chars();
        chars.next();
        let Some(next) = chars.next() else {
            return 1;
        };
        let base = 1 + next.len_utf8();
        if matches!(next, 'x' | 'p' | 'P') && rest[base..].starts_with('{') {
            if let Some(close) = rest[base..].find('}') {
                return base + close + 1;
            }
        }
        base
    }

    /// One token outside a bracket class.
    fn token(&mut self) -> Result<(), GoRegexError> {
        let Some(c) = self.peek() else {
            return Ok(());
        };
        let rest = self.rest();
        let repeat = match c {
            '*' | '+' | '?' => Some(1),
            '{' => repeat_spec(rest)
                .map(|(len, lo, hi)| {
                    if lo > 1000 || hi.is_some_and(|h| h > 1000 || h < lo) {
                        Err(go_error("invalid repeat count", &rest[..len]))
                    } else {
                        Ok(len)
                    }
                })
                .transpose()?,
            _ => None,
        };
        if let Some(mut len) = repeat {
            if rest[len..].starts_with('?') {
                len += 1;
            }
            // Go (like Perl) rejects stacked operators such as `a**`.
            if let Some(start) = self.last_repeat {
                return Err(go_error(
                    "invalid nested repetition operator",
                    &self.pattern[start..self.pos + len],
                ));
            }
            self.last_repeat = Some(self.pos);
            let text = rest[..len].to_string();
            self.emit(&text, len);
            return Ok(());
        }
        self.last_repeat = None;
        match c {
            '\\' => self.escape(false),
            '[' => {
                self.emit("[", 1);
                if self.peek() == Some('^') {
                    self.emit("^", 1);
                }
                self.class_items_start = Some(self.pos);
                Ok(())
            }
            '{' => {
                self.emit("\\{", 1);
                Ok(())
            }
            '(' if rest.starts_with("(?") => self.group_flags(),
            '(' => {
                self.out.group_names.push(None);
                self.emit("(", 1);
                Ok(())
            }
            _ => {
                let len = c.len_utf8();
                let text = rest[..len].to_string();
                self.emit(&text, len);
                Ok(())
            }
        }
    }

    /// A backslash escape, in or outside a class.
    fn escape(&mut self, in_class: bool) -> Result<(), GoRegexError> {
        let len = self.escape_len();
        let text = self.rest()[..len].to_string();
        let next = text[1..].chars().next();
        match next {
            Some(n) if perl_class(n).is_some() => {
                if in_class
                    && self.out.pattern.ends_with('-')
                    && !self.out.pattern.ends_with("\\-")
                    && !self.at_class_start(1)
                {
                    return Err(go_error("invalid escape sequence", &text));
                }
                let class = perl_class(n).unwrap_or_default();
                self.emit(class, len);
            }
            Some('b') if !in_class => self.emit("(?-u:\\b)", len),
            Some('B') if !in_class => self.emit("(?-u:\\B)", len),
            Some('Q') if !in_class => {
                let body = &self.rest()[2..];
                let (literal, consumed) = match body.find("\\E") {
                    Some(e) => (&body[..e], e + 2),
                    None => (body, body.len()),
                };
                let quoted = regex::escape(literal);
                self.emit(&quoted, 2 + consumed);
            }
            _ => self.emit(&text, len),
        }
        Ok(())
    }

    /// Whether the emitted class so far has only `back` bytes after its
    /// opening (so a `-` there is a literal, not a range).
    fn at_class_start(&self, back: usize) -> bool {
        let Some(start) = self.class_items_start else {
            return false;
        };
        self.pos.saturating_sub(back) <= start
    }

    /// One token inside a bracket class.
    fn class_token(&mut self) -> Result<(), GoRegexError> {
        let Some(c) = self.peek() else {
            return Ok(());
        };
        let items_start = self.class_items_start.unwrap_or(self.pos);
        match c {
            ']' if self.pos > items_start => {
                self.class_items_start = None;
                self.emit("]", 1);
            }
            '\\' => return self.escape(true),
            '[' => {
                let rest = self.rest();
                if let Some(body) = rest.strip_prefix("[:") {
                    if let Some(end) = body.find(":]") {
                        let name = &body[..end];
                        let bare = name.strip_prefix('^').unwrap_or(name);
                        let len = end + 4;
                        if !POSIX_CLASSES.contains(&bare) {
                            return Err(go_error("invalid character class range", &rest[..len]));
                        }
                        let text = rest[..len].to_string();
                        self.emit(&text, len);
                        return Ok(());
                    }
                }
                self.emit("\\[", 1);
            }
            '&' | '~' => self.emit(&format!("\\{c}"), 1),
            _ => {
                let len = c.len_utf8();
                let text = self.rest()[..len].to_string();
                self.emit(&text, len);
            }
        }
        Ok(())
    }

    /// `(?...`: a named group, a lookaround (rejected), or flags.
    fn group_flags(&mut self) -> Result<(), GoRegexError> {
        let rest = self.rest();
        let perl_error = |len: usize| go_error("invalid or unsupported Perl syntax", &rest[..len]);
        let named = if rest.starts_with("(?P<") {
            Some(4)
        } else if rest.starts_with("(?<") && !rest.starts_with("(?<=") && !rest.starts_with("(?<!")
        {
            Some(3)
        } else {
            None
        };
        if let Some(prefix) = named {
            let Some(close) = rest[prefix..].find('>') else {
                return Err(go_error("invalid named capture", rest));
            };
            let name = &rest[prefix..prefix + close];
            let whole = &rest[..prefix + close + 1];
            if !valid_capture_name(name) {
                return Err(go_error("invalid named capture", whole));
            }
            let index = self.out.group_names.len();
            let duplicate = self.out.group_names.iter().flatten().any(|n| n == name);
            let rust_name = if duplicate {
                format!("{name}__go_dup_{index}")
            } else {
                name.to_string()
            };
            self.out.group_names.push(Some(name.to_string()));
            let consumed = whole.len();
            self.emit(&format!("(?P<{rust_name}>"), consumed);
            return Ok(());
        }
        // Flags: `(?flags)` or `(?flags:`.
        let mut on = String::new();
        let mut off = String::new();
        let mut negated = false;
        let mut saw_flag = false;
        for (k, c) in rest[2..].char_indices() {
            let end = 2 + k + c.len_utf8();
            match c {
                'i' | 'm' | 's' | 'U' => {
                    saw_flag = true;
                    if negated {
                        if !off.contains(c) {
                            off.push(c);
                        }
                        on.retain(|f| f != c);
                    } else if !on.contains(c) {
                        on.push(c);
                    }
                }
                '-' => {
                    if negated {
                        return Err(perl_error(end));
                    }
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' => {
                    if negated && !saw_flag {
                        return Err(perl_error(end));
                    }
                    let mut flags = on.clone();
                    if !off.is_empty() {
                        flags.push('-');
                        flags.push_str(&off);
                    }
                    let text = match (c, flags.is_empty()) {
                        (':', _) => format!("(?{flags}:"),
                        (_, true) => String::new(),
                        (_, false) => format!("(?{flags})"),
                    };
                    self.emit(&text, end);
                    return Ok(());
                }
                _ => return Err(perl_error(end)),
            }
        }
        Err(perl_error(rest.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(p: &str) -> String {
        translate(p).map(|t| t.pattern).unwrap_or_else(|e| e.0)
    }

    #[test]
    fn rewrites() {
        assert_eq!(tr("\\d+"), "[0-9]+");
        assert_eq!(tr("a{"), "a\\{");
        assert_eq!(tr("[[a]"), "[\\[a]");
        assert_eq!(tr("\\x{263a}"), "\\x{263a}");
        assert_eq!(tr("\\p{Greek}"), "\\p{Greek}");
        assert_eq!(tr("(?i-i)a"), "(?-i)a");
        assert_eq!(tr("(?)a"), "a");
        assert_eq!(tr("(?is:a)"), "(?is:a)");
        assert_eq!(tr("(?P<n>a)(?<n>b)"), "(?P<n>a)(?P<n__go_dup_2>b)");
    }

    #[test]
    fn go_rejections() {
        assert_eq!(
            tr("(?i"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"
        );
        assert_eq!(
            tr("(?-)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`"
        );
        assert_eq!(
            tr("(?P<a-b>x)"),
            "error parsing regexp: invalid named capture: `(?P<a-b>`"
        );
        assert_eq!(
            tr("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
        assert_eq!(
            tr("[a-\\d]"),
            "error parsing regexp: invalid escape sequence: `\\d`"
        );
    }
}
