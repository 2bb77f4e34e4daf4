//! Helm 4's log lines on stderr: Go `log/slog` text records without a time,
//! e.g. `level=INFO msg="warning: skipped value for t.a: Not a table."` or
//! `level=INFO msg="skipping unknown hooks" hookTypes=pre-install,bogus`.
//!
//! The library reports through a [`Logger`] callback; the CLI decides where
//! the formatted line goes.

use std::fmt;

/// slog levels as Helm prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One log record: a message and `key=value` attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub level: Level,
    pub msg: String,
    pub attrs: Vec<(String, String)>,
}

impl Record {
    pub fn new(level: Level, msg: impl Into<String>) -> Record {
        Record {
            level,
            msg: msg.into(),
            attrs: Vec::new(),
        }
    }

    pub fn attr(mut self, key: &str, value: impl Into<String>) -> Record {
        self.attrs.push((key.to_string(), value.into()));
        self
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "level={} msg={}",
            self.level.as_str(),
            text_value(&self.msg)
        )?;
        for (k, v) in &self.attrs {
            write!(f, " {}={}", text_value(k), text_value(v))?;
        }
        Ok(())
    }
}

/// Where log records go.
pub type Logger<'a> = dyn FnMut(Record) + 'a;

/// slog's text handler quoting: quoted (Go `strconv.Quote`) when empty or
/// containing spaces, `=`, `"`, control or non-printable characters.
fn text_value(s: &str) -> String {
    if needs_quoting(s) {
        crate::values::strvals::go_quote(s)
    } else {
        s.to_string()
    }
}

fn needs_quoting(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    s.chars().any(|c| {
        if c.is_ascii() {
            c != '\\' && (c == ' ' || c == '=' || c == '"' || c.is_ascii_control())
        } else {
            c.is_whitespace() || c.is_control()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_slog_text() {
        let r = Record::new(Level::Info, "warning: skipped value for t.a: Not a table.");
        assert_eq!(
            r.to_string(),
            r#"level=INFO msg="warning: skipped value for t.a: Not a table.""#
        );
        let r = Record::new(Level::Info, "skipping unknown hooks")
            .attr("hookTypes", "pre-install,bogus");
        assert_eq!(
            r.to_string(),
            r#"level=INFO msg="skipping unknown hooks" hookTypes=pre-install,bogus"#
        );
        assert_eq!(
            Record::new(Level::Warn, "x").to_string(),
            "level=WARN msg=x"
        );
    }
}
