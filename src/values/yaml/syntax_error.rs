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
enum Stage {
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
        "simple key expect ':'" => ("could not find expected ':'", Scanner),
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
    let (problem, stage) = translate(e.info());
    // yaml-rust2 lines are 1-based; go-yaml's marks are 0-based.
    let mut line0 = e.marker().line().saturating_sub(1);
    if problem == "found unexpected end of stream" {
        // libyaml's mark sits at the very end of the input.
        line0 = src.matches('\n').count();
    }
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
