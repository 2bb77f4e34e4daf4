//! Translates yaml-rust2's syntax errors into go-yaml v2's wording and line
//! numbering, because Helm prints go-yaml's text verbatim
//! (`yaml: line 3: mapping values are not allowed in this context`).
//!
//! go-yaml (libyaml) reports a *scanner* error at `problem_mark.line + 1`
//! and a *parser* error at `problem_mark.line` (both 0-based marks, so a
//! parser error names the line before the offending token), falling back to
//! the context mark, and omits the line entirely when both are 0.

use yaml_rust2::ScanError;

pub(crate) struct GoSyntaxError {
    /// `line N: problem` or just `problem`.
    pub message: String,
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Stage {
    Scanner,
    Parser,
}

/// go-yaml's problem text, its stage, and how many lines go-yaml's problem
/// mark sits before (negative) or after yaml-rust2's mark.
fn translate(info: &str) -> (String, Stage) {
    use Stage::*;
    let (msg, stage) = match info {
        "mapping values are not allowed in this context" => (info, Scanner),
        "block sequence entries are not allowed in this context" => (info, Scanner),
        "simple key expect ':'" | "simple key expected" => {
            ("could not find expected ':'", Scanner)
        }
        "while parsing a block mapping, did not find expected key" => {
            ("did not find expected key", Parser)
        }
        "while parsing a block collection, did not find expected '-' indicator" => {
            ("did not find expected '-' indicator", Parser)
        }
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("did not find expected ',' or ']'", Parser)
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            ("did not find expected ',' or '}'", Parser)
        }
        "while parsing a node, did not find expected node content" => {
            ("did not find expected node content", Parser)
        }
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            ("did not find expected <document start>", Parser)
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            ("found unexpected end of stream", Scanner)
        }
        "while parsing a quoted scalar, found unknown escape character" => {
            ("found unknown escape character", Scanner)
        }
        "tabs disallowed within this context (block indentation)" => {
            ("found character that cannot start any token", Scanner)
        }
        "the handle wasn't declared" => ("found undefined tag handle", Parser),
        "invalid trailing content after double-quoted scalar" => {
            ("mapping values are not allowed in this context", Scanner)
        }
        "while scanning a plain scalar, found a tab"
        | "tab cannot be used as indentation" => {
            ("found a tab character that violates indentation", Scanner)
        }
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character" => {
            ("did not find expected alphabetic or numeric character", Scanner)
        }
        "invalid indentation" => ("did not find expected key", Parser),
        other if other.starts_with("unexpected character") => {
            ("found character that cannot start any token", Scanner)
        }
        other => {
            let stripped = match other.split_once(", ") {
                Some((ctx, rest)) if ctx.starts_with("while ") => rest,
                _ => other,
            };
            return (stripped.to_string(), Scanner);
        }
    };
    (msg.to_string(), stage)
}

/// The innermost `[` or `{` still open at char index `end`.
fn innermost_open_flow(src: &str, end: usize) -> Option<char> {
    scan_state(src, end).0
}

