//! Progress of parallel index downloads (`repo update`). helm prints one
//! result line per repository; on a terminal rudder also keeps a status
//! line under them (how many are done, which are still running) and
//! erases it at the end, so the lines left on screen are helm's. When
//! stdout is not a terminal only the result lines are written, byte for
//! byte as helm.

use std::io::Write;
use std::sync::Mutex;

/// Where `repo update` reports its per-repository results.
pub trait UpdateReporter: Sync {
    /// A download started.
    fn started(&self, name: &str);
    /// A download ended; `line` is helm's result text for it.
    fn finished(&self, name: &str, line: &str);
    /// Every download ended: remove anything transient.
    fn done(&self);
}

/// Result lines only (stdout is a pipe or a file).
pub struct PlainReporter;

impl UpdateReporter for PlainReporter {
    fn started(&self, _name: &str) {}

    fn finished(&self, _name: &str, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }

    fn done(&self) {}
}

/// Result lines plus a status line redrawn in place.
pub struct TtyReporter {
    state: Mutex<TtyState>,
}

struct TtyState {
    total: usize,
    finished: usize,
    running: Vec<String>,
}

impl TtyReporter {
    pub fn new(total: usize) -> TtyReporter {
        TtyReporter {
            state: Mutex::new(TtyState {
                total,
                finished: 0,
                running: Vec::new(),
            }),
        }
    }
}

/// The status text for `state`, e.g. `[1/3] fetching bitnami, stable`.
fn status_text(state: &TtyState) -> String {
    let mut s = format!(
        "[{}/{}] fetching {}",
        state.finished,
        state.total,
        state.running.join(", ")
    );
    if s.chars().count() > 78 {
        s = s.chars().take(75).collect::<String>() + "...";
    }
    s
}

/// Clears the current terminal line.
const CLEAR: &str = "\r\x1b[2K";

impl UpdateReporter for TtyReporter {
    fn started(&self, name: &str) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        st.running.push(name.to_string());
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{CLEAR}{}", status_text(&st));
        let _ = out.flush();
    }

    fn finished(&self, name: &str, line: &str) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        st.finished += 1;
        if let Some(i) = st.running.iter().position(|n| n == name) {
            st.running.remove(i);
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{CLEAR}{line}");
        if !st.running.is_empty() {
            let _ = write!(out, "{}", status_text(&st));
        }
        let _ = out.flush();
    }

    fn done(&self) {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{CLEAR}");
        let _ = out.flush();
    }
}

/// The reporter for this process's stdout.
pub fn for_stdout(total: usize) -> Box<dyn UpdateReporter> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        Box::new(TtyReporter::new(total))
    } else {
        Box::new(PlainReporter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_running_repositories_and_is_bounded() {
        let mut st = TtyState {
            total: 3,
            finished: 1,
            running: vec!["a".into(), "b".into()],
        };
        assert_eq!(status_text(&st), "[1/3] fetching a, b");
        st.running = vec!["x".repeat(100)];
        let s = status_text(&st);
        assert_eq!(s.chars().count(), 78);
        assert!(s.ends_with("..."));
    }
}
