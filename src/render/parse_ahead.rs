//! Templates parsed while their chart archive is still being inflated.
//!
//! Inflating a big chart (kube-prometheus-stack: 6.7 MB, mostly CRDs) and
//! parsing its templates were two long stretches one after the other, the
//! parsing only helped by a lexing thread. Now the inflating thread queues
//! each template as it comes out of the archive ([`ParseQueue::offer`]),
//! the loading thread parses what is queued meanwhile
//! ([`ParseAhead::parse_queued`]), and once the archive is read the
//! inflating thread parses the rest of the queue too ([`ParseQueue::help`]),
//! so both cores parse. The engine later finds the trees made.
//!
//! A smaller archive inflates too fast for that to pay; its templates are
//! queued as they come out and parsed on a helper thread once the archive
//! is read ([`ParseAhead::in_background`]), while the loading thread
//! processes the dependencies, coalesces the values and validates them
//! against the schemas, work during which the second core was idle. The
//! helper takes the files that may define templates first, then the
//! others in the order they render ([`ParseAhead::prioritize`]): the
//! engine starts rendering once the first are in, and takes each of the
//! others when it renders it ([`ParseAhead::take_waiting`]: handed over
//! by the helper, waited for if the helper is parsing it, or parsed on
//! the engine's thread if nobody started it), so the end of the parse and
//! the start of rendering overlap.
//!
//! A file with the very bytes of one queued before (each subchart that
//! vendors Bitnami's `common` carries a copy) is not queued: the engine
//! relabels the trees of the first copy.
//!
//! Nothing here decides anything: a tree is used only when the engine asks
//! for the same template name over the very same bytes
//! ([`SharedBytes::same_view`]); anything else (a subchart under an alias,
//! a chart whose directory is not its name, a nested `.tgz`, an archive
//! the loader re-read) is parsed by the engine as before. Parse errors are
//! kept and reported by the engine in its own order.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;

use crate::chart::archive::BufferedFile;
use crate::chart::{is_template_in_tree, SharedBytes};
use crate::render::ast::{Callee, Template};
use crate::render::exec::resolve_in;
use crate::render::file_copies::FileCopies;
use crate::render::funcs::{standard_registry, Registry};
use crate::render::lex::lex;
use crate::render::parse::{parse_lexed, HandedOver, ParseError};

/// What parsing one file gave: its trees, or the error to report.
pub type Parsed = Result<Vec<Rc<Template>>, ParseError>;

struct Entry {
    source: SharedBytes,
    parsed: Parsed,
}

/// A template waiting to be parsed, under the name the engine will give it.
struct Job {
    name: String,
    source: SharedBytes,
}

/// Trees the inflating thread parsed, on their way to the loading thread.
type Helped = HandedOver<Vec<(String, Entry)>>;

/// The templates queued for parsing, shared by the inflating and the
/// loading thread.
#[derive(Default)]
pub struct ParseQueue {
    /// Made by the first parse (a queue often stays empty).
    registry: OnceLock<Registry>,
    state: Mutex<QueueState>,
    /// The sources queued so far: a copy of one is not queued.
    offered: Mutex<FileCopies<()>>,
    /// Set when the trees are no longer wanted: no further job is taken.
    stop: AtomicBool,
    /// Signalled when a helper hands trees over.
    handed: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    /// Templates a helper took from `jobs` and has not handed over yet.
    claimed: Vec<String>,
    /// Set by a thread waiting for a claimed template: the helper hands
    /// what it has over after the file it is parsing.
    wanted: bool,
    helped: Vec<Helped>,
}

