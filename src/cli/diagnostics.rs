//! Extra error output shown after helm's `Error:` line (with `--debug`).

use std::fmt;

/// An error whose first line is helm's message, followed on stderr by a
/// source snippet pointing at the failing template action.
#[derive(Debug)]
pub struct WithSnippet {
    pub error: anyhow::Error,
    pub snippet: String,
}

impl fmt::Display for WithSnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for WithSnippet {}

/// Wraps `error` with the snippet of the template position it names, when
/// `debug` is on and the chart has that template.
pub fn with_template_snippet(
    error: anyhow::Error,
    chart: &rudder::chart::Chart,
    debug: bool,
) -> anyhow::Error {
    if !debug {
        return error;
    }
    match rudder::render::diagnostic::snippet_for_error(chart, &error.to_string()) {
        Some(snippet) => WithSnippet { error, snippet }.into(),
        None => error,
    }
}