/// The anchor or alias name at a char index of `src`.
fn name_at(src: &str, index: usize) -> String {
    src.chars()
        .skip(index)
        .skip_while(|c| *c == '*' || *c == '&')
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

pub(crate) fn go_syntax_error(src: &str, e: &ScanError) -> GoSyntaxError {
    if e.info() == "while parsing node, found unknown anchor" {
        // go-yaml's composer reports this without a position.
        return GoSyntaxError {
            message: format!(
                "unknown anchor '{}' referenced",
                name_at(src, e.marker().index())
            ),
        };
    }
    if matches!(e.info(), "simple key expect ':'" | "simple key expected") {
        if let Some(err) = forgotten_empty_flow_key(src, e.marker().index()) {
            return err;
        }
    }
    let (mut problem, mut stage) = translate(e.info());
    if matches!(
        e.info(),
        "illegal placement of ':' indicator"
            | "invalid indentation in flow construct"
            | "while parsing a flow mapping, did not find expected ',' or '}'"
    ) {
        // libyaml keeps reading the unclosed flow collection and its parser
        // then misses the separator of the innermost open bracket.
        if let Some(open) = innermost_open_flow(src, e.marker().index()) {
            problem = format!(
                "did not find expected ',' or '{}'",
                if open == '[' { ']' } else { '}' }
            );
            stage = Stage::Parser;
        }
    }
    // yaml-rust2 lines are 1-based; go-yaml's marks are 0-based.
    let mut line0 = e.marker().line().saturating_sub(1);
    if e.info() == "invalid trailing content after double-quoted scalar" {
        let idx = e.marker().index();
        let next = src.chars().skip(idx).find(|c| *c != ' ' && *c != '\t');
        match next {
            Some(q @ ('"' | '\'')) if !quote_closes(src, idx, q) => {
                // A second quoted scalar that never ends: libyaml's scanner
                // runs to the end of the input.
                let eof_line = src.matches('\n').count();
                return finish(
                    eof_line,
                    Stage::Scanner,
                    "found unexpected end of stream".to_string(),
                );
            }
            Some(':') | None => {}
            Some('@' | '`' | '%') => {
                problem = "found character that cannot start any token".to_string();
                stage = Stage::Scanner;
            }
            Some(_) => {
                if let Some(err) = stale_required_quoted_key(src, idx) {
                    return err;
                }
                // Another node after the value: the block mapping parser
                // wanted a key there.
                problem = "did not find expected key".to_string();
                stage = Stage::Parser;
            }
        }
    }
    if e.info() == "invalid indentation in quoted scalar" {
        // yaml-rust2 checks continuation-line indentation, libyaml does not;
        // when the scalar never closes libyaml runs to the end of input.
        if let Some((at, q)) = opening_quote_before(src, e.marker().index()) {
            if let Some((close_line0, rest)) = quote_close_rest(src, at, q) {
                let rest = rest.trim();
                if !rest.is_empty() && !rest.starts_with(':') && !rest.starts_with('#') {
                    // More text after the (late) closing quote: the block
                    // mapping parser wanted a key there.
                    return finish(
                        close_line0,
                        Stage::Parser,
                        "did not find expected key".to_string(),
                    );
                }
            }
            if !quote_closes(src, at, q) {
                let eof_line = src.matches('\n').count();
                return finish(
                    eof_line,
                    Stage::Scanner,
                    "found unexpected end of stream".to_string(),
                );
            }
        }
    }
    if e.info() == "simple key expected" {
        let rest: String = src.chars().skip(e.marker().index()).collect();
        if rest
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            // Detected at the end of the stream, whose mark libyaml puts on
            // a fresh line after unterminated last line.
            let nl = src.matches('\n').count();
            line0 = if src.ends_with('\n') || src.is_empty() {
                nl
            } else {
                nl + 1
            };
        }
    }
    if e.info() == "while scanning a plain scalar, found a tab" {
        // libyaml reports the continuation line holding the tab.
        line0 += 1;
    }
    if problem == "found unexpected end of stream" {
        // libyaml's mark sits at the very end of the input.
        line0 = src.matches('\n').count();
    }
    finish(line0, stage, problem)
}

