//! The chart rendering engine: Helm's `engine.Render` over our own
//! text/template implementation.
//!
//! # Use
//!
//! ```ignore
//! use rudder::render::engine::{Engine, EngineOptions, TemplateFile};
//! let engine = Engine::new(rudder::render::funcs::standard_registry(), EngineOptions::default());
//! let rendered = engine.render(&files)?; // BTreeMap<name, output>
//! ```
//!
//! * Every [`TemplateFile`] of the chart tree (templates of the chart and of
//!   all its subcharts, partials included) is parsed into ONE namespace in
//!   Helm's order (deeper paths first, then reverse lexical), so for a
//!   duplicate `define` the file parsed last wins, as in Helm. With trees
//!   parsed ahead ([`Engine::with_parsed_ahead`]) rendering starts once the
//!   files that may define templates are in; a file that defines nothing
//!   is its own template alone and is taken when first looked up, while
//!   the parse helper finishes the others (`LateFiles`). Parse errors still
//!   come first, in Helm's order.
//! * Each file whose base name does not start with `_` is rendered (Helm
//!   renders `NOTES.txt` too; the caller decides what to print), with its
//!   chart's `context` (`.Values`, `.Chart`, `.Release`, ... built by the
//!   caller; the engine sets `.Template` = `{Name, BasePath}` in it). The
//!   context is shared, not copied, exactly as in Helm: a `set` on `.Values`
//!   or `$` in one file is seen by the files rendered after it.
//! * Options: `missingkey=zero` (or `error` with [`EngineOptions::strict`]),
//!   every `<no value>` is deleted from the output, `include`/`tpl` work as
//!   in Helm, `lint_mode` makes `required`/`fail` not fail.
//! * Errors are [`RenderError`]s whose `Display` is exactly what helm prints
//!   after `Error: ` (the caller adds helm's
//!   `Use --debug flag to render out invalid YAML` hint where helm does).
//! * Deeply recursive templates need stack: run the engine on a thread with
//!   a large stack (the binary's main does); nesting is capped so hostile
//!   input gets an error, not a crash, on such a thread.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::chart::SharedBytes;
use crate::render::ast::Callee;
use crate::render::error::{helm_exec_error, helm_parse_error, RenderError};
use crate::render::exec::{execute, resolve_in, Ctx, LateTemplates, Namespace, TplCache};
use crate::render::file_copies::FileCopies;
use crate::render::funcs::{FuncEnv, Registry};
use crate::render::lex::lex;
use crate::render::parse::{parse, parse_lexed, source_text};
use crate::render::parse_ahead::{ParseAhead, Parsed};
use crate::render::parse_split::{parse_jobs, ParseJob};
use crate::value::{MapData, Value};

/// Engine configuration.
#[derive(Default)]
pub struct EngineOptions {
    /// `missingkey=error` instead of `missingkey=zero` (`helm lint --strict`).
    pub strict: bool,
    /// `helm lint`: `required`/`fail` do not fail.
    pub lint_mode: bool,
    /// Clock, zone, randomness and DNS permission for the functions.
    pub env: FuncEnv,
    /// For one-shot CLI runs that exit right after printing: never free the
    /// parsed templates (and, in the pipeline, the values and contexts).
    /// Tearing down those many small objects was ~7% of `helm template`'s
    /// work on big charts; the process exit releases the memory anyway.
    pub skip_teardown: bool,
}

/// One template file of the chart tree.
#[derive(Clone, Debug)]
pub struct TemplateFile {
    /// Helm's template name: `<chart path>/templates/<file>`, e.g.
    /// `mychart/charts/sub/templates/deployment.yaml`.
    pub name: String,
    /// The file's bytes, shared with the loaded chart (not copied).
    pub source: SharedBytes,
    /// The top-level object for this file (a map with `Values`, `Chart`,
    /// `Release`, `Capabilities`, `Files`, `Subcharts`).
    pub context: Value,
    /// `.Template.BasePath`, e.g. `mychart/templates`.
    pub base_path: String,
}

impl TemplateFile {
    /// The template text; bytes that are not UTF-8 become U+FFFD. Borrows
    /// (no copy) when the file is valid UTF-8.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.source)
    }
}

