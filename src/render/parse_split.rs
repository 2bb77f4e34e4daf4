//! Lexing and parsing a chart's template files on both cores.
//!
//! The parse trees are `Rc`, so a tree can only move to another thread
//! whole, with every clone of its `Rc`s inside it. The calling thread
//! takes files from the front of the list and a helper thread takes them
//! from the back, each lexing and parsing its own files completely; the
//! helper then empties its interning tables (the only other holders of
//! its trees' names) and hands its trees over as it exits.
//!
//! Splitting whole files both ways keeps both threads busy until the two
//! ends meet, whatever the sizes of the files. (Before, a second thread
//! only lexed ahead while this one parsed, and lexing is about a third of
//! the work.) Errors keep the engine's order: the engine reports the first
//! file, in order, that failed; the calling thread parses in that order,
//! so once it fails nothing after that file matters and the helper stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::chart::SharedBytes;
use crate::render::ast::Callee;
use crate::render::exec::resolve_in;
use crate::render::funcs::Registry;
use crate::render::lex::lex;
use crate::render::parse::{parse_lexed, HandedOver};
use crate::render::parse_ahead::Parsed;

/// Below this much template text everything is parsed on the calling
/// thread: starting a thread costs more than it saves.
const SPLIT_MIN_BYTES: usize = 64 * 1024;

/// One file to parse: its template name, its bytes (which the trees keep)
/// and the same bytes as text.
pub struct ParseJob<'a> {
    pub name: &'a str,
    pub source: &'a SharedBytes,
    pub text: &'a str,
}

/// Lexes and parses every job, returning each one's trees (or error) in the
/// jobs' order. After the first file (in order) that fails, later files
/// may be left unparsed (`None`): the engine stops at that error.
pub fn parse_jobs(jobs: &[ParseJob<'_>], registry: &Registry) -> Vec<Option<Parsed>> {
    let mut results: Vec<Option<Parsed>> = jobs.iter().map(|_| None).collect();
    let resolve = |name: &str| -> Option<Callee> { resolve_in(registry, name) };
    let parse_one = |job: &ParseJob<'_>| -> Parsed {
        parse_lexed(job.name, job.source.clone(), lex(job.text), &resolve)
    };
    let total: usize = jobs.iter().map(|j| j.text.len()).sum();
    if jobs.len() >= 2 && total >= SPLIT_MIN_BYTES {
        // The unclaimed files are `front..back`.
        let unclaimed = Mutex::new((0usize, jobs.len()));
        let stop = AtomicBool::new(false);
        let claim = |from_back: bool| -> Option<usize> {
            let mut range = unclaimed.lock().ok()?;
            if range.0 >= range.1 {
                return None;
            }
            if from_back {
                range.1 -= 1;
                Some(range.1)
            } else {
                range.0 += 1;
                Some(range.0 - 1)
            }
        };
        std::thread::scope(|scope| {
            let helper = std::thread::Builder::new().spawn_scoped(scope, || {
                let mut done = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let Some(k) = claim(true) else { break };
                    done.push((k, parse_one(&jobs[k])));
                }
                // SAFETY: the trees in `done` were parsed here just now and
                // this thread ends with this; the calling thread takes them
                // only by joining it.
                unsafe { HandedOver::new(done) }
            });
            // Without a helper (it could not start) this takes every file.
            while let Some(k) = claim(false) {
                let parsed = parse_one(&jobs[k]);
                let failed = parsed.is_err();
                results[k] = Some(parsed);
                if failed {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
            if let Ok(Ok(done)) = helper.map(|h| h.join()) {
                for (k, parsed) in done.into_inner() {
                    results[k] = Some(parsed);
                }
            }
        });
    }
    // In order up to the first error: every file on one thread (little
    // text), or whatever a helper that died left unparsed.
    for (slot, job) in results.iter_mut().zip(jobs) {
        if slot.is_none() {
            *slot = Some(parse_one(job));
        }
        if matches!(slot, Some(Err(_))) {
            break;
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::funcs::standard_registry;

    fn jobs_of<'a>(names: &'a [String], sources: &'a [SharedBytes]) -> Vec<ParseJob<'a>> {
        names
            .iter()
            .zip(sources)
            .map(|(name, source)| ParseJob {
                name,
                source,
                text: std::str::from_utf8(source).expect("UTF-8"),
            })
            .collect()
    }

    /// Many files, enough text for two threads.
    fn chart(bad: Option<usize>) -> (Vec<String>, Vec<SharedBytes>) {
        let body = format!("{}{{{{ .Values.x | quote }}}}\n", "text\n".repeat(1000));
        let names: Vec<String> = (0..40).map(|i| format!("c/templates/t{i}.yaml")).collect();
        let sources = (0..40)
            .map(|i| {
                let text = if Some(i) == bad {
                    format!("{body}{{{{ if }}}}")
                } else {
                    format!("{{{{ define \"d{i}\" }}}}{i}{{{{ end }}}}{body}")
                };
                SharedBytes::from(text.into_bytes())
            })
            .collect();
        (names, sources)
    }

    #[test]
    fn every_file_parsed_in_place() {
        let (names, sources) = chart(None);
        let results = parse_jobs(&jobs_of(&names, &sources), &standard_registry());
        for (i, r) in results.iter().enumerate() {
            let trees = r.as_ref().expect("parsed").as_ref().expect("no error");
            let mut got: Vec<&str> = trees.iter().map(|t| t.name.as_ref()).collect();
            got.sort();
            assert_eq!(got, [format!("c/templates/t{i}.yaml"), format!("d{i}")]);
        }
    }

    #[test]
    fn the_first_error_in_order_is_kept() {
        for bad in [0, 7, 39] {
            let (names, sources) = chart(Some(bad));
            let results = parse_jobs(&jobs_of(&names, &sources), &standard_registry());
            let first_err = results
                .iter()
                .position(|r| matches!(r, Some(Err(_))))
                .expect("an error");
            assert_eq!(first_err, bad);
            assert!(results[..bad].iter().all(|r| matches!(r, Some(Ok(_)))));
            let Some(Err(e)) = &results[bad] else {
                unreachable!()
            };
            assert!(
                e.0.contains(&format!("c/templates/t{bad}.yaml:1002")),
                "{}",
                e.0
            );
        }
    }
}
