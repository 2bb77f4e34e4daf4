//! Source snippets for template errors (`--debug`).
//!
//! Helm's error lines name a template and a position (`parse error at
//! (c/templates/x.yaml:3): ...`, `execution error at (c/templates/x.yaml:1:6):
//! ...`, Go's `template: c/templates/x.yaml:4:12: executing ...`). The first
//! line must stay exactly helm's, so the snippet is extra output: it shows the
//! innermost named position (the failing action, even inside a helper) with
//! its source line and a caret under the column.

use crate::chart::Chart;

/// A position named by an error message: template name, 1-based line, and
/// 1-based column when the message has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub template: String,
    pub line: usize,
    pub column: Option<usize>,
}

/// The innermost template position an error message names, if any.
pub fn innermost_location(message: &str) -> Option<Location> {
    let mut found = None;
    for (i, _) in message.match_indices("templates/") {
        // Walk back to the start of the template name.
        let start = message[..i]
            .rfind(['(', ' ', '\n', '"'])
            .map_or(0, |p| p + 1);
        let rest = &message[start..];
        if let Some(loc) = parse_location(rest) {
            found = Some(loc);
        }
    }
    found
}

/// Parses `NAME:LINE[:COL]` at the start of `s`.
fn parse_location(s: &str) -> Option<Location> {
    let mut parts = s.splitn(4, ':');
    let template = parts.next()?.to_string();
    let line = leading_number(parts.next()?)?;
    let column = parts.next().and_then(leading_number);
    Some(Location {
        template,
        line,
        column,
    })
}

fn leading_number(s: &str) -> Option<usize> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n: &usize| *n > 0)
}

/// The source of a template by its engine name (`parent/charts/sub/templates/x.yaml`).
pub fn template_source(chart: &Chart, name: &str) -> Option<String> {
    let rest = name.strip_prefix(chart.name())?.strip_prefix('/')?;
    if let Some(sub_path) = rest.strip_prefix("charts/") {
        return chart.dependencies.iter().find_map(|sub| {
            let inner = sub_path.strip_prefix(sub.name())?.strip_prefix('/')?;
            template_source(sub, &format!("{}/{inner}", sub.name()))
        });
    }
    chart
        .templates
        .iter()
        .find(|t| t.name == rest)
        .map(|t| String::from_utf8_lossy(&t.data).into_owned())
}

/// A rustc-style snippet for `loc` in `source`:
///
/// ```text
///   --> c/templates/x.yaml:3:12
///    |
///  3 | name: {{ .Values.a.b }}
///    |            ^
/// ```
pub fn render_snippet(loc: &Location, source: &str) -> Option<String> {
    let text = source.lines().nth(loc.line - 1)?;
    let caret_col = match loc.column {
        Some(c) => c,
        None => text.chars().take_while(|c| c.is_whitespace()).count() + 1,
    };
    // Go counts columns in bytes; place the caret under the same byte.
    let prefix_width = text
        .char_indices()
        .take_while(|(i, _)| *i < caret_col.saturating_sub(1))
        .count();
    let gutter = loc.line.to_string().len();
    let position = match loc.column {
        Some(c) => format!("{}:{}:{c}", loc.template, loc.line),
        None => format!("{}:{}", loc.template, loc.line),
    };
    Some(format!(
        "{pad}--> {position}\n{pad} |\n{line} | {text}\n{pad} | {space}^\n",
        pad = " ".repeat(gutter),
        line = loc.line,
        space = " ".repeat(prefix_width),
    ))
}

/// The snippet for an error message against a chart tree, if the message
/// names a template of that tree.
pub fn snippet_for_error(chart: &Chart, message: &str) -> Option<String> {
    let loc = innermost_location(message)?;
    let source = template_source(chart, &loc.template)?;
    render_snippet(&loc, &source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_innermost_location() {
        let msg = "template: c/templates/a.yaml:2:3: executing \"c/templates/a.yaml\" at <include \"x\" .>: \
                   error calling include: template: c/templates/_h.tpl:5:9: executing \"x\" at <.a.b>: nil pointer";
        let loc = innermost_location(msg).unwrap();
        assert_eq!(
            loc,
            Location {
                template: "c/templates/_h.tpl".into(),
                line: 5,
                column: Some(9)
            }
        );
    }

    #[test]
    fn parse_errors_have_no_column() {
        let loc =
            innermost_location("parse error at (c/templates/x.yaml:3): unclosed action").unwrap();
        assert_eq!(
            loc,
            Location {
                template: "c/templates/x.yaml".into(),
                line: 3,
                column: None
            }
        );
    }

    #[test]
    fn caret_sits_under_the_column() {
        let loc = Location {
            template: "c/templates/x.yaml".into(),
            line: 2,
            column: Some(7),
        };
        let s = render_snippet(&loc, "a: 1\nname: {{ .Values.a.b }}\n").unwrap();
        assert_eq!(
            s,
            " --> c/templates/x.yaml:2:7\n  |\n2 | name: {{ .Values.a.b }}\n  |       ^\n"
        );
    }

    #[test]
    fn no_location_no_snippet() {
        assert_eq!(
            innermost_location("values don't meet the specifications"),
            None
        );
        let loc = Location {
            template: "t".into(),
            line: 9,
            column: None,
        };
        assert_eq!(render_snippet(&loc, "one line"), None);
    }
}
