//! Case conversions with the exact word rules of the Go libraries Sprig
//! delegates to: `huandu/xstrings` v1.5 (`snakecase`, `kebabcase`,
//! `camelcase` = `ToPascalCase`), `Masterminds/goutils` (`swapcase`,
//! `untitle`) and Go's deprecated `strings.Title`.
//!
//! Their quirks are observable (`camelcase "HTTPServer"` is `Httpserver`,
//! `camelcase "_"` is `__`), so the algorithms follow the originals' state
//! machines rather than a tidier definition of "word".

use super::go_unicode::{
    is_digit, is_letter, is_lower, is_number, is_punct, is_space, is_title, is_upper, to_lower,
    to_title, to_upper,
};

/// xstrings' connectors: `-`, `_` and Unicode white space.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_space(c)
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    let r = c as u32;
    !((0x4E00..=0x9FCC).contains(&r)
        || (0x3400..=0x4D85).contains(&r)
        || (0x20000..=0x2B81D).contains(&r))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordType {
    /// End of input.
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// Splits the next word off `s`: (type, word, remaining).
fn next_word(s: &str) -> (WordType, &str, &str) {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return (WordType::Invalid, "", "");
    };
    // Byte offset of the end of the word.
    let mut end = first.len_utf8();
    let take_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for c in s[*end..].chars() {
            if !pred(c) {
                break;
            }
            *end += c.len_utf8();
        }
    };
    let wt = if is_connector(first) {
        take_while(&mut end, &is_connector);
        WordType::Connector
    } else if is_punct(first) {
        take_while(&mut end, &is_punct);
        WordType::Punct
    } else if is_upper(first) {
        if let Some(second) = s[end..].chars().next() {
            if is_upper(second) {
                // A run of capitals; if a lower-case letter follows, its
                // capital starts the next word ("HTTPStatus" → "HTTP", "Status").
                let mut prev_len = 0;
                let mut stopped_at = None;
                for c in s[end..].chars() {
                    if !is_upper(c) {
                        stopped_at = Some(c);
                        break;
                    }
                    prev_len = c.len_utf8();
                    end += prev_len;
                }
                if let Some(c) = stopped_at {
                    if is_alphabet(c) {
                        end -= prev_len;
                    }
                }
            } else if is_alphabet(second) {
                take_while(&mut end, &|c| is_alphabet(c) && !is_upper(c));
            }
        }
        WordType::UpperCase
    } else if is_alphabet(first) {
        take_while(&mut end, &|c| is_alphabet(c) && !is_upper(c));
        WordType::Alphabet
    } else if is_number(first) {
        take_while(&mut end, &is_number);
        WordType::Number
    } else {
        take_while(&mut end, &|c| {
            !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
        });
        WordType::Other
    };
    (wt, &s[..end], &s[end..])
}

