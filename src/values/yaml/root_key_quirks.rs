//! go-yaml v2's bookkeeping of the *potential simple key* at a document's
//! first token, where it decides differently from a YAML grammar (and from
//! yaml-rust2). A token that may start a key (`{`, `[`, a quoted scalar at
//! the start of a line) holds the parser back until the scanner has seen
//! whether a `:` follows on the same line; go-yaml's `Unmarshal` reads only
//! the first document, so what it never scans it never rejects.
//!
//! - **A flow collection closed on its line** (`{}x: 1`, `[]: 1`). When the
//!   collection is empty, closing it deletes the key's entry (the flow
//!   level's placeholder carries the same token number), so the parser takes
//!   the collection as the whole document and looks only at the next token.
//!   After `--- ` on the same line the collection was never a possible key
//!   at all, empty or not. Either way the document is the collection, as
//!   long as scanning that next token does not fail.
//! - **A double-quoted scalar followed by more on its line** (`"a" x: 1`).
//!   Its key stays possible until the end of the line: a `:` there makes
//!   it a mapping key, and the parser then fails on the token after it.

use super::syntax_error::{finish, Stage};

/// The first line of `src` that holds a token: not blank, not a comment,
/// not a directive. With its 0-based number and byte offset.
fn first_token_line(src: &str) -> Option<(usize, usize, &str)> {
    let mut offset = 0;
    for (line0, line) in src.split('\n').enumerate() {
        let body = line.trim_start_matches([' ', '\t']);
        let skip = body.is_empty() || body.starts_with('#') || body.starts_with('%');
        if !skip {
            return Some((line0, offset, line));
        }
        offset += line.len() + 1;
    }
    None
}

/// The bytes of one line of `text` that give it structure, with their
/// offsets: those outside quoted scalars, up to a comment. A quoted scalar
/// that does not close on the line ends the walk.
fn outside_quotes(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let at = i;
        let b = *bytes.get(at)?;
        match b {
            b'"' | b'\'' if opens_scalar(bytes, at) => {
                i = at + quoted_len(&text[at..], b as char)? + 1;
            }
            b'#' if at > 0 && matches!(bytes[at - 1], b' ' | b'\t') => return None,
            _ => i = at + 1,
        }
        Some((at, b))
    })
}

/// Byte index just past the bracket that closes the flow collection
/// opening at `text[0]`, when it closes on this line.
fn flow_close(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in outside_quotes(text) {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the quote at `bytes[i]` opens a quoted scalar rather than
/// sitting inside a plain one.
fn opens_scalar(bytes: &[u8], i: usize) -> bool {
    i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':')
}

/// Length (minus one) of the quoted scalar opening at `text[0]`, when it
/// closes on this line: the offset of its closing quote.
pub(crate) fn quoted_len(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && text[i + 1..].starts_with('\'') => {
                chars.next();
            }
            c if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

fn blank_or_end(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | '\t' | '\r'))
}

/// What go-yaml's scanner makes of the token that starts `rest`, right
/// after a root flow collection.
enum NextToken {
    /// Scanned without an error.
    Scans,
    /// A value indicator with no possible key before it: go-yaml's error.
    MappingValue,
    /// Something this module does not follow (a block entry or explicit
    /// key, anchors, tags, aliases, quoted and block scalars, which may
    /// fail in ways of their own): left to the full parse.
    Unknown,
}

/// `key_pending`: the collection is still a possible key, so a `:`
/// completes it instead of being refused.
fn next_token(rest: &str, key_pending: bool) -> NextToken {
    let mut chars = rest.chars();
    let first = chars.next();
    let second = chars.next();
    match first {
        None | Some(',' | '[' | ']' | '{' | '}') => NextToken::Scans,
        Some(':') if blank_or_end(second) => match key_pending {
            true => NextToken::Scans,
            false => NextToken::MappingValue,
        },
        Some('-' | '?') if blank_or_end(second) => NextToken::Unknown,
        Some('-' | '?' | ':') => NextToken::Scans,
        Some('\'' | '"' | '|' | '>' | '%' | '@' | '`' | '&' | '*' | '!') => NextToken::Unknown,
        Some(_) => NextToken::Scans,
    }
}