/// go-yaml v2 forgets the potential simple key of an empty flow collection
/// (closing it deletes the key's entry by the collection's own token number),
/// so a `{}` or `[]` alone where a key is required reaches the parser, which
/// reports it at its line instead of the scanner's `could not find expected ':'`.
/// `end` is where yaml-rust2 gave up on the key (the next line).
fn forgotten_empty_flow_key(src: &str, end: usize) -> Option<GoSyntaxError> {
    let before: String = src.chars().take(end).collect();
    let lines: Vec<&str> = before.split('\n').collect();
    let is_content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let key_line0 = lines.iter().rposition(|l| is_content(l))?;
    let line = lines[key_line0];
    let body = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    // Whatever follows the collection on its line is never scanned: the
    // parser fails on the collection's first token.
    let squeezed: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if !squeezed.starts_with("{}") && !squeezed.starts_with("[]") {
        return None;
    }
    let col = line.len() - line.trim_start_matches(' ').len();
    let indent_of = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let is_entry = |l: &str| {
        let t = l.trim_start_matches(' ');
        t == "-" || t.starts_with("- ")
    };
    // The parser state at that column: a block sequence wants `-`; a mapping
    // (also one holding an indentless sequence at its own column) wants a key.
    // Right after a key with no value on its line, the collection is that
    // key's value and the scanner's error stands.
    if let Some(prev) = lines[..key_line0].iter().rev().find(|l| is_content(l)) {
        let value_due = match prev.find(" #") {
            Some(i) => &prev[..i],
            None => prev,
        }
        .trim_end()
        .ends_with(':');
        let mut key = prev.trim_start_matches(' ');
        while let Some(rest) = key.strip_prefix("- ") {
            key = rest.trim_start_matches(' ');
        }
        if value_due && prev.len() - key.len() == col {
            return None;
        }
    }
    let mut in_sequence = false;
    for l in lines[..key_line0].iter().rev().filter(|l| is_content(l)) {
        let indent = indent_of(l);
        if indent < col {
            break;
        }
        if indent > col {
            continue;
        }
        if !is_entry(l) {
            in_sequence = false;
            break;
        }
        in_sequence = true;
    }
    let problem = if in_sequence {
        "did not find expected '-' indicator"
    } else {
        "did not find expected key"
    };
    Some(finish(key_line0, Stage::Parser, problem.to_string()))
}

/// A double-quoted scalar that starts its line at the column of the block
/// around it is a *required* key for libyaml. With more text after it and
/// no `:` on the line, the key goes stale where the scanner finds the next
/// token (a later line, or the end of the input), and libyaml reports it
/// there. `trailing` is the char index yaml-rust2 stopped at, after the
/// closing quote.
fn stale_required_quoted_key(src: &str, trailing: usize) -> Option<GoSyntaxError> {
    let at = src
        .char_indices()
        .nth(trailing)
        .map_or(src.len(), |(b, _)| b);
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
    let line = &src[line_start..line_end];
    let column = line.len() - line.trim_start_matches(' ').len();
    if !line[column..].starts_with('"') {
        return None;
    }
    let close = super::root_key_quirks::quoted_len(&line[column..], '"')?;
    let scalar_end = line_start + column + close + 1;
    if scalar_end > at {
        return None;
    }
    if super::root_key_quirks::value_indicator_follows(src, scalar_end) {
        return None;
    }
    // The block around it: the nearest earlier line with content at this
    // column or less (lines indented further belong to deeper nodes, block
    // scalars included).
    let before = &src[..line_start];
    let enclosing = before
        .split('\n')
        .rev()
        .filter(|l| {
            let t = l.trim_start_matches(' ');
            !t.is_empty() && !t.starts_with('#')
        })
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .find(|indent| *indent <= column)?;
    if enclosing != column {
        return None;
    }
    let mut next_line0 = before.matches('\n').count() + 1;
    for l in src[line_end..].split('\n').skip(1) {
        let t = l.trim_start_matches([' ', '\t']);
        if !t.is_empty() && !t.starts_with('#') {
            break;
        }
        next_line0 += 1;
    }
    let next_line0 = next_line0.min(src.matches('\n').count());
    Some(finish(
        next_line0,
        Stage::Scanner,
        "could not find expected ':'".to_string(),
    ))
}

/// go-yaml's `line N: ` prefix from a 0-based mark line.
pub(crate) fn finish(line0: usize, stage: Stage, problem: String) -> GoSyntaxError {
    let line = match stage {
        Stage::Scanner if line0 != 0 => line0 + 1,
        Stage::Parser => line0,
        _ => 0,
    };
    let message = if line != 0 {
        format!("line {line}: {problem}")
    } else {
        problem
    };
    GoSyntaxError { message }
}