pub struct Engine {
    registry: Registry,
    strict: bool,
    skip_teardown: bool,
    env: RefCell<FuncEnv>,
    tpl_cache: TplCache,
    /// Rendered files whose output is not UTF-8, with go-yaml's reader error
    /// (see [`crate::render::invalid_utf8`]).
    reader_errors: RefCell<Vec<(String, &'static str)>>,
    /// The raw bytes of those files: `template --debug` prints them as they are.
    raw_outputs: RefCell<Vec<(String, Vec<u8>)>>,
    /// Trees parsed while the chart was loading, used by the next render.
    parsed_ahead: RefCell<Option<ParseAhead>>,
}

impl Engine {
    pub fn new(registry: Registry, options: EngineOptions) -> Engine {
        let mut env = options.env;
        env.lint_mode = options.lint_mode;
        Engine {
            registry,
            strict: options.strict,
            skip_teardown: options.skip_teardown,
            env: RefCell::new(env),
            tpl_cache: RefCell::new(Default::default()),
            reader_errors: RefCell::new(Vec::new()),
            raw_outputs: RefCell::new(Vec::new()),
            parsed_ahead: RefCell::new(None),
        }
    }

    /// Lets the next render use the trees `ahead` holds for its files
    /// instead of parsing them (see [`crate::render::parse_ahead`]).
    pub fn with_parsed_ahead(self, ahead: ParseAhead) -> Engine {
        *self.parsed_ahead.borrow_mut() = Some(ahead);
        self
    }

    /// Files of the last [`Engine::render`] whose output held bytes that are
    /// not UTF-8 (shown as U+FFFD in the returned text), with the error
    /// Helm's YAML reader reports for them.
    pub fn yaml_reader_errors(&self) -> Vec<(String, &'static str)> {
        self.reader_errors.borrow().clone()
    }

    /// The bytes of the files of the last [`Engine::render`] whose output is
    /// not UTF-8 (the returned text has U+FFFD in their place).
    pub fn take_raw_outputs(&self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut *self.raw_outputs.borrow_mut())
    }

    /// Helm's `sortTemplates`: more path segments first; equal depth in
    /// reverse lexical order.
    pub fn sort_names(names: &mut [String]) {
        // Each name's depth counted once, not at every comparison.
        let mut keyed: Vec<(usize, String)> = names
            .iter_mut()
            .map(|n| (depth(n), std::mem::take(n)))
            .collect();
        keyed.sort_by(|a, b| by_depth_then_reverse((a.0, &a.1), (b.0, &b.1)));
        for (slot, (_, name)) in names.iter_mut().zip(keyed) {
            *slot = name;
        }
    }

    /// Renders every non-partial file. Returns name → output, `<no value>` removed.
    pub fn render(&self, files: &[TemplateFile]) -> Result<BTreeMap<String, String>, RenderError> {
        self.render_observed(files, &mut |_, text| Some(text))
    }

