//! go-yaml v2 loses an *empty* flow collection written as an implicit key
//! (`{}: 1`, `[ ]: 1`) past the document's first token (see
//! [`super::root_key_quirks`] for the first token).
//!
//! Opening `{` or `[` records a potential simple key under the collection's
//! token number, and the new flow level's placeholder carries the same
//! number. A collection with anything inside overwrites the placeholder; an
//! empty one closes with it, and closing deletes the entry by the
//! placeholder's number: the outer key's entry. The scanner then stops
//! looking ahead at the collection, the parser takes it for a node, and the
//! `KEY` token that the `:` produces later lands after it, where the parser
//! rejects it. yaml-rust2 reads such keys as YAML says, and go-yaml's
//! decoder would then report an `invalid map key`.
//!
//! The key survives when an enclosing flow collection on the same line is
//! itself still a potential key (it opened where a key may start: after
//! `[`, `{`, `,`, a block indicator or at the start of a line): the scanner
//! keeps reading ahead for that one, and the `KEY` token lands in place.

use yaml_rust2::scanner::Marker;

/// go-yaml's error (without `yaml: `) for the empty flow collection at
/// `key`, an implicit key of the innermost collection in `open` (the start
/// markers of the collections being composed, outermost first), or `None`
/// when go-yaml reads the key as yaml-rust2 does. `first_key`: no entry of
/// that mapping came before.
pub(crate) fn forgotten_key_error(
    src: &str,
    key: &Marker,
    open: &[Marker],
    first_key: bool,
) -> Option<String> {
    let chars: Vec<char> = src.chars().collect();
    let at = key.index();
    if !matches!(chars.get(at), Some('{' | '[')) {
        return None;
    }
    // `{` blanks `}` then `:`, all on one line: an implicit key.
    let close = skip_blanks(&chars, at + 1);
    if !matches!(chars.get(close), Some('}' | ']')) {
        return None;
    }
    if chars.get(skip_blanks(&chars, close + 1)) != Some(&':') {
        return None;
    }
    let is_flow_start = |m: &Marker| matches!(chars.get(m.index()), Some('{' | '['));
    for (depth, outer) in open.iter().enumerate() {
        let in_flow = open[..depth].iter().any(is_flow_start);
        if outer.index() < at
            && is_flow_start(outer)
            && outer.line() == key.line()
            && outer.index() + 1024 > close
            && key_may_start(&chars, outer.index(), in_flow)
        {
            return None;
        }
    }
    let current = open.last()?;
    let parent = open.len().checked_sub(2).map(|i| &open[i]);
    let char_of = |m: Option<&Marker>| m.and_then(|m| chars.get(m.index()).copied());
    let problem = if current.index() < at && char_of(Some(current)) == Some('{') {
        "did not find expected ',' or '}'"
    } else if current.index() == at && char_of(parent) == Some('[') {
        // A single-pair mapping inside a flow sequence.
        "did not find expected ',' or ']'"
    } else if first_key && char_of(parent) == Some('-') && !indentless(&chars, open) {
        "did not find expected '-' indicator"
    } else {
        "did not find expected key"
    };
    let line0 = key.line().saturating_sub(1);
    Some(if line0 == 0 {
        problem.to_string()
    } else {
        format!("line {line0}: {problem}")
    })
}

fn skip_blanks(chars: &[char], mut i: usize) -> usize {
    while matches!(chars.get(i), Some(' ' | '\t')) {
        i += 1;
    }
    i
}

/// Whether the block sequence holding the innermost mapping sits at its
/// parent mapping's column (`key:` / `- item`), which libyaml parses as an
/// indentless sequence that ends at the first token that is not `-`.
fn indentless(chars: &[char], open: &[Marker]) -> bool {
    match open {
        [.., grand, seq, _] => {
            let block_mapping = !matches!(chars.get(grand.index()), Some('-' | '[' | '{'));
            block_mapping && seq.col() == grand.col()
        }
        _ => false,
    }
}

/// Whether a simple key may start at `at`: the token before it (over blanks,
/// line breaks in flow context, and an anchor or tag of the same node) is
/// `[`, `{`, `,`, `-` or `?`, or `at` starts a line in block context.
fn key_may_start(chars: &[char], at: usize, in_flow: bool) -> bool {
    let mut i = at;
    loop {
        while i > 0 && matches!(chars[i - 1], ' ' | '\t') {
            i -= 1;
        }
        if i == 0 {
            return true;
        }
        match chars[i - 1] {
            '\n' | '\r' if !in_flow => return true,
            '\n' | '\r' => i -= 1,
            '[' | '{' | ',' | '-' | '?' => return true,
            _ => {
                // A property of the same node (`&a [`, `!!seq [`).
                let mut start = i - 1;
                while start > 0 && !matches!(chars[start - 1], ' ' | '\t' | '\n' | '\r') {
                    start -= 1;
                }
                if !matches!(chars[start], '&' | '!') {
                    return false;
                }
                i = start;
            }
        }
    }
}