/// The last quote before char index `end` that can open a scalar (it
/// follows whitespace or a flow indicator), with its index.
fn opening_quote_before(src: &str, end: usize) -> Option<(usize, char)> {
    let mut found = None;
    let mut prev = '\n';
    for (i, c) in src.chars().take(end + 1).enumerate() {
        if (c == '"' || c == '\'') && matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',') {
            found = Some((i, c));
        }
        prev = c;
    }
    found
}

/// A `...` (document end) before the first document: libyaml starts an
/// implicit document there and finds no content in it, so go-yaml fails
/// ("did not find expected node content", at the line of the `...`) where
/// yaml-rust2 skips the marker. Only blank and comment lines may precede it.
pub(crate) fn leading_document_end(src: &str) -> Option<String> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    for (line0, line) in src.split('\n').enumerate() {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body == "\r" || body.starts_with('#') {
            continue;
        }
        let marker = line
            .strip_prefix("...")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']));
        if !marker {
            return None;
        }
        let problem = "did not find expected node content".to_string();
        return Some(finish(line0, Stage::Parser, problem).message);
    }
    None
}

/// libyaml never accepts a tab as the first character of a line in block
/// context (outside flow collections and quoted scalars); yaml-rust2 does.
/// Returns go-yaml's message for the first such line.
pub(crate) fn leading_tab_error(src: &str) -> Option<String> {
    if !src.contains("\n\t") && !src.starts_with('\t') {
        return None;
    }
    // One pass with the same quote/flow tracking as `scan_state`.
    let lines: Vec<&str> = src.split('\n').collect();
    let mut stack: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut prev_content: Option<&str> = None;
    for (n, line) in lines.iter().enumerate() {
        if line.starts_with('\t') && stack.is_empty() && quote.is_none() {
            let plain_continues = prev_content.is_some_and(ends_with_plain_value);
            let problem = if plain_continues {
                "found a tab character that violates indentation"
            } else {
                "found character that cannot start any token"
            };
            return Some(finish(n, Stage::Scanner, problem.to_string()).message);
        }
        let mut prev = '\n';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                Some(q) => {
                    let escape = (c == '\\' && q == '"')
                        || (c == '\'' && q == '\'' && chars.peek() == Some(&'\''));
                    if escape {
                        chars.next();
                    } else if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '#' if matches!(prev, ' ' | '\t' | '\n') => break,
                    '"' | '\'' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',') => {
                        quote = Some(c)
                    }
                    '[' | '{' => stack.push(c),
                    ']' | '}' => {
                        stack.pop();
                    }
                    _ => {}
                },
            }
            prev = c;
        }
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            prev_content = Some(line);
        }
    }
    None
}

/// Whether a line ends in a plain scalar that the next line could continue.
fn ends_with_plain_value(line: &str) -> bool {
    let t = line.trim();
    let value = match t.split_once(": ") {
        Some((_, v)) => v.trim(),
        None => t.strip_prefix("- ").unwrap_or(t).trim(),
    };
    !value.is_empty()
        && !t.ends_with(':')
        && !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '#'])
}

/// Flow/quote state at char index `end`: the innermost open bracket and
/// whether a quoted scalar is open.
fn scan_state(src: &str, end: usize) -> (Option<char>, bool) {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut chars = src.chars().take(end).peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' && q == '"' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' if matches!(prev, ' ' | '\t' | '\n') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                    prev = '\n';
                    continue;
                }
                '"' | '\'' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',') => {
                    quote = Some(c)
                }
                '[' | '{' => stack.push(c),
                ']' | '}' => {
                    stack.pop();
                }
                _ => {}
            },
        }
        prev = c;
    }
    (stack.pop(), quote.is_some())
}

