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
use crate::render::parse::{forget_thread_interned, parse_lexed};
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

/// The helper's results, on their way to the calling thread.
struct HandedOver(Vec<(usize, Parsed)>);

// SAFETY: `Rc` is not `Send` because two threads could touch clones of one
// `Rc` (its count) at once. Every `Rc` in a `HandedOver` was made by the
// parser on the helper thread, which emptied its interning tables (the only
// other holders, `forget_thread_interned`) before wrapping the trees: all
// clones are inside and move together. The sources are `Arc`-backed
// (`SharedBytes`). The helper touches none of it afterwards, and the
// calling thread takes it only by joining the helper.
unsafe impl Send for HandedOver {}

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
    if jobs.len() < 2 || total < SPLIT_MIN_BYTES {
        for (slot, job) in results.iter_mut().zip(jobs) {
            let parsed = parse_one(job);
            let failed = parsed.is_err();
            *slot = Some(parsed);
            if failed {
                break;
            }
        }
        return results;
    }

    // The unclaimed files are `front..back`.
    let unclaimed = Mutex::new((0usize, jobs.len()));
    let stop = AtomicBool::new(false);
    let claim_front = || -> Option<usize> {
        let mut range = unclaimed.lock().ok()?;
        (range.0 < range.1).then(|| {
            range.0 += 1;
            range.0 - 1
        })
    };
    let claim_back = || -> Option<usize> {
        let mut range = unclaimed.lock().ok()?;
        (range.0 < range.1).then(|| {
            range.1 -= 1;
            range.1
        })
    };
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, || {
            let mut done = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let Some(k) = claim_back() else { break };
                done.push((k, parse_one(&jobs[k])));
            }
            forget_thread_interned();
            HandedOver(done)
        });
        while let Some(k) = claim_front() {
            let parsed = parse_one(&jobs[k]);
            let failed = parsed.is_err();
            results[k] = Some(parsed);
            if failed {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        match helper {
            Ok(handle) => {
                if let Ok(HandedOver(done)) = handle.join() {
                    for (k, parsed) in done {
                        results[k] = Some(parsed);
                    }
                }
            }
            // No thread: this one parses the rest.
            Err(_) => {
                while let Some(k) = claim_front() {
                    let parsed = parse_one(&jobs[k]);
                    let failed = parsed.is_err();
                    results[k] = Some(parsed);
                    if failed {
                        break;
                    }
                }
            }
        }
    });
    // A helper that died (it cannot, short of a bug) leaves its files
    // unparsed: parse them here, in order, up to the first error.
    for (k, job) in jobs.iter().enumerate() {
        match &results[k] {
            Some(Ok(_)) => continue,
            Some(Err(_)) => break,
            None => {
                let parsed = parse_one(job);
                let failed = parsed.is_err();
                results[k] = Some(parsed);
                if failed {
                    break;
                }
            }
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