    /// [`Engine::render`], handing each file's final output to `observe`
    /// as soon as it is rendered (the pipeline parses it on another thread
    /// while the next files render). `observe` keeps the output (`None`:
    /// it is left out of the result) or gives it back for the result.
    pub fn render_observed(
        &self,
        files: &[TemplateFile],
        observe: &mut dyn FnMut(&str, String) -> Option<String>,
    ) -> Result<BTreeMap<String, String>, RenderError> {
        let mut order: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        Self::sort_names(&mut order);
        order.dedup();
        let by_name: HashMap<&str, &TemplateFile> =
            files.iter().map(|f| (f.name.as_str(), f)).collect();

        let resolve = |name: &str| -> Option<Callee> { resolve_in(&self.registry, name) };
        // Files parsed while the chart loaded need no lexing or parsing;
        // the helper may still be parsing the last of them.
        let mut ahead = self.parsed_ahead.borrow_mut().take();
        if let Some(ahead) = &ahead {
            ahead.retain_queued(|name| by_name.contains_key(name));
        }
        let mut ready: Vec<Option<Parsed>> = Vec::with_capacity(order.len());
        // Files the helper has or will have parsed, that define nothing:
        // each is its own template alone, so rendering can start before
        // they are parsed, and each is taken (or parsed here) when first
        // looked up (`LateFiles`).
        let mut late: Vec<bool> = Vec::with_capacity(order.len());
        // The templates' text nodes are views of these bytes (the chart's own
        // when they are UTF-8), so the source is never copied.
        let sources: Vec<(&str, SharedBytes)> = order
            .iter()
            .filter_map(|name| {
                let file = by_name.get(name.as_str())?;
                let known = ahead.as_mut().is_some_and(|a| a.knows(name));
                let is_late = known && !may_define(&file.source);
                let parsed = match (known, is_late) {
                    (true, false) => ahead
                        .as_mut()
                        .and_then(|a| a.take_waiting(name, &file.source)),
                    _ => None,
                };
                // A file parsed ahead is UTF-8 (the helper parses no
                // other), so its bytes need no second check.
                let source = match parsed {
                    Some(_) => file.source.clone(),
                    None => source_text(&file.source),
                };
                ready.push(parsed);
                late.push(is_late);
                Some((name.as_str(), source))
            })
            .collect();
        // The text of a file still to parse (UTF-8: see `source_text`).
        let text_of = |k: usize| std::str::from_utf8(&sources[k].1).unwrap_or_default();
        let parse_here = |k: usize| -> Parsed {
            parse_lexed(
                sources[k].0,
                sources[k].1.clone(),
                lex(text_of(k)),
                &resolve,
            )
        };
        // A file with the very text of another (every subchart that vendors
        // the same library chart carries a copy) takes that file's trees,
        // relabeled, instead of being lexed and parsed again.
        let copy_of = copies_of(&sources, |k| ready[k].is_some(), |k| late[k]);
        // The files still to parse, in order, parsed on both cores.
        let to_parse: Vec<usize> = (0..sources.len())
            .filter(|&k| ready[k].is_none() && copy_of[k].is_none() && !late[k])
            .collect();
        let jobs: Vec<ParseJob<'_>> = to_parse
            .iter()
            .map(|&k| ParseJob {
                name: sources[k].0,
                source: &sources[k].1,
                text: text_of(k),
            })
            .collect();
        for (k, parsed) in to_parse.iter().zip(parse_jobs(&jobs, &self.registry)) {
            ready[*k] = parsed;
        }
        for (k, first) in copy_of.iter().enumerate() {
            let Some(first) = *first else { continue };
            ready[k] = match &ready[first] {
                Some(Ok(trees)) => {
                    let file: Rc<str> = Rc::from(sources[k].0);
                    Some(Ok(trees
                        .iter()
                        .map(|t| Rc::new(t.relabeled(&file, &sources[k].1)))
                        .collect()))
                }
                // The first copy failed, or was not parsed because an
                // earlier file failed: this one is parsed for its own
                // error (or not reached at all).
                _ => None,
            };
        }
        let late_files = LateFiles {
            index: (0..sources.len())
                .filter(|&k| late[k])
                .map(|k| (sources[k].0, k))
                .collect(),
            sources: &sources,
            parse_here: &parse_here,
            state: RefCell::new(LateState {
                ahead,
                parsed: (0..sources.len()).map(|_| None).collect(),
            }),
        };
        let mut ns = Namespace::new();
        for (k, slot) in ready.iter_mut().enumerate() {
            if late[k] {
                continue;
            }
            // `None`: a copy of a file that failed, or a file `parse_jobs`
            // did not reach (it stops at the first that fails, and that
            // error ends this loop first).
            let parsed = slot.take().unwrap_or_else(|| parse_here(k));
            match parsed {
                Ok(trees) => {
                    for t in trees {
                        ns.associate(t);
                    }
                }
                // A late file before this one may fail first.
                Err(e) => {
                    return Err(late_files
                        .first_error(k)
                        .unwrap_or_else(|| helm_parse_error(sources[k].0, &e.0)))
                }
            }
        }
        // A late file named as a template defined elsewhere (only possible
        // with a `define` named like a file path) takes its place in
        // Helm's order: every file is associated again in order, the
        // others parsed again (a case too rare to keep their trees for).
        if late_files
            .index
            .keys()
            .any(|name| ns.templates.contains_key(*name))
        {
            if let Some(e) = late_files.first_error(sources.len()) {
                return Err(e);
            }
            ns = Namespace::new();
            for (k, &is_late) in late.iter().enumerate() {
                if is_late {
                    if let Some(t) = late_files.get(k) {
                        ns.associate(t);
                    }
                } else if let Ok(trees) = parse_here(k) {
                    for t in trees {
                        ns.associate(t);
                    }
                }
            }
        }
        let ns = Namespace {
            templates: ns.templates,
            parent: None,
            late: Some(&late_files),
        };
        let rendered = self.execute_files(&order, &by_name, &ns, &resolve, observe);
        // Parse errors come first, as Helm parses every file before
        // rendering any.
        if let Some(e) = late_files.first_error(sources.len()) {
            return Err(e);
        }
        if self.skip_teardown {
            std::mem::forget(ns);
            std::mem::forget(late_files);
        }
        rendered
    }