/// libyaml treats tabs that start a continuation line of a quoted scalar
/// as ordinary whitespace; yaml-rust2 rejects them as indentation. Replace
/// them by spaces (same width, same meaning) before parsing.
pub(crate) fn untab_quoted_continuations(src: &str) -> Option<String> {
    if !src.contains('\t') {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut at_line_start = false;
    let mut changed = false;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        if at_line_start && quote.is_some() && c == '\t' {
            out.push(' ');
            changed = true;
            prev = ' ';
            continue;
        }
        at_line_start = at_line_start && (c == ' ' || c == '\t');
        out.push(c);
        match quote {
            Some(q) => {
                let escape = (c == '\\' && q == '"')
                    || (c == '\'' && q == '\'' && chars.peek() == Some(&'\''));
                if escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' if matches!(prev, ' ' | '\t' | '\n') => {
                    while let Some(&n) = chars.peek() {
                        if n == '\n' {
                            break;
                        }
                        out.push(n);
                        chars.next();
                    }
                }
                '"' | '\'' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',') => {
                    quote = Some(c)
                }
                _ => {}
            },
        }
        if c == '\n' {
            at_line_start = true;
        }
        prev = c;
    }
    changed.then_some(out)
}

/// Where the quoted scalar opening at char index `from` (quote `q`) closes
/// as libyaml scans it: the 0-based line of the closing quote and the rest
/// of that line after it.
fn quote_close_rest(src: &str, from: usize, q: char) -> Option<(usize, String)> {
    let chars: Vec<char> = src.chars().collect();
    let mut line0 = chars[..from.min(chars.len())]
        .iter()
        .filter(|c| **c == '\n')
        .count();
    let mut i = from + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line0 += 1;
        } else if q == '"' && c == '\\' {
            i += 1;
        } else if c == q {
            if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            let rest: String = chars[i + 1..].iter().take_while(|c| **c != '\n').collect();
            return Some((line0, rest));
        }
        i += 1;
    }
    None
}

/// Whether a quoted scalar opening at or after char index `from` (its quote
/// is `q`) has a closing quote anywhere later, as libyaml scans it
/// (indentation is not checked; `\"` and `''` are escapes).
fn quote_closes(src: &str, from: usize, q: char) -> bool {
    let mut chars = src
        .chars()
        .skip(from)
        .skip_while(|c| *c != q)
        .skip(1)
        .peekable();
    while let Some(c) = chars.next() {
        if q == '"' && c == '\\' {
            chars.next();
        } else if c == q {
            if q == '\'' && chars.peek() == Some(&'\'') {
                chars.next();
                continue;
            }
            return true;
        }
    }
    false
}

/// Finds the first quoted scalar that yaml-rust2 rejects for the indentation
/// of its continuation lines and returns `src` with those lines indented past
/// the opening quote's column. `None` when there is no such scalar or it never
/// closes (then the original error stands).
pub(crate) fn indent_quoted_continuations(src: &str) -> Option<String> {
    let mut parser = yaml_rust2::parser::Parser::new_from_str(src);
    let at = loop {
        match parser.next_token() {
            Ok((yaml_rust2::parser::Event::StreamEnd, _)) => return None,
            Ok(_) => continue,
            Err(e) if e.info() == "invalid indentation in quoted scalar" => {
                break e.marker().index()
            }
            Err(_) => return None,
        }
    };
    let chars: Vec<char> = src.chars().collect();
    let q = *chars.get(at)?;
    if q != '"' && q != '\'' {
        return None;
    }
    let line_start = chars[..at]
        .iter()
        .rposition(|c| *c == '\n')
        .map_or(0, |i| i + 1);
    let pad = " ".repeat(at - line_start + 1);
    let mut out: String = chars[..=at].iter().collect();
    let mut i = at + 1;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        if c == '\n' {
            out.push_str(&pad);
        } else if q == '"' && c == '\\' {
            if let Some(n) = chars.get(i + 1) {
                out.push(*n);
                if *n == '\n' {
                    out.push_str(&pad);
                }
            }
            i += 1;
        } else if c == q {
            if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            out.extend(&chars[i + 1..]);
            return Some(out);
        }
        i += 1;
    }
    None
}
