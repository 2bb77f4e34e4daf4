//! Template errors as Go produces them, and Helm's rewriting of them.
//!
//! Go's execution errors are chains (`error calling include: <inner error>`)
//! and Helm 4 parses that chain back out of the strings to print a
//! multi-line trace, or `execution error at (FILE:L:C): msg` for `fail` and
//! `required`. Keeping the chain as Go's exact strings lets us apply Helm's
//! algorithm literally and get byte-identical messages.

use std::fmt;

/// A Go error chain from template execution.
///
/// Each link's `Error()` text is the previous link's text minus a prefix
/// (`error calling include: <inner>`), so the chain is stored as those
/// prefixes: link `i` is `parts[i..].concat()`. This keeps deeply nested
/// failures (include recursion) linear in size.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecError {
    pub parts: Vec<String>,
}

impl ExecError {
    pub fn new(text: String) -> ExecError {
        ExecError { parts: vec![text] }
    }

    /// Prepends a link whose text is `prefix` followed by this error's text.
    pub fn wrap(mut self, prefix: String) -> ExecError {
        self.parts.insert(0, prefix);
        self
    }

    /// The outermost error text (Go's `err.Error()`).
    pub fn text(&self) -> String {
        self.parts.concat()
    }

    /// Link `i`'s text, cut after `limit` bytes of the following links
    /// (enough for the parsing Helm does on it).
    fn link_window(&self, i: usize, limit: usize) -> String {
        let mut s = self.parts[i].clone();
        let mut need = limit;
        for p in &self.parts[i + 1..] {
            let mut take = p.len().min(need);
            while !p.is_char_boundary(take) {
                take -= 1;
            }
            s.push_str(&p[..take]);
            need -= take;
            if need == 0 || take < p.len() {
                break;
            }
        }
        s
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            f.write_str(p)?;
        }
        Ok(())
    }
}

impl std::error::Error for ExecError {}

/// Errors of rendering a chart, displayed exactly as helm prints them after `Error: `.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RenderError {
    /// `parse error at (t/templates/x.yaml:3): unclosed action`
    #[error("{0}")]
    Parse(String),
    /// An execution error after Helm's reformatting.
    #[error("{0}")]
    Exec(String),
}

/// Markers Helm wraps `fail`/`required` messages in.
pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";

/// Helm's `cleanupParseError`.
pub fn helm_parse_error(filename: &str, go_error: &str) -> RenderError {
    let tokens: Vec<&str> = go_error.split(": ").collect();
    if tokens.len() == 1 {
        return RenderError::Parse(format!("parse error in ({filename}): {go_error}"));
    }
    let location = tokens[1];
    let msg = tokens[tokens.len() - 1];
    RenderError::Parse(format!("parse error at ({location}): {msg}"))
}

#[derive(Clone, PartialEq, Default)]
struct Traceable {
    location: String,
    message: String,
    executed_function: String,
}

impl Traceable {
    fn write(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executed_function.is_empty() {
            out.push_str(&self.executed_function);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

fn cut_template_suffix(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

fn parse_executing(rem: &str) -> Option<Traceable> {
    let (name, after) = rem.split_once(": executing ")?;
    let after_quote = after.strip_prefix('"')?;
    let end = after_quote.find('"')?;
    let function = &after_quote[..end];
    let after_func = &after_quote[end + 1..];
    let after_at = after_func.strip_prefix(" at <")?;
    let (loc_name, msg) = after_at.split_once(">: ")?;
    Some(Traceable {
        location: name.to_string(),
        message: cut_template_suffix(msg).to_string(),
        executed_function: format!("executing \"{function}\" at <{loc_name}>:"),
    })
}

fn parse_traceable(s: &str) -> Option<Traceable> {
    let rem = s.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some(Traceable {
            message: s.to_string(),
            ..Traceable::default()
        });
    }
    if let Some(t) = parse_executing(rem) {
        return Some(t);
    }
    let sep = rem.rfind(": ")?;
    Some(Traceable {
        location: rem[..sep].to_string(),
        message: cut_template_suffix(&rem[sep + 2..]).to_string(),
        executed_function: String::new(),
    })
}

/// Helm's `reformatExecErrorMsg`.
pub fn helm_exec_error(filename: &str, err: &ExecError) -> RenderError {
    let text = err.text();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return RenderError::Exec(format!("execution error in ({filename}): {text}"));
    }
    let location = tokens[1];
    if let Some(start) = tokens[2].find(WARN_START) {
        let body = &tokens[2][start + WARN_START.len()..];
        if let Some(end) = body.rfind(WARN_END) {
            return RenderError::Exec(format!("execution error at ({location}): {}", &body[..end]));
        }
    }
    // Helm gives up (and prints the one-line error) at the first link that
    // is not a template error; check that cheaply before parsing links.
    if err
        .parts
        .iter()
        .enumerate()
        .any(|(i, _)| !err.link_window(i, 16).starts_with("template: "))
    {
        return RenderError::Exec(text);
    }
    let mut traces: Vec<Traceable> = Vec::new();
    for i in 0..err.parts.len() {
        let link = if i + 1 == err.parts.len() {
            err.parts[i].clone()
        } else {
            err.link_window(i, 64)
        };
        match parse_traceable(&link) {
            Some(t) => {
                if traces.last() != Some(&t) {
                    traces.push(t);
                }
            }
            None => return RenderError::Exec(text),
        }
    }
    let mut out = String::new();
    for t in &traces {
        t.write(&mut out);
    }
    RenderError::Exec(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_cleanup() {
        let e = helm_parse_error(
            "t/templates/x.yaml",
            "template: t/templates/x.yaml:2: unclosed action started at t/templates/x.yaml:1",
        );
        assert_eq!(
            e.to_string(),
            "parse error at (t/templates/x.yaml:2): unclosed action started at t/templates/x.yaml:1"
        );
    }

    #[test]
    fn exec_error_multiline() {
        let t = "template: t/x.yaml:1:13: executing \"t/x.yaml\" at <.Values.a.b.c>: nil pointer evaluating interface {}.b";
        let e = ExecError::new(t.to_string());
        assert_eq!(
            helm_exec_error("t/x.yaml", &e).to_string(),
            "t/x.yaml:1:13\n  executing \"t/x.yaml\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b"
        );
        let e = ExecError::new("boom".into()).wrap(
            "template: t/x.yaml:1:6: executing \"t/x.yaml\" at <index 1>: error calling index: "
                .into(),
        );
        assert_eq!(
            helm_exec_error("t/x.yaml", &e).to_string(),
            "template: t/x.yaml:1:6: executing \"t/x.yaml\" at <index 1>: error calling index: boom"
        );
        let e = ExecError::new("template: t/x.yaml:1:6: executing \"t/x.yaml\" at <fail \"x\">: error calling fail: HELM_ERR_STARTxHELM_ERR_END".into());
        assert_eq!(
            helm_exec_error("t/x.yaml", &e).to_string(),
            "execution error at (t/x.yaml:1:6): x"
        );
    }
}
