//! Go's `unicode` package predicates and *simple* case mappings.
//!
//! Rust's `char` methods answer slightly different questions (derived
//! properties such as `Uppercase` include circled letters; `to_uppercase`
//! applies full mappings like `ß` → `SS`), and template output must match
//! Go's, so the general categories are looked up through `regex`'s Unicode
//! tables and the multi-character mappings are reduced to Go's one-rune ones.

use regex::Regex;
use std::sync::OnceLock;

fn category(class: &'static str, cell: &'static OnceLock<Regex>, c: char) -> bool {
    let re = cell
        .get_or_init(|| Regex::new(class).unwrap_or_else(|_| Regex::new("$^").expect("static")));
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// `unicode.IsUpper`: general category Lu.
pub fn is_upper(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    category(r"^\p{Lu}$", &CELL, c)
}

/// `unicode.IsLower`: general category Ll.
pub fn is_lower(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    category(r"^\p{Ll}$", &CELL, c)
}

/// `unicode.IsTitle`: general category Lt.
pub fn is_title(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return false;
    }
    category(r"^\p{Lt}$", &CELL, c)
}

/// `unicode.IsLetter`: general category L.
pub fn is_letter(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    category(r"^\p{L}$", &CELL, c)
}

/// `unicode.IsDigit`: general category Nd.
pub fn is_digit(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    category(r"^\p{Nd}$", &CELL, c)
}

/// `unicode.IsNumber`: general category N.
pub fn is_number(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    category(r"^\p{N}$", &CELL, c)
}

/// `unicode.IsPunct`: general category P.
pub fn is_punct(c: char) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    category(r"^\p{P}$", &CELL, c)
}

/// `unicode.IsSpace`: the White_Space property (the same set as Rust's).
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `unicode.ToUpper`: the simple (one-rune) uppercase mapping.
pub fn to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        // Full mappings Go does not apply; a few Greek letters with
        // ypogegrammeni still have a simple mapping to their titlecase form.
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// `unicode.ToLower`: the simple (one-rune) lowercase mapping.
pub fn to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `unicode.ToTitle`: like `to_upper` except for the Latin digraphs, whose
/// titlecase form is a distinct character (`ǆ` → `ǅ`).
pub fn to_title(c: char) -> char {
    match c as u32 {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        _ => to_upper(c),
    }
}

/// `strings.ToUpper`.
pub fn upper_str(s: &str) -> String {
    s.chars().map(to_upper).collect()
}

/// `strings.ToLower`.
pub fn lower_str(s: &str) -> String {
    s.chars().map(to_lower).collect()
}

/// Go's `unicode.IsSpace(rune(b))` for a single byte, as the goutils helpers
/// that walk strings byte by byte use it: Latin-1 NEL and NBSP count.
pub fn is_latin1_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_go() {
        assert!(is_upper('É'));
        assert!(!is_upper('Ⓐ'));
        assert!(is_lower('é'));
        assert!(is_title('ǅ'));
        assert!(is_punct('\''));
        assert!(!is_punct('+'));
        assert!(is_letter('ж'));
        assert!(is_number('²'));
        assert!(!is_digit('²'));
    }

    #[test]
    fn simple_case_mappings() {
        assert_eq!(upper_str("héllo ß"), "HÉLLO ß");
        assert_eq!(lower_str("ÀBC İ"), "àbc i");
        assert_eq!(to_title('ǆ'), 'ǅ');
        assert_eq!(to_upper('\u{1F80}'), '\u{1F88}');
    }
}