impl ParseQueue {
    /// The inflating thread, as each file comes out: queues `file` if it is
    /// a template (`templates/...` of the chart or of a subchart directory)
    /// under the name the engine gives a file of a chart in directory `top`
    /// (`top/templates/x.yaml`, `top/charts/sub/templates/x.yaml`).
    pub fn offer(&self, top: &str, file: &BufferedFile) -> Option<()> {
        if !is_template_in_tree(&file.name) {
            return None;
        }
        if !file.data.is_deferred() {
            let mut offered = self.offered.lock().ok()?;
            if offered.first_or_record(&file.data, ()).is_some() {
                return None;
            }
        }
        let job = Job {
            name: format!("{top}/{}", file.name),
            source: file.data.clone(),
        };
        self.state.lock().ok()?.jobs.push_back(job);
        Some(())
    }

    fn is_empty(&self) -> bool {
        self.state.lock().map_or(true, |st| st.jobs.is_empty())
    }

    /// Puts the queued templates in the order rendering wants them: those
    /// `first` picks, then the others, each in `order`'s order.
    fn prioritize(
        &self,
        first: impl Fn(&Job) -> bool,
        order: impl Fn(&str, &str) -> std::cmp::Ordering,
    ) {
        if let Ok(mut st) = self.state.lock() {
            let mut keyed: Vec<(bool, Job)> = st.jobs.drain(..).map(|j| (!first(&j), j)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| order(&a.1.name, &b.1.name)));
            st.jobs.extend(keyed.into_iter().map(|(_, j)| j));
        }
    }

    /// A helping thread: parses what is still queued, alongside the
    /// loading thread, handing its trees over when the loading thread
    /// waits for one of them and once the queue is empty.
    pub fn help(&self) {
        /// A helper that panics hands nothing over: the loading thread,
        /// which may be waiting for a template it claimed, is released and
        /// parses that template itself.
        struct ReleaseOnPanic<'q>(&'q ParseQueue);
        impl Drop for ReleaseOnPanic<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    if let Ok(mut st) = self.0.state.lock() {
                        st.claimed.clear();
                    }
                    self.0.handed.notify_all();
                }
            }
        }
        let _release = ReleaseOnPanic(self);
        let mut done = Vec::new();
        while let Some(job) = self.claim_job() {
            if let Some(entry) = parse_job(self.registry(), job) {
                done.push(entry);
            }
            let wanted = self.state.lock().is_ok_and(|st| st.wanted);
            if wanted {
                self.hand_over(std::mem::take(&mut done));
            }
        }
        self.hand_over(done);
    }

    /// Hands trees this thread parsed to the thread that renders.
    fn hand_over(&self, done: Vec<(String, Entry)>) {
        // SAFETY: the trees in `done` were parsed on this thread just now;
        // `HandedOver::new` empties its interning tables, the only other
        // holders of their names, and this thread touches none of them
        // afterwards. The mutex orders their making before their taking.
        let done = unsafe { HandedOver::new(done) };
        if let Ok(mut st) = self.state.lock() {
            st.claimed.clear();
            st.wanted = false;
            st.helped.push(done);
        }
        self.handed.notify_all();
    }

    fn registry(&self) -> &Registry {
        self.registry.get_or_init(standard_registry)
    }

    /// The next job, for this thread to parse and hand over.
    fn claim_job(&self) -> Option<Job> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        let mut st = self.state.lock().ok()?;
        let job = st.jobs.pop_front()?;
        st.claimed.push(job.name.clone());
        Some(job)
    }

    /// The next job, for the loading thread itself.
    fn next_job(&self) -> Option<Job> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        self.state.lock().ok()?.jobs.pop_front()
    }

    /// The trees the helping threads handed over so far.
    fn take_helped(&self) -> Vec<Helped> {
        self.state
            .lock()
            .map(|mut st| std::mem::take(&mut st.helped))
            .unwrap_or_default()
    }
}

/// Parse trees made ahead, by the template name they were parsed under.
#[derive(Default)]
pub struct ParseAhead {
    entries: HashMap<String, Entry>,
    /// A queue a helper thread is still parsing.
    pending: Option<Pending>,
}