    /// Renders each file of `order` with `ns`.
    fn execute_files(
        &self,
        order: &[String],
        by_name: &HashMap<&str, &TemplateFile>,
        ns: &Namespace<'_>,
        resolve: &dyn Fn(&str) -> Option<Callee>,
        observe: &mut dyn FnMut(&str, String) -> Option<String>,
    ) -> Result<BTreeMap<String, String>, RenderError> {
        let mut rendered = BTreeMap::new();
        self.reader_errors.borrow_mut().clear();
        self.raw_outputs.borrow_mut().clear();
        for name in order {
            let base = name.rsplit('/').next().unwrap_or(name);
            if base.starts_with('_') {
                continue;
            }
            let Some(file) = by_name.get(name.as_str()) else {
                continue;
            };
            let Some(tmpl) = ns.lookup(name) else {
                continue;
            };
            let data = file_context(&file.context, name, &file.base_path);
            let ctx = Ctx::new(&self.env, self.strict, resolve, &self.tpl_cache);
            let mut out = Vec::new();
            crate::render::exec::execute_bytes(&ctx, ns, &tmpl, data, &mut out)
                .map_err(|e| helm_exec_error(name, &e))?;
            let out = match String::from_utf8(out) {
                Ok(text) => text,
                Err(e) => {
                    let bytes = crate::render::exec::remove_no_value(e.into_bytes());
                    if let Some(msg) = crate::render::invalid_utf8::first_reader_error(&bytes) {
                        self.reader_errors.borrow_mut().push((name.clone(), msg));
                    }
                    let text = crate::value::go_lossy(&bytes);
                    self.raw_outputs.borrow_mut().push((name.clone(), bytes));
                    text
                }
            };
            let out = strip_no_value(out);
            if let Some(out) = observe(name, out) {
                rendered.insert(name.clone(), out);
            }
        }
        Ok(rendered)
    }

    /// Renders one standalone text as plain Go text/template does, outside
    /// Helm's chart engine: `data` is `.` as given, `<no value>` stays, and
    /// errors are Go's own texts (`template: NAME:1: unclosed action`), as
    /// helm's `version --template` prints them.
    pub fn render_go(&self, name: &str, source: &str, data: Value) -> Result<String, String> {
        let resolve = |n: &str| -> Option<Callee> { resolve_in(&self.registry, n) };
        let mut ns = Namespace::new();
        for t in parse(name, source, &resolve).map_err(|e| e.0)? {
            ns.associate(t);
        }
        let Some(tmpl) = ns.lookup(name) else {
            return Ok(String::new());
        };
        let ctx = Ctx::new(&self.env, self.strict, &resolve, &self.tpl_cache);
        let mut out = String::new();
        execute(&ctx, &ns, &tmpl, data, &mut out).map_err(|e| e.text())?;
        Ok(out)
    }

    /// Parses and renders one standalone template text with `data` as `.`
    /// (for tests and tools; no chart namespace).
    pub fn render_string(
        &self,
        name: &str,
        source: &str,
        data: Value,
    ) -> Result<String, RenderError> {
        let files = [TemplateFile {
            name: name.to_string(),
            source: SharedBytes::from(source),
            context: data,
            base_path: String::new(),
        }];
        let mut out = self.render(&files)?;
        Ok(out.remove(name).unwrap_or_default())
    }
}

fn strip_no_value(s: String) -> String {
    if s.contains("<no value>") {
        s.replace("<no value>", "")
    } else {
        s
    }
}