/// What go-yaml reads as the first document when its root is a flow
/// collection followed by more on the same line (see the module docs):
/// `src` up to the closing bracket, or the scanner's error on the token
/// after it. `None` when that quirk does not apply.
pub(crate) fn flow_root(src: &str) -> Option<Result<&str, String>> {
    let (line0, offset, line) = first_token_line(src)?;
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut start = offset + indent;
    let mut after_marker = false;
    if let Some(rest) = line[indent..].strip_prefix("---") {
        if indent != 0 || !rest.starts_with([' ', '\t']) {
            return None;
        }
        let body = rest.trim_start_matches([' ', '\t']);
        after_marker = true;
        start = offset + line.len() - body.len();
    }
    let text = &src[start..offset + line.len()];
    if !text.starts_with(['{', '[']) {
        return None;
    }
    let close = flow_close(text)?;
    let inside = &text[1..close - 1];
    let empty = inside.trim_matches([' ', '\t']).is_empty();
    if !after_marker && !empty {
        return None;
    }
    let rest = text[close..].trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('#') || rest == "\r" {
        return None;
    }
    match next_token(rest, !after_marker) {
        NextToken::Scans => Some(Ok(&src[..start + close])),
        NextToken::MappingValue => Some(Err(finish(
            line0,
            Stage::Scanner,
            "mapping values are not allowed in this context".to_string(),
        )
        .message)),
        NextToken::Unknown => None,
    }
}

/// For a root double-quoted scalar that ends at byte `end` of `src` with
/// more text on its line: go-yaml's error when a `:` later on that line
/// makes the scalar a mapping key (the parser then finds the token after
/// the scalar where it wants `:`). `None` when no such `:` follows.
pub(crate) fn quoted_root_key_error(src: &str, end: usize) -> Option<String> {
    value_indicator_follows(src, end).then(|| {
        let line0 = src[..end].matches('\n').count();
        finish(
            line0,
            Stage::Parser,
            "did not find expected key".to_string(),
        )
        .message
    })
}

/// Whether a block value indicator (`:` then a blank or the line's end,
/// outside quotes and flow collections, before a comment) follows byte
/// `end` of `src` on its line.
pub(crate) fn value_indicator_follows(src: &str, end: usize) -> bool {
    let line_end = src[end..].find('\n').map_or(src.len(), |i| end + i);
    let rest = &src[end..line_end];
    let mut depth = 0usize;
    for (i, b) in outside_quotes(rest) {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 && blank_or_end(rest[i + 1..].chars().next()) => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_flow_roots_end_the_document() {
        let prefix = |src| flow_root(src).and_then(Result::ok);
        assert_eq!(prefix("{}x: 1\n"), Some("{}"));
        assert_eq!(prefix("# c\n  [ ] : 1\n"), Some("# c\n  [ ]"));
        assert_eq!(prefix("{}---apiVersion: v1\nkind: A\n"), Some("{}"));
        assert_eq!(prefix("--- {a: 1}x: 1\n"), Some("--- {a: 1}"));
        assert_eq!(
            flow_root("# c\n--- {}: 1\n"),
            Some(Err(
                "line 2: mapping values are not allowed in this context".to_string()
            ))
        );
        // Not the quirk: nothing after, a comment, a key kept alive by the
        // content, a next token not followed here, a multi-line collection.
        assert_eq!(flow_root("{}\nx: 1\n"), None);
        assert_eq!(flow_root("{} # c\n"), None);
        assert_eq!(flow_root("{a: 1}x: 1\n"), None);
        assert_eq!(flow_root("{} - a\n"), None);
        assert_eq!(flow_root("{\n}x\n"), None);
        assert_eq!(flow_root("a: {}x\n"), None);
    }

    #[test]
    fn a_colon_after_a_quoted_root_makes_it_a_key() {
        let src = "\"a\" x: 1\n";
        assert_eq!(
            quoted_root_key_error(src, 3).as_deref(),
            Some("did not find expected key")
        );
        let src = "# c\n\"a\" 'b: c' d: 1\n";
        assert_eq!(
            quoted_root_key_error(src, 7).as_deref(),
            Some("line 1: did not find expected key")
        );
        assert_eq!(quoted_root_key_error("\"a\" x\ny: 1\n", 3), None);
        assert_eq!(quoted_root_key_error("\"a\" x #: 1\n", 3), None);
        assert_eq!(quoted_root_key_error("\"a\" {b: 1}\n", 3), None);
    }
}