struct Pending {
    queue: Arc<ParseQueue>,
    /// `None` if the thread could not start.
    helper: Option<JoinHandle<()>>,
}

impl ParseAhead {
    /// Starts a helper thread parsing `queue`; the trees are there once
    /// [`ParseAhead::complete`] has run.
    pub fn in_background(queue: ParseQueue) -> ParseAhead {
        if queue.is_empty() {
            return ParseAhead::default();
        }
        let queue = Arc::new(queue);
        let helping = Arc::clone(&queue);
        let helper = std::thread::Builder::new()
            .name("parse".to_string())
            .spawn(move || helping.help())
            .ok();
        ParseAhead {
            entries: HashMap::new(),
            pending: Some(Pending { queue, helper }),
        }
    }

    /// Parses, beside the helper, what it has not started yet, then joins
    /// it and takes its trees in.
    pub fn complete(&mut self) {
        let Some(mut pending) = self.pending.take() else {
            return;
        };
        self.parse_queued(&pending.queue);
        if let Some(helper) = pending.helper.take() {
            // A helper that panicked handed nothing over: the engine parses
            // its files.
            let _ = helper.join();
        }
        self.adopt_helped(&pending.queue);
    }

    /// The loading thread: parses whatever is queued now.
    pub fn parse_queued(&mut self, queue: &ParseQueue) {
        while let Some(job) = queue.next_job() {
            if let Some((name, entry)) = parse_job(queue.registry(), job) {
                self.entries.insert(name, entry);
            }
        }
    }

    /// Takes in the trees the inflating thread parsed. Call once that
    /// thread is joined (the loader returned).
    pub fn adopt(&mut self, queue: ParseQueue) {
        self.adopt_helped(&queue);
    }

    fn adopt_helped(&mut self, queue: &ParseQueue) {
        adopt_into(&mut self.entries, queue);
    }

    /// The trees (or error) of template `name` if it was parsed ahead from
    /// `source` itself.
    pub fn take(&mut self, name: &str, source: &SharedBytes) -> Option<Parsed> {
        let entry = self.entries.remove(name)?;
        entry.source.same_view(source).then_some(entry.parsed)
    }

    /// Whether template `name` was parsed ahead or is still queued (its
    /// trees may come from another source: [`ParseAhead::take`] checks).
    pub fn knows(&mut self, name: &str) -> bool {
        self.adopt_handed();
        if self.entries.contains_key(name) {
            return true;
        }
        let Some(pending) = &self.pending else {
            return false;
        };
        pending.queue.state.lock().is_ok_and(|st| {
            st.claimed.iter().any(|n| n == name) || st.jobs.iter().any(|j| j.name == name)
        })
    }

    /// Orders what the helper has not started: templates `first` picks
    /// (by their bytes) first, then the others, each in `order`'s order.
    pub fn prioritize(
        &self,
        first: impl Fn(&[u8]) -> bool,
        order: impl Fn(&str, &str) -> std::cmp::Ordering,
    ) {
        if let Some(pending) = &self.pending {
            pending.queue.prioritize(|j| first(&j.source), order);
        }
    }

    /// Drops the queued templates `keep` rejects (those of subcharts
    /// found disabled since): nobody asks for their trees.
    pub fn retain_queued(&self, keep: impl Fn(&str) -> bool) {
        if let Some(pending) = &self.pending {
            if let Ok(mut st) = pending.queue.state.lock() {
                st.jobs.retain(|j| keep(&j.name));
            }
        }
    }