/// For each of `sources` (in Helm's order) that is a copy of another, the
/// index of the one whose trees it takes: a file parsed ahead if one has
/// its bytes, else the first in order. Files parsed ahead are never
/// copies (only one of each text is queued), and they are looked at
/// first: a copy that comes earlier in Helm's order (a deeper subchart's
/// vendored library) takes their trees too.
///
/// Files `late` picks (parsed only when first looked up) are left out.
fn copies_of(
    sources: &[(&str, SharedBytes)],
    parsed_ahead: impl Fn(usize) -> bool,
    late: impl Fn(usize) -> bool,
) -> Vec<Option<usize>> {
    let mut copies = FileCopies::default();
    for (k, (_, source)) in sources.iter().enumerate() {
        if parsed_ahead(k) {
            copies.record(source, k);
        }
    }
    sources
        .iter()
        .enumerate()
        .map(|(k, (_, source))| match parsed_ahead(k) || late(k) {
            true => None,
            false => copies.first_or_record(source, k),
        })
        .collect()
}

/// Whether a template's text may hold a `define` or `block` action (a
/// file that does not is only its own template).
pub fn may_define(source: &[u8]) -> bool {
    memchr::memmem::find(source, b"define").is_some()
        || memchr::memmem::find(source, b"block").is_some()
}

/// Helm's order of template names ([`Engine::sort_names`]) as a comparison.
pub fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    by_depth_then_reverse((depth(a), a), (depth(b), b))
}

/// The path segments of a template name, less one.
fn depth(name: &str) -> usize {
    name.bytes().filter(|&b| b == b'/').count()
}

/// Helm's `sortTemplates` comparison of two names with their depths: more
/// path segments first; equal depth in reverse lexical order.
fn by_depth_then_reverse(a: (usize, &str), b: (usize, &str)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1))
}

/// The late files of one render (see [`LateTemplates`]): taken from the
/// parse helper, or parsed here, when first looked up.
struct LateFiles<'s> {
    /// Late files by name: their index in `sources`.
    index: HashMap<&'s str, usize>,
    sources: &'s [(&'s str, SharedBytes)],
    parse_here: &'s dyn Fn(usize) -> Parsed,
    state: RefCell<LateState>,
}

struct LateState {
    ahead: Option<ParseAhead>,
    /// Each late file's parse, once made.
    parsed: Vec<Option<Parsed>>,
}

impl LateFiles<'_> {
    /// The template of late file `k`, parsed now if it was not yet; `None`
    /// if it failed to parse.
    fn get(&self, k: usize) -> Option<Rc<crate::render::ast::Template>> {
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        let parsed = state.parsed[k].get_or_insert_with(|| {
            let (name, source) = &self.sources[k];
            state
                .ahead
                .as_mut()
                .and_then(|a| a.take_waiting(name, source))
                .unwrap_or_else(|| (self.parse_here)(k))
        });
        match parsed {
            Ok(trees) => trees.first().cloned(),
            Err(_) => None,
        }
    }

    /// The first parse error, in Helm's order, of the late files before
    /// index `end` (parsing those not parsed yet).
    fn first_error(&self, end: usize) -> Option<RenderError> {
        let mut ks: Vec<usize> = self.index.values().copied().filter(|&k| k < end).collect();
        ks.sort_unstable();
        if ks.iter().any(|&k| self.state.borrow().parsed[k].is_none()) {
            // Both threads parse what remains.
            if let Some(ahead) = self.state.borrow_mut().ahead.as_mut() {
                ahead.complete();
            }
        }
        for k in ks {
            self.get(k);
            if let Some(Err(e)) = &self.state.borrow().parsed[k] {
                return Some(helm_parse_error(self.sources[k].0, &e.0));
            }
        }
        None
    }
}

impl LateTemplates for LateFiles<'_> {
    fn late_lookup(&self, name: &str) -> Option<Rc<crate::render::ast::Template>> {
        let k = *self.index.get(name)?;
        self.get(k)
    }
}

