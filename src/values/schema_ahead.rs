//! values.schema.json files compiled while their chart archive is still
//! being read.
//!
//! Compiling a schema is most of the cost of validating values against it
//! (3–4 ms for the 150 KB schema of Bitnami's redis subchart, which argo-cd
//! and airflow carry), and it needs nothing but the schema's bytes. The
//! inflating thread notes each schema as it comes out of the archive
//! ([`SchemaAhead::offer`]) and, once the archive is read, a thread of
//! their own compiles them ([`SchemaAhead::compile_in_background`]) while
//! the values are loaded and coalesced; validation later takes the compiled
//! schema of the very bytes it was given ([`SchemaAhead::take`],
//! [`SharedBytes::same_view`], waiting for it if need be) and compiles
//! anything else itself.

use std::sync::{Arc, Condvar, Mutex};

use crate::chart::archive::BufferedFile;
use crate::chart::{is_schema_in_tree, SharedBytes};
use crate::values::schema::{compile_schema, CompiledSchema};

enum State {
    Offered,
    Compiling,
    Done(Result<CompiledSchema, String>),
}

struct Entry {
    source: SharedBytes,
    state: State,
}

/// The schemas of an archive, shared by the inflating thread, the thread
/// compiling them and the loading thread.
#[derive(Default)]
pub struct SchemaAhead {
    entries: Mutex<Vec<Entry>>,
    /// Signalled whenever a compilation finishes.
    compiled: Condvar,
}

impl SchemaAhead {
    /// Notes `file` if it is the schema of the chart or of a subchart
    /// directory (`values.schema.json`, `charts/<name>/values.schema.json`).
    pub fn offer(&self, file: &BufferedFile) {
        if !is_schema_in_tree(&file.name) {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            entries.push(Entry {
                source: file.data.clone(),
                state: State::Offered,
            });
        }
    }

    /// Compiles the schemas offered so far (and not taken meanwhile).
    pub fn compile_offered(&self) {
        loop {
            // Take one out to compile it without holding the lock.
            let source = {
                let Ok(mut entries) = self.entries.lock() else {
                    return;
                };
                let Some(e) = entries
                    .iter_mut()
                    .find(|e| matches!(e.state, State::Offered))
                else {
                    return;
                };
                e.state = State::Compiling;
                e.source.clone()
            };
            let compiled = compile_schema(&source);
            let Ok(mut entries) = self.entries.lock() else {
                return;
            };
            if let Some(e) = entries
                .iter_mut()
                .find(|e| matches!(e.state, State::Compiling) && e.source.same_view(&source))
            {
                e.state = State::Done(compiled);
            }
            self.compiled.notify_all();
        }
    }

    /// [`SchemaAhead::compile_offered`] on a thread of its own, so that
    /// loading goes on meanwhile: the inflating thread calls this once the
    /// archive is read, and the values are coalesced while the schemas
    /// compile. Without a thread, compiles here.
    pub fn compile_in_background(self: &Arc<Self>) {
        let ahead = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("schemas".to_string())
            .spawn(move || ahead.compile_offered());
        if spawned.is_err() {
            self.compile_offered();
        }
    }

    /// The compiled schema (or compile error) of `source` itself, waiting
    /// for it if it is being compiled. `None` if it was not offered, or
    /// not yet picked up for compiling (it is then the caller's to compile,
    /// and is not compiled here any more).
    pub fn take(&self, source: &SharedBytes) -> Option<Result<CompiledSchema, String>> {
        let mut entries = self.entries.lock().ok()?;
        loop {
            let at = entries.iter().position(|e| e.source.same_view(source))?;
            match entries[at].state {
                State::Compiling => entries = self.compiled.wait(entries).ok()?,
                State::Offered | State::Done(_) => {
                    return match entries.swap_remove(at).state {
                        State::Done(compiled) => Some(compiled),
                        _ => None,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use crate::values::schema::{validate_compiled, validate_single};

    fn file(name: &str, text: &str) -> BufferedFile {
        BufferedFile::for_test(name, text)
    }

    const SCHEMA: &str = r#"{"type":"object","properties":{"n":{"type":"integer"}}}"#;

    #[test]
    fn schemas_of_the_chart_and_subchart_directories() {
        for yes in [
            "values.schema.json",
            "charts/db/values.schema.json",
            "charts/db/charts/x/values.schema.json",
        ] {
            assert!(is_schema_in_tree(yes), "{yes}");
        }
        for no in [
            "files/values.schema.json",
            "charts/values.schema.json",
            "templates/values.schema.json",
            "values.schema.json.bak",
        ] {
            assert!(!is_schema_in_tree(no), "{no}");
        }
    }

    #[test]
    fn compiled_ahead_validates_as_compiled_here() {
        let f = file("charts/db/values.schema.json", SCHEMA);
        let ahead = SchemaAhead::default();
        ahead.offer(&f);
        ahead.offer(&file("values.yaml", "n: 1"));
        assert!(ahead.take(&f.data).is_none(), "not compiled yet");
        ahead.compile_offered();
        assert!(
            ahead.take(&f.data).is_none(),
            "taken before compiling: left to the caller"
        );
        ahead.offer(&f);
        std::thread::scope(|s| {
            s.spawn(|| ahead.compile_offered());
        });
        // Equal bytes elsewhere are not this schema.
        assert!(ahead.take(&SharedBytes::from(SCHEMA)).is_none());
        let compiled = ahead.take(&f.data).expect("compiled").expect("valid");
        assert!(ahead.take(&f.data).is_none(), "taken once");
        let bad = Value::map([("n".to_string(), Value::str("x"))].into_iter().collect());
        assert_eq!(
            validate_compiled(&bad, &compiled).unwrap_err(),
            validate_single(&bad, SCHEMA.as_bytes()).unwrap_err()
        );
        let broken = file("values.schema.json", "{");
        ahead.offer(&broken);
        ahead.compile_offered();
        assert_eq!(
            ahead.take(&broken.data).expect("compiled").err(),
            validate_single(&bad, b"{").err()
        );
    }

    #[test]
    fn take_waits_for_a_schema_being_compiled() {
        let f = file("values.schema.json", SCHEMA);
        let ahead = Arc::new(SchemaAhead::default());
        ahead.offer(&f);
        // As the compiling thread leaves it once it picked the schema up.
        ahead.entries.lock().unwrap()[0].state = State::Compiling;
        let finisher = {
            let ahead = Arc::clone(&ahead);
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(30));
                let mut entries = ahead.entries.lock().unwrap();
                entries[0].state = State::Done(Err("compiled elsewhere".into()));
                ahead.compiled.notify_all();
            })
        };
        let got = ahead.take(&f.data).expect("waited for it");
        assert_eq!(got.err().as_deref(), Some("compiled elsewhere"));
        finisher.join().unwrap();

        // In the background, then taken (waiting if still compiling).
        ahead.offer(&f);
        ahead.compile_in_background();
        // Until the thread picks it up, `take` leaves it to the caller.
        loop {
            let picked = !matches!(ahead.entries.lock().unwrap()[0].state, State::Offered);
            if picked {
                break;
            }
            std::thread::yield_now();
        }
        assert!(ahead.take(&f.data).expect("compiled").is_ok());
    }
}