/// Appends a word, lower-casing capitals and normalising connectors for the
/// word kinds where xstrings does so.
fn push_lower(out: &mut String, wt: WordType, word: &str, connector: char) {
    if wt != WordType::UpperCase && wt != WordType::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase`, behind `snakecase` and `kebabcase`.
pub fn camel_to_lower(s: &str, connector: char) -> String {
    use WordType::*;
    let mut out = String::with_capacity(s.len() + 4);
    if s.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Number => {
                while wt == Alphabet || wt == Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Punct && wt != Connector {
                    out.push(connector);
                }
            }
            Connector => push_lower(&mut out, prev, last, connector),
            Punct => {}
            _ => {
                if wt != Number {
                    if wt != Connector && wt != Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let number = word;
                (wt, word, remaining) = next_word(remaining);
                // A number followed by a non-letter belongs to the previous
                // word ("Bld4Floor" → "bld4_floor").
                if wt != Alphabet {
                    push_lower(&mut out, Number, number, connector);
                    if wt != Connector && wt != Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // Letters after a number start a new word ("HTTP2xx" → "http_2xx").
                out.push(connector);
                push_lower(&mut out, Number, number, connector);
                while wt == Alphabet || wt == Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Connector && wt != Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}

/// xstrings' `ToPascalCase` (Sprig's `camelcase`): connectors removed, the
/// letter after each one capitalised, and a run of capitals that starts a
/// word lower-cased after its first letter.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut r0 = '\0';
    let mut consumed_any = false;
    let mut first_upper = false;
    // Leading connectors are kept.
    for c in chars.by_ref() {
        consumed_any = true;
        r0 = c;
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = to_upper(c);
            break;
        }
        out.push(c);
    }
    let rest = chars.as_str();
    if rest.is_empty() {
        // Also re-emits the last connector of an all-connector input, as
        // the original does.
        if consumed_any {
            out.push(r0);
        }
        return out;
    }
    for c in rest.chars() {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// goutils' `SwapCase`: upper and title case become lower; lower case becomes
/// title case at the start of a word and upper case elsewhere.
pub fn swap_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_space = true;
    for c in s.chars() {
        if is_upper(c) || is_title(c) {
            out.push(to_lower(c));
            after_space = false;
        } else if is_lower(c) {
            out.push(if after_space {
                to_title(c)
            } else {
                to_upper(c)
            });
            after_space = false;
        } else {
            out.push(c);
            after_space = is_space(c);
        }
    }
    out
}

/// goutils' `Uncapitalize`: the first letter of each white-space separated
/// word lower-cased.
pub fn uncapitalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next = true;
    for c in s.chars() {
        if is_space(c) {
            next = true;
            out.push(c);
        } else if next {
            out.push(to_lower(c));
            next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Go's `strings.Title`: title-cases every letter that follows a separator
/// (anything but ASCII letters, digits and `_`, or a Unicode letter/digit).
pub fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if is_letter(c) || is_digit(c) {
            return false;
        }
        is_space(c)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let mapped = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            mapped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_and_kebab_match_xstrings() {
        let cases = [
            ("HelloWorldHTTPServer", "hello_world_http_server"),
            ("already_snake", "already_snake"),
            ("ABC", "abc"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("http2xx", "http_2xx"),
            ("a.b-c d__e", "a.b_c_d__e"),
            ("  Foo", "__foo"),
            ("ÉcoleÉté", "école_été"),
            ("a1b2", "a_1b2"),
            ("foo!!Bar", "foo!!bar"),
            ("A", "a"),
            ("AB", "ab"),
            ("ABc", "a_bc"),
            ("x_", "x_"),
            ("日本語Foo", "日本語_foo"),
        ];
        for (input, want) in cases {
            assert_eq!(camel_to_lower(input, '_'), want, "snakecase {input:?}");
        }
        let cases = [
            ("Duration2m3s", "duration-2m3s"),
            ("GO PATH", "go-path"),
            ("ID Number2Go", "id-number2-go"),
            ("x123", "x123"),
            ("X123Y", "x123-y"),
            ("a+b", "a-+-b"),
            ("1a", "1a"),
            ("HelloWorldFoo", "hello-world-foo"),
        ];
        for (input, want) in cases {
            assert_eq!(camel_to_lower(input, '-'), want, "kebabcase {input:?}");
        }
    }

    #[test]
    fn pascal_matches_xstrings() {
        let cases = [
            ("HELLO_WORLD", "HelloWorld"),
            ("HTTPServer", "Httpserver"),
            ("fooBAR", "FooBAR"),
            ("_", "__"),
            ("a", "A"),
            ("__a__b__", "__A_B__"),
            ("Ab CD eF", "AbCdEF"),
            ("x-Y", "XY"),
            ("ÉCOLE_été", "ÉcoleÉté"),
            ("hello_world-foo bar", "HelloWorldFooBar"),
            ("alreadyCamel", "AlreadyCamel"),
            ("_leading_under", "_LeadingUnder"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(pascal_case(input), want, "camelcase {input:?}");
        }
    }

    #[test]
    fn goutils_and_strings_title() {
        assert_eq!(swap_case("hello World  éa ǆx"), "HELLO wORLD  ÉA ǅX");
        assert_eq!(swap_case("Hello World 123"), "hELLO wORLD 123");
        assert_eq!(title("ǆa hello_world"), "ǅa Hello_world");
        assert_eq!(title("élan o'neil x-ray"), "Élan O'Neil X-Ray");
        assert_eq!(uncapitalize("ÉA  BB"), "éA  bB");
    }
}