    /// [`ParseAhead::take`] while the helper may still be parsing: a
    /// template still queued is parsed here, and one the helper took is
    /// waited for.
    pub fn take_waiting(&mut self, name: &str, source: &SharedBytes) -> Option<Parsed> {
        loop {
            self.adopt_handed();
            if self.entries.contains_key(name) {
                return self.take(name, source);
            }
            let pending = self.pending.as_ref()?;
            let queue = Arc::clone(&pending.queue);
            let mut st = queue.state.lock().ok()?;
            if let Some(at) = st.jobs.iter().position(|j| j.name == name) {
                let job = st.jobs.remove(at)?;
                drop(st);
                let (_, entry) = parse_job(queue.registry(), job)?;
                return entry.source.same_view(source).then_some(entry.parsed);
            }
            if !st.claimed.iter().any(|n| n == name) || pending.helper.is_none() {
                return None;
            }
            st.wanted = true;
            while st.claimed.iter().any(|n| n == name) {
                st = queue.handed.wait(st).ok()?;
            }
        }
    }

    /// Takes in what the helper handed over so far.
    fn adopt_handed(&mut self) {
        if let Some(pending) = &self.pending {
            adopt_into(&mut self.entries, &pending.queue);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Drop for ParseAhead {
    /// Trees never asked for (the values were invalid): the helper stops
    /// after the file it is parsing.
    fn drop(&mut self) {
        if let Some(pending) = &mut self.pending {
            pending.queue.stop.store(true, Ordering::Relaxed);
            if let Some(helper) = pending.helper.take() {
                let _ = helper.join();
            }
        }
    }
}

/// Moves the trees `queue`'s helpers handed over so far into `entries`.
fn adopt_into(entries: &mut HashMap<String, Entry>, queue: &ParseQueue) {
    for done in queue.take_helped() {
        entries.extend(done.into_inner());
    }
}

/// Lexes and parses one queued template on this thread; a source that is
/// not UTF-8 is left to the engine (which reads it lossily).
fn parse_job(registry: &Registry, job: Job) -> Option<(String, Entry)> {
    let text = std::str::from_utf8(&job.source).ok()?;
    let resolve = |n: &str| -> Option<Callee> { resolve_in(registry, n) };
    let parsed = parse_lexed(&job.name, job.source.clone(), lex(text), &resolve);
    Some((
        job.name,
        Entry {
            source: job.source,
            parsed,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> BufferedFile {
        BufferedFile::for_test(name, text)
    }

    /// `f` queued, and parsed here or (`helper`) on another thread.
    fn ahead_of(top: &str, f: &BufferedFile, helper: bool) -> ParseAhead {
        let queue = ParseQueue::default();
        assert!(queue.offer(top, f).is_some(), "a template");
        let mut ahead = ParseAhead::default();
        if helper {
            std::thread::scope(|s| {
                s.spawn(|| queue.help()).join().expect("no panic");
            });
            ahead.parse_queued(&queue);
            assert!(ahead.is_empty(), "the helper took the job");
        } else {
            ahead.parse_queued(&queue);
        }
        ahead.adopt(queue);
        ahead
    }

    #[test]
    fn only_templates_of_the_chart_and_subchart_directories() {
        for yes in [
            "templates/a.yaml",
            "templates/sub/_h.tpl",
            "charts/db/templates/a.yaml",
            "charts/db/charts/x/templates/NOTES.txt",
        ] {
            assert!(is_template_in_tree(yes), "{yes}");
        }
        for no in [
            "templates",
            "values.yaml",
            "files/templates/a.yaml",
            "charts/db/values.yaml",
            "charts/templates/a.yaml",
            "charts/db.tgz",
            "crds/templates/a.yaml",
        ] {
            assert!(!is_template_in_tree(no), "{no}");
        }
        let queue = ParseQueue::default();
        assert!(queue.offer("c", &file("values.yaml", "a: 1")).is_none());
        let binary = BufferedFile::for_test("templates/a.yaml", &b"\xff{{ . }}"[..]);
        assert!(queue.offer("c", &binary).is_some());
        let mut ahead = ParseAhead::default();
        ahead.parse_queued(&queue);
        assert!(ahead.is_empty(), "not UTF-8: left to the engine");
    }

    #[test]
    fn trees_are_used_only_for_the_same_name_and_bytes() {
        let f = file(
            "templates/a.yaml",
            "{{ define \"x\" }}y{{ end }}{{ .Values.a }}",
        );
        for helper in [false, true] {
            let mut ahead = ahead_of("mychart", &f, helper);
            assert_eq!(ahead.len(), 1);
            // Equal bytes in another buffer are not the same view.
            let copy = SharedBytes::from(f.data.to_vec());
            assert!(ahead.take("mychart/templates/a.yaml", &copy).is_none());
            assert!(ahead.is_empty());

            let mut ahead = ahead_of("mychart", &f, helper);
            assert!(ahead.take("other/templates/a.yaml", &f.data).is_none());

            let mut ahead = ahead_of("mychart", &f, helper);
            let trees = ahead
                .take("mychart/templates/a.yaml", &f.data)
                .expect("parsed ahead")
                .expect("no error");
            let mut names: Vec<&str> = trees.iter().map(|t| t.name.as_ref()).collect();
            names.sort();
            assert_eq!(names, ["mychart/templates/a.yaml", "x"]);
        }
    }

    #[test]
    fn a_copy_of_a_queued_file_is_not_queued() {
        let queue = ParseQueue::default();
        let lib = "{{ define \"lib.x\" }}x{{ end }}";
        assert!(queue
            .offer("top", &file("charts/a/templates/_lib.tpl", lib))
            .is_some());
        assert!(queue
            .offer("top", &file("charts/b/templates/_lib.tpl", lib))
            .is_none());
        assert!(queue
            .offer("top", &file("charts/b/templates/_lix.tpl", lib))
            .is_none());
        let other = "{{ define \"lib.y\" }}x{{ end }}";
        assert!(queue
            .offer("top", &file("charts/b/templates/_other.tpl", other))
            .is_some());
        let mut ahead = ParseAhead::default();
        ahead.parse_queued(&queue);
        assert_eq!(ahead.len(), 2);
    }

    #[test]
    fn a_background_parse_is_taken_in_or_abandoned() {
        let files: Vec<BufferedFile> = (0..40)
            .map(|i| {
                file(
                    &format!("templates/t{i}.yaml"),
                    &format!("a: {{{{ {i} }}}}"),
                )
            })
            .collect();
        let queued = || {
            let queue = ParseQueue::default();
            for f in &files {
                assert!(queue.offer("c", f).is_some());
            }
            queue
        };
        let mut ahead = ParseAhead::in_background(queued());
        ahead.complete();
        assert_eq!(ahead.len(), files.len());
        for (i, f) in files.iter().enumerate() {
            let trees = ahead
                .take(&format!("c/templates/t{i}.yaml"), &f.data)
                .expect("parsed in the background")
                .expect("no error");
            assert_eq!(trees.len(), 1);
        }
        // Dropped without being completed: the helper stops and is joined.
        drop(ParseAhead::in_background(queued()));
        // Nothing queued: no helper.
        let mut empty = ParseAhead::in_background(ParseQueue::default());
        assert!(empty.pending.is_none());
        empty.complete();
        assert!(empty.is_empty());
    }

    #[test]
    fn parse_errors_are_kept_in_the_engines_words() {
        let f = file("charts/db/templates/bad.yaml", "a\n{{ if }}");
        let direct =
            crate::render::parse::parse("top/charts/db/templates/bad.yaml", "a\n{{ if }}", &|n| {
                resolve_in(&standard_registry(), n)
            })
            .expect_err("a parse error");
        for helper in [false, true] {
            let mut ahead = ahead_of("top", &f, helper);
            let err = ahead
                .take("top/charts/db/templates/bad.yaml", &f.data)
                .expect("parsed ahead")
                .expect_err("a parse error");
            assert_eq!(err.0, direct.0);
            assert!(
                err.0.contains("top/charts/db/templates/bad.yaml:2"),
                "{}",
                err.0
            );
        }
    }
}
