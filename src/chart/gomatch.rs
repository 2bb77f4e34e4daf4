//! Go's `filepath.Match` (Unix): `*`, `?`, `[...]` classes with ranges and
//! `^` negation, `\` escapes. `*` and `?` never match `/`.
//! A malformed pattern is an error (`syntax error in pattern`), as in Go.

/// Go's `filepath.ErrBadPattern`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    Star,
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

fn class_char(chars: &[char], i: &mut usize) -> Result<char, BadPattern> {
    match chars.get(*i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => {
            *i += 1;
            let c = *chars.get(*i).ok_or(BadPattern)?;
            *i += 1;
            Ok(c)
        }
        Some(&c) => {
            *i += 1;
            Ok(c)
        }
    }
}

impl Pattern {
    pub fn compile(pattern: &str) -> Result<Pattern, BadPattern> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    tokens.push(Token::Star);
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::Any);
                    i += 1;
                }
                '\\' => {
                    let c = *chars.get(i + 1).ok_or(BadPattern)?;
                    tokens.push(Token::Literal(c));
                    i += 2;
                }
                '[' => {
                    i += 1;
                    let negated = chars.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if chars.get(i) == Some(&']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let lo = class_char(&chars, &mut i)?;
                        let mut hi = lo;
                        if chars.get(i) == Some(&'-') {
                            i += 1;
                            hi = class_char(&chars, &mut i)?;
                        }
                        // Go fails here only if the class is never closed.
                        if i >= chars.len() {
                            return Err(BadPattern);
                        }
                        ranges.push((lo, hi));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => {
                    tokens.push(Token::Literal(c));
                    i += 1;
                }
            }
        }
        Ok(Pattern { tokens })
    }

    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        match_from(&self.tokens, &chars)
    }
}

fn match_from(tokens: &[Token], s: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return s.is_empty();
    };
    match first {
        Token::Star => {
            // `*` consumes any run of non-separators.
            for n in 0..=s.len() {
                if match_from(rest, &s[n..]) {
                    return true;
                }
                if n < s.len() && s[n] == '/' {
                    return false;
                }
            }
            false
        }
        Token::Any => matches!(s.first(), Some(c) if *c != '/') && match_from(rest, &s[1..]),
        Token::Literal(c) => s.first() == Some(c) && match_from(rest, &s[1..]),
        Token::Class { negated, ranges } => {
            let Some(&c) = s.first() else {
                return false;
            };
            let inside = ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
            inside != *negated && match_from(rest, &s[1..])
        }
    }
}

/// `filepath.Match(pattern, name)`.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    Ok(Pattern::compile(pattern)?.matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(go_match("*.txt", "a.txt").unwrap());
        assert!(!go_match("*.txt", "d/a.txt").unwrap());
        assert!(go_match("d/*.txt", "d/a.txt").unwrap());
        assert!(go_match("a?c", "abc").unwrap());
        assert!(!go_match("a?c", "a/c").unwrap());
        assert!(go_match("[a-c]x", "bx").unwrap());
        assert!(!go_match("[^a-c]x", "bx").unwrap());
        assert!(go_match("\\*", "*").unwrap());
        assert!(go_match(".*", ".git").unwrap());
        assert!(go_match("*", "").unwrap());
    }

    #[test]
    fn bad_patterns() {
        assert_eq!(go_match("[", "a"), Err(BadPattern));
        assert_eq!(go_match("[]", "a"), Err(BadPattern));
        assert_eq!(go_match("a\\", "a"), Err(BadPattern));
        assert_eq!(go_match("[a-", "a"), Err(BadPattern));
    }
}
