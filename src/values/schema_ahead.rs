//! values.schema.json files compiled while their chart archive is still
//! being read.
//!
//! Compiling a schema is most of the cost of validating values against it
//! (3–4 ms for the 150 KB schema of Bitnami's redis subchart, which argo-cd
//! and airflow carry), and it needs nothing but the schema's bytes. The
//! inflating thread notes each schema as it comes out of the archive
//! ([`SchemaAhead::offer`]) and compiles them once the archive is read
//! ([`SchemaAhead::compile_offered`]); validation later takes the compiled
//! schema of the very bytes it was given ([`SchemaAhead::take`],
//! [`SharedBytes::same_view`]) and compiles anything else itself.

use std::sync::Mutex;

use crate::chart::archive::BufferedFile;
use crate::chart::{is_schema_in_tree, SharedBytes};
use crate::values::schema::{compile_parsed, compile_schema, Compilation};
use crate::values::schema_quick::is_quick_kind;

struct Entry {
    source: SharedBytes,
    /// `None` until compiled.
    compiled: Option<Compilation>,
}

/// The schemas of an archive, shared by the inflating and the loading thread.
#[derive(Default)]
pub struct SchemaAhead {
    entries: Mutex<Vec<Entry>>,
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
                compiled: None,
            });
        }
    }

    /// Compiles the schemas offered so far.
    pub fn compile_offered(&self) {
        loop {
            // Take one out to compile it without holding the lock.
            let source = {
                let Ok(entries) = self.entries.lock() else {
                    return;
                };
                match entries.iter().find(|e| e.compiled.is_none()) {
                    Some(e) => e.source.clone(),
                    None => return,
                }
            };
            // A schema the quick check understands is dropped, not compiled:
            // validation most likely needs no compiled schema for it (see
            // `schema_quick`), and compiles one itself if it does.
            let compiled = match serde_json::from_slice::<serde_json::Value>(&source) {
                Ok(schema) if is_quick_kind(&schema) => None,
                Ok(schema) => Some(compile_parsed(schema)),
                Err(_) => Some(compile_schema(&source)),
            };
            let Ok(mut entries) = self.entries.lock() else {
                return;
            };
            let Some(compiled) = compiled else {
                entries.retain(|e| !e.source.same_view(&source));
                continue;
            };
            if let Some(e) = entries
                .iter_mut()
                .find(|e| e.compiled.is_none() && e.source.same_view(&source))
            {
                e.compiled = Some(compiled);
            }
        }
    }

    /// The compiled schema (or compile error) of `source` itself, if it was
    /// compiled ahead.
    pub fn take(&self, source: &SharedBytes) -> Option<Compilation> {
        let mut entries = self.entries.lock().ok()?;
        let at = entries
            .iter()
            .position(|e| e.compiled.is_some() && e.source.same_view(source))?;
        entries.swap_remove(at).compiled
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

    /// Outside the quick check's subset (`minimum`), so compiled ahead.
    const SCHEMA: &str = r#"{"type":"object","properties":{"n":{"type":"integer","minimum":0}}}"#;

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
        std::thread::scope(|s| {
            s.spawn(|| ahead.compile_offered());
        });
        // Equal bytes elsewhere are not this schema.
        assert!(ahead.take(&SharedBytes::from(SCHEMA)).is_none());
        let compiled = ahead
            .take(&f.data)
            .expect("compiled")
            .outcome
            .expect("valid");
        assert!(ahead.take(&f.data).is_none(), "taken once");
        let bad = Value::map([("n".to_string(), Value::str("x"))].into_iter().collect());
        assert_eq!(
            validate_compiled(&bad, &compiled).unwrap_err(),
            validate_single(&bad, SCHEMA.as_bytes()).unwrap_err()
        );
        let quick = file(
            "values.schema.json",
            r#"{"properties":{"n":{"type":"integer"}}}"#,
        );
        ahead.offer(&quick);
        ahead.compile_offered();
        assert!(ahead.take(&quick.data).is_none(), "left to the quick check");
        let broken = file("values.schema.json", "{");
        ahead.offer(&broken);
        ahead.compile_offered();
        assert_eq!(
            ahead.take(&broken.data).expect("compiled").outcome.err(),
            validate_single(&bad, b"{").err()
        );
    }
}
