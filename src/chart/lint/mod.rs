//! `lint`: helm's chart linter. Each rule family lives in its own file
//! and appends [`Message`]s to a [`Linter`]; [`run_all`] runs them in
//! helm's order (Chart.yaml, values, templates, dependencies, CRDs).
//!
//! The template rule renders the chart and therefore belongs to the
//! rendering side: callers pass it in as a [`TemplateRule`]. The
//! structural part that needs no rendering (templates/ exists, chart
//! loads) runs here before the hook is called.

mod chartfile;
mod crds;
mod dependencies;
mod urls;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use super::Chart;
use crate::value::Value;

/// How bad a finding is; ordered as helm orders them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Unknown,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: printed as `[SEVERITY] path: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub text: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.text
        )
    }
}

/// The findings for one chart directory.
#[derive(Clone, Debug, Default)]
pub struct Linter {
    pub messages: Vec<Message>,
    pub highest_severity: Option<Severity>,
    /// The absolute chart directory (some rules print it as their path).
    pub chart_dir: PathBuf,
}

impl Linter {
    /// Records `result` (if it failed) and returns whether it passed.
    pub fn rule(&mut self, severity: Severity, path: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(text) => {
                self.messages.push(Message {
                    severity,
                    path: path.to_string(),
                    text,
                });
                if self.highest_severity.is_none_or(|h| severity > h) {
                    self.highest_severity = Some(severity);
                }
                false
            }
        }
    }
}

/// What every rule may need besides the chart directory.
#[derive(Clone, Debug)]
pub struct LintContext {
    /// User-supplied values (`-f`, `--set`...).
    pub values: Value,
    pub namespace: String,
    /// `--kube-version`, already validated.
    pub kube_version: Option<String>,
    pub skip_schema_validation: bool,
}

/// The rendering half of helm's template rule, run once the chart loaded:
/// it adds `templates/` (and per-file) messages to the linter.
pub type TemplateRule<'a> = dyn Fn(&mut Linter, &Chart, &LintContext) + 'a;

/// helm's `lint.RunAll` on a chart directory.
pub fn run_all(dir: &Path, ctx: &LintContext, templates: Option<&TemplateRule<'_>>) -> Linter {
    let mut linter = Linter {
        chart_dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        ..Default::default()
    };
    chartfile::lint(&mut linter);
    values::lint(&mut linter, ctx);
    lint_templates_structure(&mut linter, ctx, templates);
    dependencies::lint(&mut linter);
    crds::lint(&mut linter);
    linter
}

/// The structural start of helm's template rule.
fn lint_templates_structure(
    linter: &mut Linter,
    ctx: &LintContext,
    templates: Option<&TemplateRule<'_>>,
) {
    let path = "templates/";
    let dir = linter.chart_dir.join("templates");
    let exists = dir.exists();
    if !linter.rule(
        Severity::Warning,
        path,
        if exists {
            Ok(())
        } else {
            Err("directory does not exist".into())
        },
    ) {
        return;
    }
    if !linter.rule(
        Severity::Error,
        path,
        if dir.is_dir() {
            Ok(())
        } else {
            Err("not a directory".into())
        },
    ) {
        return;
    }
    let chart = match super::load(&linter.chart_dir) {
        Ok(c) => c,
        Err(e) => {
            linter.rule(Severity::Error, path, Err(e.to_string()));
            return;
        }
    };
    if let Some(rule) = templates {
        rule(linter, &chart, ctx);
    }
}

/// The outcome of linting one path given on the command line.
#[derive(Debug)]
pub enum LintOutcome {
    /// The chart was linted.
    Linted(Linter),
    /// The chart could not be linted at all (printed as `Error <msg>`).
    Failed(String),
}

/// Lints a chart directory or a `.tgz`/`.tar.gz` (expanded into a
/// temporary directory first, as helm does).
pub fn lint_path(
    path: &str,
    ctx: &LintContext,
    templates: Option<&TemplateRule<'_>>,
) -> LintOutcome {
    if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        let tmp = match TempDir::new() {
            Ok(t) => t,
            Err(e) => {
                return LintOutcome::Failed(format!(
                    "unable to create temp dir to extract tarball: {e}"
                ))
            }
        };
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                return LintOutcome::Failed(format!(
                    "unable to open tarball: {}",
                    super::loader::go_io_error("open", Path::new(path), &e)
                ))
            }
        };
        let chart_dir = match expand(&tmp.path, &data) {
            Ok(d) => d,
            Err(e) => return LintOutcome::Failed(format!("unable to extract tarball: {e}")),
        };
        return lint_dir(&chart_dir, ctx, templates);
    }
    lint_dir(Path::new(path), ctx, templates)
}

fn lint_dir(dir: &Path, ctx: &LintContext, templates: Option<&TemplateRule<'_>>) -> LintOutcome {
    // Go's filepath.Join cleans (`./Chart.yaml` prints as `Chart.yaml`).
    let chart_yaml = PathBuf::from(crate::helmpath::go_clean(&format!(
        "{}/Chart.yaml",
        dir.display()
    )));
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        return LintOutcome::Failed(format!(
            "unable to check Chart.yaml file in chart: {}",
            super::loader::go_io_error("stat", &chart_yaml, &e)
        ));
    }
    LintOutcome::Linted(run_all(dir, ctx, templates))
}

/// helm's `chartutil.Expand`: writes an archive's files under
/// `dir/<chart name>` and returns that folder.
pub fn expand(dir: &Path, data: &[u8]) -> Result<PathBuf, String> {
    let files = super::archive::read_archive(data).map_err(|e| e.to_string())?;
    let mut name = String::new();
    for f in &files {
        if f.name == "Chart.yaml" {
            let text = String::from_utf8_lossy(&f.data);
            let doc = crate::values::yaml::unmarshal(&text)
                .map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
            let mut md = super::Metadata::default();
            super::decode::apply_metadata(&mut md, &doc).map_err(|e| {
                format!(
                    "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: {}",
                    e.0
                )
            })?;
            name = md.name;
        }
    }
    if name.is_empty() {
        return Err("no Chart.yaml exists in directory".into());
    }
    let chart_dir = dir.join(secure_component(&name));
    for f in &files {
        // Archive names were already checked for `..` and absolute paths.
        let out = chart_dir.join(&f.name);
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&out, &f.data).map_err(|e| e.to_string())?;
    }
    Ok(chart_dir)
}

/// A chart name made safe as one path component (what SecureJoin achieves).
fn secure_component(name: &str) -> String {
    let cleaned = crate::helmpath::go_clean(&format!("/{name}"));
    let trimmed = cleaned.trim_start_matches('/');
    if trimmed.is_empty() {
        ".".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A temporary directory removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("helm-lint{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