/// The top-level object of one file: the chart's shared context with
/// `.Template` set for this file, as Helm does (`vals["Template"] = ...` on
/// the one map of the chart). So, as in Helm, a `set` on `.Values` or on `$`
/// in one file is seen by the files rendered after it.
fn file_context(context: &Value, name: &str, base_path: &str) -> Value {
    let mut tmpl = MapData::new();
    tmpl.insert("Name".to_string(), Value::str(name));
    tmpl.insert("BasePath".to_string(), Value::str(base_path));
    let tmpl = Value::map(tmpl).with_go_type(Some(crate::render::objects::VALUES_TYPE));
    if let Value::Map(m) = context {
        if let Ok(mut entries) = m.entries.try_borrow_mut() {
            entries.insert("Template".to_string(), tmpl);
            return context.clone();
        }
    }
    let mut top = MapData::new();
    top.insert("Template".to_string(), tmpl);
    Value::map(top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::funcs::standard_registry;

    #[test]
    fn a_copy_takes_the_trees_parsed_ahead_even_when_it_comes_first() {
        let lib = |s: &str| SharedBytes::from(s.to_string());
        let sources = [
            ("top/charts/a/charts/lib/templates/_h.tpl", lib("X")),
            ("top/charts/b/charts/lib/templates/_h.tpl", lib("X")),
            ("top/charts/lib/templates/_h.tpl", lib("X")),
            ("top/templates/other.yaml", lib("Y")),
        ];
        assert_eq!(
            copies_of(&sources, |k| k == 2, |_| false),
            [Some(2), Some(2), None, None]
        );
        assert_eq!(
            copies_of(&sources, |_| false, |_| false),
            [None, Some(0), Some(0), None]
        );
        // A late file is nobody's copy, and no copy takes its trees.
        assert_eq!(
            copies_of(&sources, |_| false, |k| k == 0),
            [None, None, Some(1), None]
        );
    }

    /// `files` rendered with every file parsed here, and with those of
    /// `queued` (the chart's files, plus any of a disabled subchart)
    /// queued for a background parse as `template` does: the same result.
    fn same_with_files_parsed_late(
        files: &[(&str, &str)],
        queued: &[(&str, &str)],
    ) -> Result<BTreeMap<String, String>, String> {
        let ctx = values(&[("on", Value::Bool(true))]);
        let template_files: Vec<TemplateFile> = files
            .iter()
            .map(|(name, text)| TemplateFile {
                name: name.to_string(),
                source: SharedBytes::from(text.to_string()),
                context: ctx.clone(),
                base_path: "c/templates".to_string(),
            })
            .collect();
        let serial = Engine::new(standard_registry(), EngineOptions::default())
            .render(&template_files)
            .map_err(|e| e.to_string());
        let queue = crate::render::parse_ahead::ParseQueue::default();
        for (name, text) in queued {
            let source = template_files
                .iter()
                .find(|f| f.name == *name)
                .map(|f| f.source.clone())
                .unwrap_or_else(|| SharedBytes::from(text.to_string()));
            let rest = name.strip_prefix("c/").expect("under c/");
            let file = crate::chart::archive::BufferedFile {
                name: rest.to_string(),
                data: source,
                mod_time: None,
            };
            queue.offer("c", &file);
        }
        let ahead = ParseAhead::in_background(queue);
        ahead.prioritize(may_define, helm_order);
        let late = Engine::new(standard_registry(), EngineOptions::default())
            .with_parsed_ahead(ahead)
            .render(&template_files)
            .map_err(|e| e.to_string());
        assert_eq!(late, serial, "late against serial");
        late
    }

    #[test]
    fn files_that_define_nothing_render_the_same_when_parsed_late() {
        let helpers = (
            "c/templates/_helpers.tpl",
            "{{ define \"c.name\" }}n-{{ .Values.on }}{{ end }}",
        );
        let cm = ("c/templates/cm.yaml", "a: {{ include \"c.name\" . }}\n");
        let dep = (
            "c/templates/dep.yaml",
            "sum: {{ include (print $.Template.BasePath \"/cm.yaml\") . | sha256sum }}\n{{ template \"c/templates/cm.yaml\" . }}",
        );
        let sub = (
            "c/charts/s/templates/s.yaml",
            "s: {{ include \"c.name\" . }}",
        );
        let files = [helpers, cm, dep, sub];
        let out = same_with_files_parsed_late(&files, &files).expect("renders");
        assert!(
            out["c/templates/dep.yaml"].ends_with("a: n-true\n"),
            "{out:?}"
        );
        // Queued files of a subchart found disabled since are dropped.
        let disabled = ("c/charts/off/templates/x.yaml", "{{ .Values.missing.x }}");
        same_with_files_parsed_late(&files, &[helpers, disabled, cm, dep, sub]).expect("renders");
        // Files not queued are parsed as usual.
        same_with_files_parsed_late(&files, &[cm]).expect("renders");
    }

    #[test]
    fn a_define_named_like_a_late_file_keeps_helms_order() {
        // Helm's order here: z, b, a; the later of a define and a file of
        // the same name wins.
        for (define_in, plain, winner) in [
            ("c/templates/b.yaml", "c/templates/a.yaml", "plain file"),
            (
                "c/templates/a.yaml",
                "c/templates/b.yaml",
                "from the define",
            ),
        ] {
            let body = format!("{{{{ define {plain:?} }}}}from the define{{{{ end }}}}");
            let call = format!("{{{{ template {plain:?} }}}}");
            let files = [
                (define_in, body.as_str()),
                (plain, "plain file"),
                ("c/templates/z.yaml", call.as_str()),
            ];
            let out = same_with_files_parsed_late(&files, &files).expect("renders");
            assert_eq!(out["c/templates/z.yaml"], winner);
        }
    }

    #[test]
    fn parse_errors_of_late_files_come_first_in_helms_order() {
        let helpers = ("c/templates/_helpers.tpl", "{{ define \"x\" }}{{ end }}");
        let bad_late = ("c/templates/b.yaml", "{{ if }}");
        let bad_late_too = ("c/templates/a.yaml", "{{ end }}");
        let fails_at_exec = ("c/templates/c.yaml", "{{ fail \"no\" }}");
        let bad_define_file = ("c/templates/_z.tpl", "{{ define \"y\" }}");
        let cases: [&[(&str, &str)]; 4] = [
            &[helpers, bad_late, fails_at_exec],
            &[helpers, bad_late, bad_late_too],
            &[helpers, bad_late, bad_define_file],
            &[helpers, fails_at_exec, bad_define_file],
        ];
        for files in cases {
            let err = same_with_files_parsed_late(files, files).expect_err("fails");
            assert!(
                err.contains("parse error") || err.contains("unexpected"),
                "{err}"
            );
        }
    }

    fn values(yaml_pairs: &[(&str, Value)]) -> Value {
        let mut v = MapData::new();
        for (k, x) in yaml_pairs {
            v.insert(k.to_string(), x.clone());
        }
        let mut top = MapData::new();
        top.insert("Values".to_string(), Value::map(v));
        Value::map(top)
    }

    fn render(src: &str, ctx: Value) -> Result<String, String> {
        let e = Engine::new(standard_registry(), EngineOptions::default());
        e.render_string("t/templates/x.yaml", src, ctx)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn basic_rendering() {
        let ctx = values(&[("a", Value::Float(1000000.0)), ("s", Value::str("x"))]);
        assert_eq!(
            render(
                "a: {{ .Values.a }} {{ .Values.s }} {{ .Values.nope }}|",
                ctx.clone()
            )
            .unwrap(),
            "a: 1e+06 x |"
        );
        assert_eq!(
            render(
                "{{- range $i, $v := list 1 2 3 }}{{ if eq $v 2 }}{{ continue }}{{ end }}{{ $i }}={{ $v }};{{ end }}",
                ctx.clone()
            )
            .unwrap(),
            "0=1;2=3;"
        );
        assert_eq!(
            render("{{ define \"h\" }}[{{ . }}]{{ end }}{{ include \"h\" 5 }}{{ template \"h\" \"x\" }}", ctx.clone())
                .unwrap(),
            "[5][x]"
        );
        assert_eq!(
            render("{{ tpl \"{{ .Values.s }}-{{ .Template.Name }}\" $ }}", ctx).unwrap(),
            "x-t/templates/x.yaml"
        );
    }

    #[test]
    fn errors_like_helm() {
        let ctx = values(&[]);
        assert_eq!(
            render("a: {{ .Values.a.b.c }}", ctx.clone()).unwrap_err(),
            "t/templates/x.yaml:1:13\n  executing \"t/templates/x.yaml\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b"
        );
        assert_eq!(
            render("a: {{ fail \"x\" }}", ctx.clone()).unwrap_err(),
            "execution error at (t/templates/x.yaml:1:6): x"
        );
        assert_eq!(
            render("a: {{ .Values.x \n", ctx.clone()).unwrap_err(),
            "parse error at (t/templates/x.yaml:2): unclosed action started at t/templates/x.yaml:1"
        );
        assert_eq!(
            render("a: {{ index (list 1 2 3) 5 }}", ctx.clone()).unwrap_err(),
            "template: t/templates/x.yaml:1:6: executing \"t/templates/x.yaml\" at <index (list 1 2 3) 5>: error calling index: index out of range: 5"
        );
        assert_eq!(
            render("a: {{ include \"nope\" . }}", ctx).unwrap_err(),
            "t/templates/x.yaml:1:6\n  executing \"t/templates/x.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\""
        );
    }

    #[test]
    fn files_share_mutations_as_in_helm() {
        let e = Engine::new(standard_registry(), EngineOptions::default());
        let mut nested = MapData::new();
        nested.insert("k".into(), Value::str("orig"));
        let ctx = values(&[("x", Value::Int(1)), ("n", Value::map(nested))]);
        let files = vec![
            TemplateFile {
                name: "t/templates/b.yaml".into(),
                source: "{{ $_ := set .Values \"y\" 2 }}{{ $_ := set .Values.n \"k\" \"new\" }}a: {{ .Values.y }} {{ .Values.n.k }}".into(),
                context: ctx.clone(),
                base_path: "t/templates".into(),
            },
            TemplateFile {
                name: "t/templates/a.yaml".into(),
                source: "b: {{ .Values.y }} {{ .Values.n.k }}".into(),
                context: ctx,
                base_path: "t/templates".into(),
            },
        ];
        let out = e.render(&files).unwrap();
        // Helm renders b.yaml (the mutating one) before a.yaml, and both
        // see one chart context (checked against helm 4.3.1 and 3.19).
        assert_eq!(out["t/templates/b.yaml"], "a: 2 new");
        assert_eq!(out["t/templates/a.yaml"], "b: 2 new");
    }

    /// `testdata/engine/*.tpl` rendered with `testdata/engine/values.yaml`,
    /// snapshotted; the snapshots were checked against helm.
    #[test]
    fn fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/engine");
        let values_src = std::fs::read_to_string(dir.join("values.yaml")).expect("values.yaml");
        let values = crate::values::yaml::parse_values(&values_src).expect("valid values");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixture dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tpl"))
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for path in names {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("x")
                .to_string();
            let src = std::fs::read_to_string(&path).expect("fixture");
            let mut top = MapData::new();
            top.insert("Values".to_string(), values.deep_copy());
            let e = Engine::new(standard_registry(), EngineOptions::default());
            let out =
                match e.render_string(&format!("t/templates/{stem}.yaml"), &src, Value::map(top)) {
                    Ok(s) => s,
                    Err(err) => format!("Error: {err}"),
                };
            insta::assert_snapshot!(stem, out);
        }
    }
}

#[cfg(test)]
mod robustness {
    use super::*;
    use crate::render::funcs::standard_registry;

    /// Random mixes of template tokens must give a result or an error, never a panic.
    #[test]
    fn random_token_soup_never_panics() {
        let toks = [
            "{{", "}}", "{{-", "-}}", " ", "\n", "(", ")", "|", "$x", ":=", "=", ".", ".a",
            ".Values", "$", "if", "else", "end", "range", "with", "define", "\"d\"", "template",
            "block", "break", "continue", "1", "-1", "1.5", "'a'", "`r`", "\"s\"", "nil", "true",
            "include", "tpl", "printf", "\"%d\"", "index", "len", "and", "or", "not", "eq", "list",
            "dict", "set", "default", "/*", "*/", ",", "$i", "0x1p3", "1e", "\\", "@", "ä", "}",
            "{",
        ];
        let mut seed: u64 = 0x9E3779B97F4A7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let e = Engine::new(standard_registry(), EngineOptions::default());
        for _ in 0..20000 {
            let n = (next() % 40) as usize;
            let mut src = String::new();
            for _ in 0..n {
                src.push_str(toks[(next() % toks.len() as u64) as usize]);
                if next() % 3 == 0 {
                    src.push(' ');
                }
            }
            let mut top = MapData::new();
            top.insert("Values".into(), Value::empty_map());
            let _ = e.render_string("t/templates/x.yaml", &src, Value::map(top));
        }
    }
}
